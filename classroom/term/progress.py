"""Tracking over a term: a student's own term view, and the cohort's weak spots for the educator.

``student_term`` reads one learner's attempts and answers in one transaction: every attempt
(class sessions and practice) with its reported score (``classroom.grades.reported_scores``,
the gradebook's loop), their CJMM skill profile day by day, and the guidance passages they
most often needed to review. ``cohort_weak_spots`` aggregates a course's answers in SQL: the
weakest skills and the steps missed most.

Decisions:

- **Exam results stay closed.** An attempt in an exam session whose results are not released
  shows no score, and its answers are left out of the skill profile and the passages: the
  term view must not open what the exam's release rule keeps shut.
- A passage "needed review" when an answer lost points and the passage is cited by an option
  the student got wrong (chose but not keyed, or keyed but missed). Answers are re-scored
  against the library's current case (the same feedback the player shows for it); a step no
  longer in the library, or an answer that no longer fits it, is skipped.
- The skill profile is percent of points per skill per day answered (UTC dates), over
  every answer shown: a day's percent is Σ points / Σ max points of that skill that day.
- A step is "missed" by an answer below full marks; the cohort tables rank steps, and the
  grounding pack's decision points the steps are tagged with (issue 12), by the share of
  answers that missed them (ties: more answers first), over rostered members only. A step
  tagged with two decision points counts for both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom.grades import FINISHED, IN_PROGRESS, path_bounds_of, reported_scores
from classroom.session_data import SKILL_ORDER, text_column
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import Answer, Attempt, ClassSession, CourseMember
from scoring.engine.explain import ItemResult
from scoring.engine.grades import ReportedScore
from scoring.engine.items import score_response
from scoring.errors import ResponseError
from scoring.format.models import Skill
from scoring.format.tags import DECISION_POINT_TITLES, DecisionPoint
from scoring.library.loader import CaseLibrary

_NOT_LOADED = "Your term was not loaded; try again in a moment."
TOP_PASSAGES = 5
WRONG = ("incorrect", "missed")


@dataclass(frozen=True)
class TermAttempt:
    """One attempt of the student's term, as the term view lists it."""

    attempt_id: int
    session_code: str | None  # None: practice outside a class session
    session_title: str | None
    kind: str
    activity: str  # case id, or 'quick-quiz'
    title: str
    status: str  # finished or in progress
    started_at: datetime
    finished_at: datetime | None
    score: ReportedScore | None  # None: an exam whose results are not released


@dataclass(frozen=True)
class ReviewPassage:
    """A guidance passage the student needed to review, and how often."""

    passage_id: str
    text: str
    source: str
    answers: int  # answers that lost points on an option citing it


@dataclass(frozen=True)
class StudentTerm:
    """A student's term: attempts, skill profile by day, and passages to review."""

    attempts: tuple[TermAttempt, ...]  # newest first
    skills: pd.DataFrame  # day (UTC date), skill, label, points, max_points, percent
    passages: tuple[ReviewPassage, ...]


_ATTEMPT_FIELDS = (
    "attempt_id",
    "session_id",
    "case_id",
    "kind",
    "status",
    "current_step",
    "quiz_spec",
    "points",
    "max_points",
    "must_avoid_count",
    "must_avoid_cap",
    "started_at",
    "finished_at",
    "session_code",
    "session_title",
    "mode",
    "released",
)


