"""Time a term: a course gradebook of 300 students × 20 sessions, and one student's term view.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_gradebook``. Each figure is
the best of five runs (wall clock, CPU beside it). A course of 300 rostered students and 20
class sessions of two shipped cases each is planned with the simulator (real answers, scores
and branches) and bulk inserted into SQLite (a temporary file) and PostgreSQL (a fresh
schema, dropped after; skipped when unreachable). The last session is still running: a
third of its attempts are open, so the gradebook sums their answers as well as reading
stored scores. Targets: the gradebook from the database ≤ 1 s; a student's term view
≤ 200 ms. For comparison it also times the way a course would be read without its own
query path: each session's ``session_frames`` + ``attempt_scores`` in turn.
"""

from __future__ import annotations

import sys
from typing import Any

from benchmarks.bench_dashboard import timed
from benchmarks.postgres import on_both_engines

STUDENTS, SESSIONS, CASES_PER_SESSION = 300, 20, 2
GRADEBOOK_TARGET, TERM_TARGET = 1.0, 0.2


def fill_course(engine: Any, library: Any) -> tuple[int, list[str], int]:
    """Create the course, its roster and sessions, and every attempt; (course id, codes, a
    learner id)."""
    import sqlalchemy as sa

    from classroom import sessions
    from classroom.attempts import new_token
    from classroom.courses.courses import attach_session, create_course
    from classroom.simulation import display_name, plan_student
    from classroom.storage.schema import (
        Answer,
        Attempt,
        CourseMember,
        Learner,
        Participant,
        utcnow,
    )

    course = create_course(engine, "Benchmark course", term="Spring")
    shipped = sorted(library.cases)
    now = utcnow()
    with engine.begin() as conn:
        learner_ids = list(
            conn.execute(
                sa.insert(Learner).returning(Learner.id, sort_by_parameter_order=True),
                [{"token": new_token(), "display_name": None} for _ in range(STUDENTS)],
            ).scalars()
        )
        conn.execute(
            sa.insert(CourseMember),
            [
                {
                    "course_id": course.id,
                    "learner_id": lid,
                    "student_id": f"S{i:05d}",
                    "name": f"{display_name(i)} {i}",
                    "email": f"s{i:05d}@example.edu",
                    "section": "A" if i % 2 else "B",
                    "created_at": now,
                    "updated_at": now,
                }
                for i, lid in enumerate(learner_ids)
            ],
        )
    codes = []
    for n in range(SESSIONS):
        case_ids = tuple(shipped[(CASES_PER_SESSION * n + k) % len(shipped)] for k in range(2))
        info = sessions.create_session(engine, f"Week {n + 1}", list(case_ids))
        attach_session(engine, course.id, info.code)
        codes.append(info.code)
        running = n == SESSIONS - 1
        plans = [plan_student(library, case_ids, n, i) for i in range(STUDENTS)]
        with engine.begin() as conn:
            conn.execute(
                sa.insert(Participant),
                [
                    {
                        "session_id": info.id,
                        "learner_id": lid,
                        "display_name": f"{display_name(i)} {i}"[:40],
                        "name_key": sessions.name_key(f"{display_name(i)} {i}"[:40]),
                        "joined_at": now,
                    }
                    for i, lid in enumerate(learner_ids)
                ],
            )
            work = [
                (lid, c, running and (i + k) % 3 == 0)
                for i, (lid, plan) in enumerate(zip(learner_ids, plans, strict=True))
                for k, c in enumerate(plan)
            ]
            attempt_ids = conn.execute(
                sa.insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True),
                [
                    {
                        "learner_id": lid,
                        "case_id": c.case_id,
                        "case_version": c.version,
                        "kind": "case",
                        "session_id": info.id,
                        "status": "open" if open_ else "finished",
                        "current_step": c.answers[len(c.answers) // 2].step_id if open_ else None,
                        "started_at": now,
                        "finished_at": None if open_ else now,
                        "points": None if open_ else c.score.points,
                        "max_points": None if open_ else c.score.max_points,
                        "percent": None if open_ else c.score.percent,
                        "raw_percent": None if open_ else c.score.raw_percent,
                        "capped": False if open_ else c.score.capped,
                        "must_avoid_count": 0 if open_ else c.score.must_avoid,
                        "must_avoid_cap": c.score.cap,
                        "minutes_elapsed": 0,
                    }
                    for lid, c, open_ in work
                ],
            ).scalars()
            rows = [
                {
                    "attempt_id": aid,
                    "seq": seq,
                    "step_id": a.step_id,
                    "created_at": now,
                    **{k: v for k, v in a.fields.items() if k != "minutes"},
                }
                for aid, (_, c, open_) in zip(attempt_ids, work, strict=True)
                for seq, a in enumerate(c.answers[: len(c.answers) // 2] if open_ else c.answers, 1)
            ]
            for start in range(0, len(rows), 20_000):
                conn.execute(sa.insert(Answer), rows[start : start + 20_000])
    return course.id, codes, learner_ids[STUDENTS // 2]


def bench(label: str, url: str) -> bool:
    """Print the timings on one database; True when every target is met."""
    from classroom.grades import attempt_scores, student_grades
    from classroom.session_data import session_frames
    from classroom.storage.db import dispose_engine, get_engine
    from classroom.term.gradebook import read_gradebook, wide_table
    from classroom.term.lms_exports import export_gradebook
    from classroom.term.progress import cohort_weak_spots, student_term
    from scoring.library.loader import load_library

    library = load_library()
    engine = get_engine(url)
    try:
        course_id, codes, learner_id = fill_course(engine, library)
        book = read_gradebook(engine, course_id, library)  # warm-up
        cells, answers = len(book.cells), len(student_term(engine, learner_id, library).attempts)
        full, full_cpu = timed(lambda: wide_table(read_gradebook(engine, course_id, library)))
        canvas, _ = timed(lambda: export_gradebook(book, "canvas"))
        xlsx, _ = timed(lambda: export_gradebook(book, "xlsx"), repeats=2)
        term, term_cpu = timed(lambda: student_term(engine, learner_id, library))
        cohort, _ = timed(lambda: cohort_weak_spots(engine, course_id, library))

        def per_session() -> None:
            for code in codes:
                data = session_frames(engine, code)
                student_grades(attempt_scores(data, library), data)

        naive, _ = timed(per_session, repeats=2)
    finally:
        dispose_engine(url)
    met = full <= GRADEBOOK_TARGET and term <= TERM_TARGET
    print(
        f"{label:<9}{STUDENTS} students × {SESSIONS} sessions × {CASES_PER_SESSION} cases "
        f"({cells:,} gradebook cells) {'OK' if met else 'MISSED'}\n"
        f"{'':<9}gradebook database → table {1000 * full:6.0f} ms (cpu {1000 * full_cpu:4.0f}; "
        f"target ≤ {1000 * GRADEBOOK_TARGET:.0f}); the same read session by session "
        f"{1000 * naive:6.0f} ms\n"
        f"{'':<9}Canvas CSV {1000 * canvas:5.0f} ms; XLSX {1000 * xlsx:5.0f} ms; "
        f"cohort weak spots {1000 * cohort:5.0f} ms\n"
        f"{'':<9}one student's term view ({answers} attempts) {1000 * term:5.0f} ms "
        f"(cpu {1000 * term_cpu:4.0f}; target ≤ {1000 * TERM_TARGET:.0f})",
        flush=True,
    )
    return met


def main() -> int:
    """SQLite, then PostgreSQL when reachable; exit 1 if a target was missed."""
    return on_both_engines(bench)


if __name__ == "__main__":
    sys.exit(main())
