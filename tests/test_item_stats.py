"""Item analysis against the reference worked example, Moodle's own fixture, and hand sums."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classroom.analytics.item_stats import (
    ITEM_COLUMNS,
    ItemDataError,
    distractor_counts,
    item_statistics,
    random_guess_baseline,
    score_matrix,
    score_summary,
)

MOODLE = Path(__file__).parent / "fixtures" / "moodle"


def responses_from_matrix(marks: list[list[float]], max_points: list[float]) -> pd.DataFrame:
    """Long-format responses for students s0, s1, … and items i0, i1, …"""
    return pd.DataFrame(
        [
            {"student": f"s{s}", "item": f"i{i}", "points": mark, "max_points": max_points[i]}
            for s, row in enumerate(marks)
            for i, mark in enumerate(row)
        ]
    )


# The reference's worked example: 6 students × 3 items, 1 = right.
WORKED = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_worked_example_items():
    items = item_statistics(responses_from_matrix(WORKED, [1, 1, 1])).items
    assert list(items.columns) == list(ITEM_COLUMNS)
    assert items["facility"].round(1).tolist() == [66.7, 50.0, 33.3]
    assert items["discrimination_index"].round(2).tolist() == [34.30, 0.00, 34.30]
    assert items["discriminative_efficiency"].tolist() == pytest.approx([40, 0, 40])
    assert items["n"].tolist() == [6, 6, 6]
    assert items["intended_weight"].tolist() == pytest.approx([100 / 3] * 3)
    assert items["flag"].tolist() == ["", "weak discrimination", ""]


def test_worked_example_test_statistics():
    test = item_statistics(responses_from_matrix(WORKED, [1, 1, 1])).test
    # Totals 3, 2, 2, 1, 1, 0: mean 1.5, var T = (2.25 + .25 + .25 + .25 + .25 + 2.25) / 5 = 1.1;
    # item variances 4/15, 3/10, 4/15 sum to 5/6; CIC = 100 · 3/2 · (1 − (5/6)/1.1) = 400/11.
    assert test.n_students == 6
    assert test.mean == 1.5
    assert test.median == 1.5
    assert test.sd == pytest.approx(math.sqrt(1.1))
    assert test.mean_percent == 50.0
    assert test.cic == pytest.approx(400 / 11)
    assert round(test.cic, 2) == 36.36
    assert round(test.error_ratio, 2) == 79.77
    assert round(test.standard_error, 4) == 0.8367


def moodle_results() -> pd.DataFrame:
    """Moodle's results00.csv as long-format responses (slot number = item)."""
    wide = pd.read_csv(MOODLE / "results00.csv").drop(columns="summarks")
    long = wide.melt(id_vars="quizattempt", var_name="slot", value_name="points")
    long["item"] = long["slot"].str.extract(r"slots\.(\d+)\.mark", expand=False).astype(int)
    long["max_points"] = 1.0
    return long.rename(columns={"quizattempt": "student"})[
        ["student", "item", "points", "max_points"]
    ]


MOODLE_ITEMS = item_statistics(moodle_results()).items
MOODLE_EXPECTED = pd.read_csv(MOODLE / "qstats00.csv").set_index("slot")
# (our column, Moodle's column, factor turning ours into Moodle's units)
MOODLE_COLUMNS = [
    ("facility", "facility", 1 / 100),  # Moodle stores facility and sd as fractions
    ("sd", "sd", 1 / 100),
    ("effective_weight", "effectiveweight", 1),
    ("discrimination_index", "discriminationindex", 1),
    ("discriminative_efficiency", "discriminativeefficiency", 1),
    ("covariance", "covariance", 1),
    ("mark_variance", "markvariance", 1),
    ("rest_variance", "othermarkvariance", 1),
    ("covariance_max", "covariancemax", 1),
]


@pytest.mark.parametrize("slot", range(1, 8))
@pytest.mark.parametrize(("ours", "theirs", "factor"), MOODLE_COLUMNS)
def test_moodle_fixture(slot: int, ours: str, theirs: str, factor: float):
    actual = MOODLE_ITEMS.loc[slot, ours] * factor
    assert actual == pytest.approx(MOODLE_EXPECTED.loc[slot, theirs], abs=5e-7)


