"""Load test: 300 synthetic students play every shipped case with 16 worker threads.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_simulate [--students N]``.
SQLite runs on a temporary file; PostgreSQL (``CASEBOOK_TEST_POSTGRES_URL``, default the
local test database) on a fresh schema that is dropped afterwards, or is skipped with the
reason when unreachable. Targets: 0 lost, 0 duplicated, 0 errors, p95 commit latency ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.postgres import fresh_schema

STUDENTS = 300
WORKERS = 16
SEED = 2024
P95_TARGET_MS = 50.0


def run(label: str, url: str, students: int, workers: int) -> bool:
    """Simulate one class on ``url``; print the figures; True when every target is met."""
    from classroom import sessions
    from classroom.simulation import simulate
    from classroom.storage.db import dispose_engine, get_engine
    from scoring.library.loader import load_library

    library = load_library()
    case_ids = sorted(library.cases)
    engine = get_engine(url)
    try:
        info = sessions.create_session(engine, f"Benchmark {label}", case_ids)
        report = simulate(engine, info.code, library, students, workers, SEED)
    finally:
        dispose_engine(url)
    met = report.ok and report.p95_ms <= P95_TARGET_MS
    print(
        f"{label:<10} {students} students × {len(case_ids)} cases × {workers} workers: "
        f"{report.answers_written:,} answers ({report.resends} resent) in "
        f"{report.elapsed_s:.1f} s = {report.throughput:,.0f} answers/s\n"
        f"{'':<10} lost {report.lost}, duplicated {report.duplicates}, errors {report.errors} "
        f"(target 0, 0, 0); commit latency p50 {report.p50_ms:.1f} ms, "
        f"p95 {report.p95_ms:.1f} ms (target ≤ {P95_TARGET_MS:.0f}), max {report.max_ms:.1f} ms"
        f"  {'OK' if met else 'MISSED'}",
        flush=True,
    )
    for message in report.error_messages:
        print(f"{'':<10} error: {message}")
    return met


def main() -> int:
    """Run on SQLite, then PostgreSQL; exit 1 if a target was missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=STUDENTS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    from classroom.simulation import LOAD_TEST_SWITCH_INTERVAL

    sys.setswitchinterval(LOAD_TEST_SWITCH_INTERVAL)  # as `casebook simulate` does
    ok = True
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        ok &= run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args.students, args.workers)
    with fresh_schema() as url:
        if url is not None:
            ok &= run("postgres", url, args.students, args.workers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
