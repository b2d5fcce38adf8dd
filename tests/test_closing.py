"""Exams that stay closed: stop new joiners, End now, release — on SQLite and PostgreSQL.

The ward cases (tests/conftest.py): 'ward-round' is 3 steps worth 1 + 2 + 2 points;
'night-shift' branches (call → handover, or call → recheck → handover), at most 3 points.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from classroom import attempts, sessions
from classroom.attempts import AnswerRefused
from classroom.closing import end_answering
from classroom.grades import session_scores


def answer(engine, token, attempt_id, step_id, points=1, top=1, next_step=None, made=()):
    """record_answer with the scored fields filled in."""
    return attempts.record_answer(
        engine,
        token,
        attempt_id,
        step_id,
        response=["a"],
        points=points,
        max_points=top,
        rule="0/1",
        skill="take_action",
        item_type="multiple_choice",
        must_avoid=list(made),
        next_step=next_step,
    )


def start(engine, token, code, case_id="ward-round", first="cues"):
    return attempts.start_attempt(engine, token, case_id, "v1", session_code=code, first_step=first)


@pytest.fixture
def exam(db_engine):
    """An exam on ward-round with Ana (1 step answered), Ben (not started) and Cy (finished)."""
    info = sessions.create_session(db_engine, "Exam", ["ward-round"], mode="exam")
    tokens = {n: sessions.join_session(db_engine, info.code, n)[1] for n in ("Ana", "Ben", "Cy")}
    ana = start(db_engine, tokens["Ana"], info.code)
    answer(db_engine, tokens["Ana"], ana.id, "cues", next_step="act")
    cy = start(db_engine, tokens["Cy"], info.code)
    answer(db_engine, tokens["Cy"], cy.id, "cues", next_step="act")
    answer(db_engine, tokens["Cy"], cy.id, "act", 2, 2, next_step="check")
    answer(db_engine, tokens["Cy"], cy.id, "check", 1, 2)
    attempts.finish_attempt(db_engine, tokens["Cy"], cy.id)
    return db_engine, info.code, tokens, ana


def test_stop_new_joiners_lets_students_who_started_finish(exam):
    engine, code, tokens, ana = exam
    sessions.set_open(engine, code, False)
    with pytest.raises(ValueError, match="closed to new participants"):
        sessions.join_session(engine, code, "Late")
    with pytest.raises(ValueError, match="closed"):
        start(engine, tokens["Ben"], code)  # joined, but did not start: no new attempts
    assert answer(engine, tokens["Ana"], ana.id, "act", 2, 2, next_step="check")[1]
    assert sessions.answering_count(engine, code) == 1


def test_end_now_refuses_every_answer_and_finishes_open_attempts(exam, ward_library):
    engine, code, tokens, ana = exam
    info, finished = end_answering(engine, code, ward_library)
    assert finished == 1 and not info.answering and not info.is_open
    with pytest.raises(AnswerRefused, match="ended") as refused:
        answer(engine, tokens["Ana"], ana.id, "act", 2, 2, next_step="check")
    assert refused.value.reason == "ended"
    # A resend of an answer stored before the end is acknowledged, never refused.
    assert answer(engine, tokens["Ana"], ana.id, "cues", next_step="act")[1] is False
    with pytest.raises(ValueError, match="has ended"):
        start(engine, tokens["Ben"], code)
    with pytest.raises(ValueError, match="has ended"):
        sessions.set_open(engine, code, True)
    # Ana's attempt is finished with what it has: 1 of 1 answered, act and check (4) not done.
    done = attempts.get_attempt(engine, tokens["Ana"], ana.id)
    assert (done.status, done.points, done.max_points, done.percent) == ("finished", 1, 5, 20.0)
    assert done.ended_early
    scores = {(s.student, s.activity): s for s in session_scores(engine, code, ward_library)}
    assert scores[("Ana", "ward-round")].score.percent == 20.0
    assert scores[("Ana", "ward-round")].ended_early
    assert scores[("Ben", "ward-round")].status == "not started"
    assert (
        scores[("Cy", "ward-round")].score.percent == 80.0
        and not scores[("Cy", "ward-round")].ended_early
    )
    assert sessions.answering_count(engine, code) == 0
    assert end_answering(engine, code, ward_library)[1] == 0  # ending twice changes nothing


def test_release_closes_joining_and_new_attempts(exam):
    engine, code, tokens, ana = exam
    info = sessions.release_results(engine, code)
    assert info.results_released and not info.is_open and info.answering
    with pytest.raises(ValueError, match="closed to new participants"):
        sessions.join_session(engine, code, "Late")
    with pytest.raises(ValueError, match="closed"):
        start(engine, tokens["Ben"], code)
    # Ana, still answering, may finish (her feedback waits until she has: see ui.player).
    assert answer(engine, tokens["Ana"], ana.id, "act", 2, 2, next_step="check")[1]
    assert sessions.answering_count(engine, code) == 1


def test_an_answer_in_flight_at_end_now_is_stored_and_acknowledged_or_refused_and_told(
    db_engine, ward_library
):
    """Forty students answer while the educator presses End now: nothing is lost.

    Every answer record_answer acknowledged is stored and counted in its attempt's final
    score; every answer it refused is not stored; nothing else happens.
    """
    info = sessions.create_session(db_engine, "Race", ["ward-round"], mode="exam")
    students = []
    for n in range(40):
        _, token = sessions.join_session(db_engine, info.code, f"Student {n}")
        students.append((token, start(db_engine, token, info.code).id))
    workers, stored_before_end = 8, 30
    lock, stored, under_way = threading.Lock(), [0], threading.Event()

    def submit(token: str, attempt_id: int) -> dict[str, str]:
        outcome = {}
        for step, nxt, top in (("cues", "act", 1), ("act", "check", 2), ("check", None, 2)):
            try:
                answer(db_engine, token, attempt_id, step, top, top, next_step=nxt)
                outcome[step] = "stored"
            except AnswerRefused as exc:
                outcome[step] = exc.reason
                break
            with lock:
                stored[0] += 1
                if stored[0] >= stored_before_end:
                    under_way.set()
        return outcome

    def class_share(share: list[tuple[str, int]]) -> list[dict[str, str]]:
        return [submit(token, attempt_id) for token, attempt_id in share]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(class_share, students[w::workers]) for w in range(workers)]
        assert under_way.wait(60)  # the educator presses End now while answers pour in
        end_answering(db_engine, info.code, ward_library)
        outcomes_by_worker = [f.result() for f in futures]
    outcomes = [None] * len(students)
    for w, share in enumerate(outcomes_by_worker):
        outcomes[w::workers] = share

    assert all(set(o.values()) <= {"stored", "ended"} for o in outcomes)
    told = [what for o in outcomes for what in o.values()]
    assert told.count("stored") >= stored_before_end and "ended" in told
    for (token, attempt_id), outcome in zip(students, outcomes, strict=True):
        stored = {a.step_id for a in attempts.answers(db_engine, token, attempt_id)}
        acknowledged = {step for step, what in outcome.items() if what == "stored"}
        assert stored == acknowledged, (outcome, stored)
        done = attempts.get_attempt(db_engine, token, attempt_id)
        assert done.status == "finished"
        points = sum(a.points for a in attempts.answers(db_engine, token, attempt_id))
        assert done.points == points and done.max_points == 5  # the path's 5 points possible
    with pytest.raises(AnswerRefused):
        answer(db_engine, *students[0], "late", 2, 2)


def test_end_now_counts_a_quiz_s_unanswered_items_as_zero(db_engine, shipped):
    """A quiz ended after one answer: 0 of the items not answered (an item set's included)."""
    from scoring.engine.items import max_points
    from scoring.engine.quiz import QUIZ_ID, quiz_bank

    bank = quiz_bank(shipped.sources())
    from_cases = [i for i in bank if shipped.get(i.case.id) is not None]
    from_sets = [i for i in bank if shipped.get(i.case.id) is None]
    drawn = [from_cases[0], from_sets[0], from_cases[1]]
    spec = {"seed": 1, "items": [i.key for i in drawn]}
    info = sessions.create_session(db_engine, "Quiz", [], mode="exam", quiz_spec=spec)
    _, token = sessions.join_session(db_engine, info.code, "Ana")
    quiz = attempts.start_attempt(
        db_engine,
        token,
        QUIZ_ID,
        "v1",
        kind="quiz",
        session_code=info.code,
        first_step=spec["items"][0],
    )
    first = max_points(drawn[0].step)
    answer(db_engine, token, quiz.id, drawn[0].key, first, first, next_step=drawn[1].key)
    end_answering(db_engine, info.code, shipped)
    done = attempts.get_attempt(db_engine, token, quiz.id)
    assert done.points == first
    assert done.max_points == sum(max_points(i.step) for i in drawn)  # item set item counted
    assert done.must_avoid_cap is None  # a quiz is never capped
