"""Ending a class session's answering ("End now"): no answer from anyone is accepted after it.

One transaction: the session is marked ended (and closed to joiners), then every attempt
still open is locked, scored from its stored answers with work not done counting 0
(``classroom.grades.points_left``) and finished. An answer in flight either committed
before its attempt was locked here (it is counted, and its sender was told it was saved) or
waits for this transaction and is then refused (``AnswerRefused('ended')``, and the sender is
told). Nothing is stored without being acknowledged, and nothing acknowledged is lost.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom.attempts import finish_with, normalize_code, score_of_answers
from classroom.grades import path_bounds_of, points_left
from classroom.sessions import SessionInfo, get_session
from classroom.storage.db import translate_errors
from classroom.storage.schema import Answer, Attempt, ClassSession, utcnow
from scoring.library.loader import CaseLibrary

__all__ = ["end_answering"]


@translate_errors("Answering was not ended; try again.")
def end_answering(engine: Engine, code: str, library: CaseLibrary) -> tuple[SessionInfo, int]:
    """End now: refuse every answer from now on and finish every open attempt.

    Returns the session and how many attempts were finished here. Ending an ended session
    changes nothing. The session is also closed to new joiners; it cannot be reopened.
    """
    now = utcnow()
    with engine.begin() as conn:
        session = conn.execute(
            sa.select(ClassSession.id, ClassSession.ended_at, ClassSession.closed_at)
            .where(ClassSession.code == normalize_code(code))
            .with_for_update()
        ).one_or_none()
        if session is None:
            raise ValueError(f"no class session has the code {normalize_code(code)!r}")
        finished = 0
        if session.ended_at is None:
            conn.execute(
                sa.update(ClassSession)
                .where(ClassSession.id == session.id)
                .values(ended_at=now, is_open=False, closed_at=session.closed_at or now)
            )
            # Locking waits for answers being stored right now; later ones see "ended".
            still_open = conn.execute(
                sa.select(
                    Attempt.id,
                    Attempt.kind,
                    Attempt.case_id,
                    Attempt.current_step,
                    Attempt.quiz_spec,
                    Attempt.must_avoid_cap,
                )
                .where(Attempt.session_id == session.id, Attempt.status == "open")
                .order_by(Attempt.id)
                .with_for_update()
            ).all()
            bounds = path_bounds_of(library, {a.case_id for a in still_open})
            for a in still_open:
                answered = conn.execute(
                    sa.select(Answer.step_id).where(Answer.attempt_id == a.id)
                ).scalars()
                keys = (a.quiz_spec or {}).get("items", [])
                left = points_left(
                    library, a.kind, a.case_id, a.current_step, keys, list(answered), bounds
                )
                cap = a.must_avoid_cap
                if cap is None and a.kind == "case" and library.get(a.case_id) is not None:
                    cap = library.get(a.case_id).case.must_avoid_cap  # started before 0003
                finish_with(conn, a.id, score_of_answers(conn, a.id, cap, left))
                finished += 1
    info = get_session(engine, code)
    assert info is not None
    return info, finished