def independent_item_statistics(responses: pd.DataFrame) -> dict[object, dict[str, float]]:
    """Each item's statistics straight from the definitions, one student list at a time.

    Written without the module's matrices (Python's ``statistics`` and plain loops), as the
    oracle for the branching tests: each item over the students who answered it, the rest of
    the test X = T − x over the same students, T = everything the student answered.
    """
    marks: dict[object, dict[object, float]] = {}
    for row in responses.itertuples(index=False):
        marks.setdefault(row.student, {})[row.item] = float(row.points)
    top = responses.groupby("item")["max_points"].first().to_dict()
    total = {student: sum(items.values()) for student, items in marks.items()}
    out = {}
    for item, maximum in top.items():
        who = [s for s in marks if item in marks[s]]
        x = [marks[s][item] for s in who]
        rest = [total[s] - marks[s][item] for s in who]
        cov = statistics.covariance(x, rest)
        cov_max = statistics.covariance(sorted(x), sorted(rest))
        out[item] = {
            "n": len(who),
            "facility": 100 * statistics.mean(x) / maximum,
            "sd": 100 * statistics.stdev(x) / maximum,
            "discrimination_index": 100
            * cov
            / math.sqrt(statistics.variance(x) * statistics.variance(rest)),
            "discriminative_efficiency": 100 * cov / cov_max,
            "covariance": cov,
            "covariance_with_total": statistics.covariance(x, [total[s] for s in who]),
        }
    return out


def moodle_with_branches() -> pd.DataFrame:
    """Moodle's 25 attempts with a branch after slot 1: right → slot 8, wrong → slot 9, and
    three attempts that stop before slot 7 (still answering)."""
    base = moodle_results()
    first = base[base["item"] == 1].set_index("student")["points"]
    rows = [base[~((base["item"] == 7) & base["student"].isin([3, 11, 19]))]]
    for student, mark in first.items():
        item = 8 if mark == 1 else 9
        points = (student * 7 % 5) / 4  # marks 0, .25, …, 1 spread over the students
        rows.append(pd.DataFrame([(student, item, points, 1.0)], columns=base.columns))
    return pd.concat(rows, ignore_index=True)


def test_independent_oracle_reproduces_moodle():
    oracle = independent_item_statistics(moodle_results())
    for slot in range(1, 8):
        expected = MOODLE_EXPECTED.loc[slot]
        assert oracle[slot]["facility"] / 100 == pytest.approx(expected["facility"], abs=5e-7)
        assert oracle[slot]["discrimination_index"] == pytest.approx(
            expected["discriminationindex"], abs=5e-7
        )


@pytest.mark.parametrize(
    "column",
    [
        "n",
        "facility",
        "sd",
        "discrimination_index",
        "discriminative_efficiency",
        "covariance",
        "covariance_with_total",
    ],
)
def test_moodle_fixture_with_branches_matches_an_independent_computation(column):
    responses = moodle_with_branches()
    items = item_statistics(responses).items
    oracle = independent_item_statistics(responses)
    assert items.index.tolist() == list(range(1, 10))
    assert items[column].tolist() == pytest.approx(
        [oracle[i][column] for i in items.index], abs=1e-9
    )


def test_branch_items_count_only_their_answerers():
    responses = moodle_with_branches()
    items = item_statistics(responses).items
    took_8 = int((moodle_results().query("item == 1")["points"] == 1).sum())
    assert items.loc[8, "n"] == took_8 and items.loc[9, "n"] == 25 - took_8
    assert items.loc[7, "n"] == 22
    test = item_statistics(responses).test
    # No item but slots 1–6 was answered by all 25: the test figures say so.
    assert (test.n_students, test.n_items, test.items_total) == (25, 6, 9)


