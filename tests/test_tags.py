"""The two blueprint tags: client needs and decision points, spelled as the brief fixes them."""

from __future__ import annotations

import pytest

from scoring.errors import CaseError
from scoring.format.tags import ClientNeed, DecisionPoint
from scoring.library.loader import load_case_bytes

SUBCATEGORIES = {
    "management-of-care",
    "safety-and-infection-control",
    "health-promotion-and-maintenance",
    "psychosocial-integrity",
    "basic-care-and-comfort",
    "pharmacological-and-parenteral-therapies",
    "reduction-of-risk-potential",
    "physiological-adaptation",
}
TAGS = "    client_needs: physiological-adaptation\n    decision_points: [DP-01]\n"


def _tagged(minimal_yaml: str, tags: str = TAGS) -> bytes:
    assert TAGS in minimal_yaml  # the fixture is tagged as every step must be
    return minimal_yaml.replace(TAGS, tags).encode()


def test_the_eight_subcategories_and_nineteen_decision_points():
    assert {c.value for c in ClientNeed} == SUBCATEGORIES
    assert all(c.label and c.category and c.definition.endswith(".") for c in ClientNeed)
    assert [d.value for d in DecisionPoint] == [f"DP-{n:02d}" for n in range(1, 20)]
    assert DecisionPoint("DP-13").label == "Recognising spinal cord compression"


def test_a_tagged_step_loads(minimal_yaml, guidance_lib):
    step = load_case_bytes(_tagged(minimal_yaml), "m.yaml", guidance_lib).case.steps[0]
    assert step.client_needs is ClientNeed.physiological_adaptation
    assert step.decision_points == [DecisionPoint.dp01]


@pytest.mark.parametrize(
    ("tags", "line", "words"),
    [
        ("    client_needs: physiology\n    decision_points: [DP-01]\n", 15, "physiological-"),
        ("    client_needs: basic-care-and-comfort\n    decision_points: [DP-20]\n", 16, "DP-20"),
        ("    client_needs: basic-care-and-comfort\n    decision_points: []\n", 16, "at least 1"),
    ],
)
def test_a_wrong_tag_is_reported_at_its_line(minimal_yaml, guidance_lib, tags, line, words):
    with pytest.raises(CaseError) as info:
        load_case_bytes(_tagged(minimal_yaml, tags), "m.yaml", guidance_lib)
    [problem] = info.value.problems
    assert problem.line == line and words in problem.message, str(problem)


def test_every_step_needs_a_client_need(minimal_yaml, guidance_lib):
    text = minimal_yaml.replace("    client_needs: physiological-adaptation\n", "")
    with pytest.raises(CaseError) as info:
        load_case_bytes(text.encode(), "m.yaml", guidance_lib)
    [problem] = info.value.problems
    assert problem.line == 13 and "missing required field 'client_needs'" in problem.message


def test_a_step_citing_the_bone_metastasis_guidance_needs_decision_points(
    minimal_yaml, guidance_lib
):
    text = minimal_yaml.replace("    decision_points: [DP-01]\n", "")
    with pytest.raises(CaseError) as info:
        load_case_bytes(text.encode(), "m.yaml", guidance_lib)
    [problem] = info.value.problems
    assert problem.line == 13 and "missing required field 'decision_points'" in problem.message
    twice = minimal_yaml.replace("[DP-01]", "[DP-01, DP-02, DP-01]")
    with pytest.raises(CaseError) as info:
        load_case_bytes(twice.encode(), "m.yaml", guidance_lib)
    assert [str(p) for p in info.value.problems] == [
        "m.yaml:16:37: decision point 'DP-01' is listed twice"
    ]


def test_the_authoring_guide_gives_every_definition_and_title_as_the_code_does():
    from pathlib import Path

    guide = (Path(__file__).resolve().parent.parent / "docs" / "authoring.md").read_text()
    for need in ClientNeed:
        assert f"| `{need.value}` | {need.label} ({need.category}) | {need.definition} |" in guide
    for point in DecisionPoint:
        assert f"| `{point.value}` | {point.label} |" in guide
    assert "2023 NCLEX-RN Test Plan" in guide
