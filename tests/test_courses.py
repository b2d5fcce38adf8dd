"""Courses: created, listed, sessions attached; a course session admits its roster only."""

from __future__ import annotations

import pytest

from classroom import sessions
from classroom.courses import courses
from classroom.courses.courses import CourseError, CourseNotFound
from classroom.courses.roster import upsert_member
from classroom.storage.schema import Learner
from scoring.format.text import TextError


def test_a_course_is_created_read_and_listed(db_engine):
    first = courses.create_course(db_engine, "  Adult health  ", term="Spring 2027")
    second = courses.create_course(db_engine, "Paediatrics", section="B")
    assert (first.title, first.term, first.section) == ("Adult health", "Spring 2027", None)
    assert courses.get_course(db_engine, first.id) == first
    assert courses.list_courses(db_engine) == [second, first]
    with pytest.raises(CourseNotFound):
        courses.get_course(db_engine, first.id + 100)
    with pytest.raises(TextError):
        courses.create_course(db_engine, "   ")


def test_sessions_are_attached_in_term_order_and_can_be_moved(db_engine):
    course = courses.create_course(db_engine, "Adult health")
    other = courses.create_course(db_engine, "Other")
    week1 = sessions.create_session(db_engine, "Week 1", ["ward-round"])
    week2 = sessions.create_session(db_engine, "Week 2", ["ward-round"])
    courses.attach_session(db_engine, course.id, week2.code.lower())
    courses.attach_session(db_engine, course.id, week1.code)
    assert [s.code for s in courses.course_sessions(db_engine, course.id)] == [
        week1.code,
        week2.code,
    ]
    assert courses.course_of_session(db_engine, week1.code) == course
    courses.attach_session(db_engine, other.id, week2.code)
    assert [s.code for s in courses.course_sessions(db_engine, course.id)] == [week1.code]
    courses.detach_session(db_engine, week1.code)
    assert courses.course_of_session(db_engine, week1.code) is None
    with pytest.raises(CourseError, match="no class session"):
        courses.attach_session(db_engine, course.id, "ZZZZZZ")
    with pytest.raises(CourseNotFound):
        courses.attach_session(db_engine, course.id + 100, week1.code)


def test_a_course_session_admits_its_rostered_students_only(db_engine):
    course = courses.create_course(db_engine, "Adult health")
    week1 = sessions.create_session(db_engine, "Week 1", ["ward-round"])
    _, early = sessions.join_session(db_engine, week1.code, "Early bird")
    courses.attach_session(db_engine, course.id, week1.code)
    with pytest.raises(ValueError, match="sign in with your student ID"):
        sessions.join_session(db_engine, week1.code, "Stranger")
    assert sessions.join_session(db_engine, week1.code, "Early bird", early)[1] == early
    member = upsert_member(db_engine, course.id, "S1", "Ana Lopez")
    with db_engine.connect() as conn:
        token = (
            conn.execute(Learner.__table__.select().where(Learner.id == member.learner_id))
            .one()
            .token
        )
    joined = sessions.join(db_engine, week1.code, member.name, token)
    assert joined.display_name == "Ana Lopez" and joined.session.course_id == course.id
