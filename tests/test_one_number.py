"""One number per attempt: for any responses to any shipped case, finished or not, the
percent is the same in the debrief model, My results, every dashboard table, the report
JSON, every export (CSV and XLSX), ``casebook score``, the course gradebook, its Canvas,
Moodle and XLSX files, and the student's term view.

Each example plays one rostered student through one case as the case player does (score,
store, follow the branch, finish at the end of the path, or stop part-way) in a fresh class
session of a course, then reads the percent back from every surface.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import openpyxl
import pandas as pd
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casebook.cli import cli
from classroom import attempts, sessions
from classroom.analytics.dashboard import build_dashboard, session_frames
from classroom.analytics.exports import exports_for, to_csv_bytes, to_xlsx_bytes, workbook_sheets
from classroom.courses.courses import create_course
from classroom.term.gradebook import read_gradebook, wide_table
from classroom.term.lms_exports import export_gradebook
from classroom.term.progress import student_term
from scoring.engine.case_path import transition
from scoring.engine.items import score_response
from scoring.engine.simulate import random_response
from scoring.library.loader import load_library
from tests.conftest import keyed_response
from tests.support.term import course_session, member_token
from ui.player.state import CaseRun

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library([ROOT / "cases"])
CASE_IDS = sorted(LIBRARY.cases)
SCC = "scc-back-pain-could-not-wait"


def play(engine, code: str, case_id: str, choose, token: str | None = None):
    """One student's attempt, ``choose(step)`` giving each raw answer (None: stop there);
    returns (token, attempt id, the debrief model's score, the raw answers)."""
    loaded = LIBRARY.get(case_id)
    case = loaded.case
    _, token = sessions.join_session(engine, code, "Student", token=token)
    info = attempts.start_attempt(
        engine,
        token,
        case.id,
        loaded.version,
        session_code=code,
        first_step=case.steps[0].id,
        must_avoid_cap=case.must_avoid_cap,
    )
    run, raw = CaseRun(case, current=case.steps[0].id), {}
    while run.current is not None:
        step = run.step(run.current)
        answer = choose(step, len(run.answered))
        if answer is None:
            break
        raw[step.id] = answer
        result = score_response(step, answer, LIBRARY.guidance, tuple(case.guidance))
        move = transition(case, step, result.response, LIBRARY.guidance)
        fields = attempts.answer_fields(step, result, move.next_step, move.minutes)
        attempts.record_answer(engine, token, info.id, step.id, **fields)
        run.add(step, result, move)
    if run.finished:
        attempts.finish_attempt(engine, token, info.id, must_avoid_cap=case.must_avoid_cap)
    return token, info.id, run.result().score, raw


def csv_rows(payload: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline="")))


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig")


def every_case(test):
    """One explicit example per shipped case (played to its end), before the random ones."""
    for n, case_id in enumerate(CASE_IDS):
        test = example(case_id=case_id, seed=n, ability=0.6, stop=None)(test)
    return test


@settings(
    max_examples=3,  # besides one per shipped case; each example plays a whole class session
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    case_id=st.sampled_from(CASE_IDS),
    seed=st.integers(0, 10**6),
    ability=st.floats(0, 1),
    stop=st.none() | st.integers(1, 5),
)
@every_case
def test_the_percent_is_the_same_on_every_surface(
    db_url, db_engine, tmp_path_factory, case_id, seed, ability, stop
):
    rng = random.Random(seed)

    def choose(step, answered):
        return (
            None if stop is not None and answered >= stop else random_response(step, rng, ability)
        )

    assert_one_number(db_url, db_engine, tmp_path_factory, case_id, choose)


def test_a_capped_attempt_is_the_same_on_every_surface(db_url, db_engine, tmp_path_factory):
    """The issue's attempt: every step keyed but a must-avoid priority, 16 of 17, capped at 50."""

    def choose(step, answered):
        return ["walk-bathroom"] if step.id == "priority" else keyed_response(step)

    score = assert_one_number(db_url, db_engine, tmp_path_factory, SCC, choose)
    assert (score.points, score.max_points, score.raw_percent, score.percent) == (16, 17, 94.1, 50)
    assert score.capped and score.must_avoid == 1


def assert_one_number(db_url, engine, tmp_path_factory, case_id, choose):
    """Play, then read the percent back from every surface; all must be the debrief's."""
    course = create_course(engine, "One number")
    code = course_session(engine, course.id, "One number", [case_id])
    learner_id, member = member_token(engine, course.id, "S-1", "Student")
    token, attempt_id, debrief, raw = play(engine, code, case_id, choose, member)
    seen = {"debrief": debrief.percent}

    mine = attempts.get_attempt(engine, token, attempt_id)
    if mine.status == "finished":
        seen["My results"] = mine.score.percent
        assert mine.percent == debrief.percent  # the stored score, for SQL readers too

    board = build_dashboard(session_frames(engine, code), LIBRARY)
    seen["dashboard attempts"] = board.scores.loc[0, "percent"]
    seen["dashboard roster"] = board.roster.loc[0, "percent"]
    seen["dashboard scores"] = board.distribution.totals.loc[0, "percent"]
    tables = exports_for(board)
    seen["gradebook CSV"] = csv_frame(tables["gradebook"]).loc[0, "percent"]
    seen["attempts CSV"] = csv_frame(tables["attempts"]).loc[0, "percent"]
    seen["scores CSV"] = csv_frame(tables["scores"]).loc[0, f"{case_id} %"]
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(workbook_sheets(board))))
    for sheet in ("gradebook", "attempts"):
        header, first = list(workbook[sheet].iter_rows(max_row=2, values_only=True))
        seen[f"{sheet} XLSX"] = first[header.index("percent")]

    env = {"CASEBOOK_DATABASE_URL": db_url, "CASEBOOK_CASES_DIR": str(ROOT / "cases")}
    report = CliRunner().invoke(cli, ["report", code, "--format", "json"], env=env)
    assert report.exit_code == 0, report.output
    document = json.loads(report.stdout)
    seen["report JSON gradebook"] = document["gradebook"][0]["percent"]
    seen["report JSON attempts"] = document["attempts"][0]["percent"]

    answers = tmp_path_factory.mktemp("score") / "responses.json"
    answers.write_text(json.dumps(raw), encoding="utf-8")
    case_file = LIBRARY.get(case_id).path
    scored = CliRunner().invoke(cli, ["score", str(case_file), str(answers)], env=env)
    assert scored.exit_code == 0, scored.output
    seen["casebook score"] = json.loads(scored.stdout)["percent"]

    book = read_gradebook(engine, course.id, LIBRARY)
    seen["course gradebook cell"] = book.cells.loc[0, "percent"]
    seen["course gradebook session"] = book.grades.loc[0, "percent"]
    seen["course gradebook table"] = wide_table(book).iloc[0, 4]
    seen["Canvas CSV"] = csv_rows(export_gradebook(book, "canvas"))[2][5]
    seen["Moodle CSV"] = csv_rows(export_gradebook(book, "moodle"))[1][3]
    course_book = openpyxl.load_workbook(io.BytesIO(export_gradebook(book, "xlsx")))
    seen["course XLSX"] = list(course_book["gradebook"].iter_rows(values_only=True))[1][4]
    seen["term view"] = student_term(engine, learner_id, LIBRARY).attempts[0].score.percent

    assert set(map(float, seen.values())) == {debrief.percent}, seen
    # And what explains it travels with it.
    row = document["attempts"][0]
    assert (row["raw_percent"], row["capped"], row["must_avoid"]) == (
        debrief.raw_percent,
        debrief.capped,
        debrief.must_avoid,
    )
    return debrief
