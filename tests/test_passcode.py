"""The educator passcode: hashing, sources, strength, the hash file and its upgrade."""

from __future__ import annotations

import base64
import hashlib
import os
import stat

import pytest

from classroom.access.passcode import (
    PasscodeError,
    check_strength,
    configured_hash,
    hash_passcode,
    needs_rehash,
    upgrade_hash_file,
    verify_passcode,
)

LEGACY_SALT = b"0123456789abcdef"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.delenv("CASEBOOK_EDUCATOR_PASSCODE", raising=False)
    monkeypatch.setenv("CASEBOOK_PASSCODE_FILE", str(tmp_path / "pass.hash"))


def legacy_hash(passcode: str) -> str:
    """A hash as the previous release wrote it: scrypt N = 2**14, no parameter field."""
    digest = hashlib.scrypt(passcode.encode(), salt=LEGACY_SALT, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${base64.b64encode(LEGACY_SALT).decode()}${base64.b64encode(digest).decode()}"


def test_hash_is_scrypt_n_2_17_salted_and_verifies():
    a, b = hash_passcode("correct horse battery"), hash_passcode("correct horse battery")
    assert a != b and a.startswith("scrypt$ln=17,r=8,p=1$")
    assert verify_passcode("correct horse battery", a)
    assert not verify_passcode("wrong horse battery", a)
    assert not verify_passcode("x", "garbage")
    assert not verify_passcode("x", "scrypt$ln=40,r=8,p=1$a$b")  # would take hours: refused
    assert not needs_rehash(a)


def test_short_or_uniform_passcodes_are_refused(monkeypatch):
    with pytest.raises(PasscodeError, match="at least 12 characters"):
        check_strength("elevenchars")
    with pytest.raises(PasscodeError, match="5 different characters"):
        check_strength("abababababababab")
    assert check_strength("  twelve-chars  ") == "twelve-chars"
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", "12345678")  # the old minimum
    with pytest.raises(PasscodeError):
        configured_hash()


def test_env_and_secret_sources(monkeypatch, tmp_path):
    assert verify_passcode("from-secrets-toml", configured_hash("from-secrets-toml"))
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", "from-environment")
    stored = configured_hash("from-secrets-toml")
    assert verify_passcode("from-environment", stored)
    assert not verify_passcode("from-secrets-toml", stored)
    assert not (tmp_path / "pass.hash").exists()


def test_generated_once_printed_and_only_hash_stored_mode_0600(capsys, tmp_path):
    stored = configured_hash()
    printed = capsys.readouterr().err
    passcode = printed.split("passcode: ")[1].split()[0]
    assert len(passcode) == 12 and verify_passcode(passcode, stored)
    path = tmp_path / "pass.hash"
    assert passcode not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert configured_hash() == stored and capsys.readouterr().err == ""  # not printed again
    assert [p.name for p in tmp_path.iterdir()] == ["pass.hash"]  # no temporary file left


def test_an_old_hash_file_is_made_private_and_upgraded_at_the_next_sign_in(tmp_path):
    path = tmp_path / "pass.hash"
    old = legacy_hash("generated-passcode")
    path.write_text(old + "\n")
    os.chmod(path, 0o644)
    assert configured_hash() == old
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert verify_passcode("generated-passcode", old) and needs_rehash(old)
    assert upgrade_hash_file("wrong-passcode-xx", old) == old  # only a correct sign-in upgrades
    fresh = upgrade_hash_file("generated-passcode", old)
    assert fresh.startswith("scrypt$ln=17,") and path.read_text().strip() == fresh
    assert verify_passcode("generated-passcode", configured_hash())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_is_not_a_hash_is_reported(tmp_path):
    (tmp_path / "pass.hash").write_text("hunter2\n")
    with pytest.raises(PasscodeError, match="is not a passcode hash"):
        configured_hash()
