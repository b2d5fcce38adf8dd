"""Item analysis in the Moodle quiz-statistics tradition: facility, discrimination, reliability.

Input is long format, one row per student × item: ``student``, ``item``, ``points``,
``max_points``. It is pivoted once into a students × items matrix (with a mask of the cells
answered) and every statistic is a column-wise matrix operation, so a few thousand students
take milliseconds.

Who is counted (Moodle's rule for random and branched questions): each item is analysed over
the students who answered it, and only them. A step on a branch a student did not take is
not a wrong answer, so it is not counted as 0: the item's ``n`` is its answerers, and its
facility, SD, discrimination, efficiency and weights are computed over those ``n`` students,
with the rest-of-test score X = T − x taken over the same students (T = the student's total
over every item they answered). While students are still answering, or when branches differ
in length, T covers different amounts of work; discrimination is most telling once the class
has finished.

Below ``MIN_ANSWERS`` answerers an item's only flag is "too few answers": its statistics are
still computed, but on so few students no flag would mean anything.

Test-level figures (mean, median, SD, CIC, error ratio, standard error, skewness, kurtosis)
need one set of items answered by everyone, as Moodle's finished attempts of one quiz. They
are computed over ``test_students`` (the dashboard passes the students who finished every
activity) on the items *all* of them answered; ``OverallStats`` says how many of each, so
the page can state exactly what they cover. Without branching that is every item.

Formulas (Moodle, "Quiz statistics calculations"; x = mark on the item, T = total,
X = T − x = rest of the test; variances and covariances divide by s − 1):
facility = mean(x) / max, sd = sd(x) / max, intended weight = max / Σ max,
effective weight = √cov(x, T) / Σ √cov(x_j, T) (NaN where cov(x, T) < 0, as Moodle),
discrimination index = cov(x, X) / √(var x · var X),
discriminative efficiency = cov(x, X) / cov_max (cov_max pairs sorted x with sorted X),
CIC (Cronbach α; KR-20 for 0/1 items) = P/(P − 1) · (1 − Σ var x / var T),
error ratio = √(1 − CIC), standard error = error ratio · sd(T). All shown in % except sd(T).
A statistic whose denominator is zero (one student, an item everyone scored the same on)
is NaN, never an error or a warning.

Flags (``flag`` column, "; "-separated, empty when none):
- "too few answers": fewer than ``MIN_ANSWERS`` students answered it (then no other flag);
- "weak discrimination": discriminative efficiency < 15 (Moodle's guidance flags below 15)
  or a negative discrimination index (stronger students did worse on the item);
- "very easy": facility > 90 %; "very hard": facility < 20 %. These cut-offs are Casebook's;
  Moodle's guidance only says an average score of 50–75 % is ideal;
- "no variation": everyone scored the same, so the item cannot discriminate at all.
For the whole test Moodle calls a CIC above 75 % satisfactory and below 64 % unsatisfactory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd

RESPONSE_COLUMNS = ("student", "item", "points", "max_points")
CHOICE_COLUMNS = ("student", "item", "option")

MIN_ANSWERS = 5  # below this many answerers an item is "too few answers", never flagged
WEAK_EFFICIENCY = 15.0
VERY_EASY_FACILITY = 90.0
VERY_HARD_FACILITY = 20.0

ITEM_COLUMNS = (
    "n",
    "facility",
    "sd",
    "intended_weight",
    "effective_weight",
    "discrimination_index",
    "discriminative_efficiency",
    "max_points",
    "flag",
    "covariance",
    "covariance_with_total",
    "mark_variance",
    "rest_variance",
    "covariance_max",
)

NAN = float("nan")


class ItemDataError(ValueError):
    """Responses that cannot be analysed (missing column, duplicate row, points out of range)."""


@dataclass(frozen=True)
class OverallStats:
    """Whole-test statistics of the students' totals (points, except where named percent).

    Computed over ``n_students`` students on the ``n_items`` items every one of them
    answered (of ``items_total`` items analysed); ``max_points`` is those items' sum.
    """

    n_students: int
    max_points: float
    mean: float
    median: float
    sd: float
    mean_percent: float
    cic: float
    error_ratio: float
    standard_error: float
    skewness: float
    kurtosis: float
    n_items: int = 0
    items_total: int = 0


@dataclass(frozen=True)
class ItemAnalysis:
    """Per-item statistics (index = item, columns = ITEM_COLUMNS) and whole-test statistics."""

    items: pd.DataFrame
    test: OverallStats


def score_matrix(responses: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Pivot responses to a students × items frame of points (0 where not answered), each
    item's max, and a students × items frame of booleans: which cells were answered."""
    _require_columns(responses, RESPONSE_COLUMNS)
    if responses["student"].isna().any() or responses["item"].isna().any():
        raise ItemDataError("every response needs a student and an item")
    student_codes, students = pd.factorize(responses["student"], sort=True)
    item_codes, items = pd.factorize(responses["item"], sort=True)
    n_students, n_items = len(students), len(items)

    cells = student_codes.astype(np.int64) * n_items + item_codes
    duplicated = pd.Index(cells).duplicated()
    if duplicated.any():
        first = int(np.flatnonzero(duplicated)[0])
        raise ItemDataError(
            f"student {students[student_codes[first]]!r} has more than one row for item "
            f"{items[item_codes[first]]!r}; keep one attempt per student"
        )

    points = _numbers(responses["points"], "points")
    max_points = _numbers(responses["max_points"], "max_points")
    item_max = np.full(n_items, -np.inf)
    item_min = np.full(n_items, np.inf)
    np.maximum.at(item_max, item_codes, max_points)
    np.minimum.at(item_min, item_codes, max_points)
    if (item_min <= 0).any():
        raise ItemDataError(f"item {items[np.argmax(item_min <= 0)]!r} has max_points ≤ 0")
    if (item_max != item_min).any():
        raise ItemDataError(
            f"item {items[np.argmax(item_max != item_min)]!r} has more than one max_points value"
        )
    # A relative tolerance lets rounded partial credit (0.3333333 of 1) through.
    slack = 1e-9 * max_points
    out_of_range = (points < -slack) | (points > max_points + slack)
    if out_of_range.any():
        row = int(np.argmax(out_of_range))
        raise ItemDataError(
            f"student {students[student_codes[row]]!r}, item {items[item_codes[row]]!r}: "
            f"points {points[row]} outside 0..{max_points[row]}"
        )

    marks = np.zeros((n_students, n_items))
    marks[student_codes, item_codes] = points
    answered = np.zeros((n_students, n_items), dtype=bool)
    answered[student_codes, item_codes] = True
    student_index = pd.Index(students, name="student")
    item_index = pd.Index(items, name="item")
    return (
        pd.DataFrame(marks, index=student_index, columns=item_index),
        pd.Series(item_max, index=item_index, name="max_points"),
        pd.DataFrame(answered, index=student_index, columns=item_index),
    )