@translate_errors(_NOT_LOADED)
def _read_learner(engine: Engine, learner_id: int) -> tuple[list[Any], list[Any]]:
    s = ClassSession
    attempts = (
        sa.select(
            Attempt.id,
            Attempt.session_id,
            Attempt.case_id,
            Attempt.kind,
            Attempt.status,
            Attempt.current_step,
            Attempt.quiz_spec,
            Attempt.points,
            Attempt.max_points,
            Attempt.must_avoid_count,
            Attempt.must_avoid_cap,
            Attempt.started_at,
            Attempt.finished_at,
            s.code,
            s.title,
            s.mode,
            s.results_released,
        )
        .outerjoin(s, s.id == Attempt.session_id)
        .where(Attempt.learner_id == learner_id)
        .order_by(Attempt.id)
    )
    answers = (
        sa.select(
            Answer.attempt_id,
            Answer.step_id,
            Answer.points,
            Answer.max_points,
            Answer.skill,
            Answer.must_avoid,
            Answer.response,
            Answer.created_at,
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.learner_id == learner_id)
        .order_by(Answer.attempt_id, Answer.seq)
    )
    with reading(engine) as conn:
        return list(conn.execute(attempts)), list(conn.execute(answers))


def _hidden(mode: str | None, released: bool | None) -> bool:
    """An exam's work stays closed to its student until the results are released."""
    return mode == "exam" and not released


def student_term(
    engine: Engine, learner_id: int, library: CaseLibrary, *, reveal_exams: bool = False
) -> StudentTerm:
    """The term view of learner ``learner_id`` (a signed-in member, or any learner).

    ``reveal_exams`` shows unreleased exams too: for the educator's view, never the student's.
    """
    attempt_rows, answer_rows = _read_learner(engine, learner_id)
    att = pd.DataFrame(attempt_rows, columns=list(_ATTEMPT_FIELDS)).astype(object)
    att["quiz_keys"] = pd.Series(
        [tuple((s or {}).get("items", ())) for s in att["quiz_spec"]], dtype=object
    )
    answers = pd.DataFrame(
        answer_rows,
        columns=[
            *("attempt_id", "step_id", "points", "max_points", "skill", "must_avoid"),
            *("response", "created_at"),
        ],
    ).astype(object)
    answers["must_avoid_count"] = [len(m or ()) for m in answers["must_avoid"]]
    for c in ("points", "max_points", "must_avoid_count"):
        answers[c] = answers[c].astype("int64")
    grouped = answers.groupby("attempt_id", sort=False)
    totals = grouped[["points", "max_points", "must_avoid_count"]].sum()
    bounds = path_bounds_of(library, att["case_id"].tolist())
    scores = reported_scores(att, totals, grouped["step_id"].agg(list), library, bounds)
    hidden_ids = {
        int(a)
        for a, mode, released in zip(att["attempt_id"], att["mode"], att["released"], strict=True)
        if not reveal_exams and _hidden(mode, released)
    }
    listed = []
    for row, score in zip(att.itertuples(index=False), scores, strict=True):
        loaded = library.get(row.case_id)
        title = "Quick quiz" if row.kind == "quiz" else (loaded.case.title if loaded else None)
        listed.append(
            TermAttempt(
                attempt_id=int(row.attempt_id),
                session_code=row.session_code,
                session_title=row.session_title,
                kind=row.kind,
                activity=row.case_id,
                title=title or row.case_id,
                status=FINISHED if row.status == FINISHED else IN_PROGRESS,
                started_at=row.started_at,
                finished_at=row.finished_at,
                score=None if int(row.attempt_id) in hidden_ids else score,
            )
        )
    shown = answers[~answers["attempt_id"].isin(hidden_ids)]
    kinds = dict(zip(att["attempt_id"], att["kind"], strict=True))
    cases = dict(zip(att["attempt_id"], att["case_id"], strict=True))
    return StudentTerm(
        attempts=tuple(reversed(listed)),
        skills=skill_profile(shown),
        passages=review_passages(shown, kinds, cases, library),
    )


def _skill_label(skill: str) -> str:
    return Skill(skill).label if skill in SKILL_ORDER else str(skill)


