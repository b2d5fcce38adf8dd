"""casebook course / roster, as an educator meets them, on real databases."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from casebook.cli import cli
from classroom import sessions
from classroom.courses import members, roster
from classroom.storage.db import get_engine


@pytest.fixture
def run(db_url):
    """Invoke ``casebook`` against this test's database."""

    def invoke(*args: str):
        return CliRunner().invoke(
            cli, list(args), env={"CASEBOOK_DATABASE_URL": db_url}, catch_exceptions=False
        )

    return invoke


def test_create_list_and_attach(run, db_url):
    made = run("course", "create", "--title", "Adult health", "--term", "Spring 2027")
    assert made.exit_code == 0 and made.stdout == "1\tAdult health\tSpring 2027\n"
    run("course", "create", "--title", "Paediatrics", "--section", "B")
    listed = run("course", "list")
    assert listed.stdout.splitlines() == ["2\tPaediatrics\tB", "1\tAdult health\tSpring 2027"]
    info = sessions.create_session(get_engine(db_url), "Week 1", ["ward-round"])
    attached = run("course", "attach", "1", info.code.lower())
    assert attached.exit_code == 0 and "is now in course 1 (Adult health)" in attached.stdout
    assert sessions.get_session(get_engine(db_url), info.code).course_id == 1
    unknown = run("course", "attach", "9", info.code)
    assert unknown.exit_code == 1 and unknown.stderr == "casebook: no course has the id 9\n"
    blank = run("course", "create", "--title", "  ")
    assert blank.exit_code == 1 and "course title" in blank.stderr


def test_roster_import_reports_counts_and_bad_rows_by_line(run, db_url, tmp_path):
    run("course", "create", "--title", "Adult health")
    good = tmp_path / "roster.csv"
    good.write_bytes(b"student_id,name,email\nS1,Ana Lopez,ana@example.org\nS2,Ben Ng,\n")
    first = run("roster", "import", "1", str(good))
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("2 added, 0 updated, 0 unchanged, 0 not in this file and kept")
    again = run("roster", "import", "1", str(good))
    assert again.stdout.startswith("0 added, 0 updated, 2 unchanged")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"student_id,name\nS3,Cy\n,Dee\nS4,=SUM(A1)\n")
    refused = run("roster", "import", "1", str(bad))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        f"{bad}:3: the student id is blank",
        f"{bad}:4: the name '=SUM(A1)' starts like a spreadsheet formula ('='); remove that sign",
    ]
    assert len(roster.members(get_engine(db_url), 1)) == 2  # nothing half-imported


def test_pin_reset_lets_the_student_choose_a_new_pin(run, db_url, tmp_path):
    engine = get_engine(db_url)
    run("course", "create", "--title", "Adult health")
    (tmp_path / "r.csv").write_bytes(b"student_id,name\nS1,Ana Lopez\n")
    run("roster", "import", "1", str(tmp_path / "r.csv"))
    members.sign_in_member(engine, 1, "S1", "472913", "local")
    reset = run("roster", "pin-reset", "1", "s1")
    assert reset.exit_code == 0 and "PIN of s1 cleared" in reset.stdout
    assert not roster.find_member(engine, 1, "S1").has_pin
    missing = run("roster", "pin-reset", "1", "S9")
    assert missing.exit_code == 1 and "no student 'S9'" in missing.stderr
