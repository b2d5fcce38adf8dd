"""Recovery codes: shown once, stored as a hash, restore the record; wrong codes throttled."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from classroom.access import recovery
from classroom.access.recovery import RecoveryRefused
from classroom.attempts import new_learner, new_token
from classroom.courses.courses import create_course
from classroom.courses.roster import upsert_member
from classroom.storage.schema import Learner


def test_a_code_restores_its_record_and_only_its_hash_is_stored(db_engine):
    token = new_learner(db_engine, "Ana")
    code = recovery.new_recovery_code(db_engine, token)
    assert len(code) == 19 and code.count("-") == 3
    assert recovery.restore(db_engine, code.lower().replace("-", " "), "local") == token
    with db_engine.connect() as conn:
        stored = conn.execute(sa.select(Learner.recovery_hash)).scalar_one()
    assert code.replace("-", "") not in stored and len(stored) == 64
    assert recovery.has_recovery_code(db_engine, token)


def test_a_new_code_replaces_the_old_one(db_engine):
    token = new_learner(db_engine)
    old = recovery.new_recovery_code(db_engine, token)
    new = recovery.new_recovery_code(db_engine, token)
    assert recovery.restore(db_engine, new, "local") == token
    with pytest.raises(RecoveryRefused, match="not found"):
        recovery.restore(db_engine, old, "local")


def test_no_code_for_an_unknown_learner_or_a_course_member(db_engine):
    with pytest.raises(RecoveryRefused, match="no record"):
        recovery.new_recovery_code(db_engine, new_token())
    course = create_course(db_engine, "Adult health")
    member = upsert_member(db_engine, course.id, "S1", "Ana")
    with db_engine.connect() as conn:
        token = conn.execute(
            sa.select(Learner.token).where(Learner.id == member.learner_id)
        ).scalar_one()
    with pytest.raises(RecoveryRefused, match="signed in"):
        recovery.new_recovery_code(db_engine, token)


def test_wrong_codes_are_throttled_per_address(db_engine):
    token = new_learner(db_engine)
    code = recovery.new_recovery_code(db_engine, token)
    for _ in range(recovery.RECOVERY.free):
        with pytest.raises(RecoveryRefused) as caught:
            recovery.restore(db_engine, "AAAA-AAAA-AAAA-AAAA", "203.0.113.8")
        assert caught.value.wait == 0
    with pytest.raises(RecoveryRefused, match="Wait"):
        recovery.restore(db_engine, "not even a code", "203.0.113.8")
    with pytest.raises(RecoveryRefused, match="Wait"):  # the right code waits too
        recovery.restore(db_engine, code, "203.0.113.8")
    assert recovery.restore(db_engine, code, "198.51.100.2") == token
