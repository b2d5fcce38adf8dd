"""The four response types added last (highlight table, multiple-response grouping,
drag-and-drop cloze and rationale): NCSBN worked examples as tables, and invariants."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.items import max_points, score_points, score_response
from scoring.engine.simulate import random_response
from scoring.errors import ResponseError
from tests.test_items import opt, step


def score(s, raw, lib):
    return score_response(s, raw, lib, ("bone-metastasis",))


def table(keyed: dict[str, bool]):
    """A highlight table, one phrase per row: keyed[phrase] says whether it is keyed."""
    rows = [{"id": f"r-{p}", "cells": [p.upper(), f"finding {p} noted"]} for p in keyed]
    options = [{**opt(p, k), "row": f"r-{p}", "text": f"finding {p}"} for p, k in keyed.items()]
    return step("highlight_table", columns=["System", "Findings"], rows=rows, options=options)


def grouping(groups: dict[str, dict[str, bool]]):
    return step(
        "multiple_response_grouping",
        groups=[
            {"id": g, "label": g.upper(), "options": [opt(o, k) for o, k in opts.items()]}
            for g, opts in groups.items()
        ],
    )


def tokens(kind: str, targets: dict[str, str], extra: str = "xyz"):
    ids = [*targets.values(), *extra]
    text = " ".join(f"{{{{{t}}}}}" for t in targets)
    return step(
        kind,
        text=text,
        tokens=[{k: v for k, v in opt(i).items() if k != "keyed"} for i in ids],
        targets=[{"id": t, "keyed": k} for t, k in targets.items()],
    )


# Highlight (text or table), 4 keyed phrases: 3 keyed + 2 non-keyed highlighted → 1/4.
@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["k1", "k2", "k3", "n1", "n2"], 1),
        (["k1", "k2", "k3", "k4"], 4),
        (["k1", "n1", "n2"], 0),  # −1, floored at 0
        ([], 0),
    ],
)
def test_highlight_table_plus_minus(chosen, expected, guidance_lib):
    s = table({"k1": True, "k2": True, "k3": True, "k4": True, "n1": False, "n2": False})
    r = score(s, chosen, guidance_lib)
    assert (r.points, r.max_points, r.rule) == (expected, 4, "+/-")
    assert {o.group_id for o in r.options} == {
        f"r-{p}" for p in ("k1", "k2", "k3", "k4", "n1", "n2")
    }
    assert next(o for o in r.options if o.id == "k1").group == "K1"


# Grouping: +/- inside each group, each group floored at 0, then summed.
@pytest.mark.parametrize(
    ("answer", "points", "words"),
    [
        # Whole-item +/- would give 2 − 2 = 0; per group: 2 + max(0, 0 − 2) = 2.
        ({"g1": ["a", "b"], "g2": ["d", "e"]}, 2, "G1: +2 −0 → 2; G2: +0 −2 → 0"),
        ({"g1": ["a", "b", "c"], "g2": ["f"]}, 2, "G1: +2 −1 → 1; G2: +1 −0 → 1"),
        ({"g1": ["c"], "g2": []}, 0, "G1: +0 −1 → 0; G2: +0 −0 → 0"),
        ({"g1": ["a", "b"], "g2": ["f"]}, 3, "G1: +2 −0 → 2; G2: +1 −0 → 1"),
    ],
)
def test_grouping_floors_each_group(answer, points, words, guidance_lib):
    s = grouping(
        {
            "g1": {"a": True, "b": True, "c": False},
            "g2": {"d": False, "e": False, "f": True},
        }
    )
    r = score(s, answer, guidance_lib)
    assert (r.points, r.max_points, r.rule) == (points, 3, "+/-")
    assert r.arithmetic == f"+/- per group, each group floored at 0 ({words}) = {points} of 3"
    assert max_points(s) == 3


# Drag-and-drop cloze: 0/1 per target, like its drop-down twin (3 targets, 2 right → 2/3).
def test_drag_drop_cloze_zero_one_per_target(guidance_lib):
    s = tokens("drag_drop_cloze", {"t1": "a", "t2": "b", "t3": "c"})
    r = score(s, {"t1": "a", "t2": "b", "t3": "x"}, guidance_lib)
    assert (r.points, r.max_points, r.rule) == (2, 3, "0/1")
    assert r.arithmetic == "1 point for each target filled right: 2 of 3"
    by_id = {o.id: o for o in r.options}
    assert [o.id for o in r.options] == ["a", "b", "c", "x", "y", "z"]  # every token explained
    assert (by_id["c"].verdict, by_id["c"].your_position, by_id["c"].correct_position) == (
        "missed",
        None,
        "3",
    )
    assert (by_id["x"].verdict, by_id["x"].your_position) == ("incorrect", 3)
    assert by_id["y"].verdict == "not chosen"
    # A keyed token in the wrong target is wrong, and says where it belongs.
    r = score(s, {"t1": "b", "t2": "a"}, guidance_lib)
    assert r.points == 0
    assert {o.id: (o.verdict, o.your_position, o.correct_position) for o in r.options}["a"] == (
        "incorrect",
        2,
        "1",
    )


def test_a_token_fills_one_target_only(guidance_lib):
    s = tokens("drag_drop_cloze", {"t1": "a", "t2": "b"})
    with pytest.raises(ResponseError, match="token 'a' is placed in more than one target"):
        score(s, {"t1": "a", "t2": "a"}, guidance_lib)
    with pytest.raises(ResponseError, match="unknown target 'zz'"):
        score(s, {"zz": "a"}, guidance_lib)
    with pytest.raises(ResponseError, match="unknown option 'q'"):
        score(s, {"t1": "q"}, guidance_lib)
    assert score(s, {"t1": None}, guidance_lib).points == 0


# Drag-and-drop rationale: the rationale rule, dyad (max 1) or triad (max 2).
@pytest.mark.parametrize(
    ("targets", "answer", "points", "most"),
    [
        ({"cause": "c", "effect": "e"}, {"cause": "c", "effect": "x"}, 0, 1),  # dyad: 0/1
        ({"cause": "c", "effect": "e"}, {"cause": "c", "effect": "e"}, 1, 1),
        ({"cause": "c", "effect": "e"}, {"cause": "x", "effect": "e"}, 0, 1),
        ({"c": "c", "e1": "e", "e2": "f"}, {"c": "c", "e1": "e", "e2": "x"}, 1, 2),  # triad 1/2
        ({"c": "c", "e1": "e", "e2": "f"}, {"c": "x", "e1": "e", "e2": "f"}, 0, 2),  # cause wrong
        ({"c": "c", "e1": "e", "e2": "f"}, {"c": "c", "e1": "f", "e2": "e"}, 2, 2),  # any order
    ],
)
def test_drag_drop_rationale_worked_examples(targets, answer, points, most, guidance_lib):
    s = tokens("drag_drop_rationale", targets)
    r = score(s, answer, guidance_lib)
    assert (r.points, r.max_points, r.rule) == (points, most, "rationale")
    assert score_points(s, answer) == (points, most)


def test_drag_drop_and_drop_down_twins_score_alike(guidance_lib):
    """The drag-and-drop types share the drop-down twins' rules: same answers, same points."""
    from tests.test_items import blank

    pairs = [
        ("dropdown_cloze", "drag_drop_cloze", {"a": "p", "b": "q", "c": "r"}),
        ("rationale_dyad", "drag_drop_rationale", {"a": "p", "b": "q"}),
        ("rationale_triad", "drag_drop_rationale", {"a": "p", "b": "q", "c": "r"}),
    ]
    for drop, drag, key in pairs:
        text = " ".join(f"{{{{{b}}}}}" for b in key)
        down = step(drop, text=text, blanks=[blank(b, k) for b, k in key.items()])
        tok = {k: v for k, v in opt("p").items() if k != "keyed"}
        dnd = step(
            drag,
            text=text,
            tokens=[{**tok, "id": i} for i in ("p", "q", "r", "s")],
            targets=[{"id": b, "keyed": k} for b, k in key.items()],
        )
        rng = random.Random(drop)
        for _ in range(40):  # distinct picks: a token fills one target (drop-downs may repeat)
            ids = rng.sample(["p", "q", "r"], len(key))
            answer = dict(zip(key, ids, strict=True))
            assert (
                score(down, answer, guidance_lib).points == score(dnd, answer, guidance_lib).points
            )