@pytest.mark.parametrize(("answerers", "flag"), [(4, "too few answers"), (5, "")])
def test_minimum_answers_before_an_item_is_flagged(answerers, flag):
    # i0 is answered by the first `answerers` students only; its marks vary, so the only
    # question is whether there are enough of them.
    rows = [(f"s{s}", "i1", s % 2, 1) for s in range(8)]
    rows += [(f"s{s}", "i0", s % 2, 1) for s in range(answerers)]
    frame = pd.DataFrame(rows, columns=["student", "item", "points", "max_points"])
    items = item_statistics(frame).items
    assert items.loc["i0", "n"] == answerers
    assert items.loc["i0", "flag"] == flag
    assert items.loc["i0", "facility"] == pytest.approx(100 * (answerers // 2) / answerers)


def test_moodle_fixture_has_every_slot():
    assert MOODLE_ITEMS.index.tolist() == MOODLE_EXPECTED.index.tolist()
    assert (MOODLE_ITEMS["n"] == 25).all()


# Partial credit, 4 students × 3 items (max 1, 4, 5); s4 has no row for item C (a branch not
# taken), so C is analysed over s1–s3 only.
#        A    B    C   | total
#  s1    1    4    5   | 10
#  s2    1    2.5  3   | 6.5
#  s3    0    3    1.5 | 4.5
#  s4    0    0.5  —   | 0.5
PARTIAL = pd.DataFrame(
    [
        ("s1", "A", 1, 1),
        ("s1", "B", 4, 4),
        ("s1", "C", 5, 5),
        ("s2", "A", 1, 1),
        ("s2", "B", 2.5, 4),
        ("s2", "C", 3, 5),
        ("s3", "A", 0, 1),
        ("s3", "B", 3, 4),
        ("s3", "C", 1.5, 5),
        ("s4", "A", 0, 1),
        ("s4", "B", 0.5, 4),
    ],
    columns=["student", "item", "points", "max_points"],
)


def test_partial_credit_by_hand():
    items = item_statistics(PARTIAL).items
    assert items.index.tolist() == ["A", "B", "C"]
    assert items["n"].tolist() == [4, 4, 3]
    assert items["max_points"].tolist() == [1, 4, 5]
    # Intended weight: 1/10, 4/10, 5/10.
    assert items["intended_weight"].tolist() == pytest.approx([10, 40, 50])
    # Means: A 2/4 = .5 of 1; B (4 + 2.5 + 3 + .5)/4 = 2.5 of 4; C over its 3 answerers
    # (5 + 3 + 1.5)/3 = 19/6 of 5 (s4 never saw C: not a 0).
    assert items["facility"].tolist() == pytest.approx([50, 62.5, 100 * 19 / 30])
    # Deviations and sums of squares (divide by n − 1: 3, 3 and 2):
    #   A ±.5 → SS 1;  B 1.5, 0, .5, −2 → SS 6.5;  C 11/6, −1/6, −10/6 → SS 222/36 = 37/6.
    assert items["sd"].tolist() == pytest.approx(
        [100 * math.sqrt(1 / 3), 100 * math.sqrt(6.5 / 3) / 4, 100 * math.sqrt(37 / 12) / 5]
    )
    # Rest of test X = T − x:  A [9, 5.5, 4.5, .5] mean 4.875, dev 4.125, .625, −.375, −4.375
    #   Σ devA·devX = 2.0625 + .3125 + .1875 + 2.1875 = 4.75; SS_X = 36.6875
    # B: X [6, 4, 1.5, 0] mean 2.875, dev 3.125, 1.125, −1.375, −2.875
    #   Σ = 4.6875 + 0 − .6875 + 5.75 = 9.75; SS_X = 21.1875
    # C over s1–s3: X [5, 3.5, 3] mean 23/6, dev 7/6, −2/6, −5/6 → SS_X = 78/36 = 13/6;
    #   Σ devC·devX = (77 + 2 + 50)/36 = 43/12.
    # Discrimination index = 100 · Σ / √(SS_x · SS_X) (the 1/(n − 1)s cancel):
    #   A 475/√36.6875, B 975/√137.71875, C 100 · (43/12)/√(37/6 · 13/6) = 2150/√481 ≈ 98.03.
    assert items["discrimination_index"].tolist() == pytest.approx(
        [475 / math.sqrt(36.6875), 975 / math.sqrt(6.5 * 21.1875), 2150 / math.sqrt(481)]
    )
    assert items["covariance"].tolist() == pytest.approx([4.75 / 3, 9.75 / 3, 43 / 24])
    assert items["rest_variance"].tolist() == pytest.approx([36.6875 / 3, 21.1875 / 3, 13 / 12])
    # cov_max pairs sorted deviations: A and C are already in the rest's order (Σ unchanged);
    # B: sorted [−2, 0, .5, 1.5] × [−2.875, −1.375, 1.125, 3.125] = 5.75 + 0 + .5625 + 4.6875 = 11.
    assert items["covariance_max"].tolist() == pytest.approx([4.75 / 3, 11 / 3, 43 / 24])
    assert items["discriminative_efficiency"].tolist() == pytest.approx([100, 975 / 11, 100])
    # cov(x, T): A and B with T dev 4.625, 1.125, −.875, −4.875 (mean 5.375):
    #   A 2.3125 + .5625 + .4375 + 2.4375 = 5.75;  B 6.9375 + 0 − .4375 + 9.75 = 16.25 (÷ 3);
    #   C with T 10, 6.5, 4.5 (mean 7, dev 3, −.5, −2.5): 5.5 + 1/12 + 25/6 = 9.75 (÷ 2).
    roots = [math.sqrt(5.75 / 3), math.sqrt(16.25 / 3), math.sqrt(9.75 / 2)]
    assert items["effective_weight"].tolist() == pytest.approx(
        [100 * r / sum(roots) for r in roots]
    )
    # With 4 and 3 answerers no statistic means much: no flag but "too few answers".
    assert items["flag"].tolist() == ["too few answers"] * 3


def test_partial_credit_test_statistics_by_hand():
    test = item_statistics(PARTIAL).test
    # Test figures need items everyone answered: A and B (s4 never saw C).
    # T = 5, 3.5, 3, .5: mean 3, median 3.25, SS_T = 4 + .25 + 0 + 6.25 = 10.5, var T = 3.5.
    assert (test.n_students, test.n_items, test.items_total) == (4, 2, 3)
    assert test.max_points == 5
    assert test.mean == 3
    assert test.median == 3.25
    assert test.mean_percent == 60
    assert test.sd == pytest.approx(math.sqrt(3.5))
    # Σ var x = 1/3 + 6.5/3 = 2.5; CIC = 100 · 2/1 · (1 − 2.5/3.5) = 400/7 ≈ 57.14.
    assert test.cic == pytest.approx(400 / 7)
    # Error ratio = 100 · √(3/7); standard error = √(3/7) · √3.5 = √1.5.
    assert test.error_ratio == pytest.approx(100 * math.sqrt(3 / 7))
    assert test.standard_error == pytest.approx(math.sqrt(1.5))
    # Moodle's skewness and kurtosis are the adjusted Fisher–Pearson ones pandas implements.
    totals = pd.Series([5, 3.5, 3, 0.5])
    assert test.skewness == pytest.approx(totals.skew())
    assert test.kurtosis == pytest.approx(totals.kurt())


def test_test_statistics_over_the_students_given():
    # Over s1–s3 every item was answered: T = 10, 6.5, 4.5, mean 7, SS_T = 9 + .25 + 6.25.
    test = item_statistics(PARTIAL, test_students=["s1", "s2", "s3"]).test
    assert (test.n_students, test.n_items, test.max_points) == (3, 3, 10)
    assert test.mean == 7 and test.sd == pytest.approx(math.sqrt(15.5 / 2))
    # Item variances over s1–s3: A (⅓, ⅓, −⅔) → SS ⅔; B (4, 2.5, 3) → SS 7/6; C SS 37/6.
    variance_sum = (2 / 3 + 7 / 6 + 37 / 6) / 2
    assert test.cic == pytest.approx(100 * 1.5 * (1 - variance_sum / (15.5 / 2)))
    nobody = item_statistics(PARTIAL, test_students=[]).test
    assert nobody.n_students == 0 and math.isnan(nobody.mean) and math.isnan(nobody.cic)


def test_unanswered_cells_are_masked_not_zero():
    marks, item_max, answered = score_matrix(PARTIAL)
    assert marks.loc["s4"].tolist() == [0, 0.5, 0]
    assert answered.loc["s4"].tolist() == [True, True, False]
    assert item_max.tolist() == [1, 4, 5]


def test_one_student_gives_nan_not_warnings():
    analysis = item_statistics(responses_from_matrix([[1, 0.5]], [1, 1]))
    items = analysis.items
    assert items["facility"].tolist() == [100, 50]
    spread_columns = ["sd", "effective_weight", "discrimination_index", "discriminative_efficiency"]
    assert items[spread_columns].isna().all().all()
    assert analysis.test.n_students == 1
    assert analysis.test.mean == 1.5
    assert math.isnan(analysis.test.sd)
    assert math.isnan(analysis.test.cic)


def test_item_everyone_scores_the_same():
    # Item i0 is right for everyone: no variation, so nothing to discriminate with.
    five = [[1, 1], [1, 0], [1, 1], [1, 0], [1, 1]]
    items = item_statistics(responses_from_matrix(five, [1, 1])).items
    assert items.loc["i0", "sd"] == 0
    assert math.isnan(items.loc["i0", "discrimination_index"])
    assert math.isnan(items.loc["i0", "discriminative_efficiency"])
    assert items.loc["i0", "flag"] == "very easy; no variation"


def test_item_everyone_scores_the_same_with_inexact_floats():
    # The mean of three 0.1s is not exactly 0.1 in binary; the item must still show no spread.
    items = item_statistics(responses_from_matrix([[0.1, 1], [0.1, 0], [0.1, 1]], [1, 1])).items
    assert items.loc["i0", "sd"] == 0
    assert math.isnan(items.loc["i0", "discrimination_index"])


def test_all_identical_totals():
    # Every student scores 1 of 2, so the test cannot tell students apart.
    analysis = item_statistics(responses_from_matrix([[1, 0], [0, 1], [1, 0], [0, 1]], [1, 1]))
    assert analysis.test.sd == 0
    assert math.isnan(analysis.test.cic)
    assert math.isnan(analysis.test.skewness)
    assert analysis.items["effective_weight"].isna().all()
    # Each item is the exact opposite of the rest of the test.
    assert analysis.items["discrimination_index"].tolist() == pytest.approx([-100, -100])


def test_empty_input():
    for empty in (pd.DataFrame(), PARTIAL.iloc[:0]):
        analysis = item_statistics(empty)
        assert analysis.items.empty
        assert list(analysis.items.columns) == list(ITEM_COLUMNS)
        assert analysis.test.n_students == 0
        assert math.isnan(analysis.test.mean)


def test_single_item_has_no_internal_consistency():
    analysis = item_statistics(responses_from_matrix([[1], [0], [1]], [1]))
    assert math.isnan(analysis.test.cic)
    assert math.isnan(analysis.items.loc["i0", "discrimination_index"])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("s1", "A", 1, 1), ("s1", "A", 0, 1)], "more than one row"),
        ([("s1", "A", 2, 1)], "outside"),
        ([("s1", "A", -1, 1)], "outside"),
        ([("s1", "A", 1, 1), ("s2", "A", 1, 2)], "more than one max_points"),
        ([("s1", "A", 0, 0)], "max_points ≤ 0"),
        ([("s1", "A", None, 1)], "points is missing"),
        ([("s1", "A", "x", 1)], "points must be numbers"),
        ([(None, "A", 1, 1)], "needs a student"),
    ],
)
def test_bad_responses(rows, message):
    frame = pd.DataFrame(rows, columns=["student", "item", "points", "max_points"])
    with pytest.raises(ItemDataError, match=message):
        item_statistics(frame)


