"""The reported score of every attempt of a class session: the one reader grades come from.

Every classroom surface that shows a score reads it here: the live dashboard (roster, scores,
one student), ``casebook report``, every export, and the course gradebook and LMS passback
to come. The score itself is defined in ``scoring.engine.grades``; this module only finds its
inputs:

- a **finished** attempt: the score stored when it finished (``classroom.attempts``);
- an attempt **in progress**: its answers so far, out of the points answered plus the most
  points on any path still open from its current step (a quiz: every item drawn), so work
  not done counts 0 — what it would score if it ended now;
- an activity **not started**: 0 of the most points on any path of the case (a quiz: of
  every item), so a grade is never missing a part of the session.

A student's grade for the session is ``scoring.engine.grades.combined_score`` of their activities.

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
from classroom.sessions import SessionInfo
from scoring.engine.case_path import path_bounds
from scoring.engine.grades import ReportedScore, combined_score, reported_score
from scoring.engine.items import max_points
from scoring.engine.quiz import QUIZ_ID
from scoring.library.loader import CaseLibrary

__all__ = [
    "SCORE_COLUMNS",
    "AttemptScore",
    "Bounds",
    "activities",
    "attempt_scores",
    "fresh_max",
    "path_bounds_of",
    "points_left",
    "reported_scores",
    "score_columns",
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
        source_id, _, step_id = key.partition("/")  # a case or an item set
        source = library.source(source_id)
        step = next((s for s in source.steps if s.id == step_id), None) if source else None
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


def activities(data: SessionData | SessionInfo) -> list[tuple[str, str]]:
    """(kind, activity id) of the session, in its order: the cases, then the quiz."""
    session = data.session if isinstance(data, SessionData) else data
    out = [("case", c) for c in session.case_ids]
    if session.quiz_spec:
        out.append(("quiz", QUIZ_ID))
    return out


def fresh_max(library: CaseLibrary, session: SessionInfo, bounds: Bounds) -> dict[str, int]:
    """Activity id → points possible before it is started."""
    fresh = {c: bounds.get((c, ""), (0, 0))[1] for c in session.case_ids}
    if session.quiz_spec:
        keys = session.quiz_spec.get("items", [])
        fresh[QUIZ_ID] = sum(_quiz_maxima(library, keys).values())
    return fresh


def _attempt_score(
    status: str,
    stored: tuple[Any, Any, int],
    so_far: tuple[int, int, int],
    cap: Any,
    left: int,
) -> ReportedScore:
    """A finished attempt's stored score, or an open one's answers so far plus ``left``."""
    cap = None if cap is None or cap != cap else int(cap)  # cap != cap: NaN
    points, top, made = stored
    if status == FINISHED and points is not None and top is not None:
        return reported_score(int(points), int(top), int(made), cap)
    points, top, made = so_far
    return reported_score(points, top + left, made, cap, finished=status == FINISHED)


def reported_scores(
    attempts: pd.DataFrame,
    totals: pd.DataFrame,
    answered_keys: pd.Series,
    library: CaseLibrary,
    bounds: Bounds,
) -> list[ReportedScore]:
    """The reported score of each attempt (row) of ``attempts``: the one scoring loop.

    ``attempts`` has attempt_id, status, kind, case_id, current_step, quiz_keys and the stored
    score (points, max_points, must_avoid_count, must_avoid_cap); ``totals`` is indexed by
    attempt id with the points, max_points and must_avoid_count of its answers so far (it
    may leave out finished attempts that have a stored score); ``answered_keys`` maps an open
    quiz attempt's id to the item keys it answered. Both the session reader
    (:func:`attempt_scores`) and the course gradebook (``classroom.term.gradebook``) call it.
    """
    att = attempts
    so_far = zip(
        *(
            att["attempt_id"].map(totals[c]).fillna(0).to_numpy(dtype=np.int64).tolist()
            for c in ("points", "max_points", "must_avoid_count")
        ),
        strict=True,
    )
    needed = ("status", "kind", "case_id", "current_step", "quiz_keys", "attempt_id")
    needed += ("points", "max_points", "must_avoid_count", "must_avoid_cap")
    column = {c: att[c].to_numpy(dtype=object) for c in needed}  # plain arrays zip fast
    scores = []
    for status, kind, case_id, step, keys, attempt_id, stored, done, cap in zip(
        column["status"],
        column["kind"],
        column["case_id"],
        column["current_step"],
        column["quiz_keys"],
        column["attempt_id"],
        zip(column["points"], column["max_points"], column["must_avoid_count"], strict=True),
        so_far,
        column["must_avoid_cap"],
        strict=True,
    ):
        left = 0
        if status != FINISHED:
            answered = answered_keys.get(attempt_id, ())
            left = points_left(library, kind, case_id, step, keys, answered, bounds)
        scores.append(_attempt_score(status, stored, done, cap, left))
    return scores


def attempt_scores(data: SessionData, library: CaseLibrary) -> pd.DataFrame:
    """One row per participant × activity of the session, with its reported score.

    Columns: learner_id, student, kind, activity (case id, or 'quick-quiz'), attempt_id
    (<NA> when not started), status (finished, in progress, not started), ended_early (the
    educator ended it before its last step), answered (steps), the SCORE_COLUMNS, started_at
    and finished_at (UTC), and ``score`` (the ``ReportedScore`` itself). In join order, then
    in the session's order of activities; an attempt at anything else comes last.
    """
    att, r = data.attempts, data.responses
    grouped = r.groupby("attempt_id", sort=False)
    totals = grouped[["points", "max_points", "must_avoid_count"]].sum()
    quiz = att.loc[att["kind"] == "quiz", "attempt_id"]
    answered_keys = r[r["attempt_id"].isin(quiz)].groupby("attempt_id")["step_id"].agg(list)
    bounds = path_bounds_of(library, [*data.session.case_ids, *att["case_id"]])
    scores = reported_scores(att, totals, answered_keys, library, bounds)
    finished = (att["status"] == FINISHED).to_numpy()
    started = pd.DataFrame(
        {
            "learner_id": att["learner_id"].to_numpy(dtype=np.int64),
            "kind": text_column(att["kind"]),
            "activity": text_column(att["case_id"]),
            "attempt_id": pd.array(att["attempt_id"], dtype="Int64"),
            "status": text_column(np.where(finished, FINISHED, IN_PROGRESS)),
            "ended_early": finished & att["current_step"].notna().to_numpy(),
            "answered": att["attempt_id"].map(grouped.size()).fillna(0).to_numpy(dtype=np.int64),
            "score": text_column(scores),
            "started_at": att["started_at"],
            "finished_at": att["finished_at"],
        }
    )
    return _in_order(pd.concat([started, _not_started(data, library, bounds, started)]), data)


def _not_started(
    data: SessionData, library: CaseLibrary, bounds: Bounds, started: pd.DataFrame
) -> pd.DataFrame:
    """A row for every participant × activity without an attempt: 0 of its points possible."""
    have = set(zip(started["learner_id"].tolist(), started["activity"].tolist(), strict=True))
    fresh = fresh_max(library, data.session, bounds)
    missing = [
        (learner_id, kind, activity)
        for learner_id in data.participants["learner_id"].tolist()
        for kind, activity in activities(data)
        if (learner_id, activity) not in have
    ]
    return pd.DataFrame(
        {
            "learner_id": np.array([m[0] for m in missing], dtype=np.int64),
            "kind": text_column([m[1] for m in missing]),
            "activity": text_column([m[2] for m in missing]),
            "attempt_id": pd.array([None] * len(missing), dtype="Int64"),
            "status": text_column([NOT_STARTED] * len(missing)),
            "ended_early": np.zeros(len(missing), dtype=bool),
            "answered": np.zeros(len(missing), dtype=np.int64),
            "score": text_column(
                [reported_score(0, fresh[m[2]], 0, None, finished=False) for m in missing]
            ),
            "started_at": pd.Series(pd.NaT, index=range(len(missing)), dtype="datetime64[us, UTC]"),
            "finished_at": pd.Series(
                pd.NaT, index=range(len(missing)), dtype="datetime64[us, UTC]"
            ),
        }
    )


def _in_order(frame: pd.DataFrame, data: SessionData) -> pd.DataFrame:
    """Join order, then the session's activities, then attempt id; names and score columns."""
    people = data.participants
    join_order = pd.Series(np.arange(len(people)), index=people["learner_id"].to_numpy())
    activity_order = {a: i for i, (_, a) in enumerate(activities(data))}
    keys = (
        frame["attempt_id"].fillna(0).to_numpy(dtype=np.int64),
        frame["activity"].map(activity_order).fillna(len(activity_order)).to_numpy(),
        frame["learner_id"].map(join_order).fillna(len(people)).to_numpy(),
    )
    frame = frame.iloc[np.lexsort(keys)].reset_index(drop=True)
    names = people.set_index("learner_id")["student"]
    scores = list(frame["score"])
    return pd.DataFrame(
        {
            "learner_id": frame["learner_id"],
            "student": text_column(names.reindex(frame["learner_id"]).to_numpy()),
            "kind": text_column(frame["kind"]),
            "activity": text_column(frame["activity"]),
            "attempt_id": frame["attempt_id"],
            "status": text_column(frame["status"]),
            "ended_early": frame["ended_early"].astype(bool),
            "answered": frame["answered"],
            **score_columns(scores),
            "started_at": frame["started_at"],
            "finished_at": frame["finished_at"],
            "score": text_column(scores),
        }
    )


def score_columns(scores: list[ReportedScore]) -> dict[str, Any]:
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
    people = data.participants["learner_id"]
    grouped = scores.groupby("learner_id", sort=False)
    mine = grouped["score"].agg(list).reindex(people)
    combined = [combined_score(each if isinstance(each, list) else ()) for each in mine]
    count = grouped.size().reindex(people).fillna(0).to_numpy(dtype=np.int64)
    done = (scores["status"] == FINISHED).groupby(scores["learner_id"]).sum()
    finished = done.reindex(people).fillna(0).to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "learner_id": people.to_numpy(dtype=np.int64),
            "student": text_column(data.participants["student"].to_numpy()),
            **score_columns(combined),
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
