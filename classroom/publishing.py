"""Publish a case into the library folder safely, keep every replaced version, restore one.

Decisions:
- The file is ``<cases folder>/<case id>.yaml``: the name comes from the validated id, never
  from an uploaded file name or path.
- The exact bytes written are the bytes validated (after two normalisations made before
  validating: a UTF-8 byte-order mark is dropped, and the first line is made the
  yaml-language-server modeline for ``cases/``, replacing a draft's own modeline). A case
  that fails validation is never written.
- Writing is atomic: a hidden temporary file in the same folder (its name does not end in
  ``.yaml``, so the library never reads a half-written file), fsync, ``os.replace``, fsync of
  the folder.
- The version replaced is archived first as
  ``<cases folder>/.versions/<case id>/<UTC time>-<version>.yaml.bak``. The ``.bak`` suffix
  keeps it out of ``scoring.library.loader.case_files`` (which reads ``*.yaml``/``*.yml`` only), so
  archives are never loaded as cases, and the archive moves with the cases folder.
- ``version`` is ``scoring.library.loader.version_of`` of the file's bytes, the fingerprint an
  attempt records, so ``load_version`` finds the text an attempt was started on.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scoring.errors import CaseError, Problem
from scoring.format.schema import MODELINE
from scoring.format.yaml_reader import MAX_BYTES, YamlError, read_yaml_bytes, read_yaml_file
from scoring.guidance.passages import GuidanceLibrary, load_guidance
from scoring.library.loader import LoadedCase, case_files, cases_dir, load_case_bytes, version_of

ARCHIVE = ".versions"
ARCHIVE_SUFFIX = ".yaml.bak"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_VERSION = re.compile(r"^[0-9a-f]{12}$")
_BOM = b"\xef\xbb\xbf"


class PublishError(Exception):
    """Publishing was refused; nothing on disk changed. ``problems`` lists case problems."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class Published:
    """The outcome of a publish: where the case now lives and what it replaced."""

    case_id: str
    path: Path
    version: str
    previous_version: str | None
    archived: Path | None
    changed: bool


@dataclass(frozen=True)
class ArchivedVersion:
    """A replaced version kept in the archive."""

    case_id: str
    version: str
    saved_at: str
    path: Path


def file_version(raw: bytes) -> str:
    """The version the library gives a file's bytes (a byte-order mark is not part of it)."""
    return version_of(raw[len(_BOM) :] if raw.startswith(_BOM) else raw)


