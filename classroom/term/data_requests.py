"""One student's data, on request: everything Casebook holds about them, or its deletion.

Both are recorded in ``data_request`` (course, student ID, learner id, action, time, the
requesting educator's address), in the same transaction as the read or the delete, so a
request that happened is always on record and a recorded one always happened.

Decisions:

- **Export** is one JSON document (UTF-8): the roster entry, the learner record, every class
  session joined, every attempt with its reported score, every answer with the response as
  stored, the student's sign-ins (times and addresses), and the earlier requests about them.
  Secrets are left out, being credentials rather than data about the person: the PIN hash,
  the learner token (the ``?t=`` link) and the recovery-code hash, and sign-in ticket and
  session hashes.
- **Delete** removes the student's learner row; the database cascades to the roster entry,
  session places, attempts, answers and sign-ins. Nothing else refers to them. The
  ``data_request`` rows (which hold the student ID and learner id, no name) stay as the
  record that the deletion was done.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.courses.courses import CourseError, get_course
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import (
    Answer,
    Attempt,
    ClassSession,
    CourseMember,
    DataRequest,
    EducatorSignIn,
    Learner,
    Participant,
    utcnow,
)

EXPORT, DELETE = "export", "delete"
SECRET_COLUMNS = {"pin_hash", "token", "recovery_hash", "ticket_hash", "session_hash"}


class StudentNotFound(CourseError):
    """No member of this course has this student ID."""


def _member_learner(conn: Connection, course_id: int, student_id: str) -> int:
    learner_id = conn.execute(
        sa.select(CourseMember.learner_id).where(
            CourseMember.course_id == course_id, CourseMember.student_id == student_id
        )
    ).scalar_one_or_none()
    if learner_id is None:
        raise StudentNotFound(f"no student of course {course_id} has the ID {student_id!r}")
    return int(learner_id)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _records(conn: Connection, table: Any, where: Any, order: Any) -> list[dict[str, Any]]:
    """Every row of ``table`` matching ``where`` as plain JSON values, secrets left out."""
    columns = [c for c in table.__table__.c if c.name not in SECRET_COLUMNS]
    order = order if isinstance(order, tuple) else (order,)
    rows = conn.execute(sa.select(*columns).where(where).order_by(*order)).mappings()
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _record(
    conn: Connection, course_id: int, student_id: str, learner_id: int, action: str, address: str
) -> None:
    conn.execute(
        sa.insert(DataRequest).values(
            course_id=course_id,
            student_id=student_id,
            learner_id=learner_id,
            action=action,
            at=utcnow(),
            address=address[:64],
        )
    )


@translate_errors("The student's data was not exported; try again.")
def export_student(engine: Engine, course_id: int, student_id: str, address: str) -> bytes:
    """Everything about student ``student_id`` of the course as JSON; the export is recorded."""
    course = get_course(engine, course_id)
    with engine.begin() as conn:
        learner_id = _member_learner(conn, course_id, student_id)
        mine = Attempt.learner_id == learner_id
        attempt_ids = sa.select(Attempt.id).where(mine)
        _record(conn, course_id, student_id, learner_id, EXPORT, address)
        document = {
            "exported_at": utcnow().isoformat(),
            "course": {"id": course.id, "title": course.title, "term": course.term},
            "member": _records(
                conn,
                CourseMember,
                CourseMember.learner_id == learner_id,
                CourseMember.id,
            ),
            "learner": _records(conn, Learner, Learner.id == learner_id, Learner.id),
            "sessions": [
                {k: _plain(v) for k, v in row.items()}
                for row in conn.execute(
                    sa.select(
                        ClassSession.code,
                        ClassSession.title,
                        Participant.display_name,
                        Participant.joined_at,
                    )
                    .join(Participant, Participant.session_id == ClassSession.id)
                    .where(Participant.learner_id == learner_id)
                    .order_by(Participant.id)
                ).mappings()
            ],
            "attempts": _records(conn, Attempt, mine, Attempt.id),
            "answers": _records(
                conn, Answer, Answer.attempt_id.in_(attempt_ids), (Answer.attempt_id, Answer.seq)
            ),
            "sign_ins": _records(
                conn, EducatorSignIn, EducatorSignIn.learner_id == learner_id, EducatorSignIn.id
            ),
            "data_requests": _records(
                conn,
                DataRequest,
                sa.or_(
                    DataRequest.learner_id == learner_id,
                    sa.and_(
                        DataRequest.course_id == course_id, DataRequest.student_id == student_id
                    ),
                ),
                DataRequest.id,
            ),
        }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@translate_errors("The student's data was not deleted; try again.")
def delete_student(engine: Engine, course_id: int, student_id: str, address: str) -> None:
    """Delete everything about student ``student_id`` of the course; the deletion is recorded."""
    get_course(engine, course_id)
    with engine.begin() as conn:
        learner_id = _member_learner(conn, course_id, student_id)
        conn.execute(sa.delete(Learner).where(Learner.id == learner_id))
        _record(conn, course_id, student_id, learner_id, DELETE, address)


@translate_errors("The requests were not loaded; try again in a moment.")
def data_requests(engine: Engine, course_id: int) -> list[dict[str, Any]]:
    """The course's recorded requests, newest first: student_id, action, at, address."""
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(
                DataRequest.student_id, DataRequest.action, DataRequest.at, DataRequest.address
            )
            .where(DataRequest.course_id == course_id)
            .order_by(DataRequest.id.desc())
        ).mappings()
        return [dict(r) for r in rows]
