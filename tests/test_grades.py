"""The reported score: worked examples by hand, the cap, rounding, combining, and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.grades import (
    Outcome,
    combined_score,
    format_percent,
    outcome_of,
    reported_score,
)


def test_the_issue_example_capped_at_50():
    # 16 of 17 with a must-avoid choice on a case capped at 50: raw 94.117… → 94.1, reported 50.
    score = reported_score(16, 17, 1, 50)
    assert (score.raw_percent, score.percent, score.capped, score.text) == (94.1, 50.0, True, "50%")
    assert score.outcome == Outcome("Capped: an unsafe choice", "unsafe")


@pytest.mark.parametrize(
    ("points", "top", "must_avoid", "cap", "raw", "percent", "capped"),
    [
        (6, 7, 0, 50, 85.7, 85.7, False),  # no must-avoid choice: the cap does not apply
        (6, 7, 2, None, 85.7, 85.7, False),  # a must-avoid choice, but no cap (a quiz)
        (1, 7, 1, 50, 14.3, 14.3, False),  # already below the cap
        (1, 2, 1, 50, 50.0, 50.0, False),  # exactly at the cap: not lowered
        (1, 16, 0, None, 6.3, 6.3, False),  # 6.25 rounds half up, not to even
        (1, 8, 0, None, 12.5, 12.5, False),
        (2, 3, 0, None, 66.7, 66.7, False),
        (0, 0, 0, None, 0.0, 0.0, False),  # nothing possible (not started, empty)
        (17, 17, 1, 0, 100.0, 0.0, True),  # a cap of 0
    ],
)
def test_table(points, top, must_avoid, cap, raw, percent, capped):
    score = reported_score(points, top, must_avoid, cap)
    assert (score.raw_percent, score.percent, score.capped) == (raw, percent, capped)


@pytest.mark.parametrize(
    ("args", "message"),
    [((3, 2, 0, None), "between 0 and max_points"), ((-1, 2, 0, None), "between"),
     ((1, 2, -1, None), "must_avoid"), ((1, 2, 1, 101), "cap")],
)  # fmt: skip
def test_impossible_scores_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        reported_score(*args)


def test_combined_weights_by_points_possible_and_credits_the_cap():
    capped = reported_score(16, 17, 1, 50)  # credited 8.5 of 17
    full = reported_score(5, 5, 0, None)
    both = combined_score([capped, full])
    # (8.5 + 5) / 22 = 61.36… → 61.4; raw (16 + 5) / 22 = 95.45… → 95.5.
    assert (both.points, both.max_points, both.percent, both.raw_percent) == (21, 22, 61.4, 95.5)
    assert both.capped and both.must_avoid == 1 and both.cap is None
    not_started = reported_score(0, 3, 0, None, finished=False)
    assert combined_score([full, not_started]).percent == 62.5  # work not done counts 0
    assert not combined_score([full, not_started]).finished
    assert combined_score([]).percent == 0.0


@pytest.mark.parametrize(
    ("value", "text"), [(50.0, "50%"), (85.7, "85.7%"), (0.0, "0%"), (100.0, "100%"), (6.3, "6.3%")]
)
def test_format(value, text):
    assert format_percent(value) == text


@pytest.mark.parametrize(
    ("points", "top", "words", "tone"),
    [
        (17, 17, "Full marks", "full"),
        (13, 17, "Mostly right", "good"),  # 76.5
        (9, 17, "Partly right", "fair"),  # 52.9
        (5, 17, "Needs review", "weak"),  # 29.4: not a green check
    ],
)
def test_outcome_words_match_the_number(points, top, words, tone):
    assert outcome_of(reported_score(points, top, 0, None)) == Outcome(words, tone)


scores = st.integers(0, 60).flatmap(
    lambda top: st.tuples(
        st.integers(0, top), st.just(top), st.integers(0, 3), st.none() | st.integers(0, 100)
    )
)


@given(scores)
def test_invariants(args):
    points, top, must_avoid, cap = args
    score = reported_score(points, top, must_avoid, cap)
    assert 0 <= score.percent <= score.raw_percent <= 100
    if score.capped:  # the cap is below the exact raw percent, which may round onto it
        assert score.percent == cap < 100 * points / top and must_avoid > 0
    else:
        assert score.percent == score.raw_percent
    assert combined_score([score]).percent == score.percent
    assert round(score.percent, 1) == score.percent
    if points < top:  # one more point never lowers the score
        assert reported_score(points + 1, top, must_avoid, cap).percent >= score.percent
