"""The educator passcode: where it comes from and how it is stored (a scrypt hash only).

Sources, first match wins:
1. environment variable ``CASEBOOK_EDUCATOR_PASSCODE``;
2. ``educator_passcode`` in ``.streamlit/secrets.toml`` (passed in by the UI as ``secret``);
3. a passcode generated on first start: only its scrypt hash is written to
   ``data/educator-passcode.hash`` (or ``CASEBOOK_PASSCODE_FILE``, mode 0600) and the passcode
   itself is printed once to the terminal, like a notebook server's token. Delete the file to
   get a new one. Several app servers sharing one database should set the passcode explicitly.

A chosen passcode needs at least 12 characters, five of them different. It is plaintext in
the process's environment already, so it is compared through its SHA-256 in memory. What is
written to disk is protected: the generated passcode's file holds a scrypt hash with
N = 2**17, r = 8, p = 1 (the OWASP Password Storage Cheat Sheet's minimum; 128 MiB and
0.3–2 s of one core per check, which the throttle in ``classroom.access.throttle`` keeps rare). A
file written with the older N = 2**14 still verifies and is rewritten with today's parameters
at the next correct sign-in (``upgrade_hash_file``). Wrong guesses are throttled by the
caller (``ui.educator.gate``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

MIN_LENGTH = 12
MIN_DISTINCT = 5
LOG_N, BLOCK_SIZE, PARALLEL = 17, 8, 1
_LEGACY = (14, 8, 1)  # the parameters of hashes written before the "ln=" field existed
_MAX_LOG_N = 20  # refuse hash files that would make one check take seconds
# A passcode from the environment or secrets.toml is plaintext in the process already: it is
# compared through its SHA-256 in memory. scrypt protects what is written to disk.
_IN_MEMORY = "sha256-in-memory$"
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


class PasscodeError(ValueError):
    """A passcode that cannot be used (too short, unreadable hash file)."""


def _scrypt(passcode: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    n = 2**log_n
    # OpenSSL refuses more than 32 MiB unless told: scrypt needs 128 * r * n bytes.
    return hashlib.scrypt(
        passcode.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * r * n * p
    )


def hash_passcode(passcode: str, salt: bytes | None = None, *, log_n: int = LOG_N) -> str:
    """``scrypt$ln=17,r=8,p=1$<salt>$<hash>`` for a passcode (salted, memory-hard).

    ``log_n`` is lower for students' PINs (``classroom.courses.members``), checked by a whole
    class at once; the throttle, not the hash, is what protects a short PIN.
    """
    salt = salt or secrets.token_bytes(16)
    digest = _scrypt(passcode, salt, log_n, BLOCK_SIZE, PARALLEL)
    params = f"ln={log_n},r={BLOCK_SIZE},p={PARALLEL}"
    return f"scrypt${params}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _parse(stored: str) -> tuple[tuple[int, int, int], bytes, bytes]:
    """(log_n, r, p), salt and digest of a stored hash; ValueError if it is not one."""
    parts = stored.strip().split("$")
    if parts[0] != "scrypt" or len(parts) not in (3, 4):
        raise ValueError("not a scrypt hash")
    params = _LEGACY
    if len(parts) == 4:
        fields = dict(item.split("=", 1) for item in parts[1].split(","))
        params = (int(fields["ln"]), int(fields["r"]), int(fields["p"]))
    if not (1 <= params[0] <= _MAX_LOG_N and 1 <= params[1] <= 32 and 1 <= params[2] <= 4):
        raise ValueError("scrypt parameters out of range")
    return params, base64.b64decode(parts[-2], validate=True), base64.b64decode(parts[-1])


def is_hash(stored: str) -> bool:
    """True when ``stored`` is a passcode hash this module can check."""
    try:
        _parse(stored)
    except (ValueError, KeyError):
        return False
    return True


def _memory_hash(passcode: str) -> str:
    return _IN_MEMORY + hashlib.sha256(passcode.encode("utf-8")).hexdigest()


def verify_passcode(passcode: str, stored: str) -> bool:
    """True when ``passcode`` matches the stored hash (constant-time comparison)."""
    if stored.startswith(_IN_MEMORY):
        return hmac.compare_digest(_memory_hash(passcode), stored)
    try:
        params, salt, expected = _parse(stored)
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(_scrypt(passcode, salt, *params), expected)


def needs_rehash(stored: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        params, _, _ = _parse(stored)
    except (ValueError, KeyError):
        return False
    return params < (LOG_N, BLOCK_SIZE, PARALLEL)


def check_strength(passcode: str) -> str:
    """Return the passcode, or raise PasscodeError if it is too short or too uniform."""
    chosen = passcode.strip()
    if len(chosen) < MIN_LENGTH:
        raise PasscodeError(f"the educator passcode must be at least {MIN_LENGTH} characters")
    if len(set(chosen)) < MIN_DISTINCT:
        raise PasscodeError(
            f"the educator passcode must use at least {MIN_DISTINCT} different characters"
        )
    return chosen


def generate_passcode() -> str:
    """A random 12-character passcode without look-alike characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def passcode_file() -> Path:
    """Where a generated passcode's hash is kept."""
    default = Path(__file__).resolve().parents[2] / "data" / "educator-passcode.hash"
    return Path(os.environ.get("CASEBOOK_PASSCODE_FILE", default))


def configured_hash(secret: str | None = None) -> str:
    """The hash to check against, creating (and printing) a passcode if none is set."""
    explicit = os.environ.get("CASEBOOK_EDUCATOR_PASSCODE") or secret
    if explicit:
        return _memory_hash(check_strength(explicit))
    path = passcode_file()
    if path.exists():
        _private(path)
        stored = path.read_text(encoding="utf-8").strip()
        if is_hash(stored):
            return stored
        raise PasscodeError(f"{path} is not a passcode hash; delete it to generate a new one")
    passcode = generate_passcode()
    _write_private(path, hash_passcode(passcode))
    print(
        f"\n  Casebook educator passcode: {passcode}\n  (shown once; only its hash is "
        f"stored in {path}. Set CASEBOOK_EDUCATOR_PASSCODE to choose your own.)\n",
        file=sys.stderr,
        flush=True,
    )
    return passcode_file().read_text(encoding="utf-8").strip()


def upgrade_hash_file(passcode: str, stored: str) -> str:
    """After a correct sign-in, rewrite an old-parameter hash file with today's parameters.

    Returns the hash now in force. Only the generated passcode's file is rewritten (a
    passcode from the environment or secrets.toml is hashed afresh at every start), and only
    if it still holds ``stored``, so two servers upgrading at once cannot undo each other.
    """
    path = passcode_file()
    if not needs_rehash(stored) or not verify_passcode(passcode, stored):
        return stored
    try:
        if path.read_text(encoding="utf-8").strip() != stored.strip():
            return stored
    except OSError:
        return stored
    fresh = hash_passcode(passcode)
    _write_private(path, fresh)
    return fresh


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by this user only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    os.replace(tmp, path)  # atomic: two servers starting at once never see half a file


def _private(path: Path) -> None:
    """Make a hash file written by an older version (mode 0644) private to this user."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # not ours to change (a read-only mount): reading it still works
        pass
