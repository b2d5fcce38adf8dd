"""Signed, timestamped values for cookies and one-time links (itsdangerous), one key per site.

The key is ``CASEBOOK_SECRET_KEY`` (at least 32 characters; the same on every app server), or
else a random key generated on first use and kept in ``data/secret.key`` (or
``CASEBOOK_SECRET_KEY_FILE``, mode 0600), like the generated passcode. Changing the key signs
everybody out. Each use signs with its own ``purpose`` (itsdangerous's salt), so a value
signed for one purpose is never accepted for another. Issue 11's LTI state and nonce cookies
are meant to reuse ``sign``/``unsign`` with purposes of their own.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from classroom.storage.db import PROJECT_ROOT

MIN_KEY_LENGTH = 32


class SigningKeyError(ValueError):
    """The configured signing key cannot be used."""


def key_file() -> Path:
    """Where a generated signing key is kept."""
    default = PROJECT_ROOT / "data" / "secret.key"
    return Path(os.environ.get("CASEBOOK_SECRET_KEY_FILE", default))


def secret_key() -> str:
    """The signing key in force (``CASEBOOK_SECRET_KEY``, else the generated key file)."""
    configured = os.environ.get("CASEBOOK_SECRET_KEY", "").strip()
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise SigningKeyError(
                f"CASEBOOK_SECRET_KEY must be at least {MIN_KEY_LENGTH} characters"
            )
        return configured
    return _generated_key(str(key_file()))


@functools.lru_cache(maxsize=4)
def _generated_key(path_text: str) -> str:
    path = Path(path_text)
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if len(key) >= MIN_KEY_LENGTH:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: when two servers start at once, the first key written wins
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(), salt=f"casebook.{purpose}")


def sign(purpose: str, value: Any) -> str:
    """``value`` (JSON-serialisable), signed with a timestamp for ``purpose``; URL-safe."""
    return _serializer(purpose).dumps(value)


def unsign(purpose: str, token: str | None, max_age: float) -> Any | None:
    """The value signed for ``purpose`` no more than ``max_age`` seconds ago, else None."""
    if not token or len(token) > 4096:
        return None
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired, its subclass
        return None
