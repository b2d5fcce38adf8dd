"""Courses: a title, a term and a section, and the class sessions attached to them.

A class session belongs to at most one course (``class_session.course_id``). Attaching a
session admits only the course's rostered students as new joiners
(``classroom.sessions.join``); whoever joined before keeps their place and their work.
There is no deleting a course here: a roster's students own term-long records, deleted one
student at a time with a recorded data request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.storage.db import reading, translate_errors
from classroom.storage.identifiers import normalize_code
from classroom.storage.schema import ClassSession, utcnow
from classroom.storage.schema import Course as CourseRow
from scoring.format.text import clean_line

TITLE_LENGTH = 200
TERM_LENGTH = 80
_NOT_LOADED = "Nothing was loaded; try again in a moment."
_NOT_CHANGED = "Nothing was changed; try again."


class CourseError(ValueError):
    """A course operation that cannot be done; the message says why, in plain words."""


class CourseNotFound(CourseError):
    """No course has this id."""


@dataclass(frozen=True)
class Course:
    """A course as the educator set it up."""

    id: int
    title: str
    term: str | None
    section: str | None


@dataclass(frozen=True)
class CourseSession:
    """A class session attached to a course."""

    id: int
    code: str
    title: str
    mode: str
    created_at: datetime
    is_open: bool
    ended_at: datetime | None


def _optional(text: str | None, what: str) -> str | None:
    if text is None or not str(text).strip():
        return None
    return clean_line(text, what, TERM_LENGTH)


def _course(conn: Connection, course_id: int) -> Course:
    row = conn.execute(
        sa.select(CourseRow.id, CourseRow.title, CourseRow.term, CourseRow.section).where(
            CourseRow.id == course_id
        )
    ).one_or_none()
    if row is None:
        raise CourseNotFound(f"no course has the id {course_id}")
    return Course(*row)


@translate_errors("The course was not created; try again.")
def create_course(
    engine: Engine, title: str, term: str | None = None, section: str | None = None
) -> Course:
    """Create a course; raises ``TextError`` for a title, term or section that cannot be used."""
    values = {
        "title": clean_line(title, "a course title", TITLE_LENGTH),
        "term": _optional(term, "a term"),
        "section": _optional(section, "a section"),
        "created_at": utcnow(),
    }
    with engine.begin() as conn:
        course_id = conn.execute(
            sa.insert(CourseRow).values(values).returning(CourseRow.id)
        ).scalar_one()
        return _course(conn, course_id)


@translate_errors(_NOT_LOADED)
def get_course(engine: Engine, course_id: int) -> Course:
    """The course with this id; ``CourseNotFound`` if there is none."""
    with reading(engine) as conn:
        return _course(conn, course_id)


@translate_errors(_NOT_LOADED)
def list_courses(engine: Engine) -> list[Course]:
    """Every course, newest first."""
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(CourseRow.id, CourseRow.title, CourseRow.term, CourseRow.section).order_by(
                CourseRow.id.desc()
            )
        )
        return [Course(*row) for row in rows]


@translate_errors(_NOT_CHANGED)
def attach_session(engine: Engine, course_id: int, code: str) -> None:
    """Attach the class session with join code ``code`` to the course (moving it if needed)."""
    with engine.begin() as conn:
        _course(conn, course_id)
        _set_course(conn, code, course_id)


@translate_errors(_NOT_CHANGED)
def detach_session(engine: Engine, code: str) -> None:
    """Take a class session out of its course (anyone may join it again)."""
    with engine.begin() as conn:
        _set_course(conn, code, None)


def _set_course(conn: Connection, code: str, course_id: int | None) -> None:
    moved = conn.execute(
        sa.update(ClassSession)
        .where(ClassSession.code == normalize_code(code))
        .values(course_id=course_id)
    ).rowcount
    if moved != 1:
        raise CourseError(f"no class session has the code {normalize_code(code)!r}")


@translate_errors(_NOT_LOADED)
def course_sessions(engine: Engine, course_id: int) -> list[CourseSession]:
    """The course's class sessions, oldest first (the order of a term)."""
    s = ClassSession
    with reading(engine) as conn:
        _course(conn, course_id)
        rows = conn.execute(
            sa.select(s.id, s.code, s.title, s.mode, s.created_at, s.is_open, s.ended_at)
            .where(s.course_id == course_id)
            .order_by(s.created_at, s.id)
        )
        return [CourseSession(*row) for row in rows]


@translate_errors(_NOT_LOADED)
def course_of_session(engine: Engine, code: str) -> Course | None:
    """The course a class session belongs to, or None."""
    with reading(engine) as conn:
        course_id = conn.execute(
            sa.select(ClassSession.course_id).where(ClassSession.code == normalize_code(code))
        ).scalar_one_or_none()
        return None if course_id is None else _course(conn, course_id)
