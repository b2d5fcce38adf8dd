"""A class session end to end in Chromium: an educator, three students, the dashboard, grades."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support.appserver import ROOT, app_servers, browser_page
from tests.support.journeys import create_class_session

ARTIFACTS = ROOT / "test-artifacts"
PASSCODE = "correct-horse-42"
# A two-step case keeps the journey short; its options cite the shipped guidance.
TWO_STEP_CASE = """\
id: two-step
title: Two-step calcium check
summary: Two questions on the early signs of high calcium, for the class-session test.
topics: [testing]
minutes: 5
objectives: [Recognize early signs of hypercalcemia.]
guidance: [bone-metastasis]
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
      - id: constipation
        text: Constipation
        keyed: true
        rationale: Listed as an early symptom.
        cite: [hypercalcemia-early-symptoms]
      - id: diarrhea
        text: Diarrhea
        rationale: The page lists constipation, not diarrhea.
        cite: [hypercalcemia-early-symptoms]
  - id: second
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: Which other early sign of high calcium should the nurse ask about?
    feedback: Constant thirst is listed among the early symptoms.
    options:
      - id: thirst
        text: Feeling thirsty all the time
        keyed: true
        rationale: Listed as an early symptom.
        cite: [hypercalcemia-early-symptoms]
      - id: cold
        text: Feeling cold all the time
        rationale: The page does not list feeling cold.
        cite: [hypercalcemia-early-symptoms]
"""
STUDENTS = [  # name, choices, expected gradebook percent
    ("Ana", ["Constipation", "Feeling thirsty all the time"], 100.0),
    ("Ben", ["Constipation", "Feeling cold all the time"], 50.0),
    ("Cleo", ["Diarrhea", "Feeling cold all the time"], 0.0),
]


@pytest.fixture(scope="module")
def class_server(browser, tmp_path_factory):
    """A server with a known educator passcode, a fresh SQLite file and the two-step case."""
    tmp = tmp_path_factory.mktemp("class-session")
    (tmp / "cases").mkdir()
    (tmp / "cases" / "two-step.yaml").write_text(TWO_STEP_CASE, encoding="utf-8")
    env = {
        "CASEBOOK_DATABASE_URL": f"sqlite:///{tmp / 'casebook.db'}",
        "CASEBOOK_CASES_DIR": str(tmp / "cases"),
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_PASSCODE_FILE": str(tmp / "passcode.hash"),
    }
    with app_servers(1, env, tmp) as (base,):
        yield base


def _idle(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()


def _play(browser, join_url: str, name: str, choices: list[str]) -> None:
    """One student: open the join link, join, play the case to its debrief."""
    with browser_page(
        browser,
        f"class-session-failure-{name}",
        ARTIFACTS,
        15_000,
        viewport={"width": 1280, "height": 900},
    ) as page:
        page.goto(join_url)
        page.get_by_role("textbox", name="Display name").fill(name)
        _click(page, "Join")
        _click(page, "Start")
        for number, choice in enumerate(choices, 1):
            page.get_by_test_id("stRadio").get_by_text(choice, exact=True).click()
            _idle(page)
            _click(page, "Submit answer")
            onward = (
                "See your debrief" if number == len(choices) else f"Continue to step {number + 1}"
            )
            _click(page, onward)
        page.get_by_role("button", name="Back to the class session").wait_for()


def test_three_students_fill_the_dashboard_and_the_gradebook_downloads(class_server, browser, shot):
    server = class_server
    with browser_page(
        browser, "class-session-failure-educator", ARTIFACTS, 15_000, accept_downloads=True
    ) as page:
        join_url = create_class_session(
            page, server, PASSCODE, "NUR 301 · week 5", "Two-step calcium check"
        )
        assert join_url.startswith(f"{server}/join?code=")
        _idle(page)
        shot(page, "class-session-join-code")

        for name, choices, _ in STUDENTS:
            _play(browser, join_url, name, choices)

        _click(page, "Open live dashboard")
        joined = page.get_by_test_id("stMetric").filter(has_text="Students joined")
        joined.get_by_text("3", exact=True).wait_for()
        mean = page.get_by_test_id("stMetric").filter(has_text="Mean score")
        mean.get_by_text("50%", exact=True).wait_for()
        _idle(page)
        shot(page, "class-session-dashboard")
        grid = page.get_by_test_id("stDataFrame").first
        grid.locator("td", has_text="Cleo").first.wait_for(state="attached")
        rows = [r.locator("th, td").all_text_contents() for r in grid.locator("tr").all()]

        page.get_by_role("tab", name="Export").click()
        with page.expect_download() as download:
            _click(page, "Gradebook (CSV)")
        grades = pd.read_csv(download.value.path(), encoding="utf-8-sig")
    header, *cells = rows  # the dashboard's roster, read from the grid's accessible table
    roster = {row[0]: dict(zip(header, row, strict=True)) for row in cells}
    assert {n: (r["Points"], r["Score %"]) for n, r in roster.items()} == {
        name: (str(int(pct // 50)), f"{pct:g}") for name, _, pct in STUDENTS
    }
    assert grades["student_id"].isna().all()  # nobody here is on a course roster
    assert grades["learner_id"].is_unique  # the record's stable id tells every student apart
    assert grades.drop(columns=["student_id", "learner_id"]).to_dict("records") == [
        {
            "student": name,
            "points": pct // 50,
            "max_points": 2,
            "percent": pct,
            "raw_percent": pct,
            "capped": False,
            "must_avoid": 0,
        }
        for name, _, pct in STUDENTS
    ]
