"""A course's gradebook: every rostered student × the course's sessions and their activities.

The whole course is read in one transaction of five queries, however many sessions it has:
its members, its sessions, who joined them, the members' attempts, and the answers of the
attempts that have no stored score yet (still open). Every score is made by
``classroom.grades.reported_scores``, the loop behind every session table, so each cell is the
number the student's debrief, My results, the live dashboard and the session exports show.

Decisions (also in the README, "Course gradebook"):

- Rows are the course's **members**, by their stable ``student_id``. Someone who joined a
  course's session without being on the roster (an anonymous joiner) has no student ID to
  import under; they are left out of the gradebook and counted in ``outsiders``.
- A member who **never joined** a session gets each of its activities as "not joined",
  counting 0 of its points possible, exactly as an activity not started does (work not done
  counts 0): a gradebook read mid-term is what the term would score if it ended now.
- A member's grade for a session is ``scoring.engine.grades.combined_score`` of its
  activities (weighted by points possible), as the dashboard's roster shows it. No grade
  across sessions is invented here: an LMS weights its own assignments.
- Sessions come in the order they were created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.courses.courses import Course, get_course
from classroom.grades import (
    FINISHED,
    IN_PROGRESS,
    NOT_STARTED,
    SCORE_COLUMNS,
    activities,
    fresh_max,
    path_bounds_of,
    reported_scores,
    score_columns,
)
from classroom.session_data import text_column
from classroom.sessions import SessionInfo, session_info
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import Answer, Attempt, ClassSession, CourseMember, Participant
from scoring.engine.grades import ReportedScore, combined_score, reported_score
from scoring.library.loader import CaseLibrary

NOT_JOINED = "not joined"
MEMBER_COLUMNS = ("learner_id", "student_id", "name", "email", "section")
_NOT_LOADED = "The gradebook was not read; try again in a moment."


@dataclass(frozen=True)
class CourseGradebook:
    """One read of a course: its sessions, members and every score, long and per session."""

    course: Course
    sessions: tuple[SessionInfo, ...]  # in the order they were created
    members: pd.DataFrame  # MEMBER_COLUMNS, by name then student_id
    # One row per member × session × activity: student_id, learner_id, session (code),
    # kind, activity, attempt_id, status (finished, in progress, not started, not joined),
    # the SCORE_COLUMNS, and ``score`` (the ReportedScore).
    cells: pd.DataFrame
    # One row per member × session: student_id, learner_id, session, joined, activities,
    # finished (activities finished), complete (all finished), SCORE_COLUMNS, score.
    grades: pd.DataFrame
    outsiders: int  # participants of the course's sessions who are not on its roster


def _members_query(course_id: int) -> sa.Select[Any]:
    return (
        sa.select(
            CourseMember.learner_id,
            CourseMember.student_id,
            CourseMember.name,
            CourseMember.email,
            CourseMember.section,
        )
        .where(CourseMember.course_id == course_id)
        .order_by(CourseMember.name, CourseMember.student_id)
    )


def _member_learners(course_id: int) -> Any:
    return sa.select(CourseMember.learner_id).where(CourseMember.course_id == course_id)


def _sessions_of(conn: Connection, course_id: int) -> list[SessionInfo]:
    rows = conn.execute(
        sa.select(*ClassSession.__table__.c)
        .where(ClassSession.course_id == course_id)
        .order_by(ClassSession.created_at, ClassSession.id)
    ).all()
    return [session_info(row) for row in rows]


def _rows(conn: Connection, query: Any) -> list[tuple[Any, ...]]:
    """Rows straight from the driver's cursor (SQLAlchemy Row objects cost more at 10⁴ rows)."""
    result = conn.execute(query)
    try:
        return result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()


_ATTEMPT_FIELDS = (
    "attempt_id",
    "session_id",
    "learner_id",
    "case_id",
    "kind",
    "status",
    "current_step",
    "quiz_spec",
    "points",
    "max_points",
    "must_avoid_count",
    "must_avoid_cap",
)


def _attempts_query(course_id: int, session_ids: list[int]) -> Any:
    return sa.select(
        Attempt.id,
        Attempt.session_id,
        Attempt.learner_id,
        Attempt.case_id,
        Attempt.kind,
        Attempt.status,
        Attempt.current_step,
        sa.type_coerce(Attempt.quiz_spec, sa.Text),
        Attempt.points,
        Attempt.max_points,
        Attempt.must_avoid_count,
        Attempt.must_avoid_cap,
    ).where(
        Attempt.session_id.in_(session_ids),
        Attempt.learner_id.in_(_member_learners(course_id)),
    )


