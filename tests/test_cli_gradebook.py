"""``casebook gradebook COURSE --format canvas|moodle|csv|xlsx [-o FILE]`` on real databases."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from click.testing import CliRunner

from casebook import commands_gradebook
from casebook.cli import cli
from classroom.courses.courses import create_course
from tests.support.term import course_session, member_token, play


@pytest.fixture
def course_id(db_engine, ward_library) -> int:
    course = create_course(db_engine, "Adult health")
    code = course_session(db_engine, course.id, "Week 1", ["ward-round"])
    _, token = member_token(db_engine, course.id, "S1", "Ana", email="ana@x.edu")
    play(db_engine, ward_library, code, token, "ward-round")
    return course.id


@pytest.fixture
def run(db_url, ward_cases_dir):
    env = {"CASEBOOK_DATABASE_URL": db_url, "CASEBOOK_CASES_DIR": str(ward_cases_dir)}
    return lambda *args: CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_canvas_and_moodle_go_to_stdout(run, course_id):
    canvas = run("gradebook", str(course_id), "--format", "canvas")
    assert canvas.exit_code == 0, canvas.output
    rows = list(csv.reader(io.StringIO(canvas.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[2][:3] == ["Ana", "", "S1"] and float(rows[2][5]) == 100.0
    moodle = run("gradebook", str(course_id), "--format", "moodle")
    assert moodle.stdout_bytes.decode("utf-8-sig").splitlines()[1].startswith("S1,ana@x.edu,Ana,")


def test_xlsx_needs_a_file_when_stdout_is_a_terminal(run, course_id, tmp_path, monkeypatch):
    monkeypatch.setattr(commands_gradebook, "_to_terminal", lambda: True)
    refused = run("gradebook", str(course_id), "--format", "xlsx")
    assert refused.exit_code == 1
    assert "casebook: an XLSX workbook is binary: give --output FILE" in refused.stderr
    assert refused.stdout_bytes == b""
    target = tmp_path / "book.xlsx"
    written = run("gradebook", str(course_id), "--format", "xlsx", "-o", str(target))
    assert written.exit_code == 0 and f"Wrote {target}" in written.stderr
    assert openpyxl.load_workbook(target).sheetnames == ["gradebook", "sessions"]


def test_an_unknown_course_is_one_line_and_exit_1(run):
    result = run("gradebook", "999")
    assert result.exit_code == 1
    assert result.stderr == "casebook: no course has the id 999\n"
    assert run("gradebook", "x").exit_code == 2  # not an id: a usage error
