"""casebook session / simulate / report, as an educator meets them, on real databases."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from casebook.cli import cli
from classroom import sessions
from classroom.simulation import simulate
from classroom.storage.db import get_engine

CODE = re.compile(r"Join code: ([A-Z0-9]{6})")


@pytest.fixture
def run(db_url, ward_cases_dir):
    """Invoke ``casebook`` against this test's database and the two tiny cases."""
    env = {"CASEBOOK_DATABASE_URL": db_url, "CASEBOOK_CASES_DIR": str(ward_cases_dir)}

    def invoke(*args: str, url: str | None = None):
        return CliRunner().invoke(
            cli,
            list(args),
            env={**env, **({"CASEBOOK_DATABASE_URL": url} if url else {})},
            catch_exceptions=False,
        )

    return invoke


@pytest.fixture
def played(db_url, ward_library):
    """A session of four simulated students plus a hostile display name; returns its code."""
    engine = get_engine(db_url)
    info = sessions.create_session(engine, "Ward", ["ward-round", "night-shift"])
    assert simulate(engine, info.code, ward_library, 4, 2, seed=5).ok
    sessions.join_session(engine, info.code, "=cmd|' /C calc'!A0")
    return info.code


def test_create_prints_code_and_url_then_list_open_close_release(run):
    created = run(
        "session", "create", "--title", "Ward 5", "--case", "ward-round",
        "--case", "night-shift", "--mode", "exam", "--time-limit", "30",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    code = CODE.search(created.stdout).group(1)
    assert f"Join URL:  http://localhost:8501/join?code={code}" in created.stdout
    listed = run("session", "list")
    assert listed.stdout.startswith(f"{code}\topen\texam\t2 cases\t")
    assert (
        run("session", "close", code.lower()).stdout
        == f"Session {code} is closed to new participants.\n"
    )
    assert "\tclosed\t" in run("session", "list").stdout
    assert run("session", "open", code).exit_code == 0
    released = run("session", "release", code)
    assert released.exit_code == 0
    assert "is closed to new participants" in released.stdout  # the key is out: no new starts
    assert "\tclosed, released\t" in run("session", "list").stdout
    ended = run("session", "end", code)
    assert ended.exit_code == 0 and "no more answers are accepted" in ended.stdout
    assert "\tclosed, ended, released\t" in run("session", "list").stdout
    reopened = run("session", "open", code)
    assert reopened.exit_code == 1 and "has ended" in reopened.stderr


def test_create_refuses_an_unknown_case(run):
    result = run("session", "create", "--title", "T", "--case", "ward-rond")
    assert result.exit_code == 1
    assert result.stderr == "casebook: unknown case id 'ward-rond' (did you mean 'ward-round'?)\n"


@pytest.mark.parametrize(
    "args",
    [
        ("session", "close", "NOPE42"),
        ("session", "open", "NOPE42"),
        ("session", "release", "NOPE42"),
        ("session", "end", "NOPE42"),
        ("simulate", "NOPE42"),
        ("report", "NOPE42"),
    ],
)
def test_unknown_code_is_one_line_and_exit_1(run, args):
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == "casebook: no class session has the code 'NOPE42'\n"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:1/test", "not reachable"),
        ("sqlite:////nonexistent-folder/casebook.db", "not reachable"),
        ("not a url", "not a usable database URL"),
    ],
)
def test_unusable_database_is_one_line_and_exit_1(run, url, expected):
    for args in (("session", "list"), ("report", "ABC123"), ("simulate", "ABC123")):
        result = run(*args, url=url)
        assert result.exit_code == 1, result.output
        assert expected in result.stderr and "Traceback" not in result.output
        assert result.stderr.count("\n") == 1