def _open_answers_query(course_id: int, session_ids: list[int]) -> Any:
    """Answers of the members' attempts without a stored score: only those are summed."""
    return (
        sa.select(
            Answer.attempt_id,
            Answer.step_id,
            Answer.points,
            Answer.max_points,
            sa.type_coerce(Answer.must_avoid, sa.Text),
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(
            Attempt.session_id.in_(session_ids),
            Attempt.learner_id.in_(_member_learners(course_id)),
            sa.or_(Attempt.status != FINISHED, Attempt.points.is_(None)),
        )
    )


@translate_errors(_NOT_LOADED)
def _read(engine: Engine, course_id: int) -> tuple[Any, ...]:
    with reading(engine) as conn:
        infos = _sessions_of(conn, course_id)
        ids = [s.id for s in infos]
        members = _rows(conn, _members_query(course_id))
        joined = _rows(
            conn,
            sa.select(Participant.session_id, Participant.learner_id).where(
                Participant.session_id.in_(ids)
            ),
        )
        attempts = _rows(conn, _attempts_query(course_id, ids))
        answers = _rows(conn, _open_answers_query(course_id, ids))
    return infos, members, joined, attempts, answers


def _frame(rows: list[tuple[Any, ...]], names: tuple[str, ...]) -> pd.DataFrame:
    matrix = np.array(rows, dtype=object) if rows else np.empty((0, len(names)), dtype=object)
    return pd.DataFrame({n: pd.Series(matrix[:, j], dtype=object) for j, n in enumerate(names)})


def _decoded_counts(texts: np.ndarray) -> np.ndarray:
    """Length of each JSON list text (must-avoid choices), decoded once per distinct text."""
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    lengths = np.array([len(json.loads(t) or ()) if t else 0 for t in uniques], dtype=np.int64)
    return lengths[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _attempts_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    att = _frame(rows, _ATTEMPT_FIELDS)
    att["attempt_id"] = att["attempt_id"].astype("int64")
    specs = [json.loads(s) if isinstance(s, str) else None for s in att.pop("quiz_spec")]
    att["quiz_keys"] = pd.Series([tuple((s or {}).get("items", ())) for s in specs], dtype=object)
    return att


def _answer_totals(rows: list[tuple[Any, ...]]) -> tuple[pd.DataFrame, pd.Series]:
    """Per attempt id: points, max_points, must_avoid_count so far; and step ids answered."""
    answers = _frame(rows, ("attempt_id", "step_id", "points", "max_points", "must_avoid"))
    answers = answers.astype({"attempt_id": "int64", "points": "int64", "max_points": "int64"})
    answers["must_avoid_count"] = _decoded_counts(answers["must_avoid"].to_numpy())
    grouped = answers.groupby("attempt_id", sort=False)
    totals = grouped[["points", "max_points", "must_avoid_count"]].sum()
    return totals, grouped["step_id"].agg(list)


def read_gradebook(engine: Engine, course_id: int, library: CaseLibrary) -> CourseGradebook:
    """The gradebook of course ``course_id`` (a domain error when there is no such course)."""
    course = get_course(engine, course_id)
    infos, member_rows, joined_rows, attempt_rows, answer_rows = _read(engine, course_id)
    members = _frame(member_rows, MEMBER_COLUMNS).astype({"learner_id": "int64"})
    att = _attempts_frame(attempt_rows)
    totals, answered = _answer_totals(answer_rows)
    case_ids = [c for s in infos for c in s.case_ids] + att["case_id"].tolist()
    bounds = path_bounds_of(library, case_ids)
    scores = reported_scores(att, totals, answered, library, bounds)
    # A member's first attempt at each activity of a session counts (one per activity).
    first: dict[tuple[int, int], dict[str, tuple[str, int, str, ReportedScore]]] = {}
    entries = zip(
        att["session_id"].tolist(),
        att["learner_id"].tolist(),
        att["kind"].tolist(),
        att["case_id"].tolist(),
        att["attempt_id"].tolist(),
        att["status"].tolist(),
        scores,
        strict=True,
    )
    for session_id, learner_id, kind, activity, attempt_id, status, score in sorted(
        entries, key=lambda entry: entry[4]
    ):
        mine = first.setdefault((int(session_id), int(learner_id)), {})
        mine.setdefault(activity, (kind, int(attempt_id), status, score))
    joined = {(int(s), int(learner)) for s, learner in joined_rows}
    cells, grades = _tables(infos, members, joined, first, library, bounds)
    members_set = set(members["learner_id"].tolist())
    outsiders = len({learner for _, learner in joined if learner not in members_set})
    return CourseGradebook(course, tuple(infos), members, cells, grades, outsiders)


def _tables(
    infos: list[SessionInfo],
    members: pd.DataFrame,
    joined: set[tuple[int, int]],
    first: dict[tuple[int, int], dict[str, tuple[str, int, str, ReportedScore]]],
    library: CaseLibrary,
    bounds: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cell_rows: list[tuple[Any, ...]] = []
    grade_rows: list[tuple[Any, ...]] = []
    people = list(zip(members["learner_id"].tolist(), members["student_id"].tolist(), strict=True))
    for info in infos:
        plan = activities(info)
        planned = {activity for _, activity in plan}
        fresh = fresh_max(library, info, bounds)
        for learner_id, student_id in people:
            came = (info.id, learner_id) in joined
            started = first.get((info.id, learner_id), {})
            # As the session's own tables: its activities in order, then any other attempt.
            extra = [(kind, a) for a, (kind, *_) in started.items() if a not in planned]
            mine = []
            for kind, activity in [*plan, *extra]:
                if activity in started:
                    _, attempt_id, status, score = started[activity]
                    status = FINISHED if status == FINISHED else IN_PROGRESS
                else:
                    attempt_id, status = None, NOT_STARTED if came else NOT_JOINED
                    score = reported_score(0, fresh.get(activity, 0), 0, None, finished=False)
                mine.append(score)
                cell_rows.append(
                    (student_id, learner_id, info.code, kind, activity, attempt_id, status, score)
                )
            done = sum(1 for s in mine if s.finished)
            grade_rows.append(
                (student_id, learner_id, info.code, came, len(mine), done, combined_score(mine))
            )
    cell_names = ("student_id", "learner_id", "session", "kind", "activity", "attempt_id")
    cells = _frame(cell_rows, (*cell_names, "status", "score"))
    cells = cells.astype({"learner_id": "int64"})
    cells["attempt_id"] = pd.array(cells["attempt_id"].tolist(), dtype="Int64")
    cells = _with_scores(cells)
    grades = _frame(
        grade_rows,
        ("student_id", "learner_id", "session", "joined", "activities", "finished", "score"),
    ).astype({"learner_id": "int64", "joined": bool, "activities": "int64", "finished": "int64"})
    grades["complete"] = (grades["finished"] == grades["activities"]) & (grades["activities"] > 0)
    return cells, _with_scores(grades)


def _with_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the SCORE_COLUMNS of its ``score`` column, the score itself last."""
    scores = frame.pop("score").tolist()
    out = pd.concat([frame, pd.DataFrame(score_columns(scores))], axis=1)
    out["score"] = text_column(scores)
    return out


def wide_table(book: CourseGradebook) -> pd.DataFrame:
    """One row per member: student_id, name, email, section, then per session its percent
    (``<title> [<code>] %``) and completion, and the must-avoid choices made in the term."""
    base = book.members[["student_id", "name", "email", "section"]].reset_index(drop=True)
    grades = book.grades
    columns: dict[str, Any] = {}
    for info in book.sessions:
        mine = grades[grades["session"] == info.code].set_index("student_id")
        mine = mine.reindex(base["student_id"])
        label = session_label(info)
        columns[f"{label} %"] = mine["percent"].to_numpy(dtype=float)
        columns[f"{label} done"] = [
            f"{f}/{a}" if j else NOT_JOINED
            for f, a, j in zip(mine["finished"], mine["activities"], mine["joined"], strict=True)
        ]
    avoid = grades.groupby("student_id", sort=False)["must_avoid"].sum()
    done = grades.groupby("student_id", sort=False)["complete"].sum()
    table = pd.concat([base, pd.DataFrame(columns, index=base.index)], axis=1)
    table["sessions complete"] = done.reindex(base["student_id"]).fillna(0).to_numpy(dtype=int)
    table["must-avoid choices"] = avoid.reindex(base["student_id"]).fillna(0).to_numpy(dtype=int)
    return table


def session_label(info: SessionInfo) -> str:
    """A session's column name: its title and join code, so two equal titles stay apart.

    Square brackets, not parentheses: Canvas reads a header ending in "(digits)" as the id of
    an existing assignment, and a join code can be all digits.
    """
    return f"{info.title} [{info.code}]"


__all__ = [
    "NOT_JOINED",
    "SCORE_COLUMNS",
    "CourseGradebook",
    "read_gradebook",
    "session_label",
    "wide_table",
]
