"""The three NCSBN rules: published worked examples and their invariants."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.rules import plus_minus, rationale, zero_one

OPTS = list("abcdef")
KEY4 = ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["a", "b", "c", "d", "e", "f"], 2),  # all 4 keyed + 2 wrong → 2/4
        (["a", "b", "c", "e"], 2),  # 3 keyed + 1 wrong → 2/4
        (["a", "d", "e", "f"], 0),  # would be -? never below zero
        (["a", "e", "f", "e"], 0),  # 1 keyed + 3 wrong (repeat counts once) → 0, not −2
        ([], 0),
    ],
)
def test_plus_minus_select_all_worked_examples(chosen, expected):
    assert plus_minus(chosen, KEY4) == expected


def test_plus_minus_one_keyed_three_wrong_is_zero_not_negative():
    assert plus_minus(["a", "e", "f", "x"], KEY4) == 0


def test_highlight_worked_example():
    # 4 keyed phrases, 3 keyed + 2 non-keyed highlighted → 1/4
    assert plus_minus(["k1", "k2", "k3", "n1", "n2"], ["k1", "k2", "k3", "k4"]) == 1


def test_zero_one_select_n_worked_example():
    # Select 3: 2 keyed + 1 wrong → 2/3
    assert zero_one(["a", "b", "x"], ["a", "b", "c"]) == 2


def test_zero_one_keyword_parameters_and_any_iterable():
    assert zero_one(chosen=iter(["a", "a", "b"]), keyed=("a", "b")) == 2
    assert plus_minus(chosen={"a", "z"}, keyed=["a"]) == 0


@pytest.mark.parametrize(
    ("chosen", "keyed", "expected"),
    [
        (["act", "bad-reason"], ["act", "reason"], 0),  # dyad: action right, reason wrong → 0/1
        (["act", "reason"], ["act", "reason"], 1),
        (["wrong", "reason"], ["act", "reason"], 0),
        (["c", "e1", "x"], ["c", "e1", "e2"], 1),  # triad: cause right, 1 effect → 1/2
        (["c", "e2", "e1"], ["c", "e1", "e2"], 2),  # effects in any order
        (["x", "e1", "e2"], ["c", "e1", "e2"], 0),  # cause wrong → 0/2
        (["c", "e1", "e1"], ["c", "e1", "e2"], 1),  # a repeated effect counts once
    ],
)
def test_rationale_worked_examples(chosen, keyed, expected):
    assert rationale(chosen=chosen, keyed=keyed) == expected


def test_rationale_refuses_other_shapes():
    with pytest.raises(ValueError, match="dyad"):
        rationale(["a"], ["a"])


subsets = st.lists(st.sampled_from(OPTS), max_size=8)
keys = st.lists(st.sampled_from(OPTS), min_size=1, max_size=6, unique=True)


@given(chosen=subsets, keyed=keys)
def test_scores_stay_between_zero_and_max(chosen, keyed):
    for rule in (zero_one, plus_minus):
        assert 0 <= rule(chosen, keyed) <= len(keyed)


@given(chosen=subsets, keyed=keys)
def test_one_more_keyed_choice_never_lowers_plus_minus(chosen, keyed):
    for extra in keyed:
        assert plus_minus([*chosen, extra], keyed) >= plus_minus(chosen, keyed)


@given(chosen=subsets, keyed=keys, data=st.data())
def test_order_of_chosen_never_matters(chosen, keyed, data):
    shuffled = data.draw(st.permutations(chosen))
    assert plus_minus(shuffled, keyed) == plus_minus(chosen, keyed)
    assert zero_one(shuffled, keyed) == zero_one(chosen, keyed)


@given(
    cause=st.sampled_from(["c", "x"]),
    effects=st.lists(st.sampled_from(["e1", "e2", "e3"]), min_size=2, max_size=2),
)
def test_triad_between_zero_and_two(cause, effects):
    score = rationale([cause, *effects], ["c", "e1", "e2"])
    assert 0 <= score <= 2
    assert score == 0 or cause == "c"
