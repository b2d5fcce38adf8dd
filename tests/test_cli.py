"""The casebook command: validate, score and guidance, as an educator meets them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from casebook.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad_cases"
SCC = ROOT / "cases" / "scc-back-pain-could-not-wait.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_validate_shipped_cases_is_clean():
    result = run("validate", str(ROOT / "cases"))
    assert result.exit_code == 0, result.output
    assert "0 with problems" in result.output


def test_validate_prints_problem_lines_and_exits_1(tmp_path):
    result = run("validate", str(BAD / "two_keyed_mc.yaml"), str(BAD / "bad_branch.yaml"))
    assert result.exit_code == 1
    lines = [x for x in result.stdout.splitlines() if x]
    assert len(lines) == 2 and all(x.count(":") >= 3 for x in lines)
    assert "2 files checked: 0 valid, 2 with problems" in result.stderr


def test_validate_usage_errors_exit_2():
    assert run("validate").exit_code == 2
    assert run("validate", "/no/such/path").exit_code == 2


@pytest.mark.parametrize("content", [b"\x00\xff\xfe", b"a: [", b"- x\n", b"", b"a: *b\n"])
def test_validate_never_prints_a_traceback(tmp_path, content):
    bad = tmp_path / "hostile.yaml"
    bad.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "-m", "casebook", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert re.match(rf"{re.escape(str(bad))}:\d+:\d+: \S", proc.stdout)


def write_json(tmp_path, data) -> str:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_score_prints_json_per_step(tmp_path):
    answers = {"cues": ["pain-legs", "belly-numb"], "priority": "notify-now"}
    result = run("score", str(SCC), write_json(tmp_path, answers))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["case_id"] == "scc-back-pain-could-not-wait"
    assert out["steps"] == [
        {"id": "cues", "points": 2, "max_points": 4, "rule": "+/-"},
        {"id": "priority", "points": 1, "max_points": 1, "rule": "0/1"},
    ]
    assert (out["points"], out["max_points"]) == (3, 5)


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"nope": ["x"]}, "unknown step 'nope'"),
        ({"cues": ["not-an-option"]}, "unknown option 'not-an-option'"),
        ({"cues": {"a": "b"}}, "expected a list"),
        (
            {"cues": ["pain-legs"], "priority": "notify-now", "deficit-plan": "surgery-then-rt"},
            "not on the path",
        ),
        (["cues"], "expected a JSON object"),
    ],
)
def test_score_bad_responses_exit_1_with_a_clear_message(tmp_path, answers, words):
    result = run("score", str(SCC), write_json(tmp_path, answers))
    assert result.exit_code == 1
    assert words in result.stderr


def test_score_invalid_json(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run("score", str(SCC), str(bad))
    assert result.exit_code == 1 and "not valid JSON" in result.stderr


def test_guidance_lists_citable_passages_only():
    result = run("guidance")
    ids = [line.split("\t")[0] for line in result.stdout.splitlines() if "\t" in line]
    assert "scc-symptoms" in ids and "page-chrome-text-size" not in ids
    assert "page-chrome-text-size" in run("guidance", "--all").stdout


def test_guidance_one_passage_and_unknown_id():
    result = run("guidance", "scc-emergency-call")
    assert "call your doctor right away" in result.stdout and "2014-02-17" in result.stdout
    bad = run("guidance", "scc-emergency")
    assert bad.exit_code == 1 and "did you mean 'scc-emergency-call'" in bad.stderr


def test_every_lazy_command_is_registered_under_its_own_name():
    import importlib

    from casebook.cli import LAZY_COMMANDS

    for name, target in LAZY_COMMANDS.items():
        module, attribute = target.split(":")
        assert getattr(importlib.import_module(module), attribute).name == name
    assert run("session", "--help").exit_code == 0


def test_validate_does_not_load_the_database_and_dataframe_stack():
    code = (
        "import atexit, sys; from casebook.cli import main\n"
        "atexit.register(lambda: print(sorted(m for m in ('pandas', 'sqlalchemy', 'alembic')"
        " if m in sys.modules)))\n"
        f"sys.argv = ['casebook', 'validate', {str(ROOT / 'cases')!r}]; main()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "0 with problems" in out.stderr  # the summary line
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_score_an_item_set_item_by_item(tmp_path):
    items = ROOT / "cases" / "items" / "bone-metastasis-standalone.yaml"
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "damaged-cord-plan-drag": {
                    "cause": "damaged",
                    "plan": "next-week",
                    "benefit": "walk",
                },
                "calcium-trend": "early-to-late",
            }
        ),
        encoding="utf-8",
    )
    result = run("score", str(items), str(answers))
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    got = {i["id"]: (i["points"], i["max_points"], i["rule"]) for i in out["items"]}
    assert got == {"damaged-cord-plan-drag": (1, 2, "rationale"), "calcium-trend": (1, 1, "0/1")}
    assert out["items"][0]["must_avoid"] == ["outpatient radiation next week"]
    answers.write_text(
        json.dumps({"damaged-cord-plan-drag": {"cause": "damaged", "plan": "damaged"}})
    )
    bad = run("score", str(items), str(answers))
    assert bad.exit_code == 1 and "placed in more than one target" in bad.stderr