def test_missing_column():
    with pytest.raises(ItemDataError, match="missing column"):
        item_statistics(pd.DataFrame({"student": ["s1"], "item": ["A"], "points": [1]}))


def test_score_summary():
    # 2, 4, 9: mean 5, median 4, SS = 9 + 1 + 16 = 26, sd = √13.
    summary = score_summary(pd.Series([4, 2, 9]))
    assert summary == {"n": 3, "mean": 5, "median": 4, "sd": math.sqrt(13), "min": 2, "max": 9}
    empty = score_summary(pd.Series([], dtype=float))
    assert empty["n"] == 0
    assert math.isnan(empty["mean"])
    assert math.isnan(score_summary(pd.Series([7.0]))["sd"])
    assert score_summary(pd.Series([3.0, 3.0]))["sd"] == 0


@pytest.mark.parametrize(
    ("options", "keyed", "expected"),
    [(5, 2, 0.1129), (6, 3, 0.1587), (6, 4, 0.2857), (8, 3, 0.0614), (10, 5, 0.1232)],
)
def test_random_guess_baseline_reference_values(options: int, keyed: int, expected: float):
    assert round(random_guess_baseline(options, keyed), 4) == expected


def test_random_guess_baseline_small_cases_by_hand():
    # 2 options, 1 keyed: {key} 1, {wrong} 0, {key, wrong} max(0, 1 − 1) = 0 → 1/3.
    assert random_guess_baseline(2, 1) == pytest.approx(1 / 3)
    # 2 options, both keyed: {a} ½, {b} ½, {a, b} 1 → (½ + ½ + 1)/3 = 2/3.
    assert random_guess_baseline(2, 2) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        random_guess_baseline(4, 0)
    with pytest.raises(ValueError):
        random_guess_baseline(3, 4)


