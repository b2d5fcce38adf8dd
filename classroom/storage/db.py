"""Database engines, migrations on start, and storage faults as messages a person can act on.

SQLite runs in WAL mode and every write transaction starts with ``BEGIN IMMEDIATE``, so
concurrent writers queue on the busy timeout instead of failing or interleaving. PostgreSQL
needs nothing special beyond ``pool_pre_ping``. An engine is a connection pool, shared by all
users of a process; no per-user data lives here.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 5000
# First key of the two-key advisory lock taken around migrations; the second is the schema.
_MIGRATION_LOCK = 0x43415345
_PG_MIGRATION_LOCK = sa.text(
    "SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '')))"
)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()

P = ParamSpec("P")
R = TypeVar("R")


class StorageError(Exception):
    """The database could not be used; the message says why and what happened to the data."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def database_url() -> str:
    """``CASEBOOK_DATABASE_URL``, else a SQLite file in the project's ``data/`` folder."""
    url = os.environ.get("CASEBOOK_DATABASE_URL", "").strip()
    if url:
        return url
    folder = PROJECT_ROOT / "data"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'casebook.db'}"


def is_sqlite(engine: Engine | Connection) -> bool:
    """True for a SQLite engine or connection."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """A configured engine for ``url``, not cached and not migrated (tests and tools)."""
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is what is installed
    if parsed.get_backend_name() == "sqlite":
        # The driver must not issue its own BEGIN: the "begin" event below does it.
        engine = sa.create_engine(
            parsed, connect_args={"isolation_level": None}, pool_size=10, max_overflow=20
        )
        writers = _WriteQueue()
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", writers.begin)
        sa.event.listen(engine, "commit", writers.end)
        sa.event.listen(engine, "rollback", writers.end)
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = 5
    # More connections than simulate's 16 workers or a class's concurrent clicks, so nobody
    # waits for a free connection (the default 5 + 10 made the 16th writer queue).
    return sa.create_engine(
        parsed, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # busy_timeout first: switching to WAL itself may wait for another process's lock.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    _switch_to_wal(cursor)
    # NORMAL in WAL mode survives a killed process; only a power cut can lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # On a brand-new file, connections racing to switch the journal mode can get "locked"
    # without the busy handler being consulted (SQLite's deadlock avoidance); retry instead.
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class _WriteQueue:
    """Serialize one process's SQLite write transactions on a lock before ``BEGIN IMMEDIATE``.

    IMMEDIATE takes the write lock up front, so read-then-write cannot interleave; read-only
    helpers ask for DEFERRED so a dashboard never waits behind writers. SQLite's busy handler
    is unfair (sleep-and-retry): with 16 writer threads one could starve past busy_timeout.
    Queueing on a Python lock first is first-come first-served inside the process; the busy
    timeout still arbitrates between processes.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def begin(self, conn: Connection) -> None:
        """Start a transaction; writers take the process lock first."""
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode == "IMMEDIATE":
            self._lock.acquire()
            conn.info["casebook_write_lock"] = True
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            self.end(conn)
            raise

    def end(self, conn: Connection) -> None:
        """Release the process lock when a write transaction ends."""
        if conn.info.pop("casebook_write_lock", False):
            self._lock.release()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A short read-only transaction (``BEGIN DEFERRED`` on SQLite)."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn = conn.execution_options(sqlite_begin="DEFERRED")
        with conn.begin():
            yield conn


def _alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


# Constraint violations and SQL errors are bugs in Casebook, not the database being unusable.
_BUGS = (
    sa_exc.IntegrityError,
    sa_exc.ProgrammingError,
    sa_exc.DataError,
    sa_exc.NotSupportedError,
)
# sqlite3 reports bad SQL as OperationalError, like a locked or unreadable file.
_SQLITE_BUGS = ("no such table", "no such column", "syntax error", "has no column")


def _is_bug(exc: Exception) -> bool:
    if isinstance(exc, _BUGS):
        return True
    detail = str(getattr(exc, "orig", "")).lower()
    return any(marker in detail for marker in _SQLITE_BUGS)