def item_statistics(
    responses: pd.DataFrame, test_students: Iterable[object] | None = None
) -> ItemAnalysis:
    """Moodle-style item statistics (each item over its answerers) and whole-test statistics
    (over ``test_students``, default all, on the items all of them answered)."""
    if responses.empty:
        return ItemAnalysis(items=_empty_items(), test=_overall(np.zeros(0), NAN, 0, 0.0))
    marks_frame, item_max_series, answered_frame = score_matrix(responses)
    marks, answered = marks_frame.to_numpy(), answered_frame.to_numpy()
    item_max = item_max_series.to_numpy()
    total = marks.sum(axis=1)  # unanswered cells hold 0: the total of what each answered
    stats = _masked_item_statistics(marks, total, answered)
    facility = 100 * stats["mean"] / item_max
    discrimination = _ratio(100 * stats["covariance"], np.sqrt(stats["var_x"] * stats["var_rest"]))
    efficiency = _ratio(100 * stats["covariance"], stats["covariance_max"])
    with_total = stats["covariance_with_total"]
    root_cov = np.sqrt(np.where(with_total >= 0, with_total, np.nan))
    n = answered.sum(axis=0)
    items = pd.DataFrame(
        {
            "n": n,
            "facility": facility,
            "sd": 100 * np.sqrt(stats["var_x"]) / item_max,
            "intended_weight": 100 * item_max / item_max.sum(),
            "effective_weight": _ratio(100 * root_cov, np.nansum(root_cov)),
            "discrimination_index": discrimination,
            "discriminative_efficiency": efficiency,
            "max_points": item_max,
            "flag": _flags(n, facility, discrimination, efficiency, stats["var_x"]),
            "covariance": stats["covariance"],
            "covariance_with_total": with_total,
            "mark_variance": stats["var_x"],
            "rest_variance": stats["var_rest"],
            "covariance_max": stats["covariance_max"],
        },
        index=marks_frame.columns,
    )
    return ItemAnalysis(
        items=items, test=_test_statistics(marks_frame, answered, item_max, test_students)
    )


