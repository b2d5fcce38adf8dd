"""The Courses page (AppTest): create a course, attach a session, import a roster, reset a PIN."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classroom import sessions
from classroom.courses import courses, members, roster
from tests.support.educator import finish_sign_in

ROOT = Path(__file__).resolve().parent.parent
PASSCODE = "correct-horse-42"
PAGE = "ui/pages/courses.py"


@pytest.fixture(autouse=True)
def engine(class_engine, monkeypatch, browser_cookies):
    """A fresh database and a known passcode, for every test here."""
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", PASSCODE)
    return class_engine


def open_page(jar: dict[str, str] | None = None, **params: str) -> AppTest:
    """The Courses page in a fresh browser session, signed in when ``jar`` is given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.query_params.update(params)
    at.switch_page(PAGE).run()
    if jar is not None and not jar:
        next(t for t in at.text_input if t.label == "Educator passcode").input(PASSCODE)
        press(at, "Sign in")
        finish_sign_in(at, jar)
    return at


def press(at: AppTest, label: str) -> AppTest:
    """Press the button with this label and rerun."""
    return next(b for b in at.button if b.label == label).click().run()


def field(at: AppTest, label: str):
    """The text input with this label."""
    return next(t for t in at.text_input if t.label == label)


def texts(at: AppTest) -> str:
    """Every text on the page, joined."""
    parts = [*at.title, *at.markdown, *at.caption, *at.info, *at.success, *at.error]
    return "\n".join(str(p.value) for p in parts)


def test_the_page_asks_for_the_educator_passcode(browser_cookies):
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "Educator sign-in"


def test_an_educator_creates_a_course_and_attaches_a_session(engine, browser_cookies):
    week = sessions.create_session(engine, "Week 1", ["fracture-arm-broke-lifting-groceries"])
    at = open_page(browser_cookies)
    field(at, "Title").input("Adult health")
    field(at, "Term (optional)").input("Spring 2027")
    at = press(at, "Create course")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Adult health" and at.query_params["course"] == "1"
    at.selectbox[0].select(week.code)
    at = press(at, "Attach to this course")
    assert sessions.get_session(engine, week.code).course_id == 1
    assert at.dataframe[0].value["Code"].tolist() == [week.code]


def test_a_roster_upload_is_imported_or_refused_by_line(engine, browser_cookies):
    course = courses.create_course(engine, "Adult health")
    roster.import_roster(engine, course.id, b"student_id,name\nN-001,Ana Lopez\n", "r.csv")
    members.sign_in_member(engine, course.id, "N-001", "472913", "local")
    at = open_page(browser_cookies, course=str(course.id))
    table = at.dataframe[-1].value
    assert table.columns.tolist()[:2] == ["Student ID", "Name"]
    assert table["PIN set"].tolist() == ["yes"]
    bad = b"student_id,name\nN-002,=cmd\n,Nobody\n"
    at.file_uploader[0].set_value(("bad.csv", bad, "text/csv"))
    at = press(at, "Import")
    assert "Nothing was imported: bad.csv has 2 problems" in at.error[0].value
    assert at.code[0].value.splitlines() == [
        "bad.csv:2: the name '=cmd' starts like a spreadsheet formula ('='); remove that sign",
        "bad.csv:3: the student id is blank",
    ]
    assert len(roster.members(engine, course.id)) == 1  # nothing half-imported
    good = b"student_id,name\nN-001,Ana Lopez\nN-002,Ana Lopez\n"
    at.file_uploader[0].set_value(("week2.csv", good, "text/csv"))
    at = press(at, "Import")
    assert "1 added, 0 updated, 1 unchanged" in at.success[0].value
    assert at.dataframe[-1].value["Student ID"].tolist() == ["N-001", "N-002"]
    assert "Students (2)" in texts(at)


def test_a_pin_reset_after_a_confirmation(engine, browser_cookies):
    course = courses.create_course(engine, "Adult health")
    roster.import_roster(engine, course.id, b"student_id,name\nN-001,Ana Lopez\n", "r.csv")
    members.sign_in_member(engine, course.id, "N-001", "472913", "local")
    at = open_page(browser_cookies, course=str(course.id))
    next(s for s in at.selectbox if s.label == "Student").select("N-001").run()
    at = press(at, "Reset this PIN")
    assert roster.find_member(engine, course.id, "N-001").has_pin  # asked once more first
    at = press(at, "Yes, reset this PIN")
    assert not at.exception
    assert not roster.find_member(engine, course.id, "N-001").has_pin


def test_one_student_added_by_hand(engine, browser_cookies):
    course = courses.create_course(engine, "Adult health")
    at = open_page(browser_cookies, course=str(course.id))
    field(at, "Student ID").input("N-009")
    field(at, "Name").input("Dee Ray")
    at = press(at, "Save student")
    assert not at.error
    assert [m.student_id for m in roster.members(engine, course.id)] == ["N-009"]
    field(at, "Student ID").input("N-010")
    field(at, "Name").input("@Dee")
    assert "formula" in press(at, "Save student").error[0].value
