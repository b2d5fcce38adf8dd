"""The educator's live dashboard: roster, scores, item and distractor analysis, skills, exports.

``session_frames`` reads a class session once into long frames; every table is then a pure,
vectorized pandas function of them (no Streamlit here). ``DashboardCache`` rebuilds the tables
only when what they show has changed in the database: answers stored (count, newest id), who
joined (count, newest id) and attempts finished. Keep one cache per session in
``st.session_state``; it holds no state shared between users.

Students are keyed by ``learner_id`` (display names need not be unique). Two percents appear:
``percent`` in the roster and score distribution is the score *so far* (points of the items
answered); the gradebook's percent is of the points *possible* (a finished case's path, or
the best path still open, for unfinished and unstarted cases), so missing work counts 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.db import reading, storage_error, translate_errors
from classroom.exports import GRADEBOOK_COLUMNS
from classroom.item_stats import (
    ItemAnalysis,
    OverallStats,
    distractor_counts,
    item_statistics,
    random_guess_baseline,
    score_summary,
)
from classroom.schema import Answer, Attempt, ClassSession, Participant
from classroom.sessions import SessionInfo, get_session, normalize_code
from scoring.case_path import path_bounds
from scoring.errors import ResponseError
from scoring.explain import ItemResult
from scoring.items import score_response
from scoring.loader import CaseLibrary
from scoring.models import Case, Skill

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
    "exports_for",
    "item_analysis",
    "must_avoid_made",
    "roster",
    "score_distribution",
    "session_frames",
    "skill_performance",
    "student_answers",
]

RESPONSE_COLUMNS = (
    "student",
    "learner_id",
    "attempt_id",
    "attempt_status",
    "kind",
    "case_id",
    "step_id",
    "item",
    "seq",
    "points",
    "max_points",
    "rule",
    "skill",
    "item_type",
    "must_avoid",
    "response",
    "created_at",
)
SKILL_ORDER = [s.value for s in Skill]
_NOT_LOADED = "The dashboard was not updated; try again in a moment."
# (code, answers stored, newest answer id, participants, newest participant id, finished)
Key = tuple[str, int, int, int, int, int]


@dataclass(frozen=True)
class SessionData:
    """One read of a class session: participants, attempts, answers and the options chosen."""

    session: SessionInfo
    participants: pd.DataFrame  # learner_id, student, joined_at (join order)
    attempts: pd.DataFrame  # attempt_id, learner_id, case_id, kind, status, current_step, ...
    responses: pd.DataFrame  # RESPONSE_COLUMNS + item_case, item_step, must_avoid_count
    choices: pd.DataFrame  # student, learner_id, item, option ("row:column" for grids)
    key: Key


def _fingerprint(code: str) -> sa.Select[Any]:
    session_id = (
        sa.select(ClassSession.id).where(ClassSession.code == normalize_code(code))
    ).scalar_subquery()
    answers = sa.select(Answer.id).join(Attempt, Attempt.id == Answer.attempt_id)
    answers = answers.where(Attempt.session_id == session_id).subquery()
    joined = sa.select(Participant.id).where(Participant.session_id == session_id).subquery()
    finished = sa.select(sa.func.count(Attempt.id)).where(
        Attempt.session_id == session_id, Attempt.status == "finished"
    )
    return sa.select(
        sa.select(sa.func.count(answers.c.id)).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(answers.c.id), 0)).scalar_subquery(),
        sa.select(sa.func.count(joined.c.id)).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(joined.c.id), 0)).scalar_subquery(),
        finished.scalar_subquery(),
    )


@translate_errors(_NOT_LOADED)
def answer_key(engine: Engine, code: str) -> Key:
    """What the dashboard depends on, in one cheap query: equal keys mean equal tables."""
    with reading(engine) as conn:
        row = conn.execute(_fingerprint(code)).one()
    return (normalize_code(code), *(int(v) for v in row))


def _instant(column: Any, dialect: str) -> Any:
    """A timestamp as PostgreSQL microseconds since 1970 (exact, fast to convert) or as text."""
    if dialect == "postgresql":
        return sa.cast(sa.extract("epoch", column) * 1_000_000, sa.BigInteger)
    return sa.type_coerce(column, sa.Text)  # SQLite stores ISO text in UTC


def _participants_query(session_id: int, dialect: str) -> sa.Select[Any]:
    return (
        sa.select(
            Participant.learner_id,
            Participant.display_name,
            _instant(Participant.joined_at, dialect),
        )
        .where(Participant.session_id == session_id)
        .order_by(Participant.id)
    )


def _attempts_query(session_id: int) -> sa.Select[Any]:
    return (
        sa.select(
            Attempt.id,
            Attempt.learner_id,
            Attempt.case_id,
            Attempt.kind,
            Attempt.status,
            Attempt.current_step,
            sa.type_coerce(Attempt.quiz_spec, sa.Text),
        )
        .join(
            Participant,
            sa.and_(
                Participant.session_id == Attempt.session_id,
                Participant.learner_id == Attempt.learner_id,
            ),
        )
        .where(Attempt.session_id == session_id)
        .order_by(Participant.id, Attempt.id)
    )


def _answers_query(session_id: int, dialect: str) -> sa.Select[Any]:
    """The answers of ``session_responses``; who and which case come from the attempts."""
    return (
        sa.select(
            Answer.attempt_id,
            Answer.seq,
            Answer.step_id,
            Answer.points,
            Answer.max_points,
            Answer.rule,
            Answer.skill,
            Answer.item_type,
            # JSON and times stay raw text here and are decoded once per distinct value.
            sa.type_coerce(Answer.must_avoid, sa.Text),
            sa.type_coerce(Answer.response, sa.Text),
            _instant(Answer.created_at, dialect),
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.session_id == session_id)
    )  # unordered: sorting here costs SQLite a temporary B-tree; pandas sorts faster


_PARTICIPANT_COLUMNS = {"learner_id": "int64", "student": object, "joined_at": object}
_ATTEMPT_COLUMNS = {
    "attempt_id": "int64",
    "learner_id": "int64",
    "case_id": object,
    "kind": object,
    "status": object,
    "current_step": object,
    "quiz_spec": object,
}
_ANSWER_COLUMNS = {
    "attempt_id": "int64",
    "seq": "int64",
    "step_id": object,
    "points": "int64",
    "max_points": "int64",
    "rule": object,
    "skill": object,
    "item_type": object,
    "must_avoid": object,
    "response": object,
    "created_at": object,
}


def _frame(conn: Connection, query: sa.Select[Any], dtypes: dict[str, Any]) -> pd.DataFrame:
    """A query's rows as a frame of the given column names and dtypes.

    Rows come straight from the driver's cursor: SQLAlchemy's Row objects and pandas' own
    string inference each cost more than the query itself at 100,000 answers. Text stays
    ``object`` (pandas would otherwise convert it to Arrow strings and back).
    """
    result = conn.execute(query)
    try:
        rows = result.cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as exc:
        raise storage_error(exc, conn.engine.url, _NOT_LOADED) from exc
    finally:
        result.close()
    matrix = np.array(rows, dtype=object) if rows else np.empty((0, len(dtypes)), dtype=object)
    return pd.DataFrame(
        {
            name: pd.Series(matrix[:, j], dtype=dtype)
            for j, (name, dtype) in enumerate(dtypes.items())
        }
    )


@translate_errors(_NOT_LOADED)
def _read(engine: Engine, code: str, session_id: int) -> tuple[Key, list[pd.DataFrame]]:
    # One read transaction; the key is read first, so data is never older than its key (a
    # cache then recomputes at worst once more than needed, never keeps stale tables).
    with reading(engine) as conn:
        key = conn.execute(_fingerprint(code)).one()
        dialect = conn.dialect.name
        frames = [
            _frame(conn, _participants_query(session_id, dialect), _PARTICIPANT_COLUMNS),
            _frame(conn, _attempts_query(session_id), _ATTEMPT_COLUMNS),
            _frame(conn, _answers_query(session_id, dialect), _ANSWER_COLUMNS),
        ]
    return (normalize_code(code), *(int(v) for v in key)), frames


def session_frames(engine: Engine, code: str) -> SessionData:
    """Read a class session into long frames; ValueError for an unknown code."""
    info = get_session(engine, code)
    if info is None:
        raise ValueError(f"no class session has the code {normalize_code(code)!r}")
    key, (participants, attempts, answers) = _read(engine, code, info.id)
    participants["joined_at"] = _times(participants["joined_at"])
    specs = _decode(attempts.pop("quiz_spec").to_numpy())[0]
    attempts["quiz_items"] = np.array([len((s or {}).get("items", [])) for s in specs], dtype=int)
    responses, choices = _response_frames(participants, attempts, answers)
    return SessionData(info, participants, attempts, responses, choices, key)


def _times(values: pd.Series) -> pd.Series:
    """UTC timestamps on a fresh range index, from ISO text or microseconds (``_instant``)."""
    raw = values.to_numpy()
    if len(raw) and isinstance(raw[0], int):
        return pd.Series(pd.to_datetime(raw.astype(np.int64), unit="us", utc=True))
    return pd.Series(pd.to_datetime(raw, utc=True, format="ISO8601"))


def _decode(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """JSON texts decoded once per distinct text: (values, codes, distinct decoded values).

    Rows share the decoded objects; nothing here or downstream modifies them.
    """
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    decoded = np.empty(len(uniques), dtype=object)
    for i, text in enumerate(uniques):
        decoded[i] = json.loads(text) if isinstance(text, str) else None
    return decoded[codes], codes, decoded


def _response_frames(
    participants: pd.DataFrame, attempts: pd.DataFrame, answers: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses in ``session_responses`` order (join order, attempt, seq), and choices."""
    # Answers of attempts whose learner is no participant (none, by cascade) are left out.
    position = pd.Series(np.arange(len(attempts)), index=attempts["attempt_id"])
    where = answers["attempt_id"].map(position)
    answers, where = answers[where.notna()], where.dropna().to_numpy(dtype=np.int64)
    order = np.lexsort((answers["seq"].to_numpy(), where))
    answers, of_attempt = answers.iloc[order], attempts.iloc[where[order]]
    names = participants.set_index("learner_id")["student"]
    case_ids = of_attempt["case_id"].to_numpy(dtype=object)
    step_ids = answers["step_id"].to_numpy(dtype=object)
    # Quiz steps are stored as "case/step" already; a case's steps get their case prefixed.
    quiz = (of_attempt["kind"] == "quiz").to_numpy()
    item_case, item_step = case_ids.copy(), step_ids.copy()
    split = [s.partition("/") for s in step_ids[quiz]]
    item_case[quiz] = [p[0] for p in split]
    item_step[quiz] = [p[2] for p in split]
    must_avoid, avoid_codes, avoid_values = _decode(answers["must_avoid"].to_numpy())
    avoid_counts = np.array([len(v or ()) for v in avoid_values], dtype=np.int64)
    response, codes, decoded = _decode(answers["response"].to_numpy())
    # Text columns are built as ``object`` explicitly: pandas would otherwise convert each to
    # Arrow strings, which the Python-level steps below would convert straight back.
    frame = pd.DataFrame(
        {
            "student": _text(of_attempt["learner_id"].map(names)),
            "learner_id": of_attempt["learner_id"].to_numpy(),
            "attempt_id": answers["attempt_id"].to_numpy(),
            "attempt_status": _text(of_attempt["status"]),
            "kind": _text(of_attempt["kind"]),
            "case_id": _text(case_ids),
            "step_id": _text(step_ids),
            "item": _text(np.where(quiz, step_ids, case_ids + "/" + step_ids)),
            "seq": answers["seq"].to_numpy(),
            "points": answers["points"].to_numpy(),
            "max_points": answers["max_points"].to_numpy(),
            "rule": _text(answers["rule"]),
            "skill": _text(answers["skill"]),
            "item_type": _text(answers["item_type"]),
            "must_avoid": _text(must_avoid),
            "must_avoid_count": avoid_counts[avoid_codes],
            "response": _text(response),
            "created_at": _times(answers["created_at"]),
            "item_case": _text(item_case),
            "item_step": _text(item_step),
        }
    )
    return frame, _choice_frame(frame, codes, decoded)


