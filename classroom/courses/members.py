"""A rostered student's sign-in: join code, student ID and a PIN they set the first time.

``sign_in_member`` checks a student id and PIN against a course's roster. The first sign-in
of a member without a PIN sets it (``PIN_RULES``); later ones must match it. The caller then
opens a learner session (``classroom.access.sign_ins``), so the student's record follows them to
any device. ``reset_pin`` (the educator) clears a PIN and ends every open sign-in of that
student; the next sign-in sets a new one.

Guesses are throttled in the database (``classroom.access.throttle``) before any PIN is looked
at, with two policies at once: per student (``PIN_PER_STUDENT``: 5 wrong in 15 minutes lock
that student's sign-in for the rest of the window, back-off after 3) and per client address
(``PIN_PER_ADDRESS``: 30 in 15 minutes, since a class shares one school address; 2,000 an
hour from everyone). An unknown student id counts as a wrong guess and gets the same message
as a wrong PIN, so the sign-in form does not tell which ids are on the roster. A right PIN
clears the student's failures (not the address's).

PINs are stored as scrypt hashes (N = 2**14: a class signs in at once on two cores; a
six-digit PIN falls to an offline search whatever the cost, so the throttle and the database
being private are what protect it; see docs/deployment.md, "Students' sign-in").
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom.access import passcode, sign_ins, throttle
from classroom.access.throttle import Policy
from classroom.courses.courses import CourseError, CourseNotFound
from classroom.courses.roster import Member, fetch_member
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import Course as CourseRow
from classroom.storage.schema import CourseMember, utcnow

PIN_MIN, PIN_MAX = 6, 32
PIN_LOG_N = 14
PIN_RULES = f"{PIN_MIN}–{PIN_MAX} characters, not one character repeated, not a run like 123456"
PIN_PER_STUDENT = Policy("pin-student", 5, 900, 100_000, 3600, free=3, max_delay=60)
PIN_PER_ADDRESS = Policy("pin-address", 30, 900, 2000, 3600, free=10, max_delay=30)
_RUNS = "0123456789012345678901234567890123456789"
# A well-formed hash of nothing anyone can type, checked for unknown ids so they take as long.
_DECOY = passcode.hash_passcode("\x00unknown student\x00", b"casebook-decoy!!", log_n=PIN_LOG_N)


class SignInRefused(ValueError):
    """A sign-in that did not succeed; the message says what to do. ``wait`` in seconds."""

    def __init__(self, message: str, wait: float = 0.0) -> None:
        super().__init__(message)
        self.wait = wait


def pin_problem(pin: str) -> str:
    """Why ``pin`` cannot be a new PIN, or "" when it can."""
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        return f"a PIN needs {PIN_MIN}–{PIN_MAX} characters"
    if len(set(pin)) == 1:
        return "a PIN cannot be one character repeated"
    if pin in _RUNS or pin in _RUNS[::-1]:
        return "a PIN cannot be a run of digits like 123456"
    return ""


def _keys(course_id: int, student_id: str, address: str) -> tuple[str, str]:
    student = f"{course_id}:{' '.join(str(student_id).split()).lower()[:64]}"
    return student, throttle.address_key(address)


def _refusal(verdict: throttle.Verdict) -> SignInRefused:
    if verdict.reason == "back-off":
        seconds = max(1, round(verdict.wait))
        return SignInRefused(
            f"Wait {seconds} second{'' if seconds == 1 else 's'} before the next try.",
            verdict.wait,
        )
    return SignInRefused(
        f"Too many wrong PINs. Try again in {verdict.minutes()} minutes, or ask your educator "
        "to reset your PIN.",
        verdict.wait,
    )


def _check(engine: Engine, student: str, address: str) -> None:
    verdicts = [
        throttle.check(engine, PIN_PER_STUDENT, student),
        throttle.check(engine, PIN_PER_ADDRESS, address),
    ]
    worst = max(verdicts, key=lambda v: v.wait)
    if not worst.allowed:
        raise _refusal(worst)


def _fail(engine: Engine, student: str, address: str) -> SignInRefused:
    verdicts = [
        throttle.record_failure(engine, PIN_PER_STUDENT, student),
        throttle.record_failure(engine, PIN_PER_ADDRESS, address),
    ]
    worst = max(verdicts, key=lambda v: v.wait)
    message = "That student ID and PIN do not match this class's roster."
    if not worst.allowed:
        message += " " + str(_refusal(worst))
    return SignInRefused(message, worst.wait)


@translate_errors("You were not signed in; try again.")
def sign_in_member(
    engine: Engine, course_id: int, student_id: str, pin: str, address: str
) -> Member:
    """The member whose student id and PIN these are (setting the PIN the first time).

    Raises ``SignInRefused`` for a wrong pair, a throttled client or an unusable new PIN, and
    ``CourseNotFound`` for a course that does not exist.
    """
    student, where = _keys(course_id, student_id, address)
    _check(engine, student, where)
    with reading(engine) as conn:
        if conn.execute(sa.select(CourseRow.id).where(CourseRow.id == course_id)).first() is None:
            raise CourseNotFound(f"no course has the id {course_id}")
        row = fetch_member(conn, course_id, student_id)
    pin = str(pin)
    if row is None or len(pin) > 200:
        passcode.verify_passcode(pin[:200], _DECOY)  # the same work as a real check
        raise _fail(engine, student, where)
    if row.pin_hash is None:
        problem = pin_problem(pin)
        if problem:
            raise SignInRefused(f"Choose another PIN: {problem} ({PIN_RULES}).")
        stored = passcode.hash_passcode(pin, log_n=PIN_LOG_N)
        with engine.begin() as conn:
            claimed = conn.execute(
                sa.update(CourseMember)
                .where(CourseMember.id == row.id, CourseMember.pin_hash.is_(None))
                .values(pin_hash=stored, pin_set_at=utcnow(), updated_at=utcnow())
            ).rowcount
        if claimed != 1:  # another device set it a moment ago: this PIN must match that one
            return sign_in_member(engine, course_id, student_id, pin, address)
    elif not passcode.verify_passcode(pin, row.pin_hash):
        raise _fail(engine, student, where)
    throttle.forget(engine, PIN_PER_STUDENT, student)
    return Member(*row[:7], has_pin=True)


@translate_errors("The PIN was not reset; try again.")
def reset_pin(engine: Engine, course_id: int, student_id: str) -> None:
    """Clear a member's PIN and end their open sign-ins; the next sign-in sets a new PIN."""
    with engine.begin() as conn:
        row = fetch_member(conn, course_id, student_id)
        if row is None:
            raise CourseError(f"no student {student_id!r} is on the roster of course {course_id}")
        conn.execute(
            sa.update(CourseMember)
            .where(CourseMember.id == row.id)
            .values(pin_hash=None, pin_set_at=None, updated_at=utcnow())
        )
    sign_ins.end_learner_sessions(engine, row.learner_id)
    throttle.forget(engine, PIN_PER_STUDENT, _keys(course_id, student_id, "")[0])


def same_pin(a: str, b: str) -> bool:
    """Constant-time comparison of two typed PINs (a form's PIN and its confirmation)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
