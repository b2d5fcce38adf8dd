"""Educator pages (AppTest): the passcode gate, creating and managing sessions, the dashboard."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classroom import attempts, sessions
from classroom.access import sign_ins
from classroom.access.throttle import EDUCATOR_SIGN_IN
from tests.support.educator import drawn_html, finish_sign_in, route_client
from ui.educator.dashboard import TAB_KEY

ROOT = Path(__file__).resolve().parent.parent
PASSCODE = "correct-horse-42"
CASE = "fracture-arm-broke-lifting-groceries"
SESSIONS_PAGE, DASHBOARD_PAGE = "ui/pages/sessions.py", "ui/pages/dashboard.py"


@pytest.fixture(autouse=True)
def engine(class_engine, monkeypatch, browser_cookies):
    """A fresh database with the shipped cases and a known passcode, for every test here."""
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", PASSCODE)
    return class_engine


@pytest.fixture
def jar(browser_cookies) -> dict[str, str]:
    """The simulated browser's cookies (one browser per test)."""
    return browser_cookies


def open_page(page: str, **params: str) -> AppTest:
    """A fresh browser session on an educator page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.query_params.update(params)
    return at.switch_page(page).run()


def button(at: AppTest, label: str):
    """The button with this label."""
    return next(b for b in at.button if b.label == label)


def type_passcode(at: AppTest, passcode: str) -> AppTest:
    """Type a passcode into the gate and press Sign in (a wrong one stays on the form)."""
    next(t for t in at.text_input if t.label == "Educator passcode").input(passcode)
    return button(at, "Sign in").click().run()


def sign_in(at: AppTest, jar: dict[str, str]) -> AppTest:
    """Sign in as the browser does: the passcode, then the ticket posted to the route."""
    type_passcode(at, PASSCODE)
    assert not at.exception
    finish_sign_in(at, jar)
    return at


def texts(at: AppTest) -> str:
    """Every title, markdown, caption and alert on the page, as one string."""
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption]
    parts += [*at.info, *at.success, *at.warning, *at.error]
    return "\n".join(str(p.value) for p in parts)


@pytest.mark.parametrize("page", [SESSIONS_PAGE, DASHBOARD_PAGE])
def test_educator_pages_show_only_the_sign_in_form(page):
    at = open_page(page)
    assert not at.exception
    assert [t.value for t in at.title] == ["Educator sign-in"]
    assert [t.label for t in at.text_input] == ["Educator passcode"]
    assert not at.dataframe and not at.selectbox and not at.metric


def test_a_student_switching_to_the_dashboard_sees_only_the_sign_in_form(engine):
    info = sessions.create_session(engine, "Week 5", [CASE])
    sessions.join_session(engine, info.code, "Ana")
    at = open_page(DASHBOARD_PAGE, code=info.code)
    assert not at.exception
    assert "Ana" not in texts(at) and "Week 5" not in texts(at)
    assert [t.value for t in at.title] == ["Educator sign-in"]


def test_wrong_passcode_is_refused(engine):
    at = type_passcode(open_page(SESSIONS_PAGE), "not-the-passcode")
    assert not at.exception
    assert at.error[0].value == "That passcode is not right."
    assert [t.value for t in at.title] == ["Educator sign-in"]
    assert "ticket" not in drawn_html(at)


def test_finding_1_new_sessions_do_not_reset_the_passcode_throttle(engine, monkeypatch):
    """Issue 14, finding 1: a client opening a new Streamlit session every few guesses (or
    reloading) was never locked out. The failures are now counted per address in the
    database: after 10, every new session gets the lock, not a fresh form."""
    # Without the back-off (its waits are tested below and in test_throttle), to reach the cap.
    monkeypatch.setattr("ui.educator.gate.EDUCATOR_SIGN_IN", replace(EDUCATOR_SIGN_IN, free=10))
    checked = 0
    for _ in range(5):  # five "browsers", three guesses each
        at = open_page(SESSIONS_PAGE)
        for _ in range(3):
            if not at.text_input:
                break
            at = type_passcode(at, "not-the-passcode")
            checked += at.error[0].value.startswith("That passcode is not right.")
    assert checked == 10
    at = open_page(SESSIONS_PAGE).run()  # a reload, and another new session
    assert "Too many wrong passcodes" in at.error[0].value
    assert not at.text_input  # no form while locked, even for the right passcode
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM failed_attempt").scalar() == 10


def test_after_three_wrong_passcodes_the_next_try_must_wait(engine):
    at = open_page(SESSIONS_PAGE)
    for _ in range(4):
        at = type_passcode(at, "not-the-passcode")
    assert at.error[0].value.startswith("That passcode is not right. Wait")
    at = type_passcode(at, PASSCODE)  # even the right passcode is not looked at yet
    assert at.error[0].value.startswith("Wait ") and "ticket" not in drawn_html(at)


def test_sign_in_survives_a_refresh_and_ends_with_sign_out(engine, jar):
    at = sign_in(open_page(SESSIONS_PAGE), jar)
    assert "Class sessions" in [t.value for t in at.title]
    again = open_page(DASHBOARD_PAGE)  # a refresh: a new Streamlit session, same cookie
    assert "Live dashboard" in [t.value for t in again.title]
    again = button(again, "Sign out of educator pages").click().run()
    assert 'action="/educator/sign-out"' in drawn_html(again)
    # The server ended the sign-in at once: the cookie (still in the jar) opens nothing.
    assert not sign_ins.signed_in(engine, jar[sign_ins.COOKIE])
    assert [t.value for t in open_page(SESSIONS_PAGE).title] == ["Educator sign-in"]


def test_a_ticket_signs_in_one_browser_once(engine):
    at = type_passcode(open_page(SESSIONS_PAGE), PASSCODE)
    ticket = re.search(r'name="ticket" value="([^"]+)"', drawn_html(at)).group(1)
    with route_client() as http:
        form = {"ticket": ticket, "next": "/sessions?code=ABC"}
        first = http.post(sign_ins.SIGN_IN_PATH, data=form, follow_redirects=False)
        again = http.post(sign_ins.SIGN_IN_PATH, data=form, follow_redirects=False)
        elsewhere = http.post(
            sign_ins.SIGN_IN_PATH,
            data={"ticket": ticket, "next": "https://evil.example/"},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
    assert (first.status_code, first.headers["location"]) == (303, "/sessions?code=ABC")
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
    assert again.status_code == 303 and "set-cookie" not in again.headers  # used up
    assert elsewhere.status_code == 403  # a form posted from another site


def test_educator_creates_a_session_and_sees_its_join_code(engine, jar):
    at = sign_in(open_page(SESSIONS_PAGE), jar)
    assert not at.exception
    assert "Class sessions" in texts(at)
    next(t for t in at.text_input if t.label == "Title").input("Week 5 · fractures")
    next(m for m in at.multiselect if m.label == "Cases").select(CASE)
    at = button(at, "Create session").click().run()
    assert not at.exception
    [info] = sessions.list_sessions(engine)
    assert (info.title, info.case_ids, info.mode, info.is_open) == (
        "Week 5 · fractures",
        (CASE,),
        "practice",
        True,
    )
    assert at.query_params["code"] == info.code
    assert f">{info.code}</p>" in texts(at)  # the code in large type
    assert f"/join?code={info.code}" in at.code[0].value
    assert len(info.code) >= 6


def test_session_form_reports_every_problem_at_once(engine, jar):
    at = sign_in(open_page(SESSIONS_PAGE), jar)
    next(n for n in at.number_input if n.label.startswith("Time limit")).set_value(30)
    at = button(at, "Create session").click().run()
    errors = [e.value for e in at.error]
    assert errors == [
        "Give the session a title.",
        "Choose at least one case, or a number of quiz questions.",
        "A time limit applies to exams only: choose Exam, or clear the limit.",
    ]
    assert sessions.list_sessions(engine) == []


def test_exam_with_a_quiz_and_a_time_limit(engine, jar):
    at = sign_in(open_page(SESSIONS_PAGE), jar)
    next(t for t in at.text_input if t.label == "Title").input("Midterm")
    next(n for n in at.number_input if n.label.startswith("Quick-quiz")).set_value(3)
    next(r for r in at.radio if r.label == "Mode").set_value("exam")
    next(n for n in at.number_input if n.label.startswith("Time limit")).set_value(20)
    next(c for c in at.checkbox if c.label == "Open for joining now").uncheck()
    at = button(at, "Create session").click().run()
    assert not at.exception
    [info] = sessions.list_sessions(engine)
    assert (info.mode, info.time_limit_minutes, info.is_open) == ("exam", 20, False)
    assert len(info.quiz_spec["items"]) == 3 and info.case_ids == ()
    assert "No new joiners" in texts(at)


def test_close_reopen_release_and_delete_a_student(engine, jar):
    info = sessions.create_session(engine, "Exam", [CASE], mode="exam")
    _, ana = sessions.join_session(engine, info.code, "Ana")
    sessions.join_session(engine, info.code, "Ben")
    at = sign_in(open_page(SESSIONS_PAGE, code=info.code), jar)
    at = button(at, "Stop new joiners").click().run()
    assert not sessions.get_session(engine, info.code).is_open
    at = button(at, "Reopen joining").click().run()
    assert sessions.get_session(engine, info.code).is_open
    at = button(at, "Release results").click().run()
    assert not sessions.get_session(engine, info.code).results_released  # asks first
    assert "closes the session to new joiners" in " ".join(w.value for w in at.warning)
    at = button(at, "Yes, release results").click().run()  # nobody is answering: no choice
    released = sessions.get_session(engine, info.code)
    assert released.results_released and not released.is_open
    assert "No new joiners" in texts(at)
    ana_id = next(r["learner_id"] for r in sessions.session_roster(engine, info.code))
    at.selectbox[0].set_value(ana_id).run()
    at = button(at, "Delete this student's data").click().run()
    assert "will be deleted for good" in texts(at)
    at = button(at, "Yes, delete this student's data").click().run()
    assert not at.exception
    assert [r["display_name"] for r in sessions.session_roster(engine, info.code)] == ["Ben"]
    assert attempts.list_attempts(engine, ana) == []


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open a dashboard tab, as a click on it does."""
    at.session_state[TAB_KEY] = label
    return at.run()


