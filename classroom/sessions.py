"""Class sessions: an educator's join code, who joined, and what they answered.

The rules (also in the README, "Class sessions and exams"):

- **Stop new joiners** (``set_open(False)``): a closed session refuses new participants and
  new attempts; answers to attempts already started are still accepted.
- **End now** (``classroom.closing.end_answering``): no answer is accepted any more, from
  anyone; every attempt still open is finished with what it has (work not done counts 0).
- **Release results** (exam mode): participants see their scores and feedback, each only
  once their own attempt is finished. Releasing also closes the session to new joiners and
  new attempts, so nobody starts an exam whose key is out.
- In exam mode answers are refused once the time limit has passed (``record_answer``).

Each participant has one attempt per case of the session, so results have one row per
student and item.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from classroom.attempts import (
    CODE_ALPHABET,
    AttemptInfo,
    check_token,
    dialect_insert,
    ensure_learner,
    new_token,
    normalize_code,
    time_is_up,
)
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import (
    Answer,
    Attempt,
    ClassSession,
    CourseMember,
    Learner,
    Participant,
    utcnow,
)
from scoring.format.text import clean_line

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MODES",
    "Joined",
    "SessionInfo",
    "answering_count",
    "create_session",
    "delete_participant",
    "delete_session",
    "get_session",
    "join",
    "join_session",
    "list_sessions",
    "name_key",
    "normalize_code",
    "numbered_name",
    "participant_name",
    "release_results",
    "session_responses",
    "session_roster",
    "set_open",
    "time_left",
]

MODES = ("practice", "exam")
# 31 symbols without look-alikes (no 0/O, 1/I/L): 31**6 ≈ 8.9e8 codes.
CODE_LENGTH = 6
NAME_LENGTH = 40
TITLE_LENGTH = 200
_NOT_CHANGED = "Nothing was changed; try again."
_NOT_LOADED = "Nothing was loaded; try again in a moment."


@dataclass(frozen=True)
class SessionInfo:
    """A class session as the educator set it up."""

    id: int
    code: str
    title: str
    mode: str
    case_ids: tuple[str, ...]
    quiz_spec: dict[str, Any] | None
    time_limit_minutes: int | None
    is_open: bool
    results_released: bool
    created_at: datetime
    closed_at: datetime | None
    ended_at: datetime | None = None  # "End now": no answers accepted after it
    course_id: int | None = None

    @property
    def answering(self) -> bool:
        """True until the educator ends the session ("End now")."""
        return self.ended_at is None


def new_code() -> str:
    """A random join code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def session_info(row: Row[Any]) -> SessionInfo:
    """A ``class_session`` row (all its columns) as a :class:`SessionInfo`."""
    return SessionInfo(
        id=row.id,
        code=row.code,
        title=row.title,
        mode=row.mode,
        case_ids=tuple(row.case_ids),
        quiz_spec=row.quiz_spec,
        time_limit_minutes=row.time_limit_minutes,
        is_open=row.is_open,
        results_released=row.results_released,
        created_at=row.created_at,
        closed_at=row.closed_at,
        ended_at=row.ended_at,
        course_id=row.course_id,
    )


def _fetch(conn: Connection, code: str) -> SessionInfo | None:
    row = conn.execute(
        sa.select(*ClassSession.__table__.c).where(ClassSession.code == normalize_code(code))
    ).one_or_none()
    return None if row is None else session_info(row)


def _require(conn: Connection, code: str) -> SessionInfo:
    info = _fetch(conn, code)
    if info is None:
        raise ValueError(f"no class session has the code {normalize_code(code)!r}")
    return info