CHOICES = pd.DataFrame(
    [
        ("s1", "q1", "a"),
        ("s1", "q1", "b"),
        ("s2", "q1", "a"),
        ("s3", "q1", "c"),
        ("s3", "q1", "c"),  # a double click is one student, not two
        ("s4", "q1", "a"),
        ("s1", "q2", "x"),
        ("s2", "q2", "y"),
    ],
    columns=["student", "item", "option"],
)


def test_distractor_counts():
    counts = distractor_counts(CHOICES)
    assert counts.to_dict("records") == [
        # q1 has 4 students: a chosen by s1, s2, s4; b by s1; c by s3.
        {"item": "q1", "option": "a", "count": 3, "share": 75.0},
        {"item": "q1", "option": "b", "count": 1, "share": 25.0},
        {"item": "q1", "option": "c", "count": 1, "share": 25.0},
        # q2 has 2 students.
        {"item": "q2", "option": "x", "count": 1, "share": 50.0},
        {"item": "q2", "option": "y", "count": 1, "share": 50.0},
    ]


def test_distractor_counts_over_the_whole_class():
    counts = distractor_counts(CHOICES, n_students=5)
    assert counts["share"].tolist() == [60.0, 20.0, 20.0, 20.0, 20.0]


def test_distractor_counts_empty():
    counts = distractor_counts(CHOICES.iloc[:0])
    assert counts.empty
    assert list(counts.columns) == ["item", "option", "count", "share"]


