"""Synthetic students playing a class session concurrently, for demos and load tests.

Each student joins under a display name and plays every case of the session as the case
player does: start the attempt, answer the current step (``scoring.engine.simulate``), score it,
store it with ``record_answer``, follow the transition (branches included) and finish the
attempt at the end of the path. Each student's walk (answers, scores, branches) is planned
before the clock starts and then written by the worker threads, so the figures measure the
database under concurrency rather than this process scoring on the writers' cores. About 2 %
of answers are sent twice, like a double click, to prove that resends store nothing new.
Afterwards every acknowledged answer is read back and compared.

Answers depend only on the seed (each student draws from their own generator), never on
timing; join tokens, ids and timestamps do not. Names differ between seeds *and* between runs:
each run draws a tag, and a student's pseudonym ("Amara Okafor · sim 3F9A-007") comes from
the seed, the tag and their number, so two runs never show the same class.

When the session belongs to a course, only rostered students may join it, so each synthetic
student is first put on the course's roster (student id ``SIM-<tag>-<n>``, clearly not a real
one: real students' records and PINs are never touched), signs in as a student does (the first
sign-in sets a random PIN; a one-time ticket is redeemed for a learner session, whose cookie
names the learner) and joins under the roster name. Sign-ins happen before the clock starts.
"""

from __future__ import annotations

import csv
import io
import math
import random
import secrets
import statistics
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from classroom import attempts, sessions
from classroom.access import sign_ins
from classroom.courses import members
from classroom.courses.roster import import_roster
from classroom.storage.db import StorageError
from scoring.engine.case_path import summarize, transition
from scoring.engine.grades import ReportedScore
from scoring.engine.items import score_response
from scoring.engine.simulate import random_response
from scoring.library.loader import CaseLibrary

RESEND_RATE = 0.02
# For the process running a simulation: CPython's default GIL switch interval (5 ms) lets
# one busy worker thread hold up the others' database round trips, so the commit latencies
# measured would be this process's own scheduling. App servers do not need it.
LOAD_TEST_SWITCH_INTERVAL = 0.001
# Acknowledged answer: (attempt id, step id) → points stored.
Acks = dict[tuple[int, str], int]


@dataclass(frozen=True)
class SimulationReport:
    """What a simulation wrote, what was found again, and how long the commits took."""

    students: int
    cases: int
    answers_written: int
    resends: int
    duplicates: int
    lost: int
    errors: int
    elapsed_s: float
    throughput: float  # answers written per second
    p50_ms: float
    p95_ms: float
    max_ms: float
    unacknowledged: int = 0  # stored, though the writer saw an error (counted in errors too)
    error_messages: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing was lost, duplicated or refused."""
        return self.lost == 0 and self.duplicates == 0 and self.errors == 0

    def summary(self) -> str:
        """One line of figures."""
        return (
            f"{self.students} students × {self.cases} cases: {self.answers_written:,} answers "
            f"written ({self.resends} resent), {self.lost} lost, {self.duplicates} duplicated, "
            f"{self.errors} errors in {self.elapsed_s:.1f} s; {self.throughput:,.0f} answers/s, "
            f"commit latency p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms"
        )


@dataclass
class _Outcome:
    acks: Acks = field(default_factory=dict)
    attempt_ids: set[int] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    resends: int = 0
    resend_created: int = 0
    errors: list[str] = field(default_factory=list)


FIRST_NAMES = (
    "Amara", "Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jade",
    "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma",
    "Vera", "Wen", "Yara", "Zane",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lopez", "Ng", "Kowalski", "Haddad", "Nielsen", "Moreau", "Tanaka", "Silva",
    "Ivanova", "Mensah", "Rossi", "Schmidt", "Patel", "Oduya", "Kim", "Novak", "Reyes",
)  # fmt: skip


def run_tag() -> str:
    """A fresh tag for one simulation run (4 symbols), so names differ between runs."""
    return "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(4))


def display_name(index: int, seed: int = 0, tag: str = "") -> str:
    """The pseudonym of synthetic student ``index`` (0-based) of a run: ≤ 40 characters, with
    the number last so every student of a run has a name of their own."""
    rng = random.Random(f"name:{seed}:{tag}:{index}")
    number = f"sim {tag}-{index + 1:03d}" if tag else f"sim {index + 1:03d}"
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} · {number}"


@dataclass(frozen=True)
class _PlannedAnswer:
    step_id: str
    fields: dict[str, Any]  # keyword arguments of record_answer
    resend: bool


@dataclass(frozen=True)
class _PlannedCase:
    case_id: str
    version: str
    first_step: str
    answers: tuple[_PlannedAnswer, ...]
    score: ReportedScore  # what finishing the attempt will store


def plan_student(
    library: CaseLibrary, case_ids: tuple[str, ...], seed: int, index: int
) -> list[_PlannedCase]:
    """Student ``index``'s walk through each case: answers, scores and branches, by seed."""
    # One generator per student: their answers do not depend on which thread runs them when.
    rng = random.Random(f"casebook-simulate/{seed}/{index}")
    ability = rng.uniform(0.3, 0.95)
    return [_plan_case(library, case_id, rng, ability) for case_id in case_ids]


