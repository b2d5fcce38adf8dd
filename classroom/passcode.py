"""The educator passcode: where it comes from, how it is stored (scrypt hash only), throttling.

Sources, first match wins:
1. environment variable ``CASEBOOK_EDUCATOR_PASSCODE``;
2. ``educator_passcode`` in ``.streamlit/secrets.toml`` (passed in by the UI as ``secret``);
3. a passcode generated on first start: only its scrypt hash is written to
   ``data/educator-passcode.hash`` (or ``CASEBOOK_PASSCODE_FILE``) and the passcode itself is
   printed once to the terminal, like a notebook server's token. Delete the file to get a new
   one. Several app servers sharing one database should set the passcode explicitly (1 or 2).
Passcodes shorter than 8 characters are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MIN_LENGTH = 8
MAX_FAILURES = 10
WINDOW_SECONDS = 5 * 60
LOCKOUT_SECONDS = 5 * 60
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # ~40 ms per check on this machine
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


class PasscodeError(ValueError):
    """A passcode that cannot be used (too short, unreadable hash file)."""


def hash_passcode(passcode: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt>$<hash>`` for a passcode (salted, memory-hard)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(passcode.encode("utf-8"), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_passcode(passcode: str, stored: str) -> bool:
    """True when ``passcode`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, salt, digest = stored.strip().split("$")
        expected = base64.b64decode(digest)
        salt_bytes = base64.b64decode(salt)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(passcode.encode("utf-8"), salt=salt_bytes, **_SCRYPT)
    return hmac.compare_digest(got, expected)


def check_strength(passcode: str) -> str:
    """Return the passcode, or raise PasscodeError if it is too short."""
    if len(passcode.strip()) < MIN_LENGTH:
        raise PasscodeError(f"the educator passcode must be at least {MIN_LENGTH} characters")
    return passcode.strip()


def generate_passcode() -> str:
    """A random 12-character passcode without look-alike characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def passcode_file() -> Path:
    """Where a generated passcode's hash is kept."""
    default = Path(__file__).resolve().parent.parent / "data" / "educator-passcode.hash"
    return Path(os.environ.get("CASEBOOK_PASSCODE_FILE", default))


def configured_hash(secret: str | None = None) -> str:
    """The stored hash to check against, creating (and printing) a passcode if none is set."""
    explicit = os.environ.get("CASEBOOK_EDUCATOR_PASSCODE") or secret
    if explicit:
        return hash_passcode(check_strength(explicit))
    path = passcode_file()
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored.startswith("scrypt$"):
            return stored
        raise PasscodeError(f"{path} is not a passcode hash; delete it to generate a new one")
    passcode = generate_passcode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(hash_passcode(passcode) + "\n", encoding="utf-8")
    os.replace(tmp, path)  # atomic: two servers starting at once never see half a file
    print(
        f"\n  Casebook educator passcode: {passcode}\n  (shown once; only its hash is "
        f"stored in {path}. Set CASEBOOK_EDUCATOR_PASSCODE to choose your own.)\n",
        file=sys.stderr,
        flush=True,
    )
    return passcode_file().read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class ThrottleState:
    """Failed attempts of one browser session (timestamps, seconds)."""

    failures: tuple[float, ...] = ()
    locked_until: float = 0.0


def throttle_check(state: ThrottleState, now: float) -> float:
    """Seconds the session must still wait before another try (0 when it may try)."""
    return max(0.0, state.locked_until - now)


def throttle_fail(state: ThrottleState, now: float) -> ThrottleState:
    """Record a failure; 10 failures within 5 minutes lock the session for 5 minutes."""
    recent: Sequence[float] = [t for t in state.failures if now - t < WINDOW_SECONDS]
    recent = (*recent, now)
    if len(recent) >= MAX_FAILURES:
        return ThrottleState((), now + LOCKOUT_SECONDS)
    return ThrottleState(tuple(recent), state.locked_until)
