"""Recovery codes: an anonymous learner's way back to their record on another device.

"Keep my progress" (My results) calls ``new_recovery_code``: a random code of 16 symbols from
the join-code alphabet (31**16 ≈ 2**79, shown as four groups of four), shown once and stored
only as its SHA-256 in ``learner.recovery_hash``; a new code replaces the old one. A code
that random needs no slow hash: nobody can search 2**79 codes, even with the database.
"Restore my progress" calls ``restore``: the code gives back the learner's token, which the
page puts in its address as any progress link. Wrong codes are throttled per client address
(``RECOVERY``: 10 per 15 minutes, back-off after 3; 500 an hour from everyone), before any
code is looked at.

A rostered student never needs one: signing in brings their record. Codes are refused for
course members so the member's record can only be opened with their PIN.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom.access import throttle
from classroom.storage.db import reading, translate_errors
from classroom.storage.identifiers import CODE_ALPHABET, check_token
from classroom.storage.schema import CourseMember, Learner

CODE_SYMBOLS = 16
RECOVERY = throttle.Policy("recovery-code", 10, 900, 500, 3600, free=3, max_delay=60)


class RecoveryRefused(ValueError):
    """A recovery code that did not restore anything; ``wait`` in seconds before the next."""

    def __init__(self, message: str, wait: float = 0.0) -> None:
        super().__init__(message)
        self.wait = wait


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def normalize_recovery_code(typed: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-–—]", "", str(typed)).upper()


def format_recovery_code(code: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: the code in four groups, as shown."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@translate_errors("No code was made; try again.")
def new_recovery_code(engine: Engine, token: str) -> str:
    """A new recovery code for the learner with ``token`` (replacing any earlier one)."""
    check_token(token)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SYMBOLS))
    with engine.begin() as conn:
        learner_id = conn.execute(
            sa.select(Learner.id).where(Learner.token == token)
        ).scalar_one_or_none()
        if learner_id is None:
            raise RecoveryRefused("there is no record to keep yet: answer a question first")
        member = conn.execute(
            sa.select(CourseMember.id).where(CourseMember.learner_id == learner_id)
        ).first()
        if member is not None:
            raise RecoveryRefused("you are signed in with your student ID; no code is needed")
        conn.execute(
            sa.update(Learner).where(Learner.id == learner_id).values(recovery_hash=_digest(code))
        )
    return format_recovery_code(code)


@translate_errors("Nothing was restored; try again.")
def has_recovery_code(engine: Engine, token: str) -> bool:
    """True when the learner with ``token`` has made a recovery code."""
    with reading(engine) as conn:
        found = conn.execute(
            sa.select(Learner.recovery_hash).where(Learner.token == token)
        ).scalar_one_or_none()
    return found is not None


@translate_errors("Nothing was restored; try again.")
def restore(engine: Engine, typed: str, address: str) -> str:
    """The token of the record a recovery code keeps; ``RecoveryRefused`` otherwise."""
    key = throttle.address_key(address)
    verdict = throttle.check(engine, RECOVERY, key)
    if not verdict.allowed:
        raise RecoveryRefused(_wait_message(verdict), verdict.wait)
    code = normalize_recovery_code(typed)
    token = None
    if len(code) == CODE_SYMBOLS and set(code) <= set(CODE_ALPHABET):
        with reading(engine) as conn:
            token = conn.execute(
                sa.select(Learner.token)
                .outerjoin(CourseMember, CourseMember.learner_id == Learner.id)
                .where(Learner.recovery_hash == _digest(code), CourseMember.id.is_(None))
            ).scalar_one_or_none()
    if token is None:
        verdict = throttle.record_failure(engine, RECOVERY, key)
        message = "That recovery code was not found; check it and try again."
        if not verdict.allowed:
            message += " " + _wait_message(verdict)
        raise RecoveryRefused(message, verdict.wait)
    return token


def _wait_message(verdict: throttle.Verdict) -> str:
    if verdict.reason == "back-off":
        seconds = max(1, round(verdict.wait))
        return f"Wait {seconds} second{'' if seconds == 1 else 's'} before the next try."
    return f"Too many wrong codes. Try again in {verdict.minutes()} minutes."
