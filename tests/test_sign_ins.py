"""Educator sign-ins: one-time tickets, signed cookies, sessions that end and expire."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa

from classroom.access import sign_ins, signing
from classroom.storage.schema import EducatorSignIn, utcnow


def test_a_ticket_is_redeemed_once_for_a_signed_cookie(db_engine):
    ticket = sign_ins.issue_ticket(db_engine, "203.0.113.9")
    cookie = sign_ins.redeem_ticket(db_engine, ticket)
    assert cookie and sign_ins.signed_in(db_engine, cookie)
    assert sign_ins.redeem_ticket(db_engine, ticket) is None  # used up
    assert sign_ins.redeem_ticket(db_engine, "not-a-ticket") is None
    with db_engine.connect() as conn:
        row = conn.execute(sa.select(EducatorSignIn)).one()
    assert ticket not in (row.ticket_hash, row.session_hash)  # only hashes are stored
    assert row.address == "203.0.113.9"


def test_an_expired_ticket_is_refused(db_engine):
    ticket = sign_ins.issue_ticket(db_engine, "local")
    with db_engine.begin() as conn:
        conn.execute(sa.update(EducatorSignIn).values(ticket_expires_at=utcnow()))
    assert sign_ins.redeem_ticket(db_engine, ticket) is None


def test_sign_out_and_expiry_end_the_session(db_engine):
    first = sign_ins.redeem_ticket(db_engine, sign_ins.issue_ticket(db_engine, "local"))
    second = sign_ins.redeem_ticket(db_engine, sign_ins.issue_ticket(db_engine, "local"))
    sign_ins.sign_out(db_engine, first)
    assert not sign_ins.signed_in(db_engine, first)
    assert sign_ins.signed_in(db_engine, second)  # another browser stays signed in
    with db_engine.begin() as conn:
        conn.execute(sa.update(EducatorSignIn).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert not sign_ins.signed_in(db_engine, second)


def test_forged_tampered_or_foreign_cookies_are_refused(db_engine, monkeypatch):
    cookie = sign_ins.redeem_ticket(db_engine, sign_ins.issue_ticket(db_engine, "local"))
    assert not sign_ins.signed_in(db_engine, cookie[:-2] + ("A" if cookie[-1] != "A" else "B"))
    assert not sign_ins.signed_in(db_engine, None) and not sign_ins.signed_in(db_engine, "")
    # A value signed for another purpose, or with another site's key, is not a sign-in.
    assert not sign_ins.signed_in(db_engine, signing.sign("lti-state", "whatever"))
    monkeypatch.setenv("CASEBOOK_SECRET_KEY", "another-installation-" + "k" * 20)
    assert not sign_ins.has_valid_signature(cookie)
    assert not sign_ins.signed_in(db_engine, cookie)


def test_a_signed_value_expires_with_its_max_age():
    token = signing.sign("test", {"a": 1})
    assert signing.unsign("test", token, max_age=60) == {"a": 1}
    assert signing.unsign("test", token, max_age=-1) is None
    assert signing.unsign("other", token, max_age=60) is None


def test_the_generated_key_is_private_and_stable(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBOOK_SECRET_KEY_FILE", str(tmp_path / "k" / "secret.key"))
    key = signing.secret_key()
    assert len(key) >= signing.MIN_KEY_LENGTH and signing.secret_key() == key
    assert stat.S_IMODE((tmp_path / "k" / "secret.key").stat().st_mode) == 0o600
    monkeypatch.setenv("CASEBOOK_SECRET_KEY", "short")
    with pytest.raises(signing.SigningKeyError, match="at least 32"):
        signing.secret_key()


def _learner(engine) -> int:
    from classroom.attempts import new_learner
    from classroom.storage.schema import Learner

    token = new_learner(engine, "Ana")
    with engine.connect() as conn:
        return conn.execute(sa.select(Learner.id).where(Learner.token == token)).scalar_one()


def test_a_learner_ticket_becomes_a_learner_cookie_only(db_engine):
    learner_id = _learner(db_engine)
    ticket = sign_ins.issue_ticket(db_engine, "local", learner_id=learner_id)
    assert sign_ins.redeem_ticket(db_engine, ticket) is None  # not at the educator's route
    cookie = sign_ins.redeem_ticket(db_engine, ticket, learner=True)
    assert sign_ins.signed_in_learner(db_engine, cookie) == learner_id
    assert not sign_ins.signed_in(db_engine, cookie)  # a learner is never an educator
    assert sign_ins.redeem_ticket(db_engine, ticket, learner=True) is None  # used up
    educator = sign_ins.redeem_ticket(db_engine, sign_ins.issue_ticket(db_engine, "local"))
    assert sign_ins.signed_in_learner(db_engine, educator) is None
    educator_ticket = sign_ins.issue_ticket(db_engine, "local")
    assert sign_ins.redeem_ticket(db_engine, educator_ticket, learner=True) is None


def test_open_session_signs_in_at_once_and_signs_out(db_engine):
    learner_id = _learner(db_engine)
    cookie = sign_ins.open_session(db_engine, "203.0.113.4", learner_id=learner_id)
    assert sign_ins.signed_in_learner(db_engine, cookie) == learner_id
    sign_ins.sign_out(db_engine, cookie)  # the educator's sign-out does not end a learner's
    assert sign_ins.signed_in_learner(db_engine, cookie) == learner_id
    sign_ins.sign_out(db_engine, cookie, learner=True)
    assert sign_ins.signed_in_learner(db_engine, cookie) is None
    educator = sign_ins.open_session(db_engine, "local")
    assert sign_ins.signed_in(db_engine, educator)


def test_a_learner_session_expires_and_ends_with_the_learner(db_engine):
    from classroom.storage.schema import Learner

    first, second = _learner(db_engine), _learner(db_engine)
    expiring = sign_ins.open_session(db_engine, "local", learner_id=first)
    deleted = sign_ins.open_session(db_engine, "local", learner_id=second)
    with db_engine.begin() as conn:
        conn.execute(
            sa.update(EducatorSignIn)
            .where(EducatorSignIn.learner_id == first)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        conn.execute(sa.delete(Learner).where(Learner.id == second))
    assert sign_ins.signed_in_learner(db_engine, expiring) is None
    assert sign_ins.signed_in_learner(db_engine, deleted) is None
