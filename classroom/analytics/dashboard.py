"""The educator's live dashboard: roster, scores, item and distractor analysis, skills, exports.

``classroom.session_data.session_frames`` reads a class session once into long frames;
every table is then a pure, vectorized pandas function of them (no Streamlit here).
``DashboardCache`` rebuilds the tables only when what they show has changed in the
database: answers stored (count, newest id), who joined (count, newest id) and attempts
finished. Keep one cache per session in
``st.session_state``; it holds no state shared between users.

Students are keyed by ``learner_id`` (display names need not be unique). Every score shown
(roster, score distribution, one student, gradebook and exports) is the reported score of
``classroom.grades``: one number per attempt, and a student's session grade combines them.
An attempt in progress counts the work not done as 0, so its percent is what it would score
if it ended now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from classroom.analytics.item_stats import (
    ItemAnalysis,
    OverallStats,
    distractor_counts,
    item_statistics,
    random_guess_baseline,
    score_summary,
)
from classroom.grades import (
    SCORE_COLUMNS,
    Bounds,
    attempt_scores,
    path_bounds_of,
    student_grades,
)
from classroom.session_data import (
    SKILL_ORDER,
    SessionData,
    answer_key,
    session_frames,
    text_column,
)
from scoring.engine.explain import ItemResult
from scoring.engine.items import score_response
from scoring.errors import ResponseError
from scoring.format.models import Case, Skill, Source
from scoring.library.loader import CaseLibrary

__all__ = [
    "Dashboard",
    "DashboardCache",
    "ScoreDistribution",
    "SessionData",
    "SkillPerformance",
    "StudentAnswer",
    "answer_key",
    "build_dashboard",
    "case_titles",
    "distractors",
    "item_analysis",
    "must_avoid_made",
    "roster",
    "score_distribution",
    "session_frames",
    "skill_performance",
    "student_answers",
]

# --- The case model: paths, labels and option catalogue ---------------------------------------


def case_titles(data: SessionData, library: CaseLibrary) -> dict[str, str]:
    """Case id → title for the session's cases (the id itself when the case is gone)."""
    ids = [*data.session.case_ids, *data.attempts["case_id"]]
    return {c: (library.get(c).case.title if library.get(c) else c) for c in dict.fromkeys(ids)}


def _step(library: CaseLibrary, case_id: str, step_id: str) -> tuple[Source | None, Any]:
    source = library.source(case_id)  # a case, or the item set a quiz item came from
    if source is None:
        return None, None
    return source, next((s for s in source.steps if s.id == step_id), None)


