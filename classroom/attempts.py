"""Learners, their attempts at cases and quizzes, and every answer they submit.

A learner is known only by a random token carried in their URL. Every function checks that
the attempt belongs to the token it is given, runs in its own short transaction and commits
before returning, so an acknowledged answer survives a crash or a page refresh.

Submissions are idempotent by their natural key (attempt, step): a resend or a double click
stores nothing new and returns the answer already stored. Answers are final; a second,
different response to the same step is ignored in favour of the first.

A refused answer raises :class:`AnswerRefused` (its ``reason`` says why: the attempt is
finished, an exam's time is up, or the educator ended the session) and stores nothing; an
answer that is stored is committed before ``record_answer`` returns. So an answer in flight
when the educator presses "End now" is either stored and acknowledged, or refused and told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row

from classroom.storage.db import reading, translate_errors
from classroom.storage.identifiers import CODE_ALPHABET as CODE_ALPHABET  # its home was here
from classroom.storage.identifiers import (
    TOKEN_FORM,
    check_token,
    dialect_insert,
    new_token,
    normalize_code,
)
from classroom.storage.schema import (
    Answer,
    Attempt,
    ClassSession,
    CourseMember,
    Learner,
    Participant,
    utcnow,
)
from scoring.engine.explain import ItemResult
from scoring.engine.grades import ReportedScore, reported_score
from scoring.format.models import Skill, Step

KINDS = ("case", "quiz")
_TOKEN = TOKEN_FORM
_NOT_SAVED = "Your answer was not saved; try again."
_NOT_LOADED = "Nothing was loaded; try again in a moment."
_NOT_CHANGED = "Nothing was changed; try again."


REFUSALS = {
    "finished": "this attempt is finished",
    "time_up": "time is up for this exam",
    "ended": "the educator has ended this class session",
}


class AnswerRefused(ValueError):
    """The server refused an answer; nothing was stored. ``reason`` is a key of REFUSALS."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


@dataclass(frozen=True)
class AttemptInfo:
    """One attempt at a case or quiz, as the learner's pages need it."""

    id: int
    learner_token: str
    case_id: str
    case_version: str
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    points: int | None
    max_points: int | None
    percent: float | None
    current_step: str | None
    minutes_elapsed: int
    session_code: str | None
    quiz_spec: dict[str, Any] | None
    raw_percent: float | None = None
    capped: bool = False
    must_avoid_count: int = 0
    must_avoid_cap: int | None = None

    @property
    def score(self) -> ReportedScore | None:
        """The reported score stored when the attempt finished (None while it is open)."""
        if self.status != "finished" or self.points is None or self.max_points is None:
            return None
        return reported_score(
            self.points, self.max_points, self.must_avoid_count, self.must_avoid_cap
        )

    @property
    def ended_early(self) -> bool:
        """Finished before the end of its path (the educator ended the session)."""
        return self.status == "finished" and self.current_step is not None


@dataclass(frozen=True)
class AnswerInfo:
    """One stored answer with the score it earned."""

    seq: int
    step_id: str
    response: Any
    points: int
    max_points: int
    rule: str
    skill: str
    item_type: str
    must_avoid: list[str]
    next_step: str | None
    created_at: datetime


def time_is_up(started_at: datetime, limit_minutes: int | None, now: datetime) -> bool:
    """True once ``limit_minutes`` have passed since ``started_at``."""
    return limit_minutes is not None and now >= started_at + timedelta(minutes=limit_minutes)


