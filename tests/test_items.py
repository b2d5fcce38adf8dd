"""Scoring whole responses to every item type, with the NGN worked examples."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from scoring.engine.items import max_points, score_points, score_response
from scoring.engine.simulate import random_response
from scoring.errors import ResponseError
from scoring.format.models import Step
from scoring.guidance.passages import GuidanceLibrary

STEP = TypeAdapter(Step)


def opt(oid: str, keyed: bool = False, **extra) -> dict:
    return {
        "id": oid,
        "text": oid.upper(),
        "keyed": keyed,
        "rationale": f"why {oid}",
        "cite": ["nursing"],
        **extra,
    }


def choice(oid: str) -> dict:
    """An ordering choice: no keyed flag (its place in correct_order is the key)."""
    return {"id": oid, "text": oid.upper(), "rationale": f"why {oid}", "cite": ["nursing"]}


def step(kind: str, **fields) -> object:
    base = {
        "id": "s",
        "skill": "analyze_cues",
        "client_needs": "physiological-adaptation",
        "type": kind,
        "prompt": "P",
        "feedback": "F",
    }
    return STEP.validate_python({**base, **fields})


def score(s, raw, lib):
    return score_response(s, raw, lib, ("bone-metastasis",))


def test_select_all_worked_example_and_arithmetic(guidance_lib):
    s = step("select_all", options=[opt(x, x in "abcd") for x in "abcdef"])
    r = score(s, list("abcdef"), guidance_lib)
    assert (r.points, r.max_points, r.rule) == (2, 4, "+/-")
    r = score(s, ["a", "b", "c", "e"], guidance_lib)
    assert r.arithmetic == "+1 for each of 3 keyed choices, −1 for 1 non-keyed choice = 2 of 4"
    r = score(s, ["a", "e", "f", "b"], guidance_lib)
    assert r.points == 0
    r = score(s, ["a", "e", "f"], guidance_lib)
    assert r.points == 0 and "floored at 0" in r.arithmetic
    verdicts = {o.id: o.verdict for o in r.options}
    assert verdicts == {
        "a": "correct",
        "b": "missed",
        "c": "missed",
        "d": "missed",
        "e": "incorrect",
        "f": "incorrect",
    }


def test_multiple_choice_scores_zero_one(guidance_lib):
    s = step("multiple_choice", options=[opt("a", True), opt("b"), opt("c")])
    assert score(s, "a", guidance_lib).points == 1
    assert score(s, ["b"], guidance_lib).points == 0
    with pytest.raises(ResponseError, match="takes one option"):
        score(s, ["a", "b"], guidance_lib)


def test_select_n_caps_picks(guidance_lib):
    s = step("select_n", select=3, options=[opt(x, x in "abc") for x in "abcdef"])
    r = score(s, ["a", "b", "d"], guidance_lib)
    assert (r.points, r.max_points) == (2, 3)
    with pytest.raises(ResponseError, match="no more than 3"):
        score(s, ["a", "b", "c", "d"], guidance_lib)


def matrix(kind: str, keyed: dict[str, object]) -> object:
    cols = [{"id": c, "text": c.upper()} for c in ("x", "y", "z")]
    rows = [
        {"id": r, "text": r.upper(), "keyed": k, "rationale": "why", "cite": ["nursing"]}
        for r, k in keyed.items()
    ]
    return step(kind, columns=cols, rows=rows)


def test_matrix_choice_worked_example(guidance_lib):
    s = matrix("matrix_choice", {"r1": "x", "r2": "y", "r3": "z", "r4": "x"})
    r = score(s, {"r1": "x", "r2": "y", "r3": "z", "r4": "y"}, guidance_lib)
    assert (r.points, r.max_points) == (3, 4)
    assert len(r.options) == 12 and {o.group_id for o in r.options} == {"r1", "r2", "r3", "r4"}


def test_matrix_response_per_column_floor_worked_example(guidance_lib):
    # Columns keyed 4/2/2; column scores 3, 2, max(0, 1−1) = 0 → 5/8.
    s = matrix(
        "matrix_response",
        {
            "r1": ["x", "y"],
            "r2": ["x", "z"],
            "r3": ["x"],
            "r4": ["x", "y", "z"],
            "r5": [],
        },
    )
    answer = {"r1": ["x", "y"], "r2": ["x"], "r3": ["x"], "r4": ["y", "z"], "r5": ["z"]}
    r = score(s, answer, guidance_lib)
    assert (r.points, r.max_points) == (5, 8)
    assert "X: +3 −0 → 3" in r.arithmetic and "Z: +1 −1 → 0" in r.arithmetic


def blank(bid: str, keyed: str, label: str | None = None) -> dict:
    return {"id": bid, "label": label, "options": [opt(x, x == keyed) for x in ("p", "q", "r")]}


def test_dropdown_cloze_worked_example(guidance_lib):
    s = step(
        "dropdown_cloze",
        text="{{a}} {{b}} {{c}}",
        blanks=[blank("a", "p"), blank("b", "q"), blank("c", "r")],
    )
    r = score(s, {"a": "p", "b": "q", "c": "p"}, guidance_lib)
    assert (r.points, r.max_points, r.rule) == (2, 3, "0/1")


def test_dyad_action_right_reason_wrong_scores_zero(guidance_lib):
    s = step(
        "rationale_dyad",
        text="{{cause}} because {{effect}}",
        blanks=[blank("cause", "p"), blank("effect", "q")],
    )
    r = score(s, {"cause": "p", "effect": "r"}, guidance_lib)
    assert (r.points, r.max_points, r.rule) == (0, 1, "rationale")
    assert score(s, {"cause": "p", "effect": "q"}, guidance_lib).points == 1


def test_triad_cause_right_one_effect(guidance_lib):
    s = step(
        "rationale_triad",
        text="{{c}} so {{e1}} and {{e2}}",
        blanks=[blank("c", "p"), blank("e1", "q"), blank("e2", "r")],
    )
    assert score(s, {"c": "p", "e1": "q", "e2": "p"}, guidance_lib).points == 1
    assert score(s, {"c": "q", "e1": "q", "e2": "r"}, guidance_lib).points == 0
    assert score(s, {"c": "p", "e1": "q", "e2": "r"}, guidance_lib).max_points == 2


def wing(keys: str, ids: str) -> dict:
    return {"options": [opt(x, x in keys) for x in ids]}


def test_bow_tie_worked_example(guidance_lib):
    s = step(
        "bow_tie",
        condition=wing("a", "abcd"),
        actions=wing("ab", "abcde"),
        parameters=wing("ab", "abcde"),
    )
    r = score(s, {"condition": "a", "actions": ["a", "c"], "parameters": ["b", "a"]}, guidance_lib)
    assert (r.points, r.max_points) == (4, 5)
    with pytest.raises(ResponseError, match="at most 2"):
        score(s, {"actions": ["a", "b", "c"]}, guidance_lib)


def test_highlight_worked_example(guidance_lib):
    phrases = {"k1": True, "k2": True, "k3": True, "k4": True, "n1": False, "n2": False}
    s = step(
        "highlight",
        passage=" ".join(p.upper() for p in phrases),
        options=[opt(p, k) for p, k in phrases.items()],
    )
    r = score(s, ["k1", "k2", "k3", "n1", "n2"], guidance_lib)
    assert (r.points, r.max_points) == (1, 4)


def test_ordering_adjacent_pairs_with_tie(guidance_lib):
    s = step(
        "ordering",
        options=[choice(x) for x in ("m1", "m2", "m3", "m4", "m5")],
        correct_order=[["m1", "m2"], "m3", "m4", "m5"],
    )
    assert score(s, ["m2", "m1", "m3", "m4", "m5"], guidance_lib).points == 4  # tie: either
    r = score(s, ["m1", "m3", "m2", "m4", "m5"], guidance_lib)
    assert (r.points, r.max_points) == (2, 4)
    assert {o.id: o.correct_position for o in r.options}["m2"] == "1–2"
    assert max_points(s) == 4
    with pytest.raises(ResponseError, match="every option exactly once"):
        score(s, ["m1", "m2"], guidance_lib)


def test_ordering_shows_which_neighbouring_pairs_scored(guidance_lib):
    # The example: positions 3 and 4 of five swapped gives 1 of 4, and the feedback
    # must show why: only A→B has its second option next in the key.
    s = step("ordering", options=[choice(x) for x in "abcde"], correct_order=list("abcde"))
    r = score(s, ["a", "b", "d", "c", "e"], guidance_lib)
    assert (r.points, r.max_points) == (1, 4)
    assert [(p.first, p.second, p.scored) for p in r.pairs] == [
        ("a", "b", True),
        ("b", "d", False),
        ("d", "c", False),
        ("c", "e", False),
    ]
    assert [p.follows for p in r.pairs] == [("b",), ("c",), ("e",), ("d",)]
    assert [p.reversed for p in r.pairs] == [False, False, True, False]
    assert r.pairs[1].first_text == "B" and r.pairs[1].position == 2
    assert "places 1–2 ✓, 2–3 ✗, 3–4 ✗, 4–5 ✗" in r.arithmetic
    assert r.arithmetic.endswith("1 of 4 pairs = 1 of 4")


def test_ordering_pairs_with_a_tie_and_the_last_option(guidance_lib):
    s = step(
        "ordering",
        options=[choice(x) for x in ("m1", "m2", "m3", "m4", "m5")],
        correct_order=[["m1", "m2"], "m3", "m4", "m5"],
    )
    r = score(s, ["m2", "m1", "m3", "m5", "m4"], guidance_lib)
    assert [(p.scored, p.tie) for p in r.pairs] == [
        (True, True),  # tied: either order scores
        (True, False),
        (False, False),  # m3 → m5 skips m4
        (False, False),  # m5 is last in the key: nothing scores after it
    ]
    assert r.pairs[0].follows == ("m1", "m3")  # m2's tied partner, or the next place
    assert r.pairs[3].follows == () and r.pairs[3].reversed
    assert r.points == 2


@settings(max_examples=80, deadline=None)
@given(st.permutations(list("abcdef")))
def test_ordering_points_are_the_pairs_that_scored(order):
    s = step(
        "ordering",
        options=[choice(x) for x in "abcdef"],
        correct_order=["a", ["b", "c"], "d", "e", "f"],
    )
    r = score_response(s, order, GuidanceLibrary([]))
    assert r.points == sum(p.scored for p in r.pairs)
    assert [(p.first, p.second) for p in r.pairs] == list(itertools.pairwise(order))


def test_ordering_all_or_nothing(guidance_lib):
    s = step(
        "ordering",
        options=[choice(x) for x in "abc"],
        correct_order=["a", "b", "c"],
        rule="all_or_nothing",
    )
    assert score(s, ["a", "b", "c"], guidance_lib).points == 2
    assert score(s, ["a", "c", "b"], guidance_lib).points == 0


def test_unknown_option_is_a_clear_response_error(guidance_lib):
    s = step("select_all", options=[opt("a", True), opt("b")])
    with pytest.raises(ResponseError, match="unknown option 'zz'"):
        score(s, ["zz"], guidance_lib)
    with pytest.raises(ResponseError, match="expected a list"):
        score(s, {"a": 1}, guidance_lib)


def test_evidence_quotes_passage_verbatim_and_marks_nursing(guidance_lib):
    s = step(
        "multiple_choice",
        practice_notes=["PN-HCM-05"],
        options=[
            opt("a", True, cite=["hypercalcemia-early-symptoms"]),
            opt("b", cite=["nursing"], must_avoid=True),
        ],
    )
    r = score(s, "b", guidance_lib)
    a = next(o for o in r.options if o.id == "a")
    passage = guidance_lib.passage("hypercalcemia-early-symptoms").passage
    assert a.evidence[0].text == passage.text and "02/07/2014" not in a.evidence[0].source
    assert "2014-02-07" in a.evidence[0].source
    assert next(o for o in r.options if o.id == "b").evidence[0].nursing
    assert r.must_avoid_chosen == ("B",)
    assert [n.id for n in r.practice_notes] == ["PN-HCM-05"]


def test_max_points_agrees_with_scoring_full_marks(shipped):
    """For every shipped step, max_points() equals what scoring reports."""
    for loaded in shipped.cases.values():
        for s in loaded.case.steps:
            r = score_response(s, _empty(s), shipped.guidance, tuple(loaded.case.guidance))
            assert r.max_points == max_points(s), (loaded.case.id, s.id)
            assert r.points == 0 or s.type == "ordering"


def _empty(s):
    if s.type == "ordering":
        return [o.id for o in s.options]
    mapped = ("bow_tie", "matrix_choice", "matrix_response", "multiple_response_grouping")
    if s.type in mapped or hasattr(s, "blanks") or hasattr(s, "targets"):
        return {}
    return []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), ability=st.floats(0, 1))
def test_fast_points_agree_with_explained_scoring(shipped, seed, ability):
    """score_points (analytics path) and score_response (explained path) never disagree."""
    rng = random.Random(seed)
    for loaded in shipped.cases.values():
        for s in loaded.case.steps:
            raw = random_response(s, rng, ability)
            full = score_response(s, raw, shipped.guidance, tuple(loaded.case.guidance))
            assert score_points(s, raw) == (full.points, full.max_points), (s.id, raw)
            assert 0 <= full.points <= full.max_points