def _excerpt(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _option_catalog(step: Any) -> list[tuple[str, str, bool, bool]]:
    """(option key, text, keyed, must_avoid) of every choice an item offers."""
    kind = step.type
    if kind == "ordering":
        key = [g if isinstance(g, list) else [g] for g in step.correct_order]
        at = [x for g in key for x in g]
        place_of = {x: {at.index(y) + 1 for y in g} for g in key for x in g}
        return [
            (f"{p}:{o.id}", f"{p}. {o.text}", p in place_of.get(o.id, ()), False)
            for p in range(1, len(step.options) + 1)
            for o in step.options
        ]
    if kind in ("drag_drop_cloze", "drag_drop_rationale"):
        return [
            (f"{t.id}:{k.id}", f"{t.id}: {k.text}", t.keyed == k.id, k.must_avoid)
            for t in step.targets
            for k in step.tokens
        ]
    if kind == "multiple_response_grouping":
        return [
            (f"{g.id}:{o.id}", f"{g.label}: {o.text}", o.keyed, o.must_avoid)
            for g in step.groups
            for o in g.options
        ]
    if kind in ("matrix_choice", "matrix_response"):
        return [
            (
                f"{r.id}:{c.id}",
                f"{r.text}: {c.text}",
                c.id in ([r.keyed] if isinstance(r.keyed, str) else r.keyed),
                c.id in r.must_avoid,
            )
            for r in step.rows
            for c in step.columns
        ]
    if kind == "bow_tie":
        return [
            (f"{w}:{o.id}", f"{w.capitalize()}: {o.text}", o.keyed, o.must_avoid)
            for w in ("condition", "actions", "parameters")
            for o in getattr(step, w).options
        ]
    if hasattr(step, "blanks"):
        return [
            (f"{b.id}:{o.id}", f"{b.label or b.id}: {o.text}", o.keyed, o.must_avoid)
            for b in step.blanks
            for o in b.options
        ]
    return [(o.id, o.text, o.keyed, o.must_avoid) for o in step.options]


# --- Tables ------------------------------------------------------------------------------------


def _attempt_paths(data: SessionData, bounds: Bounds) -> pd.DataFrame:
    """Attempts with the steps answered and the steps on the longest path still open.

    (Points possible are ``classroom.grades``': there is one definition of the score.)
    """
    att = data.attempts
    answered = att["attempt_id"].map(data.responses.groupby("attempt_id").size())
    answered = answered.fillna(0).to_numpy(dtype=np.int64)
    keys = zip(att["case_id"], att["current_step"], strict=True)
    left = np.array([bounds.get(k, (0, 0))[0] for k in keys], dtype=np.int64)
    left[((att["status"] == "finished") | att["current_step"].isna()).to_numpy()] = 0
    quiz = (att["kind"] == "quiz").to_numpy()
    return att.assign(
        answered=answered, steps=np.where(quiz, att["quiz_items"].to_numpy(), answered + left)
    )


def _per_case(data: SessionData, paths: pd.DataFrame, column: str, fresh: dict) -> pd.DataFrame:
    """learner × case table of an attempt column; ``fresh`` (by case) where none was started."""
    people = data.participants["learner_id"]
    columns = list(dict.fromkeys([*data.session.case_ids, *paths["case_id"]]))
    grid = np.empty((len(people), len(columns)), dtype=object)
    grid[:] = np.array([fresh.get(c) for c in columns], dtype=object)
    at_row = paths["learner_id"].map(pd.Series(np.arange(len(people)), index=people.to_numpy()))
    at_column = paths["case_id"].map({c: i for i, c in enumerate(columns)})
    found = at_row.notna().to_numpy()
    # Reversed, so that the first attempt at a case wins where a learner has two.
    grid[
        at_row.to_numpy()[found][::-1].astype(np.int64),
        at_column.to_numpy()[found][::-1].astype(np.int64),
    ] = paths[column].to_numpy(dtype=object)[found][::-1]
    table = pd.DataFrame(grid, index=people.to_numpy(), columns=columns).infer_objects()
    table.index.name = "learner_id"
    return table


def roster(data: SessionData, library: CaseLibrary, grades: pd.DataFrame) -> pd.DataFrame:
    """Who joined, progress per case ("answered/steps on path"), their session score, finished.

    One column per case of the session (named by case id; ``case_titles`` labels them).
    Steps on path = answered + the longest path still open (an upper bound that only
    shrinks, as the player's "Step k of n"). The score columns are ``grades``' (the
    gradebook's): ``student_grades`` of ``attempt_scores``.
    """
    bounds = path_bounds_of(library, [*data.session.case_ids, *data.attempts["case_id"]])
    paths = _attempt_paths(data, bounds)
    paths["progress"] = [f"{a}/{n}" for a, n in zip(paths["answered"], paths["steps"], strict=True)]
    fresh = {c: f"0/{bounds[(c, '')][0]}" for c in data.session.case_ids if (c, "") in bounds}
    progress = _per_case(data, paths, "progress", fresh)
    people = data.participants.set_index("learner_id")
    answered = data.responses.groupby("learner_id").size().rename("answered")
    score = grades.set_index("learner_id")[[*SCORE_COLUMNS, "finished", "all_finished"]]
    out = people[["student", "joined_at"]].join(progress).join(answered)
    out["answered"] = out["answered"].fillna(0).astype(int)
    out = out.join(score.drop(columns="cap").rename(columns={"finished": "cases_finished"}))
    return out.rename(columns={"all_finished": "finished"}).reset_index()


@dataclass(frozen=True)
class ScoreDistribution:
    """Every student's session score (for the histogram) and the summary of those finished."""

    totals: pd.DataFrame  # learner_id, student, answered, SCORE_COLUMNS, finished
    summary: dict[str, float]  # of percent, over the students who finished every activity


def score_distribution(data: SessionData, grades: pd.DataFrame) -> ScoreDistribution:
    """Session scores of every student with an answer; mean, median and SD of the finished.

    The summary is over the students who finished every activity of the session, so it
    does not move as students in progress answer (their scores count work not done as 0).
    """
    answered = data.responses.groupby("learner_id").size()
    totals = grades.assign(
        answered=grades["learner_id"].map(answered).fillna(0).astype("int64"),
        finished=grades["all_finished"],
    )
    totals = totals[totals["answered"] > 0].reset_index(drop=True)
    columns = ["learner_id", "student", "answered", *SCORE_COLUMNS, "finished"]
    return ScoreDistribution(
        totals[columns], score_summary(totals.loc[totals["finished"], "percent"])
    )


def _unique_items(data: SessionData) -> pd.DataFrame:
    # A session with both cases and a quiz can hold one item twice for a student: keep the first.
    return data.responses.drop_duplicates(["learner_id", "item"])


def item_analysis(
    data: SessionData, library: CaseLibrary, finished: pd.Series | None = None
) -> ItemAnalysis:
    """Moodle item statistics, labelled (case, step, type, skill, rule), with random-guess %.

    Each item is analysed over the students who answered it
    (``classroom.analytics.item_stats``); the
    test-level figures over ``finished`` (learner ids: those who finished every activity;
    default every student). ``random_guess`` is the expected score (% of max) of random
    non-empty selections, for the +/- select-all and highlight items; NaN for the others.
    """
    responses = _unique_items(data)
    stats = item_statistics(
        responses[["learner_id", "item", "points", "max_points"]].rename(
            columns={"learner_id": "student"}
        ),
        test_students=finished,
    )
    first = _first_rows(data)
    labels = []
    for item in stats.items.index:
        case_id, step_id, item_type, skill, rule = first[item]
        case, step = _step(library, case_id, step_id)
        guess = np.nan
        if step is not None and step.type in ("select_all", "highlight"):
            keyed = sum(o.keyed for o in step.options)
            guess = 100 * random_guess_baseline(len(step.options), keyed)
        labels.append(
            {
                "case_id": case_id,
                "case_title": case.title if case else case_id,
                "step_id": step_id,
                "step_title": (step.title or _excerpt(step.prompt)) if step else step_id,
                "item_type": item_type,
                "skill": _skill_label(skill),
                "rule": rule,
                "random_guess": guess,
            }
        )
    label_frame = pd.DataFrame(labels, index=stats.items.index, columns=_LABEL_COLUMNS)
    return ItemAnalysis(items=label_frame.join(stats.items), test=stats.test)


_LABEL_COLUMNS = [
    "case_id",
    "case_title",
    "step_id",
    "step_title",
    "item_type",
    "skill",
    "rule",
    "random_guess",
]


def _skill_label(skill: str) -> str:
    return Skill(skill).label if skill in SKILL_ORDER else str(skill)


def distractors(data: SessionData, library: CaseLibrary | None = None) -> pd.DataFrame:
    """How many students chose each option of each item, and their share (%) of answerers.

    With the library, every option an item offers is listed (0 when nobody chose it) with its
    text and whether it is keyed or must-avoid.
    """
    choices = data.choices
    # Counted on integer codes (fast at 300,000 choices), then labelled.
    counts = distractor_counts(
        pd.DataFrame(
            {
                "student": choices["learner_id"],
                "item": choices["item"].cat.codes,
                "option": choices["option"].cat.codes,
            }
        )
    )
    counts["item"] = text_column(choices["item"].cat.categories.to_numpy()[counts["item"]])
    counts["option"] = text_column(choices["option"].cat.categories.to_numpy()[counts["option"]])
    answerers = _unique_items(data).groupby("item").size()
    if library is not None and not answerers.empty:
        first = _first_rows(data)
        catalog = [
            (item, *entry)
            for item in answerers.index
            for entry in _catalog_of(library, *first[item][:2])
        ]
        offered = pd.DataFrame(
            catalog, columns=["item", "option", "text", "keyed", "must_avoid"]
        ).astype({"item": object, "option": object, "text": object})
        counts = offered.merge(counts, on=["item", "option"], how="outer", sort=False)
        counts["count"] = counts["count"].fillna(0).astype("int64")
        for flag in ("keyed", "must_avoid"):  # an option no longer offered: neither
            counts[flag] = counts[flag].astype(object).fillna(False).astype(bool)
    counts["share"] = 100 * counts["count"] / counts["item"].map(answerers).to_numpy(dtype=float)
    return counts.reset_index(drop=True)


def _catalog_of(library: CaseLibrary, case_id: str, step_id: str) -> list[tuple[Any, ...]]:
    _, step = _step(library, case_id, step_id)
    return [] if step is None else _option_catalog(step)


def _first_rows(data: SessionData) -> dict[str, tuple[str, str, str, str, str]]:
    """Item → (case id, step id, item type, skill, rule) as first stored."""
    first = data.responses.drop_duplicates("item")
    columns = ("item_case", "item_step", "item_type", "skill", "rule")
    return dict(zip(first["item"], zip(*(first[c] for c in columns), strict=True), strict=True))


@dataclass(frozen=True)
class SkillPerformance:
    """Points per CJMM skill: for the class, per student (long), and % per student (wide)."""

    by_class: pd.DataFrame  # skill, label, points, max_points, percent, students
    by_student: pd.DataFrame  # learner_id, student, skill, label, points, max_points, percent
    percent_table: pd.DataFrame  # index student (learner_id), one column per skill label


def skill_performance(data: SessionData) -> SkillPerformance:
    """Class and per-student points / max per CJMM skill, with percent."""
    r = data.responses
    skill_codes, found = pd.factorize(r["skill"].to_numpy(dtype=object))
    learner_codes, learners = pd.factorize(r["learner_id"].to_numpy(), sort=True)
    skills = [*(s for s in SKILL_ORDER if s in set(found)), *sorted(set(found) - set(SKILL_ORDER))]
    # Re-code skills in CJMM order; one bincount per measure over the learner × skill grid.
    skill_codes = np.array([skills.index(s) for s in found], dtype=np.int64)[skill_codes]
    shape = (len(learners), len(skills))
    cell = learner_codes * len(skills) + skill_codes
    grid = {
        name: np.bincount(cell, weights=r[name].to_numpy(float), minlength=shape[0] * shape[1])
        .reshape(shape)
        .astype(np.int64)
        for name in ("points", "max_points")
    }
    seen = np.bincount(cell, minlength=shape[0] * shape[1]).reshape(shape) > 0
    labels = [_skill_label(s) for s in skills]
    by_class = pd.DataFrame(
        {
            "skill": text_column(skills),
            "label": text_column(labels),
            "points": grid["points"].sum(axis=0),
            "max_points": grid["max_points"].sum(axis=0),
        }
    )
    by_class["percent"] = (
        100 * by_class["points"] / by_class["max_points"].where(by_class["max_points"] > 0)
    )
    by_class["students"] = seen.sum(axis=0)
    rows, columns = np.nonzero(seen)
    names = data.participants.set_index("learner_id")["student"]
    by_student = pd.DataFrame(
        {
            "learner_id": np.asarray(learners, dtype=np.int64)[rows],
            "student": text_column(names.reindex(learners[rows]).to_numpy()),
            "skill": text_column(np.asarray(skills, dtype=object)[columns]),
            "label": text_column(np.asarray(labels, dtype=object)[columns]),
            "points": grid["points"][rows, columns],
            "max_points": grid["max_points"][rows, columns],
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(seen, 100 * grid["points"] / grid["max_points"], np.nan)
    by_student["percent"] = percent[rows, columns]
    wide = pd.DataFrame(percent, index=pd.Index(learners, name="learner_id"), columns=labels)
    return SkillPerformance(by_class, by_student, wide)


def must_avoid_made(data: SessionData) -> pd.DataFrame:
    """Every must-avoid choice made: learner_id, student, item, case, step, choice, when."""
    r = data.responses
    made = r.loc[r["must_avoid"].str.len() > 0]
    made = made[
        ["learner_id", "student", "item", "item_case", "item_step", "must_avoid", "created_at"]
    ]
    made = made.explode("must_avoid").rename(
        columns={"item_case": "case_id", "item_step": "step_id", "must_avoid": "choice"}
    )
    return made.astype({"choice": object}).reset_index(drop=True)


@dataclass(frozen=True)
class StudentAnswer:
    """One answer of a student, re-scored to give the explanations they were shown."""

    item: str
    case_id: str
    case_title: str
    step_id: str
    step: Any | None  # None when the case or step is no longer in the library
    result: ItemResult | None  # None when the step changed so the answer no longer fits
    points: int
    max_points: int
    must_avoid: tuple[str, ...]
    answered_at: datetime


def student_answers(
    data: SessionData,
    library: CaseLibrary,
    learner_id: int,
    case_at: Callable[[str, str], Case | None] | None = None,
) -> list[StudentAnswer]:
    """A student's answers in the order given, with the feedback their player showed.

    ``case_at(case_id, version)`` gives a case as published at a version (None when it is not
    kept): an answer in a case attempt is explained with the version the attempt played, as the
    player did, even if the case was republished since. Without it, or for quiz answers, the
    library's current version explains.
    """
    mine = data.responses[data.responses["learner_id"] == learner_id]
    versions = data.attempts.set_index("attempt_id")["case_version"].to_dict()
    out = []
    for row in mine.sort_values(["attempt_id", "seq"]).itertuples(index=False):
        case, step = _step(library, row.item_case, row.item_step)
        version = versions.get(row.attempt_id) if row.kind == "case" else None
        played = case_at(row.item_case, version) if case_at and version else None
        if played is not None:
            case = played
            step = next((s for s in played.steps if s.id == row.item_step), None)
        result = None
        if step is not None and case is not None:
            try:
                result = score_response(step, row.response, library.guidance, tuple(case.guidance))
            except ResponseError:
                result = None
        out.append(
            StudentAnswer(
                item=row.item,
                case_id=row.item_case,
                case_title=case.title if case else row.item_case,
                step_id=row.item_step,
                step=step,
                result=result,
                points=int(row.points),
                max_points=int(row.max_points),
                must_avoid=tuple(row.must_avoid),
                answered_at=row.created_at.to_pydatetime(),
            )
        )
    return out


# --- All tables at once, cached -------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    """Every dashboard table of one read of a session."""

    data: SessionData
    scores: pd.DataFrame  # classroom.grades.attempt_scores: one row per student × activity
    grades: pd.DataFrame  # classroom.grades.student_grades: one row per student
    roster: pd.DataFrame
    distribution: ScoreDistribution
    items: pd.DataFrame
    test: OverallStats
    distractors: pd.DataFrame
    skills: SkillPerformance
    must_avoid: pd.DataFrame
    case_titles: dict[str, str] = field(default_factory=dict)


def build_dashboard(data: SessionData, library: CaseLibrary) -> Dashboard:
    """Compute every table from one read."""
    scores = attempt_scores(data, library)
    grades = student_grades(scores, data)
    analysis = item_analysis(data, library, grades.loc[grades["all_finished"], "learner_id"])
    return Dashboard(
        data=data,
        scores=scores,
        grades=grades,
        roster=roster(data, library, grades),
        distribution=score_distribution(data, grades),
        items=analysis.items,
        test=analysis.test,
        distractors=distractors(data, library),
        skills=skill_performance(data),
        must_avoid=must_avoid_made(data),
        case_titles=case_titles(data, library),
    )


class DashboardCache:
    """The dashboard of one session, recomputed only when its ``answer_key`` changes."""

    def __init__(self) -> None:
        self._dashboard: Dashboard | None = None
        self._library: CaseLibrary | None = None
        self.computations = 0

    def get(self, engine: Engine, code: str, library: CaseLibrary) -> Dashboard:
        """The cached dashboard if nothing changed, else a fresh one (one cheap query if not)."""
        cached = self._dashboard
        if (
            cached is not None
            and self._library is library
            and answer_key(engine, code) == cached.data.key
        ):
            return cached
        dashboard = build_dashboard(session_frames(engine, code), library)
        self._dashboard, self._library = dashboard, library
        self.computations += 1
        return dashboard