def test_simulate_prints_progress_and_figures(run):
    code = CODE.search(run("session", "create", "--title", "T", "--case", "ward-round").stdout)[1]
    result = run("simulate", code, "--students", "5", "--workers", "2", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "5 students × 1 cases" in result.stderr  # the progress bar's label
    line = result.stdout.strip()
    assert "0 lost, 0 duplicated, 0 errors" in line and "answers/s" in line and "p95" in line
    run("session", "close", code)
    closed = run("simulate", code)
    assert closed.exit_code == 1 and "is closed; open it first" in closed.stderr


def test_report_csv_opens_with_pandas_numbers_stay_numbers(run, played):
    result = run("report", played, "--format", "csv")
    assert result.exit_code == 0, result.output
    book = pd.read_csv(io.BytesIO(result.stdout_bytes), encoding="utf-8-sig")
    assert list(book.columns[:6]) == [
        *("student", "student_id", "learner_id"),  # who: the name and the stable IDs
        *("points", "max_points", "percent"),
    ]
    assert {"raw_percent", "capped", "must_avoid"} <= set(book.columns)
    assert len(book) == 5
    numbers = ("points", "max_points", "percent", "raw_percent", "must_avoid")
    assert all(pd.api.types.is_numeric_dtype(book[c]) for c in numbers)
    assert "'=cmd|' /C calc'!A0" in set(book["student"])  # neutralized, shown as text
    responses = pd.read_csv(
        io.BytesIO(run("report", played, "--table", "responses").stdout_bytes), encoding="utf-8-sig"
    )
    assert {"student", "case_id", "step_id", "points", "max_points", "response"} <= set(responses)
    assert pd.api.types.is_integer_dtype(responses["points"])


def test_report_xlsx_has_a_sheet_per_table(run, played, tmp_path):
    target = tmp_path / "ward.xlsx"
    result = run("report", played, "--format", "xlsx", "--output", str(target))
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(target, read_only=True)
    assert workbook.sheetnames == [
        "gradebook",
        "attempts",
        "scores",
        "responses",
        "items",
        "distractors",
        "skills",
    ]
    rows = list(workbook["gradebook"].iter_rows(values_only=True))
    assert rows[0][:6] == ("student", "student_id", "learner_id", "points", "max_points", "percent")
    hostile = next(r for r in rows[1:] if str(r[0]).startswith("'="))
    assert hostile[1] is None and isinstance(hostile[2], int)  # not rostered; its record's id
    assert hostile[3:5] == (0, 5 + 3)  # numbers, not text: nothing done of 5 + 3 possible
    workbook.close()


def test_report_json_parses(run, played, tmp_path):
    target = tmp_path / "ward.json"
    assert run("report", played, "--format", "json", "-o", str(target)).exit_code == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["session"]["code"] == played
    assert set(document) == {
        "session",
        "test",
        "gradebook",
        "attempts",
        "scores",
        "responses",
        "items",
    }
    first = document["gradebook"][0]
    assert isinstance(first["points"], int) and isinstance(first["percent"], float)
    assert "=cmd|' /C calc'!A0" in {r["student"] for r in document["gradebook"]}
    # Per student and activity: the reported score with what explains it.
    attempt = document["attempts"][0]
    assert {"activity", "status", "percent", "raw_percent", "capped", "must_avoid"} <= set(attempt)
    assert {r["activity"] for r in document["attempts"]} == {"ward-round", "night-shift"}
    # The items analysed, each with its n; the test figures say what they cover.
    assert all(isinstance(item["n"], int) and item["n"] >= 1 for item in document["items"])
    assert document["test"]["n_students"] == 4 and document["test"]["items_total"] == len(
        document["items"]
    )


def test_commands_are_registered_with_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert all(name in result.output for name in ("session", "simulate", "report"))
    session_help = CliRunner().invoke(cli, ["session", "--help"]).output
    assert all(name in session_help for name in ("create", "list", "open", "close", "release"))


def test_finding_3_names_stored_with_control_characters_export_no_formula(
    run, played, db_url, tmp_path
):
    """Issue 14, finding 3: ``\\x02=cmd…`` as a stored name gave live formulas in the XLSX.
    Names with control characters are refused now; rows an older release stored still
    export safely."""
    engine = get_engine(db_url)
    sessions.join_session(engine, played, "Placeholder")
    with engine.begin() as conn:  # as an older release stored it
        conn.execute(
            sa.text("UPDATE participant SET display_name = :n WHERE display_name = 'Placeholder'"),
            {"n": "\x02=cmd|' /C calc'!A0"},
        )
    target = tmp_path / "report.xlsx"
    assert run("report", played, "--format", "xlsx", "-o", str(target)).exit_code == 0
    workbook = openpyxl.load_workbook(target)
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert [c.value for c in cells if c.data_type == "f"] == []
    names = [row[0].value for row in workbook["gradebook"].iter_rows(min_row=2)]
    assert "'=cmd|' /C calc'!A0" in names