@translate_errors("The session was not created; try again.")
def create_session(
    engine: Engine,
    title: str,
    case_ids: list[str] | tuple[str, ...],
    *,
    mode: str = "practice",
    quiz_spec: dict[str, Any] | None = None,
    time_limit_minutes: int | None = None,
) -> SessionInfo:
    """Create an open session with a fresh join code."""
    title = clean_line(title, "a session title", TITLE_LENGTH)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not case_ids and quiz_spec is None:
        raise ValueError("a session needs at least one case or a quiz")
    if time_limit_minutes is not None and (
        not isinstance(time_limit_minutes, int) or time_limit_minutes < 1
    ):
        raise ValueError("a time limit must be a whole number of minutes, at least 1")
    values = {
        "title": title,
        "mode": mode,
        "case_ids": [str(c) for c in case_ids],
        "quiz_spec": quiz_spec,
        "time_limit_minutes": time_limit_minutes,
        "is_open": True,
        "results_released": False,
        "created_at": utcnow(),
    }
    with engine.begin() as conn:
        for _ in range(20):
            code = new_code()
            created = conn.execute(
                dialect_insert(conn, ClassSession.__table__)
                .values({**values, "code": code})
                .on_conflict_do_nothing(index_elements=["code"])
                .returning(ClassSession.__table__.c.id)
            ).scalar_one_or_none()
            if created is not None:
                return _require(conn, code)
    raise RuntimeError("no free join code after 20 tries")


@translate_errors(_NOT_LOADED)
def get_session(engine: Engine, code: str) -> SessionInfo | None:
    """The session with this join code (any spacing or case), or None."""
    with reading(engine) as conn:
        return _fetch(conn, code)


@translate_errors(_NOT_LOADED)
def list_sessions(engine: Engine) -> list[SessionInfo]:
    """Every session, newest first."""
    with reading(engine) as conn:
        rows = conn.execute(sa.select(*ClassSession.__table__.c).order_by(ClassSession.id.desc()))
        return [session_info(row) for row in rows]


@translate_errors(_NOT_CHANGED)
def set_open(engine: Engine, code: str, is_open: bool) -> SessionInfo:
    """Open a session for joining, or close it to new joiners and new attempts.

    A session whose answering has ended cannot be reopened.
    """
    with engine.begin() as conn:
        info = _require(conn, code)
        if is_open and not info.answering:
            raise ValueError("this class session has ended; create a new session instead")
        conn.execute(
            sa.update(ClassSession)
            .where(ClassSession.id == info.id)
            .values(is_open=is_open, closed_at=None if is_open else utcnow())
        )
        return _require(conn, code)


@translate_errors(_NOT_CHANGED)
def release_results(engine: Engine, code: str) -> SessionInfo:
    """Let participants see their scores and feedback; closes joining and new attempts too.

    Each student sees their feedback only once their own attempt is finished, so anyone
    still answering keeps answering without the key (or the educator ends answering first).
    """
    with engine.begin() as conn:
        info = _require(conn, code)
        conn.execute(
            sa.update(ClassSession)
            .where(ClassSession.id == info.id)
            .values(
                results_released=True,
                is_open=False,
                closed_at=info.closed_at if not info.is_open else utcnow(),
            )
        )
        return _require(conn, code)


@translate_errors(_NOT_LOADED)
def answering_count(engine: Engine, code: str) -> int:
    """How many attempts of the session can still receive answers (the dashboard is live)."""
    with reading(engine) as conn:
        info = _require(conn, code)
        if not info.answering:
            return 0
        started = conn.execute(
            sa.select(Attempt.started_at).where(
                Attempt.session_id == info.id, Attempt.status == "open"
            )
        ).scalars()
        limit = info.time_limit_minutes if info.mode == "exam" else None
        now = utcnow()
        return sum(not time_is_up(at, limit, now) for at in started)


def name_key(name: str) -> str:
    """What makes two display names the same name: case-folded, spaces collapsed."""
    return " ".join(name.split()).casefold()[:80]


def numbered_name(name: str, n: int) -> str:
    """``name`` with `` (n)`` after it, shortened to fit ``NAME_LENGTH``."""
    suffix = f" ({n})"
    return name[: NAME_LENGTH - len(suffix)].rstrip() + suffix


