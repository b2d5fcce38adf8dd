"""Beyond one machine: two `streamlit run` servers on one PostgreSQL database.

Students join through either server (a proxy with sticky sessions would spread them so) while
twenty simulated students write to the same database; afterwards nothing is lost or
duplicated, and the live dashboard on *each* server shows the complete class.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from classroom import sessions
from classroom.simulation import simulate
from classroom.storage.db import get_engine
from tests.support.appserver import ROOT, app_servers, browser_page

pytestmark = pytest.mark.postgres

ARTIFACTS = ROOT / "test-artifacts"
PASSCODE = "scale-out-passcode-7"
SIMULATED = 20


def _click(page, name: str | re.Pattern[str]) -> None:
    page.get_by_role("button", name=name, exact=isinstance(name, str)).first.click()


def _join(browser, base: str, code: str, name: str, play: bool) -> None:
    """Join through the server at ``base``; if ``play``, escalate and hand over (2 steps)."""
    with browser_page(
        browser, f"scale-out-{name}", ARTIFACTS, viewport={"width": 1280, "height": 900}
    ) as page:
        page.goto(f"{base}/join?code={code}")
        page.get_by_role("textbox", name="Display name").fill(name)
        _click(page, "Join")
        start = page.get_by_role("button", name="Start", exact=True)
        start.wait_for()
        if play:
            start.click()
            for choice in ("Call", "The change in pain"):
                page.get_by_test_id("stRadio").get_by_text(choice, exact=True).click()
                page.locator(
                    '[data-testid="stApp"][data-test-script-state="notRunning"]'
                ).wait_for()
                _click(page, "Submit answer")
                _click(page, re.compile(r"^(Continue to step 2|See your debrief)$"))
            page.get_by_role("button", name="Back to the class session").first.wait_for()


def _dashboard_shows(browser, base: str, code: str, students: int, answers: int, names) -> None:
    """Sign in on the server at ``base`` and find the whole class on its live dashboard."""
    with browser_page(browser, "scale-out-dashboard", ARTIFACTS) as page:
        page.goto(f"{base}/dashboard?code={code}")
        page.get_by_role("textbox", name="Educator passcode").fill(PASSCODE)
        _click(page, "Sign in")
        metric = page.get_by_test_id("stMetric")
        metric.filter(has_text="Students joined").get_by_text(str(students), exact=True).wait_for()
        metric.filter(has_text="Answers stored").get_by_text(str(answers), exact=True).wait_for()
        grid = page.get_by_test_id("stDataFrame").first
        for name in names:
            grid.locator("td", has_text=name).first.wait_for(state="attached")


def test_two_app_servers_on_one_postgres_lose_and_duplicate_nothing(
    browser, pg_url, ward_cases_dir, ward_library, tmp_path
):
    engine = get_engine(pg_url)  # migrated here first; the servers find the schema at head
    info = sessions.create_session(engine, "Scale-out", ["night-shift"])
    env = {
        "CASEBOOK_DATABASE_URL": pg_url,
        "CASEBOOK_CASES_DIR": str(ward_cases_dir),
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_PASSCODE_FILE": str(tmp_path / "passcode.hash"),
    }
    joiners = [("Ana via A", True), ("Ben via B", True), ("Cy via A", False), ("Di via B", False)]
    with app_servers(2, env, tmp_path) as servers:
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Simulated students write to the same database while people use both servers.
            load = pool.submit(simulate, engine, info.code, ward_library, SIMULATED, 4, 9)
            for number, (name, play) in enumerate(joiners):
                _join(browser, servers[number % 2], info.code, name, play)
            report = load.result()
        assert report.ok, report

        roster = sessions.session_roster(engine, info.code)
        rows = sessions.session_responses(engine, info.code)
        keys = [(r["attempt_id"], r["step_id"]) for r in rows]
        assert len(keys) == len(set(keys)), "an answer is stored twice"
        assert len(roster) == SIMULATED + len(joiners)
        assert len({r["learner_id"] for r in roster}) == len(roster)
        people = {r["display_name"]: r for r in roster}
        assert [people[n]["finished"] for n, _ in joiners] == [1, 1, 0, 0]
        assert sum(r["student"] in ("Ana via A", "Ben via B") for r in rows) == 4
        assert len(rows) == report.answers_written + 4

        for base in servers:
            _dashboard_shows(browser, base, info.code, len(roster), len(rows), dict(joiners))


def test_end_now_on_one_server_stops_a_student_mid_step_on_the_other(
    browser, pg_url, ward_cases_dir, tmp_path
):
    """The educator presses End now on server B while a student, on server A, has chosen an
    answer but not submitted it: the submit is refused and said so, nothing is stored, and
    the student's page then shows the end by itself."""
    engine = get_engine(pg_url)
    info = sessions.create_session(engine, "Exam", ["night-shift"], mode="exam")
    env = {
        "CASEBOOK_DATABASE_URL": pg_url,
        "CASEBOOK_CASES_DIR": str(ward_cases_dir),
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_PASSCODE_FILE": str(tmp_path / "passcode.hash"),
    }
    with (
        app_servers(2, env, tmp_path) as (server_a, server_b),
        browser_page(browser, "scale-out-end-now-student", ARTIFACTS) as student,
        browser_page(browser, "scale-out-end-now-educator", ARTIFACTS) as educator,
    ):
        student.goto(f"{server_a}/join?code={info.code}")
        student.get_by_role("textbox", name="Display name").fill("Ana")
        _click(student, "Join")
        _click(student, "Start")
        student.get_by_test_id("stRadio").get_by_text("Call", exact=True).click()
        student.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()

        educator.goto(f"{server_b}/sessions?code={info.code}")
        educator.get_by_role("textbox", name="Educator passcode").fill(PASSCODE)
        _click(educator, "Sign in")
        _click(educator, "End now: stop all answering")
        _click(educator, "Yes, end now: stop all answering")
        educator.get_by_text("Answering has ended").wait_for()

        _click(student, "Submit answer")
        student.get_by_text("this answer was not saved").first.wait_for()
        # Within the page's watch interval the step gives way to the end, unprompted.
        student.get_by_text("Your educator has ended this class session.").wait_for(timeout=30_000)
        assert student.get_by_role("button", name="Submit answer").count() == 0

    [row] = sessions.session_roster(engine, info.code)
    assert (row["started"], row["finished"]) == (1, 1)
    assert sessions.session_responses(engine, info.code) == []
