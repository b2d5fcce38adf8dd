"""Engines, connection settings, migrations on start and storage faults, on real databases."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from classroom import attempts
from classroom.storage import db
from classroom.storage.db import MIGRATIONS, StorageError, get_engine, make_engine, upgrade

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()

TABLES = {"learner", "attempt", "answer", "class_session", "participant", "alembic_version"}


def test_database_url_defaults_to_sqlite_in_data_folder(monkeypatch):
    monkeypatch.delenv("CASEBOOK_DATABASE_URL", raising=False)
    url = db.database_url()
    assert url == f"sqlite:///{db.PROJECT_ROOT / 'data' / 'casebook.db'}"
    assert (db.PROJECT_ROOT / "data").is_dir()


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("CASEBOOK_DATABASE_URL", "postgresql+psycopg://u@h:5432/d")
    assert db.database_url() == "postgresql+psycopg://u@h:5432/d"


def test_sqlite_connection_settings(sqlite_url):
    engine = get_engine(sqlite_url)
    with engine.connect() as conn:
        pragma = conn.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert pragma("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_MS


def test_sqlite_foreign_keys_enforced(sqlite_url):
    engine = get_engine(sqlite_url)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO attempt (learner_id, case_id, case_version, kind, status) "
            "VALUES (999, 'c', 'v', 'case', 'open')"
        )


def test_sqlite_transactions_take_the_write_lock_at_begin(sqlite_url, tmp_path):
    engine = get_engine(sqlite_url)
    other = sqlite3.connect(tmp_path / "casebook.db", timeout=0, isolation_level=None)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")  # a read only, yet the write lock is held
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again after commit
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_sqlite_reads_do_not_wait_for_writers(sqlite_url, tmp_path):
    engine = get_engine(sqlite_url)
    token = attempts.new_learner(engine)
    other = sqlite3.connect(tmp_path / "casebook.db", timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        assert attempts.learner_exists(engine, token)
        assert attempts.list_attempts(engine, token) == []
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.postgres
def test_postgres_engine_pings_and_uses_its_schema(pg_url):
    engine = get_engine(pg_url)
    assert engine.pool._pre_ping
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT current_schema()").scalar().startswith("t_")


def test_get_engine_migrates_to_head(db_url):
    engine = get_engine(db_url)
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD


def test_get_engine_is_one_engine_per_url(db_url):
    assert get_engine(db_url) is get_engine(db_url)


def test_upgrade_twice_is_harmless(db_url):
    engine = get_engine(db_url)
    token = attempts.new_learner(engine)
    upgrade(engine)
    assert attempts.learner_exists(engine, token)


def test_concurrent_upgrades_on_a_new_database(db_url):
    """Several servers starting at once: one migrates, the others wait and find it done."""
    engines = [make_engine(db_url) for _ in range(4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(engines))

    def start(engine: sa.Engine) -> None:
        barrier.wait()
        try:
            upgrade(engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        with engines[0].connect() as conn:
            versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        assert versions == [(HEAD,)]
    finally:
        for e in engines:
            e.dispose()


def test_read_only_sqlite_raises_storage_error(sqlite_url, tmp_path):
    engine = get_engine(sqlite_url)
    token = attempts.new_learner(engine)
    attempt = attempts.start_attempt(engine, token, "case-a", "v1")
    read_only = make_engine(f"sqlite:///file:{tmp_path / 'casebook.db'}?mode=ro&uri=true")
    try:
        assert attempts.get_attempt(read_only, token, attempt.id) == attempt
        with pytest.raises(StorageError) as caught:
            attempts.record_answer(read_only, token, attempt.id, "s1", **ANSWER)
    finally:
        read_only.dispose()
    message = str(caught.value)
    assert "read-only" in message
    assert "Your answer was not saved" in message


def test_locked_sqlite_raises_storage_error_after_busy_timeout(sqlite_url, tmp_path, monkeypatch):
    engine = get_engine(sqlite_url)
    token = attempts.new_learner(engine)
    attempt = attempts.start_attempt(engine, token, "case-a", "v1")
    monkeypatch.setattr(db, "SQLITE_BUSY_MS", 100)
    impatient = make_engine(sqlite_url)
    other = sqlite3.connect(tmp_path / "casebook.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError, match="busy"):
            attempts.record_answer(impatient, token, attempt.id, "s1", **ANSWER)
    finally:
        other.execute("ROLLBACK")
        other.close()
        impatient.dispose()
    assert attempts.answers(engine, token, attempt.id) == []


def test_bugs_are_not_disguised_as_storage_errors(db_url):
    engine = get_engine(db_url)

    @db.translate_errors("x")
    def broken(engine: sa.Engine) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(sa.exc.DBAPIError) as caught:
        broken(engine)
    assert not isinstance(caught.value, StorageError)


ANSWER = {
    "response": ["a"],
    "points": 1,
    "max_points": 1,
    "rule": "0/1",
    "skill": "recognize_cues",
    "item_type": "multiple_choice",
    "must_avoid": [],
    "next_step": "s2",
}


def test_plain_postgres_urls_use_psycopg_3():
    for url in ("postgresql://u@h/d", "postgres://u@h/d"):
        engine = make_engine(url)
        assert engine.dialect.driver == "psycopg"
        engine.dispose()


def test_storage_modules_do_not_import_streamlit():
    code = (
        "import sys\n"
        "import classroom.attempts, classroom.storage.db, classroom.storage.schema\n"
        "import classroom.sessions\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
