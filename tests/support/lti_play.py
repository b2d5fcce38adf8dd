"""Playing a case as a launched student, for the LTI tests: the launch, the cookie, the case."""

from __future__ import annotations

import random
from pathlib import Path

import sqlalchemy as sa

from classroom import attempts
from classroom.access import sign_ins
from classroom.storage.schema import Learner
from scoring.engine.case_path import transition
from scoring.engine.items import score_response
from scoring.engine.simulate import random_response
from scoring.library.loader import load_library
from tests.support.lti_platform import Launch
from ui.player.state import CaseRun

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library([ROOT / "cases"])
CASE_ID = "scc-back-pain-could-not-wait"


def token_of(engine, learner_id: int) -> str:
    """The learner's token (what the player keeps in the URL)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(Learner.token).where(Learner.id == learner_id)).scalar_one()


def play(engine, token: str, seed: int = 3):
    """Play the case to its end as the case player does; returns (attempt id, debrief score)."""
    loaded = LIBRARY.get(CASE_ID)
    case = loaded.case
    info = attempts.start_attempt(
        engine,
        token,
        case.id,
        loaded.version,
        first_step=case.steps[0].id,
        must_avoid_cap=case.must_avoid_cap,
    )
    rng = random.Random(seed)
    run = CaseRun(case, current=case.steps[0].id)
    while run.current is not None:
        step = run.step(run.current)
        result = score_response(
            step, random_response(step, rng), LIBRARY.guidance, tuple(case.guidance)
        )
        move = transition(case, step, result.response, LIBRARY.guidance)
        fields = attempts.answer_fields(step, result, move.next_step, move.minutes)
        attempts.record_answer(engine, token, info.id, step.id, **fields)
        run.add(step, result, move)
    finished = attempts.finish_attempt(engine, token, info.id, must_avoid_cap=case.must_avoid_cap)
    assert finished.score == run.result().score  # the debrief's number is the stored one
    return info.id, run.result().score


def student_launch(lti, **changes):
    """A student's launch of the case's link; returns (the redirect, the browser)."""
    plan = Launch(custom={"casebook_case": CASE_ID}, **changes)
    answer, browser = lti.launch(plan)
    assert answer.status_code == 303, answer.text[:500]
    return answer, browser


def learner_of(lti, answer) -> int:
    """The learner the launch's cookie signs in."""
    cookie = answer.cookies.get(sign_ins.LEARNER_COOKIE)
    learner_id = sign_ins.signed_in_learner(lti.engine, cookie)
    assert learner_id is not None
    return learner_id