def _text(values: Any) -> pd.Series:
    """An ``object`` column (no Arrow string inference), on a fresh range index."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _choice_keys(item_type: str, response: Any) -> list[str]:
    """Option keys of a stored (normalized) response: ids, or "group:id" for grids and wings."""
    if isinstance(response, str):
        return [response]
    if isinstance(response, list):
        if item_type == "ordering":  # which option was put in which place
            return [f"{place}:{x}" for place, x in enumerate(response, 1)]
        return [str(x) for x in response]
    if isinstance(response, dict):
        return [
            f"{group}:{x}"
            for group, value in response.items()
            for x in (value if isinstance(value, list) else [value])
            if x is not None
        ]
    return []


def _choice_frame(responses: pd.DataFrame, codes: np.ndarray, decoded: np.ndarray) -> pd.DataFrame:
    """One row per option chosen; keys are worked out once per distinct (type, response).

    ``item`` and ``option`` are categoricals: 300,000 choices group by their integer codes.
    """
    width = max(len(decoded), 1)
    type_codes, types = pd.factorize(responses["item_type"].to_numpy(dtype=object))
    pair_codes, pairs = pd.factorize(type_codes.astype(np.int64) * width + codes)
    keys = [_choice_keys(types[p // width], decoded[p % width]) for p in pairs]
    lengths = np.array([len(k) for k in keys] or [0], dtype=np.int64)
    key_codes, options = pd.factorize(np.array([x for k in keys for x in k] or [""], dtype=object))
    starts = np.cumsum(lengths) - lengths
    # Row r takes keys[starts[c] : starts[c] + lengths[c]] for its pair c, all in one gather.
    per_row = lengths[pair_codes]
    rows = np.repeat(np.arange(len(pair_codes)), per_row)
    within = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    item_codes, items = pd.factorize(responses["item"].to_numpy(dtype=object))
    return pd.DataFrame(
        {
            "student": _text(responses["student"].to_numpy()[rows]),
            "learner_id": responses["learner_id"].to_numpy()[rows],
            "item": pd.Categorical.from_codes(item_codes[rows], categories=items),
            "option": pd.Categorical.from_codes(
                key_codes[np.repeat(starts[pair_codes], per_row) + within], categories=options
            ),
        }
    )


# --- The case model: paths, labels and option catalogue ---------------------------------------


Bounds = dict[tuple[str, str], tuple[int, int]]


def _bounds(library: CaseLibrary, case_ids: Iterable[str]) -> Bounds:
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


def case_titles(data: SessionData, library: CaseLibrary) -> dict[str, str]:
    """Case id → title for the session's cases (the id itself when the case is gone)."""
    ids = [*data.session.case_ids, *data.attempts["case_id"]]
    return {c: (library.get(c).case.title if library.get(c) else c) for c in dict.fromkeys(ids)}


