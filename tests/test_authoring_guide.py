"""docs/authoring.md cannot drift from the code: its example case loads, its worked examples
are the scorer's own words, and every key, item type, skill, tab and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from scoring.engine.case_path import score_case
from scoring.engine.items import score_response
from scoring.format.models import ITEM_TYPES, Case, Option, Quote, Skill, Tab
from scoring.format.schema import ITEM_SET_MODELINE, MODELINE, case_schema, item_set_schema
from scoring.format.yaml_reader import read_yaml_text
from scoring.guidance.passages import Guidance, GuidanceLibrary
from scoring.library.checks import check_case
from scoring.library.loader import LoadedCase, check_item_set_document, load_case_bytes

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"<!-- example: ([a-z-]+) -->\s*```yaml\n(.*?)```", re.S)
EXAMPLES = dict(EXAMPLE.findall(GUIDE))

# The answers of the guide's worked examples, step by step (see "Item types and how they are
# scored"); the scorer's arithmetic for each must appear in the guide word for word.
WORKED = {
    "cues": ["thirsty", "urine", "day-room"],
    "early-late": {"constipation": "early", "confusion": "early", "kidney-failure": "late"},
    "dehydration": {"cause": "urine-loss", "effect": "lowers"},
    "treatment": ["iv-fluids", "restrict"],
    "prevention": {"plan": "treat-cancer"},
    "scc-cues": ["pain-legs", "numb-band", "heavy-legs", "temperature"],
    "act": ["walk"],
    "early-plan": {
        "condition": ["scc"],
        "actions": ["steroid", "heat"],
        "parameters": ["legs", "bladder"],
    },
    "deficit-plan": {"cause": "damaged", "treatment": "surgery", "benefit": "stronger"},
    "course": ["spread", "press", "paralysis", "symptoms"],
    "two-days-later": {
        "pain-less": ["working"],
        "numb-chest": ["working", "report"],
        "mixed": ["report"],
    },
    "day-three": ["thirsty", "frame"],
    "warning-signs": {"cord": ["back-pain", "numb", "throat"], "calcium": ["tingling"]},
    "explain-fluids": {"loss": "urine", "effect": "lowers"},
    "why-call": {"action": "wait", "risk": "paralysis"},
    "teaching": {"back-pain": "call", "dizzy": "ignore"},
}


@pytest.fixture(scope="module")
def example(guidance_lib) -> LoadedCase:
    return load_case_bytes(EXAMPLES["case"].encode(), "docs/authoring.md", guidance_lib)


def test_the_guide_has_its_examples():
    assert set(EXAMPLES) == {"case", "guidance", "item-set"}
    assert EXAMPLES["case"].splitlines()[0] == MODELINE
    assert EXAMPLES["item-set"].splitlines()[0] == ITEM_SET_MODELINE


def test_example_item_set_loads_fits_its_schema_and_is_a_trend_item(guidance_lib):
    doc = read_yaml_text(EXAMPLES["item-set"], "docs/authoring.md")
    items = check_item_set_document(doc, guidance_lib)
    jsonschema.validate(doc.data, item_set_schema())
    assert items.items[0].trend and items.items[0].exhibits


def test_example_case_loads_and_fits_the_json_schema(example):
    assert example.case.id == "guide-thirst-then-back-pain"
    jsonschema.validate(example.doc.data, case_schema())


def test_example_uses_every_feature_it_claims(example):
    case: Case = example.case
    assert sorted(s.type for s in case.steps) == sorted(ITEM_TYPES)
    options = [
        o
        for s in case.steps
        for o in [
            *getattr(s, "options", []),
            *[x for b in getattr(s, "blanks", []) for x in b.options],
            *[
                x
                for w in ("condition", "actions", "parameters")
                if hasattr(s, w)
                for x in getattr(s, w).options
            ],
        ]
    ]
    cites = [c for o in options for c in o.cite]
    assert any(isinstance(c, Quote) for c in cites)
    assert any(isinstance(c, Quote) and ":" in c.passage for c in cites)
    assert "nursing" in cites
    assert any(isinstance(o, Option) and o.goto and o.consequence for o in options)
    assert any(o.must_avoid for o in options)
    assert any(r.must_avoid for s in case.steps for r in getattr(s, "rows", []))
    assert any(s.practice_notes for s in case.steps)
    assert case.clock and case.must_avoid_cap
    assert any(e.from_step for e in case.exhibits)


def test_worked_examples_are_the_scorers_words(example, guidance_lib):
    steps = {s.id: s for s in example.case.steps}
    assert set(WORKED) == set(steps)
    for step_id, answer in WORKED.items():
        result = score_response(steps[step_id], answer, guidance_lib, ("bone-metastasis",))
        assert f"`{result.arithmetic}`" in GUIDE, step_id


def test_the_case_score_quoted_in_the_guide(example, guidance_lib):
    result = score_case(example.case, WORKED, guidance_lib)
    assert "deficit-plan" in result.path and "early-plan" not in result.path
    line = f"scores {result.points} of {result.max_points} points, {result.percent:.0f}%"
    assert line in " ".join(GUIDE.split())


def test_example_guidance_document_loads_and_can_be_cited(guidance_lib, minimal_yaml):
    data = read_yaml_text(EXAMPLES["guidance"], "guide").data
    second = Guidance.model_validate(data)
    lib = GuidanceLibrary([*guidance_lib.documents.values(), second])
    text = minimal_yaml.replace("[bone-metastasis]", "[bone-metastasis, unit-falls-policy]")
    text = text.replace(
        "cite: [hypercalcemia-early-symptoms]\n      - id: diarrhea",
        "cite: [unit-falls-policy:falls-policy-assess]\n      - id: diarrhea",
    )
    case = Case.model_validate(yaml.safe_load(text))
    assert check_case(case, lib) == []
    assert lib.passage("falls-policy-assess", case.guidance).guidance.id == "unit-falls-policy"


def _fields() -> set[str]:
    from pydantic import BaseModel

    import scoring.format.models as models

    names: set[str] = set()
    for obj in vars(models).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, BaseModel)
            and obj.__module__ == models.__name__
        ):
            names |= set(obj.model_fields)
    return names


def test_every_key_item_type_skill_and_tab_is_documented():
    for name in sorted(_fields()):
        assert f"`{name}" in GUIDE or f"{name}:" in GUIDE, f"key '{name}' is not in the guide"
    for kind in ITEM_TYPES:
        assert f"### `{kind}`" in GUIDE, kind
    for value in [*(s.value for s in Skill), *(t.value for t in Tab)]:
        assert f"`{value}`" in GUIDE, value


@pytest.mark.parametrize(
    "command",
    [
        "casebook guidance",
        "casebook new",
        "casebook validate",
        "casebook lint",
        "casebook lint --rules",
        "casebook lint --suppressed",
        "casebook coverage",
        "casebook coverage --csv",
        "casebook schema",
        "--type all",
        "casebook guidance import",
        "casebook new my-items --item-set",
        "casebook schema --item-set",
    ],
)
def test_every_authoring_command_is_documented(command):
    assert command in GUIDE


def test_every_lint_rule_is_in_the_guide_with_its_margin():
    from scoring.lint import RULES

    for rule_id in RULES:
        assert f"| `{rule_id}` |" in GUIDE, rule_id


def test_the_example_case_is_lint_clean(example, guidance_lib):
    from scoring.lint.engine import lint_case

    assert [str(f) for f in lint_case(example, guidance_lib)] == []


def test_every_practice_note_is_listed_with_its_title(guidance_lib):
    for doc in guidance_lib.documents.values():
        for note in doc.practice_notes:
            assert f"| `{note.id}` | {note.title} |" in GUIDE, note.id
