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
