"""`casebook lint`: a golden corpus (each rule fires on its flaw and stays quiet on its clean
twin), suppressions, the policy in the guidance file, and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from casebook.cli import cli
from scoring.errors import CaseError
from scoring.format.yaml_reader import read_yaml_text
from scoring.guidance.passages import Guidance, GuidanceLibrary
from scoring.library.loader import load_case_bytes
from scoring.lint import RULES
from scoring.lint.engine import lint_case, lint_paths

CORPUS = Path(__file__).resolve().parent / "lint_corpus"
FLAWED = sorted(CORPUS.glob("*/flawed.yaml"))
CLEAN = sorted(CORPUS.glob("*/clean.yaml"))


def test_every_rule_has_a_flawed_item_and_a_clean_twin():
    assert {p.parent.name for p in FLAWED} == set(RULES)
    assert {p.parent.name for p in CLEAN} == set(RULES)


@pytest.mark.parametrize("path", FLAWED, ids=[p.parent.name for p in FLAWED])
def test_flawed_item_reports_exactly_the_golden_lines(path, guidance_lib, monkeypatch):
    monkeypatch.chdir(CORPUS)
    report = lint_paths([path.relative_to(CORPUS)], guidance_lib)
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert report.problems == []
    assert [str(f) for f in report.open] == expected
    assert {f.rule for f in report.open} == {path.parent.name}  # its own rule, and only it


@pytest.mark.parametrize("path", CLEAN, ids=[p.parent.name for p in CLEAN])
def test_clean_twin_has_no_finding_at_all(path, guidance_lib):
    report = lint_paths([path], guidance_lib)
    assert report.problems == []
    assert [str(f) for f in report.open] == []


def test_a_finding_names_the_rule_the_place_the_reason_and_a_fix(guidance_lib):
    [finding] = lint_paths([CORPUS / "longest-keyed" / "flawed.yaml"], guidance_lib).open
    assert (finding.rule, finding.line, finding.step) == ("longest-keyed", 23, "item")
    assert "64 characters against at most 25" in finding.message
    assert finding.fix and str(finding).endswith(f"Fix: {finding.fix}.")


def _case(guidance_lib, text: str):
    return load_case_bytes(text.encode(), "case.yaml", guidance_lib)


def _flawed(rule: str) -> str:
    return (CORPUS / rule / "flawed.yaml").read_text(encoding="utf-8")


def test_a_step_can_allow_a_rule_with_a_reason(guidance_lib):
    text = _flawed("longest-keyed").replace(
        "    prompt:",
        "    lint:\n      allow: [longest-keyed]\n"
        "      why: The key repeats the chart's wording, which the item tests.\n    prompt:",
        1,
    )
    [finding] = lint_case(_case(guidance_lib, text), guidance_lib)
    assert finding.rule == "longest-keyed"
    assert finding.suppressed == "The key repeats the chart's wording, which the item tests."


def test_a_suppression_needs_a_known_rule_and_a_real_reason(guidance_lib):
    base = _flawed("longest-keyed")
    for rule, why, message, line in (
        ("longest-key", "The key is long on purpose.", "(did you mean 'longest-keyed'?)", 20),
        ("longest-keyed", "A reason.", "lint: why needs a reason a reviewer can judge", 21),
    ):
        text = base.replace(
            "    prompt:", f"    lint:\n      allow: [{rule}]\n      why: {why}\n    prompt:", 1
        )
        with pytest.raises(CaseError) as info:
            _case(guidance_lib, text)
        [problem] = info.value.problems
        assert message in problem.message and problem.line == line


def test_the_policy_lives_in_the_guidance_file(guidance_lib):
    """The same item is must-avoid under one document's policy and not under another's."""
    text = _flawed("must-avoid-policy")
    assert lint_case(_case(guidance_lib, text), guidance_lib)
    doc = guidance_lib.documents["bone-metastasis"]
    without = GuidanceLibrary([doc.model_copy(update={"lint": None})])
    assert lint_case(_case(without, text), without) == []


def test_a_bad_pattern_in_the_guidance_is_a_problem_with_its_place(guidance_lib, tmp_path):
    data = read_yaml_text(
        "id: g\ntitle: T\npublisher: P\nlast_medical_review: '2024-01-01'\n"
        "last_revised: '2024-01-01'\npassages:\n  - {id: p, section: S, text: Some text.}\n"
        "lint:\n  deterioration: ['(unclosed']\n",
        "g.yaml",
    ).data
    with pytest.raises(ValueError, match="not a valid regular expression"):
        Guidance.model_validate(data)


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_casebook_lint_prints_findings_and_exits_1():
    result = _cli("lint", str(CORPUS / "longest-keyed"))
    assert result.exit_code == 1
    assert "longest-keyed/flawed.yaml:23:15: longest-keyed: the keyed option" in result.stdout
    assert "2 files linted: 1 finding, 0 allowed" in result.stderr


def test_casebook_lint_lists_allowed_findings_on_request():
    clean = str(CORPUS / "unused-allow" / "clean.yaml")
    quiet = _cli("lint", clean)
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert "1 allowed (list them with --suppressed)" in quiet.stderr
    listed = _cli("lint", "--suppressed", clean)
    assert "(allowed: The key quotes the guidance's whole list" in listed.stdout


def test_casebook_lint_usage_and_rules():
    assert _cli("lint").exit_code == 2
    assert _cli("lint", "no/such/folder").exit_code == 2
    rules = _cli("lint", "--rules")
    assert rules.exit_code == 0
    assert [line.split("\t")[0] for line in rules.stdout.splitlines()] == list(RULES)


def test_a_file_that_does_not_validate_is_reported_not_linted(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    result = _cli("lint", str(tmp_path))
    assert result.exit_code == 1
    assert "(not linted: run casebook validate)" in result.stdout
    assert "1 file not linted because of problems" in result.stderr


def test_validate_summarises_lint_without_failing():
    result = _cli("validate", str(CORPUS / "answer-in-stem"))
    assert result.exit_code == 0
    assert "lint: 1 item-writing finding in 1 file (see: casebook lint " in result.stderr
