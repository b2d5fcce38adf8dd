"""The tool's RSA key: generated on first use, kept under ``data/`` (mode 0600), rotatable.

``CASEBOOK_LTI_KEY_FILE`` (default ``data/lti-tool-key.pem``) holds the private key in PEM. Several
app servers must share one file (or the same file's content). ``rotate_key`` keeps the key it
replaces beside it (``….previous.pem``) and still publishes its public half at ``/lti/jwks``, so a
platform can verify what was signed just before the rotation; the next rotation drops it.
Key ids are the RFC 7638 thumbprints that PyLTI1p3 puts in the ``kid`` of what it signs.
"""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path
from typing import Any

from jwcrypto.jwk import JWK
from pylti1p3.registration import Registration

from classroom.storage.db import PROJECT_ROOT

KEY_BITS = 2048


def key_file() -> Path:
    """Where the tool's private key is kept."""
    default = PROJECT_ROOT / "data" / "lti-tool-key.pem"
    return Path(os.environ.get("CASEBOOK_LTI_KEY_FILE", default))


def previous_key_file() -> Path:
    """Where the key replaced by the last rotation is kept."""
    path = key_file()
    return path.with_name(path.stem + ".previous.pem")


def _new_pem() -> str:
    key = JWK.generate(kty="RSA", size=KEY_BITS)
    return key.export_to_pem(private_key=True, password=None).decode("ascii")


def _write_private(path: Path, pem: str, *, exclusive: bool) -> None:
    """Write a key readable by its owner only; a replacement lands whole (rename), never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path if exclusive else path.with_name(path.name + ".new")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(pem)
    os.chmod(target, 0o600)
    if target != path:
        os.replace(target, path)


def private_key() -> str:
    """The tool's private key (PEM), generated now if there is none."""
    path = key_file()
    return _load(str(path), path.stat().st_mtime_ns if path.exists() else 0)


@functools.lru_cache(maxsize=4)
def _load(path_text: str, _mtime: int) -> str:
    path = Path(path_text)
    if not path.exists():
        # O_EXCL: when two servers start at once, the first key written wins
        with contextlib.suppress(FileExistsError):
            _write_private(path, _new_pem(), exclusive=True)
    return path.read_text(encoding="ascii")


def public_key(pem: str | None = None) -> str:
    """The public half (PEM) of ``pem``, by default of the tool's key."""
    return _public_half(pem or private_key())


@functools.lru_cache(maxsize=8)
def _public_half(pem: str) -> str:  # loading a private key costs ~50 ms: once per key
    key = JWK.from_pem(pem.encode("ascii"))
    return key.export_to_pem(private_key=False).decode("ascii")


def key_id(pem: str | None = None) -> str:
    """The ``kid`` of a key: what PyLTI1p3 writes in the header of what it signs."""
    return str(Registration.get_jwk(public_key(pem))["kid"])


def jwks() -> dict[str, list[dict[str, Any]]]:
    """The JSON Web Key Set served at ``/lti/jwks``: the current key, then the previous one."""
    keys = [dict(Registration.get_jwk(public_key()))]
    previous = previous_key_file()
    if previous.exists():
        keys.append(dict(Registration.get_jwk(public_key(previous.read_text(encoding="ascii")))))
    return {"keys": keys}


def rotate_key() -> str:
    """Replace the tool's key with a new one; returns the new ``kid``."""
    current = private_key()
    _write_private(previous_key_file(), current, exclusive=False)
    pem = _new_pem()
    _write_private(key_file(), pem, exclusive=False)
    return key_id(pem)