def _whole(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def ensure_learner(conn: Connection, token: str, display_name: str | None = None) -> int:
    """The id of the learner with ``token``, creating the row if the token is new."""
    conn.execute(
        dialect_insert(conn, Learner.__table__)
        .values(token=check_token(token), display_name=display_name, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["token"])
    )
    return conn.execute(sa.select(Learner.id).where(Learner.token == token)).scalar_one()


@translate_errors(_NOT_CHANGED)
def new_learner(engine: Engine, display_name: str | None = None) -> str:
    """Create a learner and return their token."""
    token = new_token()
    with engine.begin() as conn:
        ensure_learner(conn, token, display_name)
    return token


@translate_errors(_NOT_LOADED)
def learner_exists(engine: Engine, token: str) -> bool:
    """True if ``token`` is a well-formed token of a stored learner."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return False
    with reading(engine) as conn:
        found = conn.execute(sa.select(Learner.id).where(Learner.token == token)).first()
    return found is not None


@translate_errors(_NOT_LOADED)
def learner_kind(engine: Engine, token: str) -> str | None:
    """ "anonymous" or "member" (a course's rostered student) for a stored token, else None.

    A member's record opens only with their sign-in cookie, never from a token in a link.
    """
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    with reading(engine) as conn:
        found = conn.execute(
            sa.select(Learner.id, CourseMember.id.label("member"))
            .outerjoin(CourseMember, CourseMember.learner_id == Learner.id)
            .where(Learner.token == token)
        ).first()
    if found is None:
        return None
    return "anonymous" if found.member is None else "member"


@translate_errors(_NOT_LOADED)
def learner_id_of(engine: Engine, token: str) -> int | None:
    """The id of the stored learner with ``token``, or None."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    with reading(engine) as conn:
        return conn.execute(
            sa.select(Learner.id).where(Learner.token == token)
        ).scalar_one_or_none()


@translate_errors(_NOT_LOADED)
def learner_token(engine: Engine, learner_id: int) -> str | None:
    """The token of the learner with this id (for a signed-in learner's pages), or None."""
    with reading(engine) as conn:
        return conn.execute(
            sa.select(Learner.token).where(Learner.id == learner_id)
        ).scalar_one_or_none()


def _attempts() -> sa.Select[Any]:
    return (
        sa.select(*Attempt.__table__.c, Learner.token, ClassSession.code)
        .join(Learner, Learner.id == Attempt.learner_id)
        .outerjoin(ClassSession, ClassSession.id == Attempt.session_id)
    )


def _attempt_info(row: Row[Any]) -> AttemptInfo:
    return AttemptInfo(
        id=row.id,
        learner_token=row.token,
        case_id=row.case_id,
        case_version=row.case_version,
        kind=row.kind,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        points=row.points,
        max_points=row.max_points,
        percent=row.percent,
        current_step=row.current_step,
        minutes_elapsed=row.minutes_elapsed,
        session_code=row.code,
        quiz_spec=row.quiz_spec,
        raw_percent=row.raw_percent,
        capped=row.capped,
        must_avoid_count=row.must_avoid_count,
        must_avoid_cap=row.must_avoid_cap,
    )


def _answer_info(row: Row[Any]) -> AnswerInfo:
    return AnswerInfo(
        seq=row.seq,
        step_id=row.step_id,
        response=row.response,
        points=row.points,
        max_points=row.max_points,
        rule=row.rule,
        skill=row.skill,
        item_type=row.item_type,
        must_avoid=list(row.must_avoid),
        next_step=row.next_step,
        created_at=row.created_at,
    )


def fetch_attempt(conn: Connection, token: str, attempt_id: int) -> AttemptInfo | None:
    """The attempt if it belongs to ``token``, read on an open connection."""
    row = conn.execute(
        _attempts().where(Attempt.id == attempt_id, Learner.token == token)
    ).one_or_none()
    return None if row is None else _attempt_info(row)


def _session_for_start(
    conn: Connection, learner_id: int, code: str, case_id: str, kind: str
) -> Row[Any]:
    session = conn.execute(
        sa.select(*ClassSession.__table__.c).where(ClassSession.code == normalize_code(code))
    ).one_or_none()
    if session is None:
        raise ValueError(f"no class session has the code {normalize_code(code)!r}")
    joined = conn.execute(
        sa.select(Participant.id).where(
            Participant.session_id == session.id, Participant.learner_id == learner_id
        )
    ).first()
    if joined is None:
        raise ValueError("join the class session before starting its cases")
    if kind == "case" and case_id not in session.case_ids:
        raise ValueError(f"case {case_id!r} is not part of this class session")
    if session.ended_at is not None:
        raise ValueError("this class session has ended")
    return session


@translate_errors("The attempt was not started; try again.")
def start_attempt(
    engine: Engine,
    token: str,
    case_id: str,
    case_version: str,
    *,
    kind: str = "case",
    quiz_spec: dict[str, Any] | None = None,
    session_code: str | None = None,
    first_step: str | None = None,
    must_avoid_cap: int | None = None,
) -> AttemptInfo:
    """Start an attempt (creating the learner if new); in a session, return the existing one.

    ``must_avoid_cap`` is the cap of the case version played (None for a quiz), kept with the
    attempt so that its grade never depends on a later version of the case.
    """
    check_token(token)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not case_id:
        raise ValueError("an attempt needs a case id")
    with engine.begin() as conn:
        learner_id = ensure_learner(conn, token)
        values: dict[str, Any] = {
            "learner_id": learner_id,
            "case_id": case_id,
            "case_version": case_version,
            "kind": kind,
            "quiz_spec": quiz_spec,
            "status": "open",
            "started_at": utcnow(),
            "current_step": first_step,
            "minutes_elapsed": 0,
            "must_avoid_cap": must_avoid_cap,
        }
        if session_code is None:
            new_id = conn.execute(
                sa.insert(Attempt).values(values).returning(Attempt.id)
            ).scalar_one()
            info = fetch_attempt(conn, token, new_id)
            assert info is not None
            return info
        session = _session_for_start(conn, learner_id, session_code, case_id, kind)
        existing = _attempts().where(
            Attempt.learner_id == learner_id,
            Attempt.session_id == session.id,
            Attempt.case_id == case_id,
            Attempt.kind == kind,
        )
        if session.is_open:
            if kind == "quiz" and quiz_spec is None:
                values["quiz_spec"] = session.quiz_spec
            # One attempt per case in a session: a second start returns the first.
            conn.execute(
                dialect_insert(conn, Attempt.__table__)
                .values({**values, "session_id": session.id})
                .on_conflict_do_nothing(
                    index_elements=["learner_id", "session_id", "case_id", "kind"],
                    index_where=Attempt.session_id.is_not(None),
                )
            )
        row = conn.execute(existing).one_or_none()
        if row is None:
            raise ValueError("this class session is closed")
        return _attempt_info(row)


@translate_errors(_NOT_LOADED)
def open_attempt(
    engine: Engine,
    token: str,
    case_id: str,
    *,
    kind: str = "case",
    session_code: str | None = None,
) -> AttemptInfo | None:
    """The learner's newest unfinished attempt at ``case_id`` (to resume after a refresh)."""
    check_token(token)
    query = _attempts().where(
        Learner.token == token,
        Attempt.case_id == case_id,
        Attempt.kind == kind,
        Attempt.status == "open",
    )
    if session_code is None:
        query = query.where(Attempt.session_id.is_(None))
    else:
        query = query.where(ClassSession.code == normalize_code(session_code))
    with reading(engine) as conn:
        row = conn.execute(query.order_by(Attempt.id.desc()).limit(1)).one_or_none()
    return None if row is None else _attempt_info(row)


@translate_errors(_NOT_LOADED)
def get_attempt(engine: Engine, token: str, attempt_id: int) -> AttemptInfo | None:
    """The attempt, or None unless it belongs to ``token``."""
    check_token(token)
    attempt_id = _whole(attempt_id, "attempt id")
    with reading(engine) as conn:
        return fetch_attempt(conn, token, attempt_id)


# record_answer is the hot path: its statements are built once, with bound parameters.
_ANSWER = Answer.__table__
_EARLIER = sa.alias(_ANSWER, "earlier")
_LOCK_ATTEMPT = (
    sa.select(
        Attempt.id,
        Attempt.status,
        Attempt.started_at,
        ClassSession.mode,
        ClassSession.time_limit_minutes,
        ClassSession.ended_at,
    )
    .join(Learner, Learner.id == Attempt.learner_id)
    .outerjoin(ClassSession, ClassSession.id == Attempt.session_id)
    .where(Attempt.id == sa.bindparam("attempt"), Learner.token == sa.bindparam("token"))
    .with_for_update(of=Attempt)
)
_NEXT_SEQ = (
    sa.select(sa.func.coalesce(sa.func.max(_EARLIER.c.seq), 0) + 1)
    .where(_EARLIER.c.attempt_id == sa.bindparam("attempt"))
    .scalar_subquery()
)
_STORED_ANSWER = sa.select(*_ANSWER.c).where(
    _ANSWER.c.attempt_id == sa.bindparam("attempt"), _ANSWER.c.step_id == sa.bindparam("step")
)
_ADVANCE = (
    sa.update(Attempt)
    .where(Attempt.id == sa.bindparam("attempt"))
    .values(
        current_step=sa.bindparam("next"),
        minutes_elapsed=Attempt.minutes_elapsed + sa.bindparam("minutes"),
    )
)
_INSERT_ANSWER = {
    name: make(_ANSWER)
    .values(seq=_NEXT_SEQ)
    .on_conflict_do_nothing(index_elements=["attempt_id", "step_id"])
    .returning(*_ANSWER.c)
    for name, make in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _ended(conn: Connection, attempt_id: int) -> bool:
    """Whether the attempt's session has been ended (read afresh: the lock may have waited on
    "End now", and the locked row's join then still shows the session as it was before)."""
    ended = (
        sa.select(ClassSession.ended_at)
        .join(Attempt, Attempt.session_id == ClassSession.id)
        .where(Attempt.id == attempt_id)
    )
    return conn.execute(ended).scalar_one_or_none() is not None


def _stored_answer(conn: Connection, attempt_id: int, step_id: str) -> AnswerInfo | None:
    row = conn.execute(_STORED_ANSWER, {"attempt": attempt_id, "step": step_id}).one_or_none()
    return None if row is None else _answer_info(row)


def answer_fields(
    step: Step, result: ItemResult, next_step: str | None, minutes: int = 0
) -> dict[str, Any]:
    """The keyword arguments of :func:`record_answer` for a scored item and where it leads."""
    return {
        "response": result.response,
        "points": result.points,
        "max_points": result.max_points,
        "rule": result.rule,
        "skill": Skill(step.skill).value,
        "item_type": step.type,
        "must_avoid": list(result.must_avoid_chosen),
        "next_step": next_step,
        "minutes": minutes,
    }


@translate_errors(_NOT_SAVED)
def record_answer(
    engine: Engine,
    token: str,
    attempt_id: int,
    step_id: str,
    *,
    response: Any,
    points: int,
    max_points: int,
    rule: str,
    skill: str,
    item_type: str,
    must_avoid: list[str] | tuple[str, ...],
    next_step: str | None,
    minutes: int = 0,
) -> tuple[AnswerInfo, bool]:
    """Store an answer and advance the attempt; a resend returns the stored answer and False.

    A refused answer raises AnswerRefused; a resend of an answer already stored is never
    refused (the stored answer is returned).
    """
    check_token(token)
    attempt_id = _whole(attempt_id, "attempt id")
    minutes = _whole(minutes, "minutes")
    row = {
        "attempt_id": attempt_id,
        "step_id": step_id,
        "response": response,
        "points": _whole(points, "points"),
        "max_points": _whole(max_points, "max_points"),
        "rule": str(rule),
        "skill": str(skill),
        "item_type": str(item_type),
        "must_avoid": [str(m) for m in must_avoid],
        "next_step": next_step,
    }
    with engine.begin() as conn:
        # Lock the attempt row: answers to one attempt are written one at a time, so seq is
        # race-free and a concurrent finish cannot slip in between the checks and the insert.
        attempt = conn.execute(_LOCK_ATTEMPT, {"attempt": attempt_id, "token": token}).one_or_none()
        if attempt is None:
            raise ValueError("no such attempt for this learner")
        now = utcnow()
        refusal = None
        if attempt.ended_at is not None:
            refusal = "ended"
        elif attempt.status != "open":
            refusal = "ended" if _ended(conn, attempt_id) else "finished"
        elif attempt.mode == "exam" and time_is_up(
            attempt.started_at, attempt.time_limit_minutes, now
        ):
            refusal = "time_up"
        if refusal:
            stored = _stored_answer(conn, attempt_id, step_id)
            if stored is None:
                raise AnswerRefused(refusal)
            return stored, False
        inserted = conn.execute(
            _INSERT_ANSWER[conn.dialect.name], {**row, "created_at": now, "attempt": attempt_id}
        ).one_or_none()
        if inserted is None:  # a resend: the first answer stands
            stored = _stored_answer(conn, attempt_id, step_id)
            assert stored is not None
            return stored, False
        conn.execute(_ADVANCE, {"attempt": attempt_id, "next": next_step, "minutes": minutes})
        return _answer_info(inserted), True


@translate_errors(_NOT_LOADED)
def answers(engine: Engine, token: str, attempt_id: int) -> list[AnswerInfo]:
    """The attempt's answers in order of submission; empty unless it belongs to ``token``."""
    check_token(token)
    attempt_id = _whole(attempt_id, "attempt id")
    query = (
        sa.select(*Answer.__table__.c)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Learner, Learner.id == Attempt.learner_id)
        .where(Answer.attempt_id == attempt_id, Learner.token == token)
        .order_by(Answer.seq)
    )
    with reading(engine) as conn:
        return [_answer_info(row) for row in conn.execute(query)]


def score_of_answers(
    conn: Connection, attempt_id: int, cap: int | None, points_left: int = 0
) -> ReportedScore:
    """The reported score of an attempt's stored answers (``points_left``: possible, not done)."""
    totals = conn.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(Answer.points), 0),
            sa.func.coalesce(sa.func.sum(Answer.max_points), 0),
        ).where(Answer.attempt_id == attempt_id)
    ).one()
    choices = conn.execute(sa.select(Answer.must_avoid).where(Answer.attempt_id == attempt_id))
    made = sum(len(m) for (m,) in choices)
    return reported_score(int(totals[0]), int(totals[1]) + points_left, made, cap)


