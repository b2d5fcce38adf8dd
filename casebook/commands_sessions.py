"""Commands on class sessions: create, list, open, close, end, release; simulate; report.

The database is ``CASEBOOK_DATABASE_URL`` (default: the SQLite file under ``data/``). A
database fault, an unknown join code or a refused change prints one line and exits 1.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
import pandas as pd
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from classroom import closing, sessions
from classroom.analytics.dashboard import build_dashboard, session_frames
from classroom.analytics.exports import exports_for, to_csv_bytes, to_xlsx_bytes, workbook_sheets
from classroom.simulation import LOAD_TEST_SWITCH_INTERVAL
from classroom.simulation import simulate as run_simulation
from classroom.storage import db
from scoring.errors import CaseError
from scoring.format.problems import did_you_mean
from scoring.library.loader import CaseLibrary, load_library

DEFAULT_PUBLIC_URL = "http://localhost:8501"
JOIN_PAGE = "join"


class _Failure(Exception):
    """A problem to report in one line before exiting 1."""


@contextmanager
def _clean_failures() -> Iterator[None]:
    """Turn expected failures into ``casebook: message`` and exit 1, never a traceback."""
    try:
        yield
    except db.StorageError as exc:
        _fail(exc.message)
    except (_Failure, ValueError) as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    click.echo(f"casebook: {message}", err=True)
    raise SystemExit(1)


def _engine() -> Engine:
    url = db.database_url()
    try:
        return db.get_engine(url)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as exc:
        raise _Failure(f"CASEBOOK_DATABASE_URL is not a usable database URL ({exc})") from None


def _library() -> CaseLibrary:
    try:
        return load_library()
    except CaseError as exc:
        raise _Failure(f"the guidance documents have problems: {exc.problems[0]}") from None


def _session(engine: Engine, code: str) -> sessions.SessionInfo:
    info = sessions.get_session(engine, code)
    if info is None:
        raise _Failure(f"no class session has the code {sessions.normalize_code(code)!r}")
    return info


def join_url(code: str, base: str | None = None) -> str:
    """The link students open to join (``CASEBOOK_PUBLIC_URL``, default localhost:8501)."""
    root = (base or os.environ.get("CASEBOOK_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
    return f"{root}/{JOIN_PAGE}?code={code}"


@click.group("session")
def session_group() -> None:
    """Create and manage class sessions (join codes)."""


@session_group.command("create")
@click.option("--title", required=True, help="Title students see when they join.")
@click.option("--case", "case_ids", multiple=True, required=True, help="Case id (repeatable).")
@click.option("--mode", type=click.Choice(sessions.MODES), default="practice", show_default=True)
@click.option("--time-limit", type=click.IntRange(min=1), help="Minutes per case (exam mode).")
@click.option("--base-url", help="Public address of the app (default CASEBOOK_PUBLIC_URL).")
def create(
    title: str, case_ids: tuple[str, ...], mode: str, time_limit: int | None, base_url: str | None
) -> None:
    """Create an open session; print its join code and join URL."""
    with _clean_failures():
        library = _library()
        for case_id in case_ids:
            if library.get(case_id) is None:
                raise _Failure(
                    f"unknown case id {case_id!r}" + did_you_mean(case_id, list(library.cases))
                )
        info = sessions.create_session(
            _engine(), title, list(case_ids), mode=mode, time_limit_minutes=time_limit
        )
    click.echo(f"Session {info.code} created: {info.title} ({info.mode}, {len(case_ids)} cases)")
    click.echo(f"Join code: {info.code}")
    click.echo(f"Join URL:  {join_url(info.code, base_url)}")


@session_group.command("list")
def list_() -> None:
    """List sessions, newest first: code, state, mode, cases, title."""
    with _clean_failures():
        found = sessions.list_sessions(_engine())
    if not found:
        click.echo("No class sessions yet.", err=True)
        return
    for info in found:
        state = (
            ("open" if info.is_open else "closed")
            + (", ended" if not info.answering else "")
            + (", released" if info.results_released else "")
        )
        created = info.created_at.strftime("%Y-%m-%d %H:%M UTC")
        cases = f"{len(info.case_ids)} case{'s' * (len(info.case_ids) != 1)}"
        click.echo(f"{info.code}\t{state}\t{info.mode}\t{cases}\t{created}\t{info.title}")


def _change(action: Callable[[Engine, str], sessions.SessionInfo], code: str, done: str) -> None:
    with _clean_failures():
        info = action(_engine(), code)
    click.echo(f"Session {info.code} {done}.")


@session_group.command("open")
@click.argument("code")
def open_(code: str) -> None:
    """Open session CODE for joining."""
    _change(lambda e, c: sessions.set_open(e, c, True), code, "is open for joining")


@session_group.command("close")
@click.argument("code")
def close(code: str) -> None:
    """Stop new joiners: close session CODE to new participants and new attempts.

    Students who started can still finish; `casebook session end` stops answering.
    """
    _change(lambda e, c: sessions.set_open(e, c, False), code, "is closed to new participants")


def _end(engine: Engine, code: str) -> str:
    info, finished = closing.end_answering(engine, code, _library())
    return (
        f"Session {info.code} has ended: no more answers are accepted; "
        f"{finished} attempt{'s' * (finished != 1)} still open {'were' if finished != 1 else 'was'}"
        " finished with what they had (work not done counts 0)."
    )


@session_group.command("end")
@click.argument("code")
def end(code: str) -> None:
    """Stop answering now: refuse every answer in session CODE and finish open attempts.

    It cannot be undone; the session is also closed to new participants.
    """
    with _clean_failures():
        message = _end(_engine(), code)
    click.echo(message)


@session_group.command("release")
@click.argument("code")
@click.option("--end", "end_first", is_flag=True, help="Stop answering first (as `session end`).")
def release(code: str, end_first: bool) -> None:
    """Release the results of session CODE; it also stops new joiners and new attempts.

    Students still answering see their feedback only once they finish; with --end, answering
    stops first.
    """
    with _clean_failures():
        engine = _engine()
        if end_first:
            click.echo(_end(engine, code))
        info = sessions.release_results(engine, code)
        still = sessions.answering_count(engine, info.code)
    click.echo(f"Session {info.code} has released its results and is closed to new participants.")
    if still:
        click.echo(
            f"{still} attempt{'s are' if still != 1 else ' is'} still open: "
            "they see their results only when they finish."
        )


@click.command()
@click.argument("code")
@click.option("--students", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=256), default=4, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same answers.")
def simulate(code: str, students: int, workers: int, seed: int) -> None:
    """Play synthetic students through session CODE concurrently (demos, load tests).

    Exits 1 if any answer was lost, duplicated or refused.
    """
    with _clean_failures():
        engine = _engine()
        info = _session(engine, code)
        if not info.is_open:
            raise _Failure(
                f"session {info.code} is closed; open it first (casebook session open {info.code})"
            )
        library = _library()
        label = f"{students} students × {len(info.case_ids)} cases"
        default_interval = sys.getswitchinterval()
        sys.setswitchinterval(LOAD_TEST_SWITCH_INTERVAL)
        try:
            with click.progressbar(length=students, label=label, file=sys.stderr) as bar:
                report = run_simulation(
                    engine, info.code, library, students, workers, seed, bar.update
                )
        finally:
            sys.setswitchinterval(default_interval)
    click.echo(report.summary())
    for message in report.error_messages:
        click.echo(f"  error: {message}", err=True)
    if not report.ok:
        raise SystemExit(1)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN as null, timestamps as ISO 8601 (UTC)."""
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))


