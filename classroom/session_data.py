"""One class session read from the database into long pandas frames, in one pass.

``session_frames`` runs three queries (participants, attempts, answers) and decodes each
distinct JSON response once; ``answer_key`` is the cheap fingerprint that tells whether
anything the dashboard shows has changed. The tables themselves are in
``classroom.analytics.dashboard``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.sessions import SessionInfo, get_session, normalize_code
from classroom.storage.db import reading, storage_error, translate_errors
from classroom.storage.schema import Answer, Attempt, ClassSession, CourseMember, Participant
from scoring.format.models import Skill

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
    participants: pd.DataFrame  # learner_id, student, joined_at, student_id (join order)
    # attempt_id, learner_id, case_id, kind, status, current_step, the stored score (points,
    # max_points, must_avoid_count, must_avoid_cap), started_at, finished_at, quiz_keys, ...
    attempts: pd.DataFrame
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
    """Who joined, in join order, with their roster student ID (None: not rostered)."""
    return (
        sa.select(
            Participant.learner_id,
            Participant.display_name,
            _instant(Participant.joined_at, dialect),
            CourseMember.student_id,
        )
        .outerjoin(CourseMember, CourseMember.learner_id == Participant.learner_id)
        .where(Participant.session_id == session_id)
        .order_by(Participant.id)
    )


def _attempts_query(session_id: int, dialect: str) -> sa.Select[Any]:
    return (
        sa.select(
            Attempt.id,
            Attempt.learner_id,
            Attempt.case_id,
            Attempt.kind,
            Attempt.status,
            Attempt.current_step,
            sa.type_coerce(Attempt.quiz_spec, sa.Text),
            Attempt.case_version,
            Attempt.points,
            Attempt.max_points,
            Attempt.must_avoid_count,
            Attempt.must_avoid_cap,
            _instant(Attempt.started_at, dialect),
            _instant(Attempt.finished_at, dialect),
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


_PARTICIPANT_COLUMNS = {
    "learner_id": "int64",
    "student": object,
    "joined_at": object,
    "student_id": object,  # the roster's stable ID; None for an anonymous joiner
}
_ATTEMPT_COLUMNS = {
    "attempt_id": "int64",
    "learner_id": "int64",
    "case_id": object,
    "kind": object,
    "status": object,
    "current_step": object,
    "quiz_spec": object,
    "case_version": object,
    "points": object,  # None while open
    "max_points": object,
    "must_avoid_count": "int64",
    "must_avoid_cap": object,  # None: no cap
    "started_at": object,
    "finished_at": object,
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
            _frame(conn, _attempts_query(session_id, dialect), _ATTEMPT_COLUMNS),
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
    # Built element by element: numpy would turn a list of equal-length tuples into 2-D.
    attempts["quiz_keys"] = pd.Series(
        [tuple((s or {}).get("items", ())) for s in specs], dtype=object
    )
    attempts["quiz_items"] = np.array([len(k) for k in attempts["quiz_keys"]], dtype=int)
    for column in ("started_at", "finished_at"):
        attempts[column] = _times(attempts[column])
    responses, choices = _response_frames(participants, attempts, answers)
    return SessionData(info, participants, attempts, responses, choices, key)


def _times(values: pd.Series) -> pd.Series:
    """UTC timestamps on a fresh range index, from ISO text or microseconds (``_instant``);
    None (an attempt not finished) becomes NaT."""
    raw = values.to_numpy()
    missing = pd.isna(raw)
    given = raw[~missing]
    if len(given) and isinstance(given[0], int):
        micros = raw.astype(np.int64) if not missing.any() else pd.array(raw, dtype="Int64")
        return pd.Series(pd.to_datetime(micros, unit="us", utc=True))
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
            "student": text_column(of_attempt["learner_id"].map(names)),
            "learner_id": of_attempt["learner_id"].to_numpy(),
            "attempt_id": answers["attempt_id"].to_numpy(),
            "attempt_status": text_column(of_attempt["status"]),
            "kind": text_column(of_attempt["kind"]),
            "case_id": text_column(case_ids),
            "step_id": text_column(step_ids),
            "item": text_column(np.where(quiz, step_ids, case_ids + "/" + step_ids)),
            "seq": answers["seq"].to_numpy(),
            "points": answers["points"].to_numpy(),
            "max_points": answers["max_points"].to_numpy(),
            "rule": text_column(answers["rule"]),
            "skill": text_column(answers["skill"]),
            "item_type": text_column(answers["item_type"]),
            "must_avoid": text_column(must_avoid),
            "must_avoid_count": avoid_counts[avoid_codes],
            "response": text_column(response),
            "created_at": _times(answers["created_at"]),
            "item_case": text_column(item_case),
            "item_step": text_column(item_step),
        }
    )
    return frame, _choice_frame(frame, codes, decoded)


def text_column(values: Any) -> pd.Series:
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
            "student": text_column(responses["student"].to_numpy()[rows]),
            "learner_id": responses["learner_id"].to_numpy()[rows],
            "item": pd.Categorical.from_codes(item_codes[rows], categories=items),
            "option": pd.Categorical.from_codes(
                key_codes[np.repeat(starts[pair_codes], per_row) + within], categories=options
            ),
        }
    )