@dataclass(frozen=True)
class Joined:
    """A join: the session, the learner's token and the name they have in it."""

    session: SessionInfo
    token: str
    display_name: str
    asked: str  # the name typed

    @property
    def renamed(self) -> bool:
        """True when the name asked for was taken, so a number was added."""
        return self.display_name != self.asked


def _free_name(conn: Connection, session_id: int, name: str, learner_id: int) -> str:
    taken = {
        key
        for key, who in conn.execute(
            sa.select(Participant.name_key, Participant.learner_id).where(
                Participant.session_id == session_id
            )
        )
        if who != learner_id
    }
    shown, n = name, 1
    while name_key(shown) in taken:
        n += 1
        shown = numbered_name(name, n)
    return shown


def _member_course(conn: Connection, learner_id: int) -> int | None:
    return conn.execute(
        sa.select(CourseMember.course_id).where(CourseMember.learner_id == learner_id)
    ).scalar_one_or_none()


@translate_errors("You have not joined; try again.")
def join(engine: Engine, code: str, display_name: str, token: str | None = None) -> Joined:
    """Join a session under a display name, unique in the session; see ``join_session``.

    Names are unique per session: when someone else already has the name (any case or
    spacing), the joiner gets the first free "Ana (2)", "Ana (3)" … and ``Joined.renamed``
    says so. A session in a course admits only that course's rostered members (signed in);
    anyone else gets ValueError.
    """
    name = clean_line(display_name, "a display name", NAME_LENGTH)
    token = new_token() if token is None else check_token(token)
    with engine.begin() as conn:
        info = _require(conn, code)
        # Joins to one session queue on its row (PostgreSQL), so two "Ana" get two numbers.
        conn.execute(sa.select(ClassSession.id).where(ClassSession.id == info.id).with_for_update())
        learner_id = ensure_learner(conn, token, name)
        joined = conn.execute(
            sa.select(Participant.id, Participant.display_name).where(
                Participant.session_id == info.id, Participant.learner_id == learner_id
            )
        ).one_or_none()
        if joined is None and not info.is_open:
            raise ValueError("this class session is closed to new participants")
        outsider = info.course_id is not None and _member_course(conn, learner_id) != info.course_id
        if joined is None and outsider:
            raise ValueError(
                "this class session is for the students of a course: sign in with your "
                "student ID and PIN to join it"
            )
        same_name = joined is not None and name_key(joined.display_name) == name_key(name)
        if joined is not None and (not info.is_open or same_name):
            return Joined(info, token, joined.display_name, asked=name)
        shown = _free_name(conn, info.id, name, learner_id)
        insert = dialect_insert(conn, Participant.__table__).values(
            session_id=info.id,
            learner_id=learner_id,
            display_name=shown,
            name_key=name_key(shown),
            joined_at=utcnow(),
        )
        # Joining again (after a refresh, or to fix a typo) keeps one row, with the new name.
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["session_id", "learner_id"],
                set_={
                    "display_name": insert.excluded.display_name,
                    "name_key": insert.excluded.name_key,
                },
            )
        )
    return Joined(info, token, shown, asked=name)


def join_session(
    engine: Engine, code: str, display_name: str, token: str | None = None
) -> tuple[SessionInfo, str]:
    """Join a session under a display name; return it and the learner's (maybe new) token.

    Raises ``scoring.format.text.TextError`` for a name with a control character or a wrong length,
    ValueError for an unknown or closed session. ``join`` also says the name given.
    """
    joined = join(engine, code, display_name, token)
    return joined.session, joined.token


@translate_errors(_NOT_LOADED)
def participant_name(engine: Engine, code: str, token: str) -> str | None:
    """The name the learner with ``token`` has in the session, or None if they have not joined."""
    with reading(engine) as conn:
        return conn.execute(
            sa.select(Participant.display_name)
            .join(ClassSession, ClassSession.id == Participant.session_id)
            .join(Learner, Learner.id == Participant.learner_id)
            .where(ClassSession.code == normalize_code(code), Learner.token == token)
        ).scalar_one_or_none()