def prepare(raw: bytes) -> bytes:
    """The bytes publishing writes: no byte-order mark, the cases/ schema modeline first."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    first, newline, rest = raw.partition(b"\n")
    if first.strip().startswith(b"# yaml-language-server:"):  # a draft's line may point elsewhere
        raw = rest if newline else b""
    return MODELINE.encode("utf-8") + b"\n" + raw


def _folder(folder: Path | None) -> Path:
    return Path(folder) if folder is not None else cases_dir()


def _archive_dir(folder: Path, case_id: str) -> Path:
    if not _ID.match(case_id):
        raise PublishError(f"'{case_id}' is not a valid case id")
    return folder / ARCHIVE / case_id


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: temporary file, fsync, rename, fsync folder."""
    # Not mkstemp: its files are private (0600). A new case gets an ordinary file's mode
    # under the umask; a replaced one keeps its mode.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            with suppress(FileNotFoundError):
                os.fchmod(f.fileno(), stat.S_IMODE(path.stat().st_mode))
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One publish at a time per cases folder (two educators pressing Publish together).

    The lock is taken on the folder itself, so a refused publish leaves no trace on disk.
    """
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _owner_of(case_id: str, folder: Path, target: Path) -> Path | None:
    """Another file in the folder whose id is ``case_id`` (valid or not), if any."""
    for path in case_files([folder]):
        if path == target:
            continue
        try:
            data = read_yaml_file(path).data
        except YamlError:
            continue
        if data.get("id") == case_id:
            return path
    return None


def validate_upload(raw: bytes, lib: GuidanceLibrary, name: str = "upload") -> LoadedCase:
    """Load bytes as a case, refusing oversized input before parsing; raise CaseError."""
    if len(raw) > MAX_BYTES:
        size = f"{len(raw) / 1048576:.1f} MiB"
        raise CaseError([Problem(name, 1, 1, f"file is {size}; case files must be under 1 MiB")])
    return load_case_bytes(raw, name, lib)


def publish_case(
    raw: bytes, folder: Path | None = None, lib: GuidanceLibrary | None = None
) -> Published:
    """Validate and publish a case as ``<folder>/<id>.yaml``; raise PublishError if refused."""
    folder = _folder(folder)
    lib = lib or load_guidance()
    data = prepare(raw) if len(raw) <= MAX_BYTES else raw
    try:
        loaded = validate_upload(data, lib, "case")
    except CaseError as exc:
        n = len(exc.problems)
        what = f"{n} problem{'s' * (n != 1)}"
        raise PublishError(
            f"Not published: the case has {what}. Fix them and publish again.", exc.problems
        ) from None
    case_id = loaded.case.id
    target = folder / f"{case_id}.yaml"
    if target.resolve().parent != folder.resolve():  # the id pattern already forbids this
        raise PublishError(f"'{case_id}' cannot be used as a file name")
    with _locked(folder):
        owner = _owner_of(case_id, folder, target)
        if owner is not None:
            raise PublishError(
                f"Not published: a case with the id '{case_id}' already exists in "
                f"{owner.name}. Give this case a different id, or edit {owner.name} instead."
            )
        previous = target.read_bytes() if target.exists() else None
        if previous is not None:
            held = _id_in(previous)
            if held not in (None, case_id):
                raise PublishError(
                    f"Not published: {target.name} holds the case '{held}', not '{case_id}'."
                )
        if previous == data:
            return Published(case_id, target, loaded.version, loaded.version, None, False)
        archived = _archive(folder, case_id, previous) if previous is not None else None
        atomic_write(target, data)
    if target.read_bytes() != data:  # pragma: no cover - the rename is atomic
        raise PublishError(f"{target.name} did not read back as written")
    return Published(
        case_id,
        target,
        file_version(data),
        file_version(previous) if previous is not None else None,
        archived,
        True,
    )


def _id_in(raw: bytes) -> str | None:
    try:
        data = read_yaml_bytes(raw, "previous").data
    except YamlError:
        return None
    value = data.get("id")
    return value if isinstance(value, str) else None


def _archive(folder: Path, case_id: str, raw: bytes) -> Path:
    """Keep a replaced version; the same text is kept once."""
    where = _archive_dir(folder, case_id)
    where.mkdir(parents=True, exist_ok=True)
    version = file_version(raw)
    for old in where.glob(f"*-{version}{ARCHIVE_SUFFIX}"):
        return old
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = where / f"{stamp}-{version}{ARCHIVE_SUFFIX}"
    atomic_write(path, raw)
    return path


def list_versions(case_id: str, folder: Path | None = None) -> list[ArchivedVersion]:
    """Archived versions of a case, newest first."""
    where = _archive_dir(_folder(folder), case_id)
    out = []
    for path in where.glob(f"*{ARCHIVE_SUFFIX}"):
        stem = path.name[: -len(ARCHIVE_SUFFIX)]
        stamp, _, version = stem.rpartition("-")
        if not _VERSION.match(version):
            continue
        try:
            when = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        out.append(ArchivedVersion(case_id, version, when.isoformat(timespec="seconds"), path))
    return sorted(out, key=lambda v: v.path.name, reverse=True)


def version_text(case_id: str, version: str, folder: Path | None = None) -> bytes | None:
    """The bytes of a case version: the live file if it is that version, else the archive."""
    folder = _folder(folder)
    if not _VERSION.match(version):
        return None
    where = _archive_dir(folder, case_id)
    live = folder / f"{case_id}.yaml"
    if live.is_file():
        raw = live.read_bytes()
        if file_version(raw) == version:
            return raw
    for path in where.glob(f"*-{version}{ARCHIVE_SUFFIX}"):
        return path.read_bytes()
    return None


def load_version(
    case_id: str,
    version: str,
    lib: GuidanceLibrary | None = None,
    folder: Path | None = None,
) -> LoadedCase | None:
    """The case as it was at ``version`` (live or archived), or None when it is not kept.

    Raises CaseError if that text no longer validates (e.g. a guidance passage was renamed).
    """
    try:
        raw = version_text(case_id, version, folder)
    except PublishError:
        return None
    if raw is None:
        return None
    raw = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    return load_case_bytes(raw, f"{case_id}@{version}", lib or load_guidance())


def restore_version(
    case_id: str, version: str, folder: Path | None = None, lib: GuidanceLibrary | None = None
) -> Published:
    """Publish an archived version again (the version it replaces is archived in turn)."""
    raw = version_text(case_id, version, folder)
    if raw is None:
        raise PublishError(f"There is no version {version} of '{case_id}' to restore.")
    return publish_case(raw, folder, lib)