def _step(library: CaseLibrary, case_id: str, step_id: str) -> tuple[Case | None, Any]:
    loaded = library.get(case_id)
    if loaded is None:
        return None, None
    return loaded.case, next((s for s in loaded.case.steps if s.id == step_id), None)


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
    """Attempts with steps and points answered, and the most steps and points still open."""
    att = data.attempts
    done = data.responses.groupby("attempt_id")["max_points"].agg(["size", "sum"])
    answered = att["attempt_id"].map(done["size"]).fillna(0).to_numpy(dtype=np.int64)
    answered_max = att["attempt_id"].map(done["sum"]).fillna(0).to_numpy(dtype=np.int64)
    keys = zip(att["case_id"], att["current_step"], strict=True)
    left = np.array([bounds.get(k, (0, 0)) for k in keys], dtype=np.int64).reshape(-1, 2)
    left[((att["status"] == "finished") | att["current_step"].isna()).to_numpy()] = 0
    quiz = (att["kind"] == "quiz").to_numpy()
    return att.assign(
        answered=answered,
        answered_max=answered_max,
        steps=np.where(quiz, att["quiz_items"].to_numpy(), answered + left[:, 0]),
        possible=answered_max + left[:, 1],
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


def roster(data: SessionData, library: CaseLibrary) -> pd.DataFrame:
    """Who joined, progress per case ("answered/steps on path"), points so far, finished.

    One column per case of the session (named by case id; ``case_titles`` labels them).
    Steps on path = answered + the longest path still open (an upper bound that only
    shrinks, as the player's "Step k of n").
    """
    bounds = _bounds(library, [*data.session.case_ids, *data.attempts["case_id"]])
    paths = _attempt_paths(data, bounds)
    paths["progress"] = [f"{a}/{n}" for a, n in zip(paths["answered"], paths["steps"], strict=True)]
    fresh = {c: f"0/{bounds[(c, '')][0]}" for c in data.session.case_ids if (c, "") in bounds}
    progress = _per_case(data, paths, "progress", fresh)
    people = data.participants.set_index("learner_id")
    finished = paths[paths["status"] == "finished"].groupby("learner_id").size()
    out = people[["student", "joined_at"]].join(progress).join(_student_totals(data))
    out = out.fillna({"answered": 0, "points": 0, "max_points": 0, "must_avoid": 0})
    out = out.astype({"answered": int, "points": int, "max_points": int, "must_avoid": int})
    out["cases_finished"] = finished.reindex(out.index).fillna(0).astype(int)
    out["finished"] = out["cases_finished"] >= max(len(data.session.case_ids), 1)
    return out.reset_index()


def _student_totals(data: SessionData) -> pd.DataFrame:
    """Per learner_id with answers: answered, points, max_points, percent (so far), must_avoid."""
    r = data.responses
    grouped = r.groupby("learner_id", sort=False)
    totals = grouped[["points", "max_points", "must_avoid_count"]].sum()
    totals = totals.rename(columns={"must_avoid_count": "must_avoid"})
    totals.insert(0, "answered", grouped.size())
    totals["percent"] = (
        100 * totals["points"] / totals["max_points"].where(totals["max_points"] > 0)
    )
    return totals[["answered", "points", "max_points", "percent", "must_avoid"]]


@dataclass(frozen=True)
class ScoreDistribution:
    """Per-student totals (for the histogram) and their summaries in points and percent."""

    totals: pd.DataFrame  # learner_id, student, answered, points, max_points, percent
    summary: dict[str, float]  # of points: n, mean, median, sd, min, max
    percent_summary: dict[str, float]


def score_distribution(data: SessionData) -> ScoreDistribution:
    """Totals of every student with at least one answer, and mean, median and SD."""
    totals = _student_totals(data)
    names = data.participants.set_index("learner_id")["student"]
    totals.insert(0, "student", _text(names.reindex(totals.index)).to_numpy())
    totals = totals.reset_index()[
        ["learner_id", "student", "answered", "points", "max_points", "percent"]
    ]
    return ScoreDistribution(
        totals, score_summary(totals["points"]), score_summary(totals["percent"])
    )


def _unique_items(data: SessionData) -> pd.DataFrame:
    # A session with both cases and a quiz can hold one item twice for a student: keep the first.
    return data.responses.drop_duplicates(["learner_id", "item"])


def item_analysis(data: SessionData, library: CaseLibrary) -> ItemAnalysis:
    """Moodle item statistics, labelled (case, step, type, skill, rule), with random-guess %.

    ``random_guess`` is the expected score (% of max) of random non-empty selections, for the
    +/- select-all and highlight items; NaN for the others.
    """
    responses = _unique_items(data)
    stats = item_statistics(
        responses[["learner_id", "item", "points", "max_points"]].rename(
            columns={"learner_id": "student"}
        )
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
    counts["item"] = _text(choices["item"].cat.categories.to_numpy()[counts["item"]])
    counts["option"] = _text(choices["option"].cat.categories.to_numpy()[counts["option"]])
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
            "skill": _text(skills),
            "label": _text(labels),
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
            "student": _text(names.reindex(learners[rows]).to_numpy()),
            "skill": _text(np.asarray(skills, dtype=object)[columns]),
            "label": _text(np.asarray(labels, dtype=object)[columns]),
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
    data: SessionData, library: CaseLibrary, learner_id: int
) -> list[StudentAnswer]:
    """A student's answers in the order given, with the feedback their player showed."""
    mine = data.responses[data.responses["learner_id"] == learner_id]
    out = []
    for row in mine.sort_values(["attempt_id", "seq"]).itertuples(index=False):
        case, step = _step(library, row.item_case, row.item_step)
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


# --- Exports -------------------------------------------------------------------------------


def _possible(data: SessionData, library: CaseLibrary) -> pd.Series:
    """Per learner_id: points possible (finished paths, plus the best path still open)."""
    bounds = _bounds(library, [*data.session.case_ids, *data.attempts["case_id"]])
    fresh = {c: bounds[(c, "")][1] for c in data.session.case_ids if (c, "") in bounds}
    return _per_case(data, _attempt_paths(data, bounds), "possible", fresh).sum(axis=1)


def exports_for(data: SessionData, library: CaseLibrary) -> dict[str, pd.DataFrame]:
    """Tables to download: ``gradebook``, per-student ``scores`` and per-item ``responses``.

    The gradebook's max_points is the points possible (see the module docstring), so work
    not done counts 0; its percent has one decimal.
    """
    people = data.participants.set_index("learner_id")
    totals = _student_totals(data).reindex(people.index)
    points = totals["points"].fillna(0).astype("int64")
    possible = _possible(data, library).reindex(people.index).fillna(0).astype("int64")
    percent = (100 * points / possible.where(possible > 0)).round(1)
    gradebook = pd.DataFrame(
        {"student": people["student"], "points": points, "max_points": possible, "percent": percent}
    )[list(GRADEBOOK_COLUMNS)]
    by_case = data.responses.groupby(["learner_id", "case_id"])["points"].sum().unstack()
    case_ids = list(dict.fromkeys([*data.session.case_ids, *by_case.columns]))
    by_case = by_case.reindex(index=people.index, columns=case_ids).fillna(0).astype("int64")
    done = data.attempts[data.attempts["status"] == "finished"].groupby("learner_id").size()
    scores = pd.concat(
        [
            people[["student"]].assign(
                learner_id=people.index, joined_at_utc=people["joined_at"].dt.tz_convert(None)
            ),
            by_case,
            gradebook[["points", "max_points", "percent"]],
        ],
        axis=1,
    )
    scores["answered"] = totals["answered"].fillna(0).astype("int64")
    scores["must_avoid"] = totals["must_avoid"].fillna(0).astype("int64")
    scores["cases_finished"] = done.reindex(people.index).fillna(0).astype("int64")
    r = data.responses
    responses = pd.DataFrame(
        {
            "student": r["student"],
            "learner_id": r["learner_id"],
            "case_id": r["item_case"],
            "step_id": r["item_step"],
            "item_type": r["item_type"],
            "skill": r["skill"],
            "rule": r["rule"],
            "points": r["points"],
            "max_points": r["max_points"],
            "response": [json.dumps(x, ensure_ascii=False) for x in r["response"]],
            "must_avoid": r["must_avoid"].str.join("; "),
            "answered_at_utc": r["created_at"].dt.tz_convert(None),
        }
    )
    return {
        "gradebook": gradebook.reset_index(drop=True),
        "scores": scores.reset_index(drop=True),
        "responses": responses.reset_index(drop=True),
    }


# --- All tables at once, cached -------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    """Every dashboard table of one read of a session."""

    data: SessionData
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
    analysis = item_analysis(data, library)
    return Dashboard(
        data=data,
        roster=roster(data, library),
        distribution=score_distribution(data),
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
