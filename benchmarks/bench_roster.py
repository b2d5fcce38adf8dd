"""Time roster imports and students' sign-in, on SQLite (a temporary file) and PostgreSQL.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_roster``. Figures:

- importing the largest roster allowed (``MAX_ROWS`` = 10,000 students, a new course) and
  importing it again (every student matched, 10 % renamed); target ≤ 2 s each, so an upload
  on the Courses page answers well inside a page's patience;
- parsing alone (``read_roster``, no database);
- one student's sign-in (first, setting the PIN; then with it), which includes the scrypt
  hash (N = 2**14) and the throttle checks; target ≤ 250 ms, so a class of 40 signing in at
  once on two cores is through in a few seconds.

Each figure is the best of three runs (wall clock); the machine is shared.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.postgres import fresh_schema

REPEATS = 3
IMPORT_TARGET_S, SIGN_IN_TARGET_S = 2.0, 0.25


def roster_bytes(n: int, renamed_every: int = 0) -> bytes:
    """A plain roster of ``n`` students (every ``renamed_every``-th with a new name)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student_id", "name", "email", "section"])
    for i in range(n):
        name = f"Student {i:05d}" + (" Renamed" if renamed_every and i % renamed_every == 0 else "")
        writer.writerow([f"N{i:05d}", name, f"s{i:05d}@example.org", "A" if i % 2 else "B"])
    return out.getvalue().encode("utf-8")


def best(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Best wall time of ``fn()`` in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def run(url: str, label: str) -> bool:
    """Print the figures for one database; True when every target is met."""
    from classroom.courses import courses, members, roster
    from classroom.courses.roster_file import MAX_ROWS
    from classroom.storage.db import dispose_engine, get_engine

    engine = get_engine(url)
    first, again = roster_bytes(MAX_ROWS), roster_bytes(MAX_ROWS, renamed_every=10)
    try:

        def fresh_import() -> None:
            course = courses.create_course(engine, "Benchmark")
            report = roster.import_roster(engine, course.id, first, "bench.csv")
            assert report.added == MAX_ROWS

        new = best(fresh_import)
        course = courses.create_course(engine, "Re-import")
        roster.import_roster(engine, course.id, first, "bench.csv")
        reimport = best(lambda: roster.import_roster(engine, course.id, again, "bench.csv"))
        sign_ins = []
        for i in range(REPEATS):
            started = time.perf_counter()
            members.sign_in_member(engine, course.id, f"N{i:05d}", "604218", "local")
            sign_ins.append(time.perf_counter() - started)
        later = best(lambda: members.sign_in_member(engine, course.id, "N00000", "604218", "local"))
    finally:
        dispose_engine(url)
    ok = new <= IMPORT_TARGET_S and reimport <= IMPORT_TARGET_S
    ok = ok and min(sign_ins) <= SIGN_IN_TARGET_S and later <= SIGN_IN_TARGET_S
    print(
        f"{label}: import {MAX_ROWS:,} new students {new * 1000:.0f} ms, re-import "
        f"(10% renamed) {reimport * 1000:.0f} ms (target ≤ {IMPORT_TARGET_S:g} s); sign-in "
        f"setting the PIN {min(sign_ins) * 1000:.0f} ms, with it {later * 1000:.0f} ms "
        f"(target ≤ {SIGN_IN_TARGET_S * 1000:.0f} ms)"
    )
    return ok


def main() -> int:
    """Every figure, both databases."""
    from classroom.courses.roster_file import MAX_ROWS, read_roster

    data = roster_bytes(MAX_ROWS)
    print(
        f"parse {MAX_ROWS:,} rows ({len(data) / 1e6:.1f} MB): "
        f"{best(lambda: read_roster(data, 'bench.csv')) * 1000:.0f} ms"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        ok &= run(f"sqlite:///{Path(tmp) / 'bench.db'}", "sqlite")
    with fresh_schema() as pg:
        if pg:
            ok &= run(pg, "postgres")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
