"""The Course gradebook page (educator) and My term (student), in AppTest."""

from __future__ import annotations

import pytest

from classroom.access import sign_ins
from classroom.courses.courses import create_course
from classroom.term.data_requests import data_requests
from classroom.term.gradebook import read_gradebook, wide_table
from tests.support.term import course_session, member_token, play
from tests.test_gradebook import wrong_first
from tests.test_ui_educator import PASSCODE, open_page, sign_in, texts

GRADEBOOK_PAGE, TERM_PAGE = "ui/pages/gradebook.py", "ui/pages/term.py"
CASE = "fracture-arm-broke-lifting-groceries"


@pytest.fixture(autouse=True)
def engine(class_engine, monkeypatch, browser_cookies):
    """A fresh database with the shipped cases and a known passcode."""
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", PASSCODE)
    return class_engine


@pytest.fixture
def course(engine, shipped):
    """A course of two: Ana finished the week's case, Ben got its first step wrong."""
    course = create_course(engine, "Adult health", term="Spring 2027")
    code = course_session(engine, course.id, "Week 1", [CASE])
    ana = member_token(engine, course.id, "S001", "Ana Lima")
    ben = member_token(engine, course.id, "S002", "Ben Okafor")
    play(engine, shipped, code, ana[1], CASE)
    play(engine, shipped, code, ben[1], CASE, wrong_first)
    return course, ana[0]


def test_the_gradebook_page_asks_for_the_passcode(course):
    at = open_page(GRADEBOOK_PAGE)
    assert not at.exception
    assert [t.value for t in at.title] == ["Educator sign-in"]
    assert not at.dataframe


def test_each_students_term_in_one_table_and_the_lms_files(
    engine, shipped, course, browser_cookies
):
    course, _ = course
    at = sign_in(open_page(GRADEBOOK_PAGE), browser_cookies)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Course gradebook"]
    shown = at.dataframe[0].value
    expected = wide_table(read_gradebook(engine, course.id, shipped))
    assert shown["student_id"].tolist() == ["S001", "S002"]
    assert shown.iloc[:, 4].tolist() == expected.iloc[:, 4].tolist()  # the session's percent
    at.session_state["gradebook.tab"] = "Export"
    at.run()
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "Canvas grade import (CSV)",
        "Moodle grade import (CSV)",
        "Gradebook (CSV)",
        "Gradebook and every session (XLSX)",
    ]


def test_the_cohort_panel_names_the_weakest_skill(course, browser_cookies):
    at = sign_in(open_page(GRADEBOOK_PAGE), browser_cookies)
    at.session_state["gradebook.tab"] = "Cohort"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Weakest skills" in texts(at) and "Steps missed most" in texts(at)
    assert "Decision points missed most" in texts(at)
    skills, points, steps = (d.value for d in at.dataframe)
    assert skills["percent"].is_monotonic_increasing
    assert points["missed_share"].is_monotonic_decreasing and points["decision_point"].all()
    assert steps["missed_share"].is_monotonic_decreasing


def test_one_student_deleted_after_typing_their_id(engine, shipped, course, browser_cookies):
    course, _ = course
    at = sign_in(open_page(GRADEBOOK_PAGE), browser_cookies)
    at.session_state["gradebook.tab"] = "One student"
    at.run()
    picker = next(s for s in at.selectbox if s.label == "Student")
    picker.set_value("S002").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Every attempt" in texts(at) and "Passages to review" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Export their data (JSON)"]
    next(b for b in at.button if b.label == "Delete their data…").click().run()
    delete = next(b for b in at.button if b.label == "Delete everything")
    assert delete.disabled  # until the student ID is typed
    at.text_input(key="delete.confirm").input("S002").run()
    next(b for b in at.button if b.label == "Delete everything").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert read_gradebook(engine, course.id, shipped).members["student_id"].tolist() == ["S001"]
    assert [(r["student_id"], r["action"]) for r in data_requests(engine, course.id)] == [
        ("S002", "delete")
    ]
    at.session_state["gradebook.tab"] = "Gradebook"
    at.run()
    assert "Student S002's data was deleted." in texts(at)


def test_my_term_needs_a_course_sign_in_then_shows_the_term(engine, course, browser_cookies):
    _, ana = course
    at = open_page(TERM_PAGE)
    assert not at.exception
    assert "sign in to your course" in texts(at)
    browser_cookies[sign_ins.LEARNER_COOKIE] = sign_ins.open_session(
        engine, "local", learner_id=ana
    )
    at = open_page(TERM_PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert "Signed in as Ana Lima · student ID S001" in texts(at)
    attempts = at.dataframe[0].value
    assert attempts["Activity"].tolist() == ["The arm that broke lifting groceries"]
    assert attempts["Score"].tolist() == ["100%"]