@st.composite
def response_sets(draw: st.DrawFn) -> pd.DataFrame:
    """Random classes: 1–12 students, 1–6 items, partial credit in quarters, some rows missing."""
    n_students = draw(st.integers(1, 12))
    n_items = draw(st.integers(1, 6))
    maxima = draw(st.lists(st.integers(1, 5), min_size=n_items, max_size=n_items))
    rows = []
    for s in range(n_students):
        for i, top in enumerate(maxima):
            if draw(st.booleans()) and draw(st.booleans()):
                continue  # about a quarter of responses missing
            quarters = draw(st.integers(0, 4 * top))
            rows.append((f"s{s}", f"i{i}", quarters / 4, float(top)))
    return pd.DataFrame(rows, columns=["student", "item", "points", "max_points"])


@settings(max_examples=150, deadline=None)
@given(response_sets())
def test_properties(responses: pd.DataFrame):
    analysis = item_statistics(responses)
    facility = analysis.items["facility"]
    assert ((facility >= 0) & (facility <= 100)).all()
    assert np.isnan(analysis.test.cic) or analysis.test.cic <= 100
    assert analysis.items["intended_weight"].sum() == pytest.approx(100) or responses.empty
    efficiency = analysis.items["discriminative_efficiency"].dropna()
    assert (efficiency <= 100 + 1e-9).all()