def _masked_item_statistics(
    marks: np.ndarray, total: np.ndarray, answered: np.ndarray
) -> dict[str, np.ndarray]:
    """Per column, over the rows answered only: mean of x, var x, var X, cov(x, X), cov(x, T)
    and cov_max (sorted x paired with sorted X), with X = T − x. NaN where n < 2."""
    n = answered.sum(axis=0)
    dof = np.where(n > 1, n - 1, np.nan)
    rest = np.where(answered, total[:, None] - marks, 0.0)
    x = np.where(answered, marks, 0.0)
    totals = np.where(answered, total[:, None], 0.0)
    dev_x, dev_rest, dev_total = (_masked_deviations(v, answered, n) for v in (x, rest, totals))
    with np.errstate(invalid="ignore"):
        out = {
            "mean": x.sum(axis=0) / n,
            "var_x": (dev_x**2).sum(axis=0) / dof,
            "var_rest": (dev_rest**2).sum(axis=0) / dof,
            "covariance": (dev_x * dev_rest).sum(axis=0) / dof,
            "covariance_with_total": (dev_x * dev_total).sum(axis=0) / dof,
        }
    # cov_max: each column's answered deviations sorted, unanswered rows (0) sorted last.
    order = np.where(answered, 0, 1)
    sorted_x = _sorted_answered(dev_x, order)
    sorted_rest = _sorted_answered(dev_rest, order)
    with np.errstate(invalid="ignore"):
        out["covariance_max"] = (sorted_x * sorted_rest).sum(axis=0) / dof
    return out