def translate_errors(consequence: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: database faults raised by the function become ``StorageError``."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except (sa_exc.DBAPIError, sa_exc.TimeoutError) as exc:
                if _is_bug(exc):
                    raise
                raise storage_error(exc, _url_of(args[0] if args else None), consequence) from exc

        return wrapper

    return decorate


def _url_of(target: object) -> URL | None:
    if isinstance(target, Engine | Connection):
        return target.engine.url
    try:
        return sa.make_url(str(target or database_url()))
    except sa_exc.ArgumentError:
        return None


@translate_errors("The database was not updated.")
def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision``, safe when several processes start."""
    _upgrade(engine, revision)


def _upgrade(engine: Engine, revision: str) -> None:
    with engine.connect() as conn:
        if is_sqlite(conn):
            _upgrade_sqlite(conn, revision)
            return
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # Released at commit; a second process then finds the schema at head.
                conn.execute(_PG_MIGRATION_LOCK, {"key": _MIGRATION_LOCK})
            command.upgrade(_alembic_config(conn), revision)


def _upgrade_sqlite(conn: Connection, revision: str) -> None:
    # SQLite rebuilds a table to add a foreign key; with foreign keys on, dropping the old
    # table would cascade-delete its children. The pragma only works outside a transaction.
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        with conn.begin():
            command.upgrade(_alembic_config(conn), revision)
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


@translate_errors("Casebook cannot start until it is reachable.")
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default ``database_url()``), migrated to head."""
    url = url or database_url()
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            try:
                _upgrade(engine, "head")
            except BaseException:
                engine.dispose()
                raise
            _engines[url] = engine
    return engine


def dispose_engine(url: str) -> None:
    """Close and forget the cached engine for ``url`` (tests, or before deleting a database)."""
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def describe_url(url: URL | None) -> str:
    """Where the database is, without password or connection options."""
    if url is None:
        return "unknown database"
    backend = url.get_backend_name()
    if backend == "sqlite":
        return f"sqlite file {url.database}" if url.database else "in-memory sqlite"
    user = f"{url.username}@" if url.username else ""
    port = f":{url.port}" if url.port else ""
    return f"{backend}://{user}{url.host or 'localhost'}{port}/{url.database or ''}"


_REASONS = (
    (("connection refused",), "not reachable", "connection refused"),
    (("could not translate host", "name or service not known"), "not reachable", "unknown host"),
    (("timeout expired", "timed out"), "not reachable", "connection timed out"),
    (("password authentication", "no pg_hba.conf"), "not reachable", "login refused"),
    (("does not exist",), "not reachable", "no such database or user"),
    (
        ("server closed the connection", "terminating connection", "connection is closed"),
        "not reachable",
        "the connection was lost",
    ),
    (("database is locked", "database is busy"), "busy", "another writer held it too long"),
    (("readonly", "read-only"), "read-only", "it accepts no changes"),
    (("unable to open database file",), "not reachable", "the file cannot be opened"),
    (("disk i/o", "disk is full", "no space left"), "failing", "disk error"),
)


def storage_error(exc: Exception, url: URL | None, consequence: str) -> StorageError:
    """A ``StorageError`` for a driver fault: where, why, and what it means for the user."""
    detail = str(getattr(exc, "orig", None) or exc)
    lowered = detail.lower()
    state, reason = "failing", ""
    for needles, found_state, found_reason in _REASONS:
        if any(n in lowered for n in needles):
            state, reason = found_state, found_reason
            break
    if isinstance(exc, sa_exc.TimeoutError):
        state, reason = "busy", "no free connection"
    if not reason:
        reason = detail.strip().splitlines()[0][:200] if detail.strip() else type(exc).__name__
        if url is not None and url.password:
            reason = reason.replace(str(url.password), "***")
    message = f"The database is {state} ({describe_url(url)}): {reason}. {consequence}"
    return StorageError(message, reason)