def test_dashboard_shows_a_student_who_answered(engine, jar):
    info = sessions.create_session(engine, "Week 5", [CASE])
    _, token = sessions.join_session(engine, info.code, "Ana")
    sessions.join_session(engine, info.code, "Ben")
    attempt = attempts.start_attempt(
        engine, token, CASE, "v1", session_code=info.code, first_step="why-broke"
    )
    attempts.record_answer(
        engine,
        token,
        attempt.id,
        "why-broke",
        response=["weak-bone"],
        points=1,
        max_points=1,
        rule="0/1",
        skill="recognize_cues",
        item_type="multiple_choice",
        must_avoid=[],
        next_step="radiation-cloze",
    )
    at = sign_in(open_page(DASHBOARD_PAGE, code=info.code), jar)
    assert not at.exception
    roster = at.dataframe[0].value
    assert list(roster["Student"]) == ["Ana", "Ben"]
    assert list(roster["Points"]) == [1, 0]
    assert [m.value for m in at.metric][:2] == ["2", "1"]  # joined, answers stored
    assert not at.get("download_button")  # tabs are lazy: only the open one is drawn
    at = open_tab(at, "Export")
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "Gradebook (CSV)",
        "Every attempt (CSV)",
        "Scores per student (CSV)",
        "Responses per item (CSV)",
        "Everything (XLSX)",
    ]
    at = open_tab(at, "One student")
    drill = next(s for s in at.selectbox if s.label == "Student")
    at = drill.set_value(roster.index[0] + 1).run()  # learner ids start at 1
    assert not at.exception
    assert any("Why did it break?" in e.label for e in at.expander)