def finish_with(conn: Connection, attempt_id: int, score: ReportedScore) -> None:
    """Mark an open attempt finished with its reported score, on an open transaction."""
    conn.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.status == "open")
        .values(
            status="finished",
            finished_at=utcnow(),
            points=score.points,
            max_points=score.max_points,
            percent=score.percent,
            raw_percent=score.raw_percent,
            capped=score.capped,
            must_avoid_count=score.must_avoid,
            must_avoid_cap=score.cap,
        )
    )


_LOCK_OWN_ATTEMPT = (
    sa.select(Attempt.id, Attempt.status, Attempt.must_avoid_cap)
    .join(Learner, Learner.id == Attempt.learner_id)
    .where(Attempt.id == sa.bindparam("attempt"), Learner.token == sa.bindparam("token"))
    .with_for_update(of=Attempt)
)


@translate_errors("The result was not saved; try again.")
def finish_attempt(
    engine: Engine, token: str, attempt_id: int, *, must_avoid_cap: int | None = None
) -> AttemptInfo:
    """Mark the attempt finished with the reported score of its stored answers.

    The score is computed here, from what was stored, with ``scoring.engine.grades``: the same
    number the debrief shows. The cap stored when the attempt started is used; the
    ``must_avoid_cap`` given is only a fallback for attempts started before caps were
    stored. Finishing twice keeps the first result.
    """
    check_token(token)
    attempt_id = _whole(attempt_id, "attempt id")
    with engine.begin() as conn:
        found = conn.execute(
            _LOCK_OWN_ATTEMPT, {"attempt": attempt_id, "token": token}
        ).one_or_none()
        if found is None:
            raise ValueError("no such attempt for this learner")
        if found.status == "open":
            cap = found.must_avoid_cap if found.must_avoid_cap is not None else must_avoid_cap
            finish_with(conn, attempt_id, score_of_answers(conn, attempt_id, cap))
        info = fetch_attempt(conn, token, attempt_id)
    assert info is not None
    return info


@translate_errors(_NOT_LOADED)
def list_attempts(engine: Engine, token: str) -> list[AttemptInfo]:
    """All of the learner's attempts, newest first."""
    check_token(token)
    query = _attempts().where(Learner.token == token).order_by(Attempt.id.desc())
    with reading(engine) as conn:
        return [_attempt_info(row) for row in conn.execute(query)]


@translate_errors("Nothing was deleted; try again.")
def delete_learner_data(engine: Engine, token: str) -> None:
    """Delete the learner with every attempt, answer and session membership."""
    check_token(token)
    with engine.begin() as conn:
        conn.execute(sa.delete(Learner).where(Learner.token == token))
