"""The quiz bank's targets (issue 12 §4): counted from the coverage, printed by the CLI."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from casebook.cli import cli
from scoring.format.tags import DecisionPoint
from scoring.library.coverage import CaseCoverage, Coverage, coverage
from scoring.library.targets import (
    BANK_TARGETS,
    BankTargets,
    decision_point_counts,
    target_checks,
    targets_table,
)

ROOT = Path(__file__).resolve().parent.parent
ALL_POINTS = Counter({p.value: 1 for p in DecisionPoint})


def _items(n: int, trends: int = 0, bow_ties: int = 0) -> CaseCoverage:
    return CaseCoverage(
        "items",
        "Items",
        standalone=True,
        steps=n,
        trends=trends,
        item_types=Counter({"bow_tie": bow_ties, "multiple_choice": n - bow_ties}),
        decision_points=Counter({p: 3 for p in ALL_POINTS}),
    )


def _case(i: int, quiz_points: Counter | None = None) -> CaseCoverage:
    return CaseCoverage(
        f"case-{i:02d}",
        "Case",
        steps=5,
        decision_points=ALL_POINTS,
        quiz_steps=1 if quiz_points else 0,
        quiz_decision_points=quiz_points or Counter(),
    )


def test_a_bank_at_the_targets_meets_every_one_and_one_short_misses_it():
    full = Coverage([_items(60, 8, 8), *(_case(i) for i in range(12))], [], {})
    assert [(t.have, t.met) for t in target_checks(full)] == [
        (60, True),
        (8, True),
        (8, True),
        (3, True),
        (12, True),
    ]
    short = Coverage([_items(59, 7, 8), *(_case(i) for i in range(11))], [], {})
    assert [t.met for t in target_checks(short)] == [False, False, True, True, False]
    assert [t.met for t in target_checks(short, BankTargets(59, 7, 8, 3, 11))] == [True] * 5


def test_decision_points_count_case_steps_and_standalone_items_apart():
    thin = _items(10)
    thin.decision_points["DP-17"] = 2
    cov = Coverage([thin, _case(1, Counter({"DP-17": 1})), _case(2)], [], {})
    by_point = {d.point.value: d for d in decision_point_counts(cov)}
    assert (by_point["DP-17"].case_steps, by_point["DP-17"].quiz_steps) == (2, 1)
    assert (by_point["DP-17"].standalone, by_point["DP-01"].standalone) == (2, 3)
    least = target_checks(cov)[3]
    assert (least.have, least.met) == (2, False)  # quiz-marked case steps do not count
    text = targets_table(cov)
    assert "DP-17           2             1           2  NOT MET  New confusion" in text
    assert "DP-01           2             0           3      met  Early vs late" in text


def test_coverage_counts_tags_of_steps_and_items(shipped, guidance_lib):
    cov = coverage(shipped.sources(), guidance_lib)
    standalone = next(c for c in cov.cases if c.standalone)
    assert standalone.case_id == "bone-metastasis-standalone" and standalone.steps == 5
    assert standalone.decision_points["DP-01"] == 2 and standalone.client_needs
    scc = next(c for c in cov.cases if c.case_id == "scc-back-pain-could-not-wait")
    assert scc.quiz_steps == 2 and scc.quiz_decision_points == {"DP-13": 1, "DP-15": 1, "DP-16": 1}
    assert sum(scc.client_needs.values()) == scc.steps


def test_cli_coverage_shows_client_needs_decision_points_and_targets():
    result = CliRunner().invoke(cli, ["coverage", str(ROOT / "cases")], catch_exceptions=False)
    assert "MoC  SIC  HPM  PSY  BCC  PPT  RRP  PA" in result.stdout
    assert "Decision points (grounding §2)" in result.stdout
    assert "DP-19" in result.stdout and "Triage across several patients" in result.stdout
    assert "Bank targets (issue 12 §4)" in result.stdout
    grid = CliRunner().invoke(cli, ["coverage", "--csv", str(ROOT / "cases")]).stdout
    kinds = [line.split(",")[0] for line in grid.splitlines()]
    assert kinds.count("client_need") == 8 and kinds.count("decision_point") == 19


def test_the_shipped_library_meets_the_bank_targets(shipped, guidance_lib):
    """Passes once the content branches (issue-12-items-a, -items-b, -cases) are merged."""
    checks = target_checks(coverage(shipped.sources(), guidance_lib), BANK_TARGETS)
    missing = [f"{t.name}: {t.have} of ≥ {t.wanted}" for t in checks if not t.met]
    assert not missing, "not met: " + "; ".join(missing) + " (see: casebook coverage cases/)"