def test_golden_path_create_join_answer_and_see_the_student_on_the_dashboard(engine, jar):
    educator = sign_in(open_page(SESSIONS_PAGE), jar)
    next(t for t in educator.text_input if t.label == "Title").input("Week 5")
    next(m for m in educator.multiselect if m.label == "Cases").select(CASE)
    educator = button(educator, "Create session").click().run()
    code = educator.query_params["code"]
    student = open_page("ui/pages/join.py", code=code)
    next(t for t in student.text_input if t.label == "Display name").input("Ana")
    student = button(student, "Join").click().run()
    button(student, "Start").click().run()
    student.switch_page("ui/pages/player.py").run()
    next(r for r in student.radio if r.label == "Choose one").set_value("weak-bone").run()
    student = button(student, "Submit answer").click().run()
    assert not student.exception
    educator.switch_page(DASHBOARD_PAGE).run()  # still signed in: same browser session
    assert not educator.exception
    roster = educator.dataframe[0].value
    assert list(roster["Student"]) == ["Ana"]
    assert list(roster["Points"]) == [1]


def test_dashboard_keeps_refreshing_while_any_attempt_is_open(engine, jar):
    from classroom.closing import end_answering
    from scoring.library.loader import load_library

    info = sessions.create_session(engine, "Week 5", [CASE])
    _, token = sessions.join_session(engine, info.code, "Ana")
    attempts.start_attempt(
        engine, token, CASE, "v1", session_code=info.code, first_step="why-broke"
    )
    sessions.set_open(engine, info.code, False)  # no new joiners, but Ana is still answering
    at = sign_in(open_page(DASHBOARD_PAGE, code=info.code), jar)
    assert "while students can join or are still answering" in texts(at)
    end_answering(engine, info.code, load_library([ROOT / "cases"]))
    at.run()
    assert "no longer updates itself" in texts(at)
    assert "Answering ended" in texts(at)
