"""Roster imports: all or nothing, idempotent, members with their own learner rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from classroom.courses import roster
from classroom.courses.courses import CourseError, CourseNotFound, create_course
from classroom.courses.roster_file import RosterError
from classroom.storage.schema import CourseMember, Learner

FIRST = b"student_id,name,email,section\nS1,Ana Lopez,ana@example.org,A\nS2,Ben Ng,,B\n"


@pytest.fixture
def course(db_engine):
    return create_course(db_engine, "Adult health", term="Spring 2027")


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(CourseMember)).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(Learner)).scalar_one(),
        )


def test_an_import_adds_members_each_with_a_learner_of_their_own(db_engine, course):
    report = roster.import_roster(db_engine, course.id, FIRST, "roster.csv")
    assert (report.added, report.updated, report.unchanged, report.kept) == (2, 0, 0, 0)
    assert report.format == "plain" and "student_id ← 'student_id'" in report.summary()
    ana, ben = roster.members(db_engine, course.id)
    assert (ana.student_id, ana.name, ana.email, ana.section, ana.has_pin) == (
        "S1",
        "Ana Lopez",
        "ana@example.org",
        "A",
        False,
    )
    assert ana.learner_id != ben.learner_id and counts(db_engine) == (2, 2)
    assert roster.member_of_learner(db_engine, ana.learner_id) == roster.find_member(
        db_engine, course.id, "s1"
    )


def test_a_reimport_updates_adds_and_never_duplicates_or_drops(db_engine, course):
    roster.import_roster(db_engine, course.id, FIRST, "roster.csv")
    before = {m.student_id: m for m in roster.members(db_engine, course.id)}
    again = b"student_id,name\ns1,Ana Lopez-Diaz\nS3,Cy Park\n"  # no email/section columns
    report = roster.import_roster(db_engine, course.id, again, "week2.csv")
    assert (report.added, report.updated, report.unchanged, report.kept) == (1, 1, 0, 1)
    after = {m.student_id: m for m in roster.members(db_engine, course.id)}
    assert sorted(after) == ["S1", "S2", "S3"]
    assert after["S1"].name == "Ana Lopez-Diaz"
    assert after["S1"].email == "ana@example.org"  # the file had no email column: kept
    assert after["S1"].learner_id == before["S1"].learner_id  # her work stays hers
    assert after["S2"] == before["S2"]
    same = roster.import_roster(db_engine, course.id, again, "week2.csv")
    assert (same.added, same.updated, same.unchanged) == (0, 0, 2)
    assert counts(db_engine) == (3, 3)


def test_a_bad_file_imports_nothing(db_engine, course):
    roster.import_roster(db_engine, course.id, FIRST, "roster.csv")
    bad = b"student_id,name\nS9,New Person\nS1,Ana Renamed\n,Nobody\n"
    with pytest.raises(RosterError) as caught:
        roster.import_roster(db_engine, course.id, bad, "bad.csv")
    assert caught.value.lines() == ["bad.csv:4: the student id is blank"]
    assert [m.name for m in roster.members(db_engine, course.id)] == ["Ana Lopez", "Ben Ng"]
    assert counts(db_engine) == (2, 2)
    with pytest.raises(CourseNotFound):
        roster.import_roster(db_engine, course.id + 100, FIRST, "roster.csv")


def test_the_same_student_id_in_two_courses_is_two_members(db_engine, course):
    other = create_course(db_engine, "Paediatrics")
    roster.import_roster(db_engine, course.id, FIRST, "roster.csv")
    roster.import_roster(db_engine, other.id, FIRST, "roster.csv")
    assert counts(db_engine) == (4, 4)


def test_upsert_member_adds_then_updates_one_student(db_engine, course):
    added = roster.upsert_member(db_engine, course.id, "S7", "Dee Ray", email="dee@example.org")
    assert (added.student_id, added.email, added.section) == ("S7", "dee@example.org", None)
    updated = roster.upsert_member(db_engine, course.id, "s7", "Dee Ray-Smith", section="C")
    assert updated.id == added.id and updated.learner_id == added.learner_id
    assert (updated.name, updated.email, updated.section) == (
        "Dee Ray-Smith",
        "dee@example.org",
        "C",
    )
    with pytest.raises(CourseError, match="formula"):
        roster.upsert_member(db_engine, course.id, "S8", "=1+1")


def test_members_with_the_same_name_are_labelled_with_their_student_id(db_engine, course):
    data = b"student_id,name\nS1,Ana Lopez\nS2,ana  lopez\nS3,Ben Ng\n"
    roster.import_roster(db_engine, course.id, data, "roster.csv")
    labels = sorted(m.label for m in roster.members(db_engine, course.id))
    assert labels == ["Ana Lopez (S1)", "Ben Ng", "ana lopez (S2)"]
