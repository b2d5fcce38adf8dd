"""The reported score of every attempt of a class session: the one reader grades come from.

Every classroom surface that shows a score reads it here: the live dashboard (roster, scores,
one student), ``casebook report``, every export, and the course gradebook and LMS passback
to come. The score itself is defined in ``scoring.grades``; this module only finds its inputs:

- a **finished** attempt: the score stored when it finished (``classroom.attempts``);
- an attempt **in progress**: its answers so far, out of the points answered plus the most
  points on any path still open from its current step (a quiz: every item drawn), so work
  not done counts 0 — what it would score if it ended now;
- an activity **not started**: 0 of the most points on any path of the case (a quiz: of
  every item), so a grade is never missing a part of the session.

A student's grade for the session is ``scoring.grades.combined_score`` of their activities.

Readers: :func:`attempt_scores` (a frame, one row per participant × activity) and
:func:`student_grades` (one row per participant) for the tables; :func:`session_scores`
(dataclasses) for code that is not pandas, such as a grade passback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from classroom.session_data import SessionData, session_frames, text_column
from scoring.case_path import path_bounds
from scoring.grades import ReportedScore, combined_score, reported_score
from scoring.items import max_points
from scoring.loader import CaseLibrary
from scoring.quiz import QUIZ_ID

__all__ = [
    "SCORE_COLUMNS",
    "AttemptScore",
    "Bounds",
    "activities",
    "attempt_scores",
    "path_bounds_of",
    "points_left",
    "session_scores",
    "student_grades",
]

FINISHED, IN_PROGRESS, NOT_STARTED = "finished", "in progress", "not started"
# The reported score's fields, as every table and export names them.
SCORE_COLUMNS = ("points", "max_points", "raw_percent", "cap", "capped", "must_avoid", "percent")

Bounds = dict[tuple[str, str], tuple[int, int]]


def path_bounds_of(library: CaseLibrary, case_ids: Iterable[str]) -> Bounds:
    """(case_id, step_id) → most steps and points left on any path; step "" is the start."""
    out: Bounds = {}
    for case_id in dict.fromkeys(case_ids):
        loaded = library.get(case_id)
        if loaded is None:
            continue
        per_step = path_bounds(loaded.case)
        out[(case_id, "")] = per_step[loaded.case.steps[0].id]
        out.update({(case_id, step_id): b for step_id, b in per_step.items()})
    return out


def _quiz_maxima(library: CaseLibrary, keys: Iterable[str]) -> dict[str, int]:
    """Quiz item key ('case/step') → its max points (items no longer in the library: none)."""
    out = {}
    for key in dict.fromkeys(keys):
        case_id, _, step_id = key.partition("/")
        loaded = library.get(case_id)
        step = next((s for s in loaded.case.steps if s.id == step_id), None) if loaded else None
        if step is not None:
            out[key] = max_points(step)
    return out


def points_left(
    library: CaseLibrary,
    kind: str,
    case_id: str,
    current_step: str | None,
    quiz_keys: Iterable[str] = (),
    answered: Iterable[str] = (),
    bounds: Bounds | None = None,
) -> int:
    """Points still possible in an unfinished attempt: the best path on from ``current_step``
    (a quiz: the items of ``quiz_keys`` not ``answered``)."""
    if kind == "quiz":
        done = set(answered)
        maxima = _quiz_maxima(library, quiz_keys)
        return sum(m for key, m in maxima.items() if key not in done)
    if current_step is None:
        return 0
    bounds = bounds if bounds is not None else path_bounds_of(library, [case_id])
    return bounds.get((case_id, current_step), (0, 0))[1]


def activities(data: SessionData) -> list[tuple[str, str]]:
    """(kind, activity id) of the session, in its order: the cases, then the quiz."""
    out = [("case", c) for c in data.session.case_ids]
    if data.session.quiz_spec:
        out.append(("quiz", QUIZ_ID))
    return out


def _fresh_max(library: CaseLibrary, data: SessionData, bounds: Bounds) -> dict[str, int]:
    """Activity id → points possible before it is started."""
    fresh = {c: bounds.get((c, ""), (0, 0))[1] for c in data.session.case_ids}
    if data.session.quiz_spec:
        keys = data.session.quiz_spec.get("items", [])
        fresh[QUIZ_ID] = sum(_quiz_maxima(library, keys).values())
    return fresh


def _score_row(a: Any, sums: dict[int, tuple[int, int, int]], left: int) -> ReportedScore:
    cap = None if a.must_avoid_cap is None or pd.isna(a.must_avoid_cap) else int(a.must_avoid_cap)
    if a.status == FINISHED and a.points is not None and a.max_points is not None:
        return reported_score(int(a.points), int(a.max_points), int(a.must_avoid_count), cap)
    points, top, made = sums.get(a.attempt_id, (0, 0, 0))
    return reported_score(points, top + left, made, cap, finished=a.status == FINISHED)


def attempt_scores(data: SessionData, library: CaseLibrary) -> pd.DataFrame:
    """One row per participant × activity of the session, with its reported score.

    Columns: learner_id, student, kind, activity (case id, or 'quick-quiz'), attempt_id
    (<NA> when not started), status (finished, in progress, not started), ended_early (the
    educator ended it before its last step), answered (steps), the SCORE_COLUMNS, started_at
    and finished_at (UTC), and ``score`` (the ``ReportedScore`` itself). In join order, then
    in the session's order of activities; an attempt at anything else comes last.
    """
    att = data.attempts
    r = data.responses
    grouped = r.groupby("attempt_id", sort=False)
    totals = grouped[["points", "max_points", "must_avoid_count"]].sum()
    sums = {
        int(i): (int(p), int(m), int(c))
        for i, p, m, c in zip(
            totals.index,
            totals["points"],
            totals["max_points"],
            totals["must_avoid_count"],
            strict=True,
        )
    }
    counts = grouped.size().to_dict()
    quiz_attempts = set(att.loc[att["kind"] == "quiz", "attempt_id"])
    answered = {
        int(i): list(steps)
        for i, steps in r[r["attempt_id"].isin(quiz_attempts)].groupby("attempt_id")["step_id"]
    }
    bounds = path_bounds_of(library, [*data.session.case_ids, *att["case_id"]])
    names = data.participants.set_index("learner_id")["student"]
    rows: list[dict[str, Any]] = []
    for a in att.itertuples(index=False):
        left = 0
        if a.status != FINISHED:
            left = points_left(
                library,
                a.kind,
                a.case_id,
                a.current_step,
                a.quiz_keys,
                answered.get(a.attempt_id, ()),
                bounds,
            )
        score = _score_row(a, sums, left)
        rows.append(
            {
                "learner_id": a.learner_id,
                "kind": a.kind,
                "activity": a.case_id,
                "attempt_id": a.attempt_id,
                "status": FINISHED if a.status == FINISHED else IN_PROGRESS,
                "ended_early": a.status == FINISHED and a.current_step is not None,
                "answered": counts.get(a.attempt_id, 0),
                "score": score,
                "started_at": a.started_at,
                "finished_at": a.finished_at,
            }
        )
    started = {(row["learner_id"], row["activity"]) for row in rows}
    fresh = _fresh_max(library, data, bounds)
    for learner_id in data.participants["learner_id"]:
        for kind, activity in activities(data):
            if (learner_id, activity) not in started:
                rows.append(
                    {
                        "learner_id": learner_id,
                        "kind": kind,
                        "activity": activity,
                        "attempt_id": None,
                        "status": NOT_STARTED,
                        "ended_early": False,
                        "answered": 0,
                        "score": reported_score(0, fresh[activity], 0, None, finished=False),
                        "started_at": pd.NaT,
                        "finished_at": pd.NaT,
                    }
                )
    return _scores_frame(rows, data, names)


def _scores_frame(rows: list[dict[str, Any]], data: SessionData, names: pd.Series) -> pd.DataFrame:
    join_order = {lid: i for i, lid in enumerate(data.participants["learner_id"])}
    activity_order = {a: i for i, (_, a) in enumerate(activities(data))}
    rows.sort(
        key=lambda row: (
            join_order.get(row["learner_id"], len(join_order)),
            activity_order.get(row["activity"], len(activity_order)),
            row["attempt_id"] or 0,
        )
    )
    scores = [row["score"] for row in rows]
    frame = pd.DataFrame(
        {
            "learner_id": np.array([row["learner_id"] for row in rows], dtype=np.int64),
            "student": text_column(names.reindex([row["learner_id"] for row in rows]).to_numpy()),
            "kind": text_column([row["kind"] for row in rows]),
            "activity": text_column([row["activity"] for row in rows]),
            "attempt_id": pd.array([row["attempt_id"] for row in rows], dtype="Int64"),
            "status": text_column([row["status"] for row in rows]),
            "ended_early": np.array([row["ended_early"] for row in rows], dtype=bool),
            "answered": np.array([row["answered"] for row in rows], dtype=np.int64),
            **_score_columns(scores),
            **{
                when: pd.to_datetime(pd.Series([row[when] for row in rows]), utc=True)
                for when in ("started_at", "finished_at")
            },
            "score": text_column(scores),
        }
    )
    return frame


def _score_columns(scores: list[ReportedScore]) -> dict[str, Any]:
    """The SCORE_COLUMNS of a list of scores, typed (cap is a nullable integer)."""
    return {
        "points": np.array([s.points for s in scores], dtype=np.int64),
        "max_points": np.array([s.max_points for s in scores], dtype=np.int64),
        "raw_percent": np.array([s.raw_percent for s in scores], dtype=float),
        "cap": pd.array([s.cap for s in scores], dtype="Int64"),
        "capped": np.array([s.capped for s in scores], dtype=bool),
        "must_avoid": np.array([s.must_avoid for s in scores], dtype=np.int64),
        "percent": np.array([s.percent for s in scores], dtype=float),
    }


def student_grades(scores: pd.DataFrame, data: SessionData) -> pd.DataFrame:
    """One row per participant (join order): their activities combined into one score.

    Columns: learner_id, student, the SCORE_COLUMNS (``cap`` is <NA>: attempts may differ),
    activities, finished (activities finished), all_finished, and ``score``.
    """
    by_learner: dict[int, list[ReportedScore]] = {}
    done: dict[int, int] = {}
    for learner_id, score, status in zip(
        scores["learner_id"], scores["score"], scores["status"], strict=True
    ):
        by_learner.setdefault(int(learner_id), []).append(score)
        done[int(learner_id)] = done.get(int(learner_id), 0) + (status == FINISHED)
    people = data.participants
    combined = [combined_score(by_learner.get(int(lid), ())) for lid in people["learner_id"]]
    count = np.array([len(by_learner.get(int(lid), ())) for lid in people["learner_id"]])
    finished = np.array([done.get(int(lid), 0) for lid in people["learner_id"]])
    return pd.DataFrame(
        {
            "learner_id": people["learner_id"].to_numpy(dtype=np.int64),
            "student": text_column(people["student"].to_numpy()),
            **_score_columns(combined),
            "activities": count,
            "finished": finished,
            "all_finished": (finished == count) & (count > 0),
            "score": text_column(combined),
        }
    )


@dataclass(frozen=True)
class AttemptScore:
    """The reported score of one participant's activity in a session (not started: no id)."""

    learner_id: int
    student: str
    kind: str
    activity: str
    attempt_id: int | None
    status: str
    ended_early: bool
    score: ReportedScore
    started_at: datetime | None
    finished_at: datetime | None


def session_scores(engine: Engine, code: str, library: CaseLibrary) -> list[AttemptScore]:
    """The reported score of every participant × activity of a session (``attempt_scores``)."""
    frame = attempt_scores(session_frames(engine, code), library)
    return [
        AttemptScore(
            learner_id=int(row.learner_id),
            student=row.student,
            kind=row.kind,
            activity=row.activity,
            attempt_id=None if pd.isna(row.attempt_id) else int(row.attempt_id),
            status=row.status,
            ended_early=bool(row.ended_early),
            score=row.score,
            started_at=None if pd.isna(row.started_at) else row.started_at.to_pydatetime(),
            finished_at=None if pd.isna(row.finished_at) else row.finished_at.to_pydatetime(),
        )
        for row in frame.itertuples(index=False)
    ]
