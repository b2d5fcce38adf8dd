"""Learners who persist, in Chromium: a rostered student on two devices, two Anas, a recovery code.

One server (fresh SQLite, the two-step case) serves the three journeys; each device is a fresh
browser context, so nothing but the student's sign-in or code carries over.
"""

from __future__ import annotations

import re

import pytest

from classroom import sessions
from classroom.courses import courses, roster
from classroom.storage.db import dispose_engine, get_engine
from tests.browser.test_class_session import TWO_STEP_CASE
from tests.support.appserver import ROOT, app_servers, browser_page

ARTIFACTS = ROOT / "test-artifacts"
PASSCODE = "correct-horse-42"


@pytest.fixture(scope="module")
def learners_server(browser, tmp_path_factory):
    """A server on a fresh SQLite file, and the URL of that file for setting up data."""
    tmp = tmp_path_factory.mktemp("learners")
    (tmp / "cases").mkdir()
    (tmp / "cases" / "two-step.yaml").write_text(TWO_STEP_CASE, encoding="utf-8")
    url = f"sqlite:///{tmp / 'casebook.db'}"
    env = {
        "CASEBOOK_DATABASE_URL": url,
        "CASEBOOK_CASES_DIR": str(tmp / "cases"),
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_PASSCODE_FILE": str(tmp / "passcode.hash"),
    }
    with app_servers(1, env, tmp) as (base,):
        yield base, get_engine(url)
    dispose_engine(url)


def _idle(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()


def _answer_first_step(page) -> None:
    page.get_by_test_id("stRadio").get_by_text("Constipation", exact=True).click()
    _idle(page)
    _click(page, "Submit answer")
    page.get_by_role("button", name="Continue to step 2").first.wait_for()


def _device(browser, name: str):
    return browser_page(browser, f"learners-failure-{name}", ARTIFACTS, 15_000)


def test_a_rostered_student_signs_in_answers_and_continues_on_a_second_device(
    learners_server, browser
):
    base, engine = learners_server
    course = courses.create_course(engine, "Adult health", term="Spring 2027")
    roster.import_roster(engine, course.id, b"student_id,name\nN-101,Rosa Silva\n", "r.csv")
    info = sessions.create_session(engine, "Week 4", ["two-step"])
    courses.attach_session(engine, course.id, info.code)

    def sign_in(page) -> None:
        page.goto(f"{base}/join?code={info.code}")
        page.get_by_role("textbox", name="Student ID").fill("N-101")
        page.get_by_label("PIN", exact=True).fill("604218")
        _click(page, "Sign in")
        page.get_by_text("Signed in as").wait_for()

    with _device(browser, "first-device") as page:
        sign_in(page)
        assert "t=" not in page.url  # the record is named by the cookie, never by the link
        _click(page, "Start")
        _answer_first_step(page)
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["casebook_learner"]["httpOnly"] is True
    with _device(browser, "second-device") as page:
        sign_in(page)  # the PIN set on the first device
        _click(page, "Continue")
        page.get_by_text("Which other early sign of high calcium").wait_for()
        assert "t=" not in page.url


def test_two_students_called_ana_join_and_the_educator_tells_them_apart(learners_server, browser):
    base, engine = learners_server
    info = sessions.create_session(engine, "Open practice", ["two-step"])
    for device in ("ana-one", "ana-two"):
        with _device(browser, device) as page:
            page.goto(f"{base}/join?code={info.code}")
            page.get_by_role("textbox", name="Display name").fill("Ana")
            _click(page, "Join")
            page.get_by_role("button", name="Start", exact=True).wait_for()
            if device == "ana-two":
                page.get_by_text("so you appear as").wait_for()
                assert "Ana (2)" in page.get_by_test_id("stAlert").first.inner_text()
    ids = sorted(f"anon-{r['learner_id']}" for r in sessions.session_roster(engine, info.code))
    with _device(browser, "educator") as page:
        page.goto(f"{base}/dashboard?code={info.code}")
        page.get_by_role("textbox", name="Educator passcode").fill(PASSCODE)
        _click(page, "Sign in")
        grid = page.get_by_test_id("stDataFrame").first
        grid.locator("td", has_text="Ana (2)").first.wait_for(state="attached")
        rows = [r.locator("th, td").all_text_contents() for r in grid.locator("tr").all()]
    header, *cells = rows
    shown = sorted((row[header.index("Student")], row[header.index("ID")]) for row in cells)
    assert shown == [("Ana", ids[0]), ("Ana (2)", ids[1])]


def test_an_anonymous_student_restores_their_record_with_a_recovery_code(learners_server, browser):
    base, _ = learners_server
    with _device(browser, "anonymous-first") as page:
        page.goto(f"{base}/player?case=two-step")
        _answer_first_step(page)
        page.get_by_role("link", name="My results").click()
        page.get_by_text("Your record lives in this page's link").wait_for()
        _click(page, "Keep my progress")
        shown = page.get_by_text("Your recovery code").inner_text()
        code = re.search(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", shown).group()
    with _device(browser, "anonymous-second") as page:
        page.goto(f"{base}/results")
        page.get_by_text("No attempts yet").wait_for()
        page.get_by_text("Restore my progress").click()
        page.get_by_role("textbox", name="Recovery code").fill(code)
        _click(page, "Restore")
        page.get_by_text("Two-step calcium check").wait_for()
        assert "t=" in page.url  # an anonymous record lives in its link again