def skill_profile(answers: pd.DataFrame) -> pd.DataFrame:
    """Percent of points per CJMM skill per UTC day answered (``answers``: skill, points,
    max_points, created_at)."""
    columns = ["day", "skill", "label", "points", "max_points", "percent"]
    if answers.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    days = pd.to_datetime(pd.Series(answers["created_at"].tolist()), utc=True).dt.tz_convert(None)
    frame = pd.DataFrame(
        {
            "day": days.dt.normalize().to_numpy(),
            "skill": text_column(answers["skill"].to_numpy()),
            "points": answers["points"].to_numpy(dtype=np.int64),
            "max_points": answers["max_points"].to_numpy(dtype=np.int64),
        }
    )
    out = frame.groupby(["day", "skill"], as_index=False, sort=True)[["points", "max_points"]].sum()
    order = {s: i for i, s in enumerate(SKILL_ORDER)}
    out = out.sort_values(["day", "skill"], key=lambda c: c.map(order) if c.name == "skill" else c)
    out.insert(2, "label", text_column([_skill_label(s) for s in out["skill"]]))
    top = out["max_points"].where(out["max_points"] > 0)
    out["percent"] = (100 * out["points"] / top).round(1)
    return out.reset_index(drop=True)


def _rescored(library: CaseLibrary, kind: str, case_id: str, step_id: str, response: Any):
    """The feedback of one stored answer against the current library (None: cannot)."""
    source_id, item = (step_id.partition("/")[::2]) if kind == "quiz" else (case_id, step_id)
    source = library.source(source_id)
    step = next((s for s in source.steps if s.id == item), None) if source else None
    if step is None:
        return None
    try:
        return score_response(step, response, library.guidance, tuple(source.guidance))
    except ResponseError:
        return None


def _passages_of(result: ItemResult) -> set[tuple[str, str, str]]:
    return {
        (e.passage_id, e.text, e.source)
        for o in result.options
        if o.verdict in WRONG
        for e in o.evidence
        if not e.nursing
    }


def review_passages(
    answers: pd.DataFrame,
    kinds: dict[Any, str],
    cases: dict[Any, str],
    library: CaseLibrary,
    top: int = TOP_PASSAGES,
) -> tuple[ReviewPassage, ...]:
    """The passages cited by the options most often got wrong, most answers first."""
    counts: Counter[tuple[str, str, str]] = Counter()
    lost = answers[answers["points"] < answers["max_points"]]
    for attempt_id, step_id, response in zip(
        lost["attempt_id"], lost["step_id"], lost["response"], strict=True
    ):
        result = _rescored(library, kinds[attempt_id], cases[attempt_id], step_id, response)
        if result is not None:
            counts.update(_passages_of(result))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))[:top]
    return tuple(ReviewPassage(pid, text, source, n) for (pid, text, source), n in ranked)


# --- The cohort ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortWeakSpots:
    """A course's weakest CJMM skills, and the decision points and steps missed most."""

    skills: pd.DataFrame  # skill, label, points, max_points, percent, answers (weakest first)
    # case_id, step_id, title, skill, decision_points, answerers, answers, missed,
    # missed_share, percent (missed most first)
    steps: pd.DataFrame
    # decision_point, title, steps, answers, missed, missed_share (missed most first): each
    # step's answers count for every decision point it is tagged with
    decision_points: pd.DataFrame


@translate_errors("The cohort was not loaded; try again in a moment.")
def _cohort_rows(engine: Engine, course_id: int) -> list[Any]:
    members = sa.select(CourseMember.learner_id).where(CourseMember.course_id == course_id)
    sessions = sa.select(ClassSession.id).where(ClassSession.course_id == course_id)
    full = sa.case((Answer.points == Answer.max_points, 0), else_=1)
    query = (
        sa.select(
            Attempt.kind,
            Attempt.case_id,
            Answer.step_id,
            Answer.skill,
            sa.func.count(),
            sa.func.count(sa.distinct(Attempt.learner_id)),
            sa.func.sum(full),
            sa.func.sum(Answer.points),
            sa.func.sum(Answer.max_points),
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.session_id.in_(sessions), Attempt.learner_id.in_(members))
        .group_by(Attempt.kind, Attempt.case_id, Answer.step_id, Answer.skill)
    )
    with reading(engine) as conn:
        return list(conn.execute(query))


