"""The quiz bank's targets (issue 12, §4) and how far a library is from them.

The targets count **standalone items** (the items of item sets): they stand alone, carry their
own exhibits and are always drawn into quick quizzes. A case step marked ``quiz: true`` is
drawn too, but its prompt was written inside a story, so it is shown beside the targets and
never counted toward them. ``unfolding_cases`` counts case files (item sets are not cases);
every decision point of the grounding pack must be exercised by ``items_per_decision_point``
standalone items.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.format.tags import DecisionPoint
from scoring.library.coverage import Coverage, grid_lines


@dataclass(frozen=True)
class BankTargets:
    """The minimum counts a library needs to be a bank worth practising on."""

    standalone_items: int = 60
    trend_items: int = 8  # among the standalone items
    standalone_bow_ties: int = 8
    items_per_decision_point: int = 3  # standalone items naming each DP-01 … DP-19
    unfolding_cases: int = 12


BANK_TARGETS = BankTargets()


@dataclass(frozen=True)
class TargetCheck:
    """One target: what it asks for, what the library has, and whether that is enough."""

    name: str
    wanted: int
    have: int

    @property
    def met(self) -> bool:
        """True when the library has at least what the target asks for."""
        return self.have >= self.wanted


@dataclass(frozen=True)
class DecisionPointCount:
    """How many case steps and standalone items name one decision point."""

    point: DecisionPoint
    case_steps: int
    standalone: int
    quiz_steps: int  # case steps marked quiz: true among ``case_steps``


def decision_point_counts(cov: Coverage) -> list[DecisionPointCount]:
    """Per decision point, in order: case steps, standalone items, quiz-marked case steps."""
    out = []
    for point in DecisionPoint:
        cases = sum(c.decision_points[point.value] for c in cov.cases if not c.standalone)
        items = sum(c.decision_points[point.value] for c in cov.cases if c.standalone)
        out.append(DecisionPointCount(point, cases, items, _quiz_steps(cov, point)))
    return out


def _quiz_steps(cov: Coverage, point: DecisionPoint) -> int:
    return sum(c.quiz_decision_points[point.value] for c in cov.cases if not c.standalone)


def target_checks(cov: Coverage, targets: BankTargets = BANK_TARGETS) -> list[TargetCheck]:
    """Every target with the library's count, in the order issue 12 lists them."""
    items = [c for c in cov.cases if c.standalone]
    thinnest = min((d.standalone for d in decision_point_counts(cov)), default=0)
    return [
        TargetCheck("standalone quiz items", targets.standalone_items, sum(c.steps for c in items)),
        TargetCheck("standalone trend items", targets.trend_items, sum(c.trends for c in items)),
        TargetCheck(
            "standalone bow-ties",
            targets.standalone_bow_ties,
            sum(c.item_types["bow_tie"] for c in items),
        ),
        TargetCheck(
            "standalone items for the least-covered decision point",
            targets.items_per_decision_point,
            thinnest,
        ),
        TargetCheck(
            "unfolding cases",
            targets.unfolding_cases,
            sum(not c.standalone for c in cov.cases),
        ),
    ]


def _mark(met: bool) -> str:
    return "met" if met else "NOT MET"


def targets_table(cov: Coverage, targets: BankTargets = BANK_TARGETS) -> str:
    """The decision-point table and the bank targets, as plain text for the terminal."""
    need = targets.items_per_decision_point
    lines = [
        f"Decision points (grounding §2): steps naming each; target ≥ {need} standalone items",
    ]
    counts = decision_point_counts(cov)
    rows = [
        [
            d.point.value,
            str(d.case_steps),
            str(d.quiz_steps),
            str(d.standalone),
            _mark(d.standalone >= need),
        ]
        for d in counts
    ]
    grid = grid_lines(["id", "case steps", "of them quiz", "standalone", "target"], rows)
    widest = max(len(line) for line in grid)
    titles = ["title", *(d.point.label for d in counts)]
    lines += [f"{line.ljust(widest)}  {title}" for line, title in zip(grid, titles, strict=True)]
    lines.append("")
    lines.append("Bank targets (issue 12 §4)")
    rows = [[t.name, str(t.have), f"≥ {t.wanted}", _mark(t.met)] for t in target_checks(cov)]
    lines += grid_lines(["target", "have", "wanted", ""], rows)
    return "\n".join(lines) + "\n"