def _plan_case(
    library: CaseLibrary, case_id: str, rng: random.Random, ability: float
) -> _PlannedCase:
    loaded = library.get(case_id)
    if loaded is None:
        raise ValueError(f"case {case_id!r} of this session is not in the case library")
    case, guidance = loaded.case, library.guidance
    by_id = {s.id: s for s in case.steps}
    items, path, moves, planned = [], [], [], []
    current: str | None = case.steps[0].id
    while current is not None:  # the case player's loop: score, store, follow the transition
        step = by_id[current]
        result = score_response(step, random_response(step, rng, ability), guidance, case.guidance)
        move = transition(case, step, result.response, guidance)
        fields = attempts.answer_fields(step, result, move.next_step, move.minutes)
        planned.append(_PlannedAnswer(step.id, fields, rng.random() < RESEND_RATE))
        items.append(result)
        path.append(step.id)
        moves.append(move)
        current = move.next_step
    totals = summarize(case, items, path, moves)
    return _PlannedCase(case_id, loaded.version, case.steps[0].id, tuple(planned), totals.score)


def _sign_in_roster(engine: Engine, course_id: int, names: list[str], tag: str) -> list[str]:
    """Put the run's students on the course roster and sign each in; their tokens."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student_id", "name"])
    ids = [f"SIM-{tag}-{i + 1:03d}" for i in range(len(names))]
    writer.writerows(zip(ids, names, strict=True))
    import_roster(engine, course_id, buffer.getvalue().encode("utf-8"), "simulate")
    tokens = []
    for student_id in ids:
        pin = secrets.token_urlsafe(9)
        member = members.sign_in_member(engine, course_id, student_id, pin, "simulate")
        ticket = sign_ins.issue_ticket(engine, "simulate", learner_id=member.learner_id)
        cookie = sign_ins.redeem_ticket(engine, ticket, learner=True)
        learner_id = sign_ins.signed_in_learner(engine, cookie)
        token = attempts.learner_token(engine, learner_id) if learner_id else None
        if token is None:
            raise RuntimeError(f"simulated student {student_id} could not sign in")
        tokens.append(token)
    return tokens


def _play_student(
    engine: Engine, code: str, name: str, plan: list[_PlannedCase], token: str | None = None
) -> _Outcome:
    out = _Outcome()
    try:
        _, token = sessions.join_session(engine, code, name, token)
    except (StorageError, ValueError) as exc:
        out.errors.append(f"join: {exc}")
        return out
    for case in plan:
        try:
            _play_case(engine, code, token, case, out)
        except (StorageError, ValueError) as exc:
            # The case is abandoned, as a student whose page failed would have to retry.
            out.errors.append(f"{case.case_id}: {exc}")
    return out


def _play_case(engine: Engine, code: str, token: str, case: _PlannedCase, out: _Outcome) -> None:
    info = attempts.start_attempt(
        engine,
        token,
        case.case_id,
        case.version,
        session_code=code,
        first_step=case.first_step,
        must_avoid_cap=case.score.cap,
    )
    out.attempt_ids.add(info.id)
    for answer in case.answers:
        started = time.perf_counter()
        stored, created = attempts.record_answer(
            engine, token, info.id, answer.step_id, **answer.fields
        )
        out.latencies.append(time.perf_counter() - started)
        if created:
            out.acks[(info.id, answer.step_id)] = stored.points
        if answer.resend:  # a double click: must store nothing new
            out.resends += 1
            _, again = attempts.record_answer(
                engine, token, info.id, answer.step_id, **answer.fields
            )
            out.resend_created += int(again)
    attempts.finish_attempt(engine, token, info.id)


def simulate(
    engine: Engine,
    code: str,
    library: CaseLibrary,
    students: int,
    workers: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> SimulationReport:
    """Play ``students`` synthetic students through the session with ``workers`` threads."""
    if students < 1 or workers < 1:
        raise ValueError("students and workers must be at least 1")
    info = sessions.get_session(engine, code)
    if info is None:
        raise ValueError(f"no class session has the code {sessions.normalize_code(code)!r}")
    if not info.case_ids:
        raise ValueError("this session has no cases to play (quiz sessions are not simulated)")
    # Answers are planned before the clock starts: the figures then measure storage under
    # concurrency, not this process scoring on the same cores as the writers.
    plans = [plan_student(library, info.case_ids, seed, i) for i in range(students)]
    tag = run_tag()
    names = [display_name(i, seed, tag) for i in range(students)]
    tokens: list[str | None] = [None] * students
    if info.course_id is not None:  # rostered students only: sign them in first
        tokens = list(_sign_in_roster(engine, info.course_id, names, tag))
    outcomes: list[_Outcome] = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simulate") as pool:
        futures = [
            pool.submit(_play_student, engine, info.code, names[i], plan, tokens[i])
            for i, plan in enumerate(plans)
        ]
        # Progress is reported from this thread only, so the callback needs no lock.
        for future in as_completed(futures):
            outcomes.append(future.result())
            if progress is not None:
                progress(1)
    elapsed = time.perf_counter() - started
    return _report(engine, info.code, outcomes, students, len(info.case_ids), elapsed)


def _report(
    engine: Engine,
    code: str,
    outcomes: list[_Outcome],
    students: int,
    cases: int,
    elapsed: float,
) -> SimulationReport:
    acks: Acks = {}
    mine: set[int] = set()
    for outcome in outcomes:
        acks.update(outcome.acks)
        mine |= outcome.attempt_ids
    # Read back this run's attempts (a session may hold earlier runs): every acknowledged
    # answer must be stored exactly once, with the points acknowledged.
    stored = [r for r in sessions.session_responses(engine, code) if r["attempt_id"] in mine]
    rows = Counter((r["attempt_id"], r["step_id"]) for r in stored)
    points = {(r["attempt_id"], r["step_id"]): r["points"] for r in stored}
    lost = sum(1 for key, p in acks.items() if points.get(key) != p)
    duplicates = sum(n - 1 for n in rows.values()) + sum(o.resend_created for o in outcomes)
    unacknowledged = sum(1 for key in rows if key not in acks)
    latencies = sorted(x for o in outcomes for x in o.latencies)
    errors = [e for o in outcomes for e in o.errors]
    return SimulationReport(
        students=students,
        cases=cases,
        answers_written=len(acks),
        resends=sum(o.resends for o in outcomes),
        duplicates=duplicates,
        lost=lost,
        errors=len(errors),
        elapsed_s=elapsed,
        throughput=len(acks) / elapsed if elapsed > 0 else 0.0,
        p50_ms=1000 * statistics.median(latencies) if latencies else float("nan"),
        p95_ms=1000 * _percentile(latencies, 0.95),
        max_ms=1000 * latencies[-1] if latencies else float("nan"),
        unacknowledged=unacknowledged,
        error_messages=tuple(errors[:5]),
    )


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (NaN for none)."""
    if not ordered:
        return float("nan")
    rank = min(len(ordered), max(1, math.ceil(q * len(ordered))))
    return ordered[rank - 1]