def cohort_weak_spots(engine: Engine, course_id: int, library: CaseLibrary) -> CohortWeakSpots:
    """Across the course's sessions: skills by percent of points; decision points and steps
    by the share of answers that missed them."""
    rows = _cohort_rows(engine, course_id)
    raw = pd.DataFrame(
        rows,
        columns=[
            *("kind", "case_id", "step_id", "skill", "answers", "answerers", "missed"),
            *("points", "max_points"),
        ],
    )
    for c in ("answers", "answerers", "missed", "points", "max_points"):
        raw[c] = raw[c].astype("int64")
    quiz = raw["kind"] == "quiz"
    if quiz.any():  # a quiz answer's step is stored as "source/step"
        split = raw.loc[quiz, "step_id"].str.partition("/")
        raw.loc[quiz, "case_id"], raw.loc[quiz, "step_id"] = split[0], split[2]
    skills = raw.groupby("skill", as_index=False)[["points", "max_points", "answers"]].sum()
    skills.insert(1, "label", [_skill_label(s) for s in skills["skill"]])
    skills["percent"] = (
        100 * skills["points"] / skills["max_points"].where(skills["max_points"] > 0)
    ).round(1)
    skills = skills.sort_values(["percent", "answers"], ascending=[True, False])
    steps = raw.groupby(["case_id", "step_id", "skill"], as_index=False)[
        ["answers", "answerers", "missed", "points", "max_points"]
    ].sum()
    found = [
        _find_step(library, c, s) for c, s in zip(steps["case_id"], steps["step_id"], strict=True)
    ]
    steps.insert(
        2, "title", [_title(step, s) for step, s in zip(found, steps["step_id"], strict=True)]
    )
    steps.insert(
        4,
        "decision_points",
        [tuple(str(d) for d in getattr(step, "decision_points", None) or ()) for step in found],
    )
    steps["missed_share"] = (100 * steps["missed"] / steps["answers"]).round(1)
    steps["percent"] = (
        100 * steps["points"] / steps["max_points"].where(steps["max_points"] > 0)
    ).round(1)
    steps["skill"] = [_skill_label(s) for s in steps["skill"]]
    steps = steps.sort_values(["missed_share", "answers"], ascending=[False, False])
    keep = ["case_id", "step_id", "title", "skill", "decision_points", "answerers", "answers"]
    return CohortWeakSpots(
        skills=skills.reset_index(drop=True),
        steps=steps[[*keep, "missed", "missed_share", "percent"]].reset_index(drop=True),
        decision_points=_by_decision_point(steps),
    )


def _by_decision_point(steps: pd.DataFrame) -> pd.DataFrame:
    """The steps' answers per decision point tagged (a step tagged twice counts for both)."""
    tagged = steps[["decision_points", "answers", "missed"]].explode("decision_points").dropna()
    tagged = tagged.rename(columns={"decision_points": "decision_point"})
    out = tagged.groupby("decision_point", as_index=False).agg(
        steps=("answers", "size"), answers=("answers", "sum"), missed=("missed", "sum")
    )
    out.insert(
        1, "title", [DECISION_POINT_TITLES.get(DecisionPoint(d), d) for d in out["decision_point"]]
    )
    out["missed_share"] = (100 * out["missed"] / out["answers"]).round(1)
    out = out.sort_values(["missed_share", "answers"], ascending=[False, False])
    return out.reset_index(drop=True)


def _find_step(library: CaseLibrary, case_id: str, step_id: str) -> Any:
    source = library.source(case_id)
    return next((s for s in source.steps if s.id == step_id), None) if source else None


def _title(step: Any, step_id: str) -> str:
    if step is None:
        return step_id
    title = step.title or " ".join(step.prompt.split())
    return title if len(title) <= 80 else title[:79].rstrip() + "…"


__all__ = [
    "CohortWeakSpots",
    "ReviewPassage",
    "StudentTerm",
    "TermAttempt",
    "cohort_weak_spots",
    "student_term",
]
