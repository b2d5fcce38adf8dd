"""Build a term for the gradebook tests: a course, its roster, sessions, and members playing.

Everything goes through the shipped functions (courses, roster, sessions, attempts), as a
class would: a member's attempts are made with their own learner token, the one their
sign-in opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from classroom import attempts, sessions
from classroom.courses.courses import attach_session
from classroom.courses.roster import upsert_member
from classroom.storage.schema import Learner
from scoring.engine.case_path import transition
from scoring.engine.items import score_response
from tests.conftest import keyed_response

Choose = Callable[[Any], Any]  # step → raw answer, or None to stop there


def member_token(engine, course_id: int, student_id: str, name: str, **extra) -> tuple[int, str]:
    """Roster a member; (learner id, the token their sign-in opens)."""
    member = upsert_member(engine, course_id, student_id, name, **extra)
    with engine.connect() as conn:
        token = conn.execute(
            sa.select(Learner.token).where(Learner.id == member.learner_id)
        ).scalar_one()
    return member.learner_id, token


def course_session(engine, course_id: int, title: str, case_ids: list[str], **options) -> str:
    """A class session of the course; its code."""
    info = sessions.create_session(engine, title, case_ids, **options)
    attach_session(engine, course_id, info.code)
    return info.code


def play(
    engine, library, code: str, token: str, case_id: str, choose: Choose = keyed_response
) -> tuple[int, Any]:
    """Join ``code`` and play ``case_id`` as the player does until ``choose`` gives None or
    the case ends (then finish); (attempt id, the debrief's score or None if unfinished)."""
    loaded = library.get(case_id)
    case = loaded.case
    sessions.join_session(engine, code, "Student", token=token)
    info = attempts.start_attempt(
        engine,
        token,
        case.id,
        loaded.version,
        session_code=code,
        first_step=case.steps[0].id,
        must_avoid_cap=case.must_avoid_cap,
    )
    from ui.player.state import CaseRun

    run = CaseRun(case, current=case.steps[0].id)
    while run.current is not None:
        step = run.step(run.current)
        answer = choose(step)
        if answer is None:
            break
        result = score_response(step, answer, library.guidance, tuple(case.guidance))
        move = transition(case, step, result.response, library.guidance)
        fields = attempts.answer_fields(step, result, move.next_step, move.minutes)
        attempts.record_answer(engine, token, info.id, step.id, **fields)
        run.add(step, result, move)
    if run.finished:
        attempts.finish_attempt(engine, token, info.id, must_avoid_cap=case.must_avoid_cap)
        return info.id, run.result().score
    return info.id, None
