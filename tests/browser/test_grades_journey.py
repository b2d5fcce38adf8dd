"""Grades you can trust, in Chromium: a capped attempt seen by the student, then by the
educator, then in the downloaded gradebook; and an exam released while a student is still
answering, which a late joiner can no longer enter and which shows no key before the end.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from classroom import sessions
from classroom.storage.db import get_engine
from tests.support.appserver import ROOT, app_servers, browser_page

ARTIFACTS = ROOT / "test-artifacts"
PASSCODE = "correct-horse-42"
# Three multiple-choice steps citing the shipped guidance; restricting fluids is unsafe, and
# the case caps its score at 50% when an unsafe choice is made: 2 of 3 is 66.7%, reported 50%.
CAPPED_CASE = """\
id: capped-three
title: Three calls on high calcium
summary: Three questions on high calcium, one with an unsafe choice, for the grades journey.
topics: [testing]
minutes: 5
objectives: [Recognize and treat early hypercalcemia.]
guidance: [bone-metastasis]
must_avoid_cap: 50
patient:
  name: Test Patient
  age: 60
  setting: Clinic
steps:
  - id: first
    skill: recognize_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: Which is an early sign of high calcium?
    feedback: Constipation is listed among the early symptoms.
    options:
      - {id: constipation, text: Constipation, keyed: true, rationale: Early symptom.,
         cite: [hypercalcemia-early-symptoms]}
      - {id: diarrhea, text: Diarrhea, rationale: Not listed., cite: [hypercalcemia-early-symptoms]}
  - id: second
    skill: take_action
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: What does the nurse anticipate first?
    feedback: Large amounts of IV fluids.
    options:
      - {id: fluids, text: Large amounts of IV fluids, keyed: true, rationale: First-line.,
         cite: [hypercalcemia-iv-fluids]}
      - {id: restrict, text: Restrict fluids, must_avoid: true, rationale: Unsafe.,
         cite: [hypercalcemia-dehydration-cycle]}
  - id: third
    skill: evaluate_outcomes
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: What keeps the calcium from rising again?
    feedback: Treating the cancer.
    options:
      - {id: treat, text: Treating the cancer, keyed: true, rationale: Prevents recurrence.,
         cite: [hypercalcemia-treat-cancer-prevent-recurrence]}
      - {id: stop, text: Stopping all treatment, rationale: No.,
         cite: [hypercalcemia-treat-cancer-prevent-recurrence]}
