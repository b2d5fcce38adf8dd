"""An educator sees each student's term in one table, in Chromium, and takes it to Canvas.

The issue's "done when": a roster, two sessions of a course, every student's term in one
table, and the gradebook in an LMS's import format. The class is played through the shipped
functions (the player's own path is the other journeys'), so this journey's seconds go to the
educator's part: sign in, the gradebook's grid, the Canvas download.
"""

from __future__ import annotations

import csv
import io

from classroom import sessions
from classroom.courses import courses, roster
from classroom.term.gradebook import read_gradebook, session_label
from scoring.library.loader import load_library
from tests.browser.test_class_session import TWO_STEP_CASE
from tests.browser.test_learners_journey import PASSCODE, learners_server  # noqa: F401
from tests.support.appserver import ROOT, browser_page
from tests.support.term import member_token, play

ARTIFACTS = ROOT / "test-artifacts"


def _idle(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def test_each_students_term_in_one_table_then_the_canvas_file(
    learners_server,  # noqa: F811
    browser,
    tmp_path,
):
    base, engine = learners_server
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "two-step.yaml").write_text(TWO_STEP_CASE, encoding="utf-8")
    library = load_library([tmp_path / "cases"])
    course = courses.create_course(engine, "Med-surg", term="Spring 2027")
    students = b"student_id,name\nT-1,Rosa Silva\nT-2,Ana Lima\n"
    roster.import_roster(engine, course.id, students, "roster.csv")
    codes = []
    for week in (1, 2):
        info = sessions.create_session(engine, f"Week {week}", ["two-step"])
        courses.attach_session(engine, course.id, info.code)
        codes.append(info.code)
    _, rosa = member_token(engine, course.id, "T-1", "Rosa Silva")
    _, ana = member_token(engine, course.id, "T-2", "Ana Lima")
    wrong = {"first": ["diarrhea"]}
    play(engine, library, codes[0], rosa, "two-step")
    play(engine, library, codes[1], rosa, "two-step", lambda s: wrong.get(s.id) or None)
    play(engine, library, codes[0], ana, "two-step", lambda s: wrong.get(s.id, ["thirst"]))
    book = read_gradebook(engine, course.id, library)
    week1, week2 = (session_label(s) for s in book.sessions)

    with browser_page(browser, "term-journey-failure", ARTIFACTS, 15_000) as page:
        page.goto(f"{base}/gradebook")
        page.get_by_role("textbox", name="Educator passcode").fill(PASSCODE)
        page.get_by_role("button", name="Sign in", exact=True).first.click()
        page.get_by_role("heading", name="Course gradebook").wait_for()
        grid = page.get_by_test_id("stDataFrame").first
        grid.locator("td", has_text="T-2").first.wait_for(state="attached")
        _idle(page)
        rows = [r.locator("th, td").all_text_contents() for r in grid.locator("tr").all()]
        header, *cells = rows  # the grid's accessible table: what a screen reader reads
        by = header.index("Student ID")
        table = {row[by]: dict(zip(header, row, strict=True)) for row in cells}
        assert set(table) == {"T-1", "T-2"}
        percent = {sid: [float(row[week1]), float(row[week2])] for sid, row in table.items()}
        assert percent == {"T-1": [100.0, 0.0], "T-2": [50.0, 0.0]}  # the grid's raw values
        assert [table["T-1"][f"{w} done"] for w in (week1, week2)] == ["1/1", "0/1"]  # 2: open
        assert table["T-2"][f"{week2} done"] == "not joined"

        page.get_by_role("tab", name="Export").click()
        with page.expect_download() as download:
            page.get_by_role("button", name="Canvas grade import (CSV)").click()
        text = download.value.path().read_text(encoding="utf-8-sig")
    header, points, *students = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", week1, week2]
    assert points[0] == "Points Possible" and points[5:] == ["100", "100"]
    by_id = {r[2]: r[5:] for r in students}
    assert by_id == {"T-1": ["100.0", "0.0"], "T-2": ["50.0", "0.0"]}
