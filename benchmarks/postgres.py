"""A throwaway PostgreSQL schema for a benchmark run, so figures never touch real data; and
the run of one benchmark on both databases."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_schema() -> Iterator[str | None]:
    """The URL of a new schema on ``CASEBOOK_TEST_POSTGRES_URL`` (None when unreachable)."""
    base = os.environ.get("CASEBOOK_TEST_POSTGRES_URL", DEFAULT_URL)
    admin = sa.create_engine(base, connect_args={"connect_timeout": 3})
    schema = f"bench_{secrets.token_hex(4)}"
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as exc:
        print(f"postgres skipped: not reachable ({str(exc.orig).splitlines()[0]})")
        admin.dispose()
        yield None
        return
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def on_both_engines(bench: Callable[[str, str], bool]) -> int:
    """``bench(engine name, URL)`` on a fresh SQLite file, then on PostgreSQL when reachable;
    the exit status: 1 if a target was missed."""
    ok = True
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        ok &= bench("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}")
    with fresh_schema() as url:
        if url is not None:
            ok &= bench("postgres", url)
    return 0 if ok else 1