def _sorted_answered(deviations: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Each column's answered values in ascending order, then the unanswered (all 0)."""
    keys = np.lexsort((deviations, order), axis=0) if deviations.size else deviations
    return np.take_along_axis(deviations, keys.astype(np.int64), axis=0)


def _masked_deviations(values: np.ndarray, answered: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Deviations from the column mean over the answered rows; 0 elsewhere, and exactly 0 for
    a column whose answered values are all equal (see ``_deviations``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answered, values, 0.0).sum(axis=0) / n
    high = np.where(answered, values, -np.inf).max(axis=0, initial=-np.inf)
    low = np.where(answered, values, np.inf).min(axis=0, initial=np.inf)
    scale = np.abs(np.where(answered, values, 0.0)).max(axis=0, initial=1.0)
    flat = (high - low) <= 1e-12 * scale
    return np.where(answered & ~flat, values - mean, 0.0)


def _test_statistics(
    marks: pd.DataFrame,
    answered: np.ndarray,
    item_max: np.ndarray,
    test_students: Iterable[object] | None,
) -> OverallStats:
    """Whole-test statistics over ``test_students`` on the items all of them answered."""
    rows = np.ones(len(marks), dtype=bool)
    if test_students is not None:
        rows = marks.index.isin(list(test_students))
    common = answered[rows].all(axis=0) if rows.any() else np.zeros(marks.shape[1], dtype=bool)
    matrix = marks.to_numpy()[np.ix_(rows, common)]
    s = matrix.shape[0]
    variance_sum = float((_deviations(matrix) ** 2).sum() / (s - 1)) if s > 1 else NAN
    test = _overall(
        matrix.sum(axis=1), variance_sum, int(common.sum()), float(item_max[common].sum())
    )
    return replace(test, n_items=int(common.sum()), items_total=marks.shape[1])


def score_summary(totals: pd.Series) -> dict[str, float]:
    """Mean, median, sd (n − 1), min, max and n of a series of scores; NaN where undefined."""
    values = pd.to_numeric(totals).dropna().to_numpy(dtype=float)
    n = values.size
    if n == 0:
        return {"n": 0, "mean": NAN, "median": NAN, "sd": NAN, "min": NAN, "max": NAN}
    deviations = _deviations(values)
    return {
        "n": n,
        "mean": float(values.mean()),
        "median": float(np.median(values)),
        "sd": float(np.sqrt((deviations**2).sum() / (n - 1))) if n > 1 else NAN,
        "min": float(values.min()),
        "max": float(values.max()),
    }


def random_guess_baseline(n_options: int, n_keyed: int) -> float:
    """Expected +/- score (fraction of max) when every non-empty selection is equally likely."""
    if not 1 <= n_keyed <= n_options:
        raise ValueError("need 1 ≤ n_keyed ≤ n_options")
    n_wrong = n_options - n_keyed
    # C(K, k) · C(N − K, w) selections pick k keyed and w wrong options; each scores max(0, k − w).
    expected = sum(
        comb(n_keyed, k) * comb(n_wrong, w) * (k - w)
        for k in range(n_keyed + 1)
        for w in range(min(k, n_wrong + 1))
    )
    return float(Fraction(expected, (2**n_options - 1) * n_keyed))


def distractor_counts(choices: pd.DataFrame, n_students: int | None = None) -> pd.DataFrame:
    """Students choosing each option of each item, and their share (%) of the item's students.

    The share's denominator is ``n_students`` when given (the class), otherwise the students
    with at least one choice on the item. Options nobody chose do not appear.
    """
    if n_students is not None and n_students < 1:
        raise ValueError("n_students must be at least 1")
    if choices.empty:
        return pd.DataFrame(
            {
                "item": pd.Series(dtype=object),
                "option": pd.Series(dtype=object),
                "count": pd.Series(dtype="int64"),
                "share": pd.Series(dtype=float),
            }
        )
    _require_columns(choices, CHOICE_COLUMNS)
    picks = choices[list(CHOICE_COLUMNS)].drop_duplicates()
    counts = picks.groupby(["item", "option"], sort=True).size().rename("count")
    if n_students is None:
        per_item = picks.groupby("item")["student"].nunique()
        share = 100 * counts.div(per_item, level="item")
    else:
        share = 100 * counts / n_students
    return pd.DataFrame({"count": counts, "share": share}).reset_index()


def _overall(
    total: np.ndarray, item_variance_sum: float, n_items: int, max_points: float
) -> OverallStats:
    summary = score_summary(pd.Series(total, dtype=float))
    s = summary["n"]
    cic = error_ratio = standard_error = skewness = kurtosis = NAN
    dev = _deviations(total) if s else total
    total_variance = float((dev**2).sum() / (s - 1)) if s > 1 else 0.0
    if total_variance > 0:
        if n_items > 1:
            # Σ var x ≥ var T / P bounds CIC at 100; min() drops rounding noise above it.
            alpha = n_items / (n_items - 1) * (1 - item_variance_sum / total_variance)
            cic = min(100.0, 100 * alpha)
            error_ratio = 100 * float(np.sqrt(1 - cic / 100))
            standard_error = error_ratio * summary["sd"] / 100
        # Sample skewness and kurtosis from k-statistics, as Moodle's quiz report.
        m2, m3, m4 = ((dev**k).sum() / s for k in (2, 3, 4))
        k2 = s * m2 / (s - 1)
        if s > 2:
            skewness = float(s * s * m3 / ((s - 1) * (s - 2)) / k2**1.5)
        if s > 3:
            k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
            kurtosis = float(k4 / k2**2)
    return OverallStats(
        n_students=s,
        max_points=max_points,
        mean=summary["mean"],
        median=summary["median"],
        sd=summary["sd"],
        mean_percent=100 * summary["mean"] / max_points if max_points > 0 else NAN,
        cic=float(cic),
        error_ratio=error_ratio,
        standard_error=standard_error,
        skewness=skewness,
        kurtosis=kurtosis,
    )


def _flags(
    n: np.ndarray,
    facility: np.ndarray,
    discrimination: np.ndarray,
    efficiency: np.ndarray,
    mark_variance: np.ndarray,
) -> np.ndarray:
    """The flags of each item; "too few answers" alone below MIN_ANSWERS answerers."""
    rules = (
        ("weak discrimination", (efficiency < WEAK_EFFICIENCY) | (discrimination < 0)),
        ("very easy", facility > VERY_EASY_FACILITY),
        ("very hard", facility < VERY_HARD_FACILITY),
        ("no variation", mark_variance == 0),
    )
    text = np.full(facility.shape, "", dtype=object)
    for label, hit in rules:
        text = np.where(hit, np.where(text == "", label, text + "; " + label), text)
    return np.where(n < MIN_ANSWERS, "too few answers", text)


def _deviations(values: np.ndarray) -> np.ndarray:
    """Deviations from the column mean, exactly 0 for a column whose values are all equal."""
    deviations = values - values.mean(axis=0)
    # The mean of equal floats can miss them by one ulp; that noise would otherwise become a
    # tiny variance and a meaningless discrimination index instead of NaN.
    spread = np.ptp(values, axis=0)
    scale = np.abs(values).max(axis=0, initial=1.0)
    return np.where(spread <= 1e-12 * scale, 0.0, deviations)


def _ratio(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is zero or undefined."""
    numerator, denominator = np.broadcast_arrays(
        np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    )
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=np.isfinite(denominator) & (denominator != 0))
    return out


def _numbers(column: pd.Series, name: str) -> np.ndarray:
    try:
        values = pd.to_numeric(column).to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ItemDataError(f"{name} must be numbers") from error
    if np.isnan(values).any():
        raise ItemDataError(f"{name} is missing in {int(np.isnan(values).sum())} row(s)")
    return values


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ItemDataError(f"missing column(s): {', '.join(missing)}")


def _empty_items() -> pd.DataFrame:
    columns = {name: pd.Series(dtype=float) for name in ITEM_COLUMNS}
    columns["n"] = pd.Series(dtype="int64")
    columns["flag"] = pd.Series(dtype=str)
    return pd.DataFrame(columns, index=pd.Index([], name="item"))
