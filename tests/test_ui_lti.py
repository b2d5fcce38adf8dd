"""The LMS (LTI) page (AppTest): behind the educator sign-in; platforms; scores waiting; retry."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from classroom import attempts
from classroom.access import sign_ins
from classroom.courses.courses import create_course
from classroom.lti import platforms
from classroom.storage.schema import LtiContext, LtiGradeOutbox, utcnow

ROOT = Path(__file__).resolve().parent.parent
PAGE = "ui/pages/lti.py"
DOWN = "http://127.0.0.1:9"  # nothing listens on the discard port: the LMS is unreachable


@pytest.fixture
def engine(class_engine, browser_cookies):
    return class_engine


def open_page(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.query_params.update(params)
    return at.switch_page(PAGE).run()


def texts(at: AppTest) -> str:
    """What the page says, Markdown escapes removed."""
    shown = (e.value for kind in ("markdown", "info", "success", "caption") for e in at.get(kind))
    return "\n".join(shown).replace("\\", "")


def waiting_score(engine) -> int:
    """A course from an LMS with one refused score in the outbox; returns the course id."""
    platform = platforms.register_platform(
        engine,
        issuer=DOWN,
        client_id="c-1",
        deployment_ids=["d-1"],
        auth_login_url=f"{DOWN}/auth",
        auth_token_url=f"{DOWN}/token",
        keyset_url=f"{DOWN}/jwks",
    )
    course = create_course(engine, "Nursing 101")
    token = attempts.new_learner(engine)
    attempt = attempts.start_attempt(engine, token, "scc-back-pain-could-not-wait", "v1")
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(LtiContext).values(
                platform_id=platform.id,
                context_id="ctx",
                course_id=course.id,
                memberships_url=f"{DOWN}/memberships",
            )
        )
        conn.execute(
            sa.insert(LtiGradeOutbox).values(
                attempt_id=attempt.id, platform_id=platform.id, course_id=course.id,
                lineitem_url=f"{DOWN}/lineitems/1", user_sub="student-7", score_given=85.7,
                score_maximum=100.0, finished_at=now, status="failed", tries=1,
                next_try_at=now, last_error="the platform answered 404: gone",
            )
        )  # fmt: skip
    return course.id


def test_the_page_asks_for_the_educator_sign_in_first(engine):
    waiting_score(engine)
    at = open_page()
    assert not at.exception
    assert "student-7" not in texts(at) and "Nursing 101" not in texts(at)
    assert any(t.label == "Educator passcode" for t in at.text_input)


def test_an_educator_sees_the_refused_score_and_queues_it_again(engine, browser_cookies):
    course_id = waiting_score(engine)
    browser_cookies[sign_ins.COOKIE] = sign_ins.open_session(engine, "127.0.0.1")
    at = open_page(course=str(course_id))
    assert not at.exception
    shown = texts(at)
    assert DOWN in at.table[0].value["issuer"].tolist()
    assert "student-7" in shown and "85.7 of 100" in shown and "refused by the LMS" in shown
    assert "404: gone" in shown
    next(b for b in at.button if b.label == "Try again now").click().run()
    assert not at.exception
    shown = texts(at)
    assert "waiting (will be tried again)" in shown and "could not be reached" in shown
    assert at.button and next(b for b in at.button if "roster" in b.label)


def test_a_roster_pull_from_an_unreachable_lms_says_so(engine, browser_cookies):
    course_id = waiting_score(engine)
    browser_cookies[sign_ins.COOKIE] = sign_ins.open_session(engine, "127.0.0.1")
    at = open_page(course=str(course_id))
    next(b for b in at.button if "roster" in b.label).click().run()
    assert not at.exception
    assert "The LMS did not send the roster" in at.error[0].value


def test_the_course_page_of_an_lms_course_shows_its_waiting_scores(engine, browser_cookies):
    course_id = waiting_score(engine)
    browser_cookies[sign_ins.COOKIE] = sign_ins.open_session(engine, "127.0.0.1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.query_params.update({"course": str(course_id)})
    at.switch_page("ui/pages/courses.py").run()
    assert not at.exception
    shown = texts(at)
    assert "From the LMS" in shown and "85.7 of 100" in shown
    plain = create_course(engine, "Not from an LMS")
    at.query_params.update({"course": str(plain.id)})
    at.switch_page("ui/pages/courses.py").run()
    assert "From the LMS" not in texts(at)
