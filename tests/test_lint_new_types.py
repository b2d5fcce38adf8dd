"""`casebook lint` reads the newest response types and item sets: a drag-and-drop token or a
grouping option the must-avoid policy names is found at its line, a standalone item is a quiz
item (and needs no case cap), and the shipped item set is lint-clean."""

from __future__ import annotations

from pathlib import Path

from scoring.format.yaml_reader import read_yaml_text
from scoring.library.loader import LoadedItemSet, check_item_set_document, version_of
from scoring.lint.engine import lint_case, lint_paths

ROOT = Path(__file__).resolve().parent.parent

ITEMS = """\
id: lint-items
title: Items under lint
topics: [testing]
guidance: [bone-metastasis]
items:
  - id: drag
    type: drag_drop_cloze
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Drag a word into each space (see Orders).
    text: The treatment is {{first}} and {{second}}.
    feedback: Fluids and a bisphosphonate.
    tokens:
      - {id: fluids, text: IV fluids, rationale: Main., cite: [hypercalcemia-iv-fluids]}
      - {id: drug, text: a bisphosphonate, rationale: Lowers., cite: [hypercalcemia-iv-fluids]}
      - {id: restrict, text: fluid restriction, rationale: No., cite: [hypercalcemia-iv-fluids]}
      - {id: wait, text: watchful waiting, rationale: No., cite: [hypercalcemia-iv-fluids]}
    targets:
      - {id: first, keyed: fluids}
      - {id: second, keyed: drug}
  - id: groups
    type: multiple_response_grouping
    skill: take_action
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: For each problem, select what the nurse teaches.
    feedback: Drink, and report.
    groups:
      - id: fluids
        label: Fluids
        options:
          - {id: drink, text: Keep drinking, keyed: true, rationale: Yes., cite: [nursing]}
          - id: less
            text: Drink less to pass less urine
            rationale: It deepens dehydration.
            cite: [hypercalcemia-dehydration-cycle]
      - id: signs
        label: Signs
        options:
          - {id: confused, text: New confusion, keyed: true, rationale: Late., cite: [nursing]}
          - {id: hair, text: Hair thinning, rationale: Not a sign., cite: [nursing]}
"""


def _line(text: str) -> int:
    """The 1-based line of ITEMS that holds ``text``."""
    return next(n for n, line in enumerate(ITEMS.splitlines(), 1) if text in line)


def _loaded(text: str, lib) -> LoadedItemSet:
    doc = read_yaml_text(text, "items.yaml")
    return LoadedItemSet(check_item_set_document(doc, lib), "items.yaml", version_of(b""), doc)


def test_policy_and_quiz_rules_read_tokens_groups_and_items_at_their_lines(guidance_lib):
    found = {
        (f.rule, f.line, f.step) for f in lint_case(_loaded(ITEMS, guidance_lib), guidance_lib)
    }
    assert ("must-avoid-policy", _line("fluid restriction"), "drag") in found  # a token
    assert ("must-avoid-policy", _line("Drink less"), "groups") in found  # in its group
    assert ("quiz-chart-reference", _line("see Orders"), "drag") in found  # a quiz item
    assert not any(rule == "must-avoid-cap" for rule, *_ in found)


def test_flagging_the_options_clears_the_policy_findings(guidance_lib):
    text = ITEMS.replace("text: fluid restriction,", "text: fluid restriction, must_avoid: true,")
    text = text.replace(
        "            text: Drink less", "            must_avoid: true\n            text: Drink less"
    )
    text = text.replace(" (see Orders)", "")
    found = lint_case(_loaded(text, guidance_lib), guidance_lib)
    assert [f for f in found if f.rule in ("must-avoid-policy", "quiz-chart-reference")] == []
    assert not any(f.rule == "must-avoid-cap" for f in found)  # a quiz has no case cap


def test_the_shipped_item_set_is_lint_clean(guidance_lib):
    report = lint_paths([ROOT / "cases" / "items"], guidance_lib)
    assert report.files >= 1 and report.problems == []
    assert [str(f) for f in report.open] == []
