"""A student's data on request: everything exported, or everything deleted; both recorded."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from classroom.courses.courses import create_course
from classroom.storage.schema import Answer, Attempt, CourseMember, Learner, Participant
from classroom.term.data_requests import (
    StudentNotFound,
    data_requests,
    delete_student,
    export_student,
)
from classroom.term.gradebook import read_gradebook
from tests.support.term import course_session, member_token, play


@pytest.fixture
def course(db_engine, ward_library):
    """A course where Ana (S1) and Ben (S2) each played a case."""
    course = create_course(db_engine, "Adult health")
    code = course_session(db_engine, course.id, "Week 1", ["ward-round"])
    for student_id, name in (("S1", "Ana"), ("S2", "Ben")):
        _, token = member_token(db_engine, course.id, student_id, name, email=f"{name}@x.edu")
        play(db_engine, ward_library, code, token, "ward-round")
    return course


def count(engine, table, **where) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(getattr(table, column) == value)
        return conn.execute(query).scalar_one()


def test_an_export_holds_everything_but_secrets_and_is_recorded(db_engine, course):
    document = json.loads(export_student(db_engine, course.id, "S1", "203.0.113.7"))
    [member] = document["member"]
    assert (member["student_id"], member["name"], member["email"]) == ("S1", "Ana", "Ana@x.edu")
    assert document["course"]["title"] == "Adult health"
    assert [s["title"] for s in document["sessions"]] == ["Week 1"]
    [attempt] = document["attempts"]
    assert attempt["status"] == "finished" and attempt["percent"] == 100.0
    assert len(document["answers"]) == 3 and {a["attempt_id"] for a in document["answers"]} == {
        attempt["id"]
    }
    text = json.dumps(document)
    for secret in ("pin_hash", "token", "recovery_hash", "ticket_hash", "session_hash"):
        assert f'"{secret}"' not in text
    [request] = document["data_requests"]  # this export, recorded in the same transaction
    assert (request["action"], request["student_id"], request["address"]) == (
        "export",
        "S1",
        "203.0.113.7",
    )
    assert "Ben" not in text


def test_a_deletion_removes_the_student_everywhere_and_is_recorded(db_engine, ward_library, course):
    learner_id = (
        read_gradebook(db_engine, course.id, ward_library)
        .members.set_index("student_id")
        .loc["S1", "learner_id"]
    )
    delete_student(db_engine, course.id, "S1", "203.0.113.7")
    assert count(db_engine, Learner, id=int(learner_id)) == 0
    assert count(db_engine, CourseMember, student_id="S1") == 0
    assert count(db_engine, Participant, learner_id=int(learner_id)) == 0
    assert count(db_engine, Attempt, learner_id=int(learner_id)) == 0
    assert count(db_engine, Answer) == 3  # Ben's answers stay
    book = read_gradebook(db_engine, course.id, ward_library)
    assert book.members["student_id"].tolist() == ["S2"]
    assert [(r["student_id"], r["action"]) for r in data_requests(db_engine, course.id)] == [
        ("S1", "delete")
    ]
    with pytest.raises(StudentNotFound, match=r"no student of course \d+ has the ID 'S1'"):
        export_student(db_engine, course.id, "S1", "local")
    # A refused request is not recorded as done.
    assert len(data_requests(db_engine, course.id)) == 1