def _finite(value: Any) -> Any:
    """NaN (a statistic that is undefined) as JSON null."""
    return None if isinstance(value, float) and math.isnan(value) else value


@click.command()
@click.argument("code")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True
)
@click.option(
    "--table",
    type=click.Choice(["gradebook", "attempts", "scores", "responses", "items"]),
    default="gradebook",
    show_default=True,
    help="Which table a CSV holds (XLSX and JSON hold them all).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File.")
def report(code: str, fmt: str, table: str, output: Path | None) -> None:
    """Export session CODE: the gradebook (student, student_id, learner_id, points, max_points,
    percent, raw_percent, capped, must_avoid), every attempt's score, per-student scores,
    per-item responses and the item analysis (each item with its n), as CSV, XLSX (one sheet
    each) or JSON.

    percent is the reported score, the one students and the dashboard see. Times are UTC.
    """
    with _clean_failures():
        engine = _engine()
        info = _session(engine, code)
        board = build_dashboard(session_frames(engine, info.code), _library())
        tables = exports_for(board)
        if fmt == "csv":
            payload = to_csv_bytes(tables[table])
        elif fmt == "xlsx":
            if output is None and sys.stdout.isatty():
                raise _Failure("an XLSX workbook is binary: give --output FILE")
            payload = to_xlsx_bytes(workbook_sheets(board))
        else:
            document = {
                "session": {
                    "code": info.code,
                    "title": info.title,
                    "mode": info.mode,
                    "cases": list(info.case_ids),
                    "open": info.is_open,
                    "answering": info.answering,
                    "results_released": info.results_released,
                },
                "test": {k: _finite(v) for k, v in dataclasses.asdict(board.test).items()},
                **{name: _records(frame) for name, frame in tables.items()},
            }
            payload = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        write_payload(payload, output)


def write_payload(payload: bytes, output: Path | None) -> None:
    """An export to ``output``, or to standard output when none is given (a bad path: _Failure)."""
    if output is None:
        click.echo(payload, nl=False)  # bytes go to the binary stdout unchanged
        return
    try:
        output.write_bytes(payload)
    except OSError as exc:
        raise _Failure(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output} ({len(payload):,} bytes).", err=True)
