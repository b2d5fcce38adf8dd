"""The reported score of an attempt: defined once here, only formatted at the surfaces.

Every surface that shows a score (the debrief, My results, each dashboard tab, ``casebook
score`` and ``casebook report``, every export and, later, the LMS passback) shows the
``percent`` of a :class:`ReportedScore` made by :func:`reported_score`.

Definitions (also in the README, "Scoring decisions"):

- ``points``: the points earned on the items answered.
- ``max_points``: the points possible. For a finished case, the maximum of the path taken;
  for an attempt not finished (still in progress, time up, or ended by the educator), the
  maximum of the steps answered plus the most points on any path still open from where the
  trainee is (a quiz: of every item drawn), so work not done counts 0. The percent of an
  unfinished attempt is therefore what it would score if it ended now; it can only rise.
- ``raw_percent``: 100 · points / max_points, rounded half up to one decimal (0 when nothing
  is possible).
- The must-avoid cap: when the case sets ``must_avoid_cap`` and at least one must-avoid
  choice was made, ``percent`` is ``min(raw, cap)``, and ``capped`` says whether the cap
  lowered it. Points are never changed. A quick quiz has no cap (its items stand alone; the
  cap belongs to a case's whole story): its must-avoid choices are flagged and counted only.
- ``percent``: the reported percent, one decimal. It is the number; everything else explains it.

Several attempts (a student's grade for a class session) combine with :func:`combined_score`:
each attempt is weighted by its points possible, and a capped attempt counts with the points
its capped percent stands for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

PERCENT_DECIMALS = 1
# The words a finished attempt is summed up with (My results): lowest percent of each band.
MOSTLY_RIGHT = 75.0
PARTLY_RIGHT = 50.0


@dataclass(frozen=True)
class ReportedScore:
    """One attempt's (or a set of attempts') score, as every surface reports it."""

    points: int
    max_points: int
    must_avoid: int  # must-avoid choices made
    cap: int | None  # the case's must-avoid cap (None: no cap applies to this attempt)
    raw_percent: float
    percent: float  # the reported percent
    capped: bool  # the cap lowered the percent
    finished: bool = True
    # 100 × the points credited (points earned, or the capped percent's share of max_points)
    credit: int = 0

    @property
    def text(self) -> str:
        """The reported percent for people: '50%', '85.7%'."""
        return format_percent(self.percent)

    @property
    def outcome(self) -> Outcome:
        """The words and tone that sum up this score at a glance."""
        return outcome_of(self)


@dataclass(frozen=True)
class Outcome:
    """A finished attempt summed up in words; ``tone``: full, good, fair, weak or unsafe."""

    words: str
    tone: str


def _tenths(numerator: int, denominator: int) -> int:
    """round_half_up(10 · numerator / denominator) for non-negative integers, exactly."""
    return (20 * numerator + denominator) // (2 * denominator)


# A class has few distinct (points, max, must-avoid, cap) combinations: a dashboard of
# thousands of attempts makes a few hundred scores (the result is immutable, so shared).
@lru_cache(maxsize=65536)
def reported_score(
    points: int, max_points: int, must_avoid: int, cap: int | None, *, finished: bool = True
) -> ReportedScore:
    """The reported score of ``points`` of ``max_points`` with ``must_avoid`` unsafe choices."""
    if not 0 <= points <= max_points:
        raise ValueError(f"points must be between 0 and max_points, not {points} of {max_points}")
    if must_avoid < 0 or (cap is not None and not 0 <= cap <= 100):
        raise ValueError("must_avoid must be ≥ 0 and a cap between 0 and 100")
    # Integer arithmetic throughout: 100 · points / max_points > cap ⇔ 100 · points > cap · max.
    capped = bool(must_avoid and cap is not None and 100 * points > cap * max_points)
    raw = _tenths(100 * points, max_points) / 10 if max_points else 0.0
    return ReportedScore(
        points=points,
        max_points=max_points,
        must_avoid=must_avoid,
        cap=cap,
        raw_percent=raw,
        percent=float(cap) if capped else raw,
        capped=capped,
        finished=finished,
        credit=cap * max_points if capped else 100 * points,
    )


def combined_score(scores: Iterable[ReportedScore]) -> ReportedScore:
    """Several attempts as one score, each weighted by its points possible (a session grade).

    ``percent`` is the credited points (a capped attempt: its capped percent of its points
    possible) over all points possible; with no cap that is simply Σ points / Σ max_points.
    ``cap`` is None (attempts may differ); ``capped`` says whether any attempt was capped.
    """
    scores = list(scores)
    points = sum(s.points for s in scores)
    top = sum(s.max_points for s in scores)
    credit = sum(s.credit for s in scores)
    return ReportedScore(
        points=points,
        max_points=top,
        must_avoid=sum(s.must_avoid for s in scores),
        cap=None,
        raw_percent=_tenths(100 * points, top) / 10 if top else 0.0,
        percent=_tenths(credit, top) / 10 if top else 0.0,
        capped=any(s.capped for s in scores),
        finished=all(s.finished for s in scores),
        credit=credit,
    )


def format_percent(value: float) -> str:
    """A reported percent as shown: one decimal, none when whole ('50%', '85.7%')."""
    text = f"{value:.{PERCENT_DECIMALS}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def outcome_of(score: ReportedScore) -> Outcome:
    """Words that match the number: a capped or a 29% attempt never reads as a success."""
    if score.capped:
        return Outcome("Capped: an unsafe choice", "unsafe")
    if score.max_points and score.points == score.max_points:
        return Outcome("Full marks", "full")
    if score.percent >= MOSTLY_RIGHT:
        return Outcome("Mostly right", "good")
    if score.percent >= PARTLY_RIGHT:
        return Outcome("Partly right", "fair")
    return Outcome("Needs review", "weak")
