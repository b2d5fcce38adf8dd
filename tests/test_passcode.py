"""The educator passcode: hashing, sources, strength and throttling."""

from __future__ import annotations

import pytest

from classroom.passcode import (
    LOCKOUT_SECONDS,
    MAX_FAILURES,
    PasscodeError,
    ThrottleState,
    check_strength,
    configured_hash,
    hash_passcode,
    throttle_check,
    throttle_fail,
    verify_passcode,
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.delenv("CASEBOOK_EDUCATOR_PASSCODE", raising=False)
    monkeypatch.setenv("CASEBOOK_PASSCODE_FILE", str(tmp_path / "pass.hash"))


def test_hash_verifies_and_is_salted():
    a, b = hash_passcode("correct horse"), hash_passcode("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert verify_passcode("correct horse", a) and not verify_passcode("wrong horse", a)
    assert not verify_passcode("x", "garbage")


def test_short_passcodes_are_refused(monkeypatch):
    with pytest.raises(PasscodeError, match="at least 8"):
        check_strength("short")
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", "1234567")
    with pytest.raises(PasscodeError):
        configured_hash()


def test_env_and_secret_sources(monkeypatch, tmp_path):
    assert verify_passcode("from-secrets-toml", configured_hash("from-secrets-toml"))
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", "from-environment")
    assert verify_passcode("from-environment", configured_hash("from-secrets-toml"))
    assert not (tmp_path / "pass.hash").exists()


def test_generated_once_printed_and_only_hash_stored(capsys, tmp_path):
    stored = configured_hash()
    printed = capsys.readouterr().err
    passcode = printed.split("passcode: ")[1].split()[0]
    assert len(passcode) == 12 and verify_passcode(passcode, stored)
    assert passcode not in (tmp_path / "pass.hash").read_text()
    assert configured_hash() == stored and capsys.readouterr().err == ""  # not printed again


def test_ten_failures_in_five_minutes_lock_the_session():
    state = ThrottleState()
    for i in range(MAX_FAILURES - 1):
        state = throttle_fail(state, 100.0 + i)
        assert throttle_check(state, 100.0 + i) == 0
    state = throttle_fail(state, 110.0)
    assert throttle_check(state, 110.0) == LOCKOUT_SECONDS
    assert throttle_check(state, 110.0 + LOCKOUT_SECONDS) == 0


def test_failures_spread_over_more_than_five_minutes_do_not_lock():
    state = ThrottleState()
    for i in range(MAX_FAILURES * 2):
        state = throttle_fail(state, i * 40.0)
    assert throttle_check(state, MAX_FAILURES * 80.0) == 0