"""
UNSAFE = ["Constipation", "Restrict fluids", "Treating the cancer"]
KEYED = ["Constipation", "Large amounts of IV fluids", "Treating the cancer"]


@pytest.fixture(scope="module")
def grades_server(browser, tmp_path_factory):
    """A server with a known passcode, a fresh SQLite file and the capped case; (url, engine)."""
    tmp = tmp_path_factory.mktemp("grades")
    (tmp / "cases").mkdir()
    (tmp / "cases" / "capped-three.yaml").write_text(CAPPED_CASE, encoding="utf-8")
    url = f"sqlite:///{tmp / 'casebook.db'}"
    env = {
        "CASEBOOK_DATABASE_URL": url,
        "CASEBOOK_CASES_DIR": str(tmp / "cases"),
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_PASSCODE_FILE": str(tmp / "passcode.hash"),
    }
    with app_servers(1, env, tmp) as (base,):
        yield base, get_engine(url)


def _idle(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()


def _join(page, base: str, code: str, name: str) -> None:
    page.goto(f"{base}/join?code={code}")
    page.get_by_role("textbox", name="Display name").fill(name)
    _click(page, "Join")


def _answer(page, choice: str) -> None:
    page.get_by_test_id("stRadio").get_by_text(choice, exact=True).click()
    _idle(page)
    _click(page, "Submit answer")


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Educator passcode").fill(PASSCODE)
    _click(page, "Sign in")


def _grid(page) -> list[dict[str, str]]:
    """The first data grid's rows, from its accessible table."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.locator("td").first.wait_for(state="attached")
    header, *rows = [r.locator("th, td").all_text_contents() for r in grid.locator("tr").all()]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_a_capped_attempt_student_then_educator_then_gradebook(grades_server, browser, shot):
    base, engine = grades_server
    code = sessions.create_session(engine, "Week 5", ["capped-three"]).code
    student = {"timezone_id": "Europe/Berlin"}  # a browser in Berlin: times in CET, not UTC
    with browser_page(browser, "grades-capped-student", ARTIFACTS, 15_000, **student) as page:
        _join(page, base, code, "Cy")
        _click(page, "Start")
        for number, choice in enumerate(UNSAFE, 1):
            _answer(page, choice)
            _click(page, "See your debrief" if number == 3 else f"Continue to step {number + 1}")
        score = page.get_by_test_id("stMetric").filter(has_text="Score")
        score.get_by_text("50%", exact=True).wait_for()
        page.get_by_text("without the cap it would be 66.7%").wait_for()
        token = re.search(r"[?&]t=([\w-]+)", page.url).group(1)
        page.goto(f"{base}/results?t={token}")
        page.get_by_text("50% · Capped: an unsafe choice").wait_for()
        page.get_by_text("2 of 3 points · 66.7% before the must-avoid cap").wait_for()
        assert re.search(r"Started \d\d \w{3} \d{4}, \d\d:\d\d CES?T", page.inner_text("body"))
        _idle(page)
        shot(page, "grades-my-results-capped")

    with browser_page(
        browser, "grades-capped-educator", ARTIFACTS, 15_000, accept_downloads=True
    ) as page:
        _sign_in(page, f"{base}/dashboard?code={code}")
        [cy] = _grid(page)
        assert cy["Student"] == "Cy" and "50" in cy["Score %"] and cy["Capped"] == "capped"
        page.get_by_role("tab", name="Scores").click()
        page.get_by_text("Every activity, as each student sees it").wait_for()
        every = page.get_by_test_id("stDataFrame").nth(0)
        every.locator("td", has_text="66.7%").first.wait_for(state="attached")
        _idle(page)
        shot(page, "grades-dashboard-scores")
        page.get_by_role("tab", name="Export").click()
        with page.expect_download() as download:
            _click(page, "Gradebook (CSV)")
        book = pd.read_csv(download.value.path(), encoding="utf-8-sig")
    assert book["student_id"].isna().all() and book["learner_id"].notna().all()  # not rostered
    assert book.drop(columns=["student_id", "learner_id"]).to_dict("records") == [
        {
            "student": "Cy",
            "points": 2,
            "max_points": 3,
            "percent": 50.0,
            "raw_percent": 66.7,
            "capped": True,
            "must_avoid": 1,
        }
    ]


def test_released_exam_keeps_late_joiners_out_and_the_key_hidden_until_the_end(
    grades_server, browser
):
    base, engine = grades_server
    code = sessions.create_session(engine, "Final", ["capped-three"], mode="exam").code
    with browser_page(browser, "grades-exam-student", ARTIFACTS, 15_000) as ana:
        _join(ana, base, code, "Ana")
        _click(ana, "Start")
        _answer(ana, KEYED[0])
        ana.get_by_text("Answer saved.").wait_for()

        with browser_page(browser, "grades-exam-educator", ARTIFACTS, 15_000) as educator:
            _sign_in(educator, f"{base}/sessions?code={code}")
            _click(educator, "Release results")
            educator.get_by_text("closes the session to new joiners and new attempts").wait_for()
            educator.get_by_text("1 student attempt(s) are still being answered").wait_for()
            _click(educator, "Release, let them finish")
            educator.get_by_text("Results released").first.wait_for()
            educator.get_by_text("No new joiners").first.wait_for()

        with browser_page(browser, "grades-exam-late", ARTIFACTS, 15_000) as late:
            _join(late, base, code, "Late")
            late.get_by_text("closed to new participants").wait_for()

        # Ana answers on after the release: still no key until her attempt is done.
        _click(ana, "Next")
        _answer(ana, KEYED[1])
        ana.get_by_text("Answer saved.").wait_for()
        assert ana.get_by_text("Key points").count() == 0
        _click(ana, "Next")
        _answer(ana, KEYED[2])
        ana.get_by_text("Answer saved.").wait_for()  # her page has not heard of the release
        _click(ana, "Finish")  # the end is drawn under the rules as they are now
        score = ana.get_by_test_id("stMetric").filter(has_text="Score")
        score.get_by_text("100%", exact=True).wait_for()
