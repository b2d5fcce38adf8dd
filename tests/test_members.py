"""Students' sign-in: the first PIN is set, later ones must match, wrong ones are throttled."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from classroom.access import sign_ins
from classroom.courses import members
from classroom.courses.courses import CourseError, CourseNotFound, create_course
from classroom.courses.members import SignInRefused
from classroom.courses.roster import find_member, import_roster
from classroom.storage.schema import CourseMember, FailedAttempt, utcnow

ROSTER = b"student_id,name\nN-001,Ana Lopez\nN-002,Ben Ng\n"


@pytest.fixture
def course(db_engine):
    course = create_course(db_engine, "Adult health")
    import_roster(db_engine, course.id, ROSTER, "roster.csv")
    return course


def test_the_first_sign_in_sets_the_pin_and_later_ones_must_match(db_engine, course):
    first = members.sign_in_member(db_engine, course.id, "n-001", "472913", "203.0.113.5")
    assert (first.student_id, first.has_pin) == ("N-001", True)
    again = members.sign_in_member(db_engine, course.id, " N-001 ", "472913", "198.51.100.7")
    assert again.learner_id == first.learner_id
    with pytest.raises(SignInRefused, match="do not match"):
        members.sign_in_member(db_engine, course.id, "N-001", "472914", "203.0.113.5")
    with db_engine.connect() as conn:
        stored = conn.execute(sa.select(CourseMember.pin_hash)).scalars().all()
    assert all(h is None or (h.startswith("scrypt$ln=14") and "472913" not in h) for h in stored)


@pytest.mark.parametrize("pin", ["12345", "000000", "123456", "987654", "x" * 33])
def test_a_weak_first_pin_is_refused_and_nothing_is_stored(db_engine, course, pin):
    with pytest.raises(SignInRefused, match="Choose another PIN"):
        members.sign_in_member(db_engine, course.id, "N-002", pin, "local")
    assert not find_member(db_engine, course.id, "N-002").has_pin


def test_an_unknown_student_gets_the_wrong_pin_message(db_engine, course):
    with pytest.raises(SignInRefused, match="do not match this class's roster"):
        members.sign_in_member(db_engine, course.id, "N-999", "472913", "local")
    with pytest.raises(CourseNotFound):
        members.sign_in_member(db_engine, course.id + 100, "N-001", "472913", "local")


def test_wrong_pins_are_throttled_per_student_across_addresses(db_engine, course):
    members.sign_in_member(db_engine, course.id, "N-001", "472913", "local")
    for n in range(3):  # the free tries, each from another address
        with pytest.raises(SignInRefused) as caught:
            members.sign_in_member(db_engine, course.id, "N-001", "000111", f"203.0.113.{n}")
        assert caught.value.wait == 0
    with pytest.raises(SignInRefused) as caught:
        members.sign_in_member(db_engine, course.id, "N-001", "000111", "203.0.113.9")
    assert caught.value.wait > 0  # the fourth starts the back-off
    with pytest.raises(SignInRefused, match="Wait"):  # even the right PIN waits now
        members.sign_in_member(db_engine, course.id, "N-001", "472913", "198.51.100.1")
    # Another student on the same addresses is not held up.
    members.sign_in_member(db_engine, course.id, "N-002", "555123", "203.0.113.9")


def test_wrong_pins_are_throttled_per_address_across_students(db_engine, course):
    policy = members.PIN_PER_ADDRESS
    with db_engine.begin() as conn:  # earlier failures from this address, one per student
        conn.execute(
            sa.insert(FailedAttempt),
            [
                {
                    "scope": policy.scope,
                    "key": "203.0.113.77",
                    "at": utcnow() - timedelta(seconds=n),
                }
                for n in range(policy.per_key)
            ],
        )
    with pytest.raises(SignInRefused, match="Too many wrong PINs"):
        members.sign_in_member(db_engine, course.id, "N-002", "555123", "203.0.113.77")
    members.sign_in_member(db_engine, course.id, "N-002", "555123", "203.0.113.78")


def test_a_pin_reset_clears_the_pin_and_ends_open_sign_ins(db_engine, course):
    member = members.sign_in_member(db_engine, course.id, "N-001", "472913", "local")
    cookie = sign_ins.open_session(db_engine, "local", learner_id=member.learner_id)
    assert sign_ins.signed_in_learner(db_engine, cookie) == member.learner_id
    members.reset_pin(db_engine, course.id, "n-001")
    assert sign_ins.signed_in_learner(db_engine, cookie) is None
    assert not find_member(db_engine, course.id, "N-001").has_pin
    renewed = members.sign_in_member(db_engine, course.id, "N-001", "839201", "local")
    assert renewed.learner_id == member.learner_id
    with pytest.raises(CourseError):
        members.reset_pin(db_engine, course.id, "N-404")