@translate_errors(_NOT_LOADED)
def time_left(engine: Engine, code: str, attempt: AttemptInfo) -> float | None:
    """Seconds left on the session's time limit for ``attempt`` (≥ 0), or None without one."""
    with reading(engine) as conn:
        info = _require(conn, code)
    if info.time_limit_minutes is None:
        return None
    now = utcnow()
    if time_is_up(attempt.started_at, info.time_limit_minutes, now):
        return 0.0
    deadline = attempt.started_at.timestamp() + 60 * info.time_limit_minutes
    return deadline - now.timestamp()


@translate_errors(_NOT_LOADED)
def session_responses(engine: Engine, code: str) -> list[dict[str, Any]]:
    """One row per answer of every participant (long format, for dashboards and item stats).

    ``learner_id`` identifies a student; display names need not be unique.
    """
    query = (
        sa.select(
            Participant.display_name.label("student"),
            Participant.learner_id,
            Attempt.id.label("attempt_id"),
            Attempt.status.label("attempt_status"),
            Attempt.kind,
            Attempt.case_id,
            Answer.seq,
            Answer.step_id,
            Answer.points,
            Answer.max_points,
            Answer.rule,
            Answer.skill,
            Answer.item_type,
            Answer.response,
            Answer.must_avoid,
            Answer.created_at,
        )
        .join(Attempt, Attempt.session_id == Participant.session_id)
        .join(Answer, Answer.attempt_id == Attempt.id)
        .join(ClassSession, ClassSession.id == Participant.session_id)
        .where(
            ClassSession.code == normalize_code(code),
            Attempt.learner_id == Participant.learner_id,
        )
        .order_by(Participant.id, Attempt.id, Answer.seq)
    )
    with reading(engine) as conn:
        _require(conn, code)
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        # Quiz steps are already "case/step"; case steps get their case for a unique item key.
        row["item"] = (
            row["step_id"] if row["kind"] == "quiz" else f"{row['case_id']}/{row['step_id']}"
        )
    return rows


@translate_errors(_NOT_LOADED)
def session_roster(engine: Engine, code: str) -> list[dict[str, Any]]:
    """Participants in order of joining, with how many attempts they started and finished.

    Scores are not here: ``classroom.grades`` holds the one definition every surface uses.
    """
    finished = Attempt.status == "finished"
    query = (
        sa.select(
            Participant.learner_id,
            Participant.display_name,
            Participant.joined_at,
            sa.func.count(Attempt.id).label("started"),
            sa.func.count(Attempt.id).filter(finished).label("finished"),
        )
        .join(ClassSession, ClassSession.id == Participant.session_id)
        .outerjoin(
            Attempt,
            sa.and_(
                Attempt.session_id == Participant.session_id,
                Attempt.learner_id == Participant.learner_id,
            ),
        )
        .where(ClassSession.code == normalize_code(code))
        .group_by(
            Participant.id, Participant.learner_id, Participant.display_name, Participant.joined_at
        )
        .order_by(Participant.id)
    )
    with reading(engine) as conn:
        _require(conn, code)
        return [dict(row._mapping) for row in conn.execute(query)]


@translate_errors("Nothing was deleted; try again.")
def delete_participant(engine: Engine, code: str, learner_id: int) -> None:
    """Remove a participant and their attempts in this session (the learner stays)."""
    with engine.begin() as conn:
        info = _require(conn, code)
        conn.execute(
            sa.delete(Attempt).where(
                Attempt.session_id == info.id, Attempt.learner_id == learner_id
            )
        )
        conn.execute(
            sa.delete(Participant).where(
                Participant.session_id == info.id, Participant.learner_id == learner_id
            )
        )


@translate_errors("Nothing was deleted; try again.")
def delete_session(engine: Engine, code: str) -> None:
    """Delete a session with its participants, attempts and answers."""
    with engine.begin() as conn:
        info = _require(conn, code)
        conn.execute(sa.delete(ClassSession).where(ClassSession.id == info.id))
