"""The tool's key: generated on first use with mode 0600, rotatable, published as a JWKS."""

from __future__ import annotations

import pytest
from jwcrypto.jwk import JWK

from classroom.lti import keys


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "data" / "lti-tool-key.pem"
    monkeypatch.setenv("CASEBOOK_LTI_KEY_FILE", str(path))
    return path


def test_the_key_is_made_on_first_use_readable_by_its_owner_only(key_file):
    assert not key_file.exists()
    pem = keys.private_key()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert JWK.from_pem(pem.encode()).has_private
    assert keys.private_key() == pem  # made once


def test_a_rotation_publishes_the_new_key_first_and_keeps_the_previous(key_file):
    old = keys.key_id()
    new = keys.rotate_key()
    assert new != old and keys.key_id() == new
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new, old]
    assert keys.previous_key_file().stat().st_mode & 0o777 == 0o600
    newest = keys.rotate_key()
    assert [k["kid"] for k in keys.jwks()["keys"]] == [newest, new]  # the oldest is dropped
    assert all("d" not in k for k in keys.jwks()["keys"])  # public halves only
