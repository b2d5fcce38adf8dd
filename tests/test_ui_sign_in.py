"""Students' ways back to their record (AppTest): a course's sign-in, a recovery code."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classroom import attempts, sessions
from classroom.courses import courses, roster
from tests.support.educator import finish_learner_sign_in

ROOT = Path(__file__).resolve().parent.parent
CASE = "fracture-arm-broke-lifting-groceries"


@pytest.fixture(autouse=True)
def engine(class_engine):
    """A fresh database with the shipped cases, for every test here."""
    return class_engine


@pytest.fixture
def course_session(engine):
    """A session in a course whose roster has two students called Ana Lopez."""
    course = courses.create_course(engine, "Adult health", term="Spring 2027")
    roster.import_roster(
        engine, course.id, b"student_id,name\nN-001,Ana Lopez\nN-002,Ana Lopez\n", "r.csv"
    )
    info = sessions.create_session(engine, "Week 3", [CASE])
    courses.attach_session(engine, course.id, info.code)
    return info


def page(name: str, **params: str) -> AppTest:
    """A fresh browser session on one of the student pages."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.query_params.update(params)
    return at.switch_page(f"ui/pages/{name}.py").run()


def field(at: AppTest, label: str):
    """The text input with this label."""
    return next(t for t in at.text_input if t.label == label)


def press(at: AppTest, label: str) -> AppTest:
    """Press the button with this label and rerun."""
    return next(b for b in at.button if b.label == label).click().run()


def sign_in(at: AppTest, student_id: str, pin: str) -> AppTest:
    """Type a student ID and PIN into the course sign-in form."""
    field(at, "Student ID").input(student_id)
    field(at, "PIN").input(pin)
    return press(at, "Sign in")


def texts(at: AppTest) -> str:
    """Every text on the page, joined."""
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption]
    parts += [*at.info, *at.success, *at.warning, *at.error]
    return "\n".join(str(p.value) for p in parts).replace("\\-", "-")  # Markdown escapes


def test_a_course_session_asks_for_the_student_id_and_pin(course_session, browser_cookies):
    at = page("join", code=course_session.code)
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Student ID", "PIN"]
    assert "Display name" not in [t.label for t in at.text_input]


def test_a_student_signs_in_joins_and_continues_in_another_browser(
    engine, course_session, monkeypatch
):
    jar: dict[str, str] = {}
    monkeypatch.setattr("ui.components.client.cookies", lambda: jar)
    at = sign_in(page("join", code=course_session.code), "n-002", "582913")
    assert not at.exception and not at.error
    finish_learner_sign_in(at, jar)
    assert "Signed in as **Ana Lopez** (N-002)" in texts(at)
    assert "t" not in at.query_params  # the member's token never goes into an address
    roster_names = [r["display_name"] for r in sessions.session_roster(engine, course_session.code)]
    assert roster_names == ["Ana Lopez"]
    # Another browser: sign in again with the PIN just set; the same record opens.
    other: dict[str, str] = {}
    monkeypatch.setattr("ui.components.client.cookies", lambda: other)
    again = sign_in(page("join", code=course_session.code), "N-002", "582913")
    finish_learner_sign_in(again, other)
    assert "Signed in as **Ana Lopez** (N-002)" in texts(again)
    # The second Ana Lopez joins the same session under a number, and is told so.
    third: dict[str, str] = {}
    monkeypatch.setattr("ui.components.client.cookies", lambda: third)
    first_ana = sign_in(page("join", code=course_session.code), "N-001", "771044")
    finish_learner_sign_in(first_ana, third)
    names = [r["display_name"] for r in sessions.session_roster(engine, course_session.code)]
    assert names == ["Ana Lopez", "Ana Lopez (2)"]


def test_a_wrong_pin_is_refused_and_an_anonymous_join_too(course_session, browser_cookies):
    at = sign_in(page("join", code=course_session.code), "N-001", "771044")
    assert not at.error
    wrong = sign_in(page("join", code=course_session.code), "N-001", "771045")
    assert "do not match" in wrong.error[0].value
    assert sign_ins_cookie_absent(browser_cookies)


def sign_ins_cookie_absent(jar: dict[str, str]) -> bool:
    """True while the simulated browser holds no learner cookie."""
    from classroom.access import sign_ins

    return sign_ins.LEARNER_COOKIE not in jar


def test_a_forwarded_link_naming_a_member_opens_nothing(engine, course_session, browser_cookies):
    member = roster.find_member(engine, 1, "N-001")
    token = attempts.learner_token(engine, member.learner_id)
    at = page("results", t=token)
    assert not at.exception
    assert "t" not in at.query_params
    assert "No attempts yet" in texts(at)
    assert any("belongs to a course's student" in str(t.value) for t in at.toast)


def test_keep_my_progress_shows_a_code_once_and_restore_uses_it(engine, browser_cookies):
    token = attempts.new_learner(engine, "Ana")
    attempts.start_attempt(engine, token, CASE, "v1")
    at = page("results", t=token)
    assert "Your record lives in this page's link" in texts(at)
    at = press(at, "Keep my progress")
    code = next(s.value for s in at.success if "recovery code" in s.value).split("`")[1]
    assert len(code) == 19
    # A new device: an empty record until the code is typed.
    fresh = page("results")
    assert "No attempts yet" in texts(fresh)
    field(fresh, "Recovery code").input(code)
    restored = press(fresh, "Restore")
    assert restored.query_params["t"] == [token] or restored.query_params["t"] == token
    assert "No attempts yet" not in texts(restored)
    wrong = page("results")
    field(wrong, "Recovery code").input("AAAA-BBBB-CCCC-DDDD")
    assert "was not found" in press(wrong, "Restore").error[0].value


def test_the_learner_routes_set_an_httponly_cookie_once_and_sign_out(engine, course_session):
    from classroom.access import sign_ins
    from classroom.courses import members
    from tests.support.educator import route_client

    member = members.sign_in_member(engine, 1, "N-001", "771044", "local")
    ticket = sign_ins.issue_ticket(engine, "local", learner_id=member.learner_id)
    form = {"ticket": ticket, "next": f"/join?code={course_session.code}"}
    with route_client() as http:
        elsewhere = http.post(
            sign_ins.LEARNER_SIGN_IN_PATH,
            data=form,
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
        first = http.post(sign_ins.LEARNER_SIGN_IN_PATH, data=form, follow_redirects=False)
        again = http.post(sign_ins.LEARNER_SIGN_IN_PATH, data=form, follow_redirects=False)
        cookie = first.cookies[sign_ins.LEARNER_COOKIE]
        http.cookies.set(sign_ins.LEARNER_COOKIE, cookie)
        out = http.post(
            sign_ins.LEARNER_SIGN_OUT_PATH, data={"next": "/results"}, follow_redirects=False
        )
    assert elsewhere.status_code == 403
    assert (first.status_code, first.headers["location"]) == (303, form["next"])
    header = first.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=strict" in header and "Max-Age=43200" in header
    assert again.status_code == 303 and "set-cookie" not in again.headers  # used up
    assert out.status_code == 303 and 'casebook_learner=""' in out.headers["set-cookie"]
    assert sign_ins.signed_in_learner(engine, cookie) is None