SHAPES = [
    lambda: table({"k1": True, "k2": True, "n1": False, "n2": False}),
    lambda: grouping({"g1": {"a": True, "b": False}, "g2": {"c": True, "d": True, "e": False}}),
    lambda: tokens("drag_drop_cloze", {"t1": "a", "t2": "b", "t3": "c"}),
    lambda: tokens("drag_drop_rationale", {"c": "a", "e": "b"}),
    lambda: tokens("drag_drop_rationale", {"c": "a", "e1": "b", "e2": "c"}),
]


@given(shape=st.integers(0, len(SHAPES) - 1), seed=st.integers(0, 10_000), ability=st.floats(0, 1))
def test_between_zero_and_max_and_the_fast_path_agrees(shape, seed, ability):
    from scoring.guidance.passages import GuidanceLibrary

    s = SHAPES[shape]()
    raw = random_response(s, random.Random(seed), ability)
    full = score_response(s, raw, GuidanceLibrary([]))
    assert 0 <= full.points <= full.max_points == max_points(s)
    assert score_points(s, raw) == (full.points, full.max_points)
    assert score_points(s, raw) != (0, 0)


@given(picked=st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True))
def test_grouping_one_more_keyed_choice_never_lowers_the_score(picked):
    s = grouping({"g1": {"a": True, "b": False}, "g2": {"c": True, "d": True, "e": False}})
    where = {"a": "g1", "b": "g1", "c": "g2", "d": "g2", "e": "g2"}

    def points(ids):
        answer: dict[str, list[str]] = {"g1": [], "g2": []}
        for i in ids:
            answer[where[i]].append(i)
        return score_points(s, answer)[0]

    for extra in ("a", "c", "d"):
        if extra not in picked:
            assert points([*picked, extra]) >= points(picked)
