"""Learners, attempts and answers on a real SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classroom import attempts
from classroom.attempts import (
    AnswerInfo,
    AttemptInfo,
    answers,
    finish_attempt,
    get_attempt,
    learner_exists,
    list_attempts,
    new_learner,
    open_attempt,
    record_answer,
    start_attempt,
)


def submit(engine: sa.Engine, token: str, attempt_id: int, step_id: str, **over: Any):
    """record_answer with plausible defaults for the scored fields."""
    fields: dict[str, Any] = {
        "response": ["a", "c"],
        "points": 1,
        "max_points": 2,
        "rule": "+/-",
        "skill": "analyze_cues",
        "item_type": "select_all",
        "must_avoid": [],
        "next_step": None,
    }
    fields.update(over)
    return record_answer(engine, token, attempt_id, step_id, **fields)


def count(engine: sa.Engine, sql: str, **params: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_new_learner_token_is_192_bits_urlsafe(db_engine):
    token = new_learner(db_engine, "Ada")
    assert len(token) == 32
    assert learner_exists(db_engine, token)
    assert not learner_exists(db_engine, attempts.new_token())


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "has space in it and more", "é" * 30, None])
def test_malformed_tokens_are_refused(db_engine, bad):
    assert not learner_exists(db_engine, bad)
    with pytest.raises(ValueError, match="token"):
        start_attempt(db_engine, bad, "case-a", "v1")
    with pytest.raises(ValueError, match="token"):
        list_attempts(db_engine, bad)


def test_start_attempt_creates_the_learner_and_returns_utc_times(db_engine):
    token = attempts.new_token()
    attempt = start_attempt(db_engine, token, "case-a", "v1", first_step="s1")
    assert learner_exists(db_engine, token)
    assert isinstance(attempt, AttemptInfo)
    assert (attempt.learner_token, attempt.case_id, attempt.case_version) == (token, "case-a", "v1")
    assert (attempt.kind, attempt.status, attempt.current_step) == ("case", "open", "s1")
    assert attempt.minutes_elapsed == 0
    assert attempt.points is attempt.percent is attempt.finished_at is attempt.session_code is None
    assert attempt.started_at.tzinfo is not None
    assert attempt.started_at.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - attempt.started_at).total_seconds()) < 60


def test_quiz_attempt_keeps_its_spec(db_engine):
    token = new_learner(db_engine)
    spec = {"seed": 7, "items": ["case-a/s1", "case-b/s3"], "note": "ünïcode"}
    attempt = start_attempt(db_engine, token, "quiz-1", "v1", kind="quiz", quiz_spec=spec)
    assert get_attempt(db_engine, token, attempt.id).quiz_spec == spec
    with pytest.raises(ValueError, match="kind"):
        start_attempt(db_engine, token, "quiz-1", "v1", kind="exam")


def test_record_answer_stores_and_advances_the_attempt(db_engine):
    token = new_learner(db_engine)
    attempt = start_attempt(db_engine, token, "case-a", "v1", first_step="s1")
    response = {"row-1": "indicated", "row-2": "contraindicated", "text": "“quotes” ✓"}
    first, created = submit(
        db_engine,
        token,
        attempt.id,
        "s1",
        response=response,
        points=2,
        max_points=3,
        must_avoid=("Give morphine",),
        next_step="s2",
        minutes=15,
    )
    assert created
    assert isinstance(first, AnswerInfo)
    assert (first.seq, first.step_id, first.response) == (1, "s1", response)
    assert (first.points, first.max_points, first.must_avoid) == (2, 3, ["Give morphine"])
    assert first.created_at.utcoffset().total_seconds() == 0
    second, created = submit(db_engine, token, attempt.id, "s2", next_step=None, minutes=5)
    assert created and second.seq == 2
    now = get_attempt(db_engine, token, attempt.id)
    assert now.current_step is None
    assert now.minutes_elapsed == 20
    assert [a.step_id for a in answers(db_engine, token, attempt.id)] == ["s1", "s2"]


def test_resend_returns_the_stored_answer_and_changes_nothing(db_engine):
    token = new_learner(db_engine)
    attempt = start_attempt(db_engine, token, "case-a", "v1")
    first, created = submit(db_engine, token, attempt.id, "s1", points=1, minutes=10)
    again, created_again = submit(db_engine, token, attempt.id, "s1", points=2, minutes=10)
    assert created and not created_again
    assert again == first
    assert get_attempt(db_engine, token, attempt.id).minutes_elapsed == 10
    assert count(db_engine, "SELECT count(*) FROM answer") == 1


def test_points_must_be_whole_and_within_max(db_engine):
    token = new_learner(db_engine)
    attempt = start_attempt(db_engine, token, "case-a", "v1")
    with pytest.raises(ValueError, match="whole"):
        submit(db_engine, token, attempt.id, "s1", points=1.5)
    with pytest.raises(sa.exc.IntegrityError):
        submit(db_engine, token, attempt.id, "s1", points=3, max_points=2)
    assert submit(db_engine, token, attempt.id, "s1", points=2.0)[0].points == 2


def test_finish_is_idempotent_and_closes_the_attempt(db_engine):
    token = new_learner(db_engine)
    attempt = start_attempt(db_engine, token, "case-a", "v1")
    submit(db_engine, token, attempt.id, "s1", points=1, max_points=2)
    done = finish_attempt(db_engine, token, attempt.id)
    # The server scores what was stored: 1 of 2 points.
    assert (done.status, done.points, done.max_points, done.percent) == ("finished", 1, 2, 50.0)
    assert done.finished_at is not None and done.score.text == "50%"
    again = finish_attempt(db_engine, token, attempt.id)
    assert again == done
    with pytest.raises(ValueError, match="finished"):
        submit(db_engine, token, attempt.id, "s2")
    # A late resend of an answer stored before finishing is still acknowledged, not refused.
    assert submit(db_engine, token, attempt.id, "s1")[1] is False
    assert open_attempt(db_engine, token, "case-a") is None


def test_open_attempt_resumes_the_newest_unfinished_one(db_engine):
    token = new_learner(db_engine)
    assert open_attempt(db_engine, token, "case-a") is None
    older = start_attempt(db_engine, token, "case-a", "v1")
    newer = start_attempt(db_engine, token, "case-a", "v2")
    start_attempt(db_engine, token, "case-b", "v1")
    assert open_attempt(db_engine, token, "case-a") == newer
    finish_attempt(db_engine, token, newer.id)
    assert open_attempt(db_engine, token, "case-a") == older
    assert open_attempt(db_engine, token, "case-a", kind="quiz") is None


def test_list_attempts_newest_first(db_engine):
    token = new_learner(db_engine)
    ids = [start_attempt(db_engine, token, f"case-{i}", "v1").id for i in range(3)]
    assert [a.id for a in list_attempts(db_engine, token)] == ids[::-1]
    assert list_attempts(db_engine, new_learner(db_engine)) == []


def test_learners_cannot_reach_each_others_attempts(db_engine):
    alice, bob = new_learner(db_engine, "Alice"), new_learner(db_engine, "Bob")
    attempt = start_attempt(db_engine, alice, "case-a", "v1")
    submit(db_engine, alice, attempt.id, "s1")
    assert get_attempt(db_engine, bob, attempt.id) is None
    assert answers(db_engine, bob, attempt.id) == []
    assert list_attempts(db_engine, bob) == []
    assert open_attempt(db_engine, bob, "case-a") is None
    with pytest.raises(ValueError, match="no such attempt"):
        submit(db_engine, bob, attempt.id, "s2")
    with pytest.raises(ValueError, match="no such attempt"):
        finish_attempt(db_engine, bob, attempt.id)
    attempts.delete_learner_data(db_engine, bob)
    assert len(answers(db_engine, alice, attempt.id)) == 1
    assert get_attempt(db_engine, alice, attempt.id).status == "open"


def test_delete_learner_data_removes_everything_of_theirs(db_engine):
    token, other = new_learner(db_engine), new_learner(db_engine)
    for who in (token, other):
        attempt = start_attempt(db_engine, who, "case-a", "v1")
        submit(db_engine, who, attempt.id, "s1")
        submit(db_engine, who, attempt.id, "s2")
    attempts.delete_learner_data(db_engine, token)
    assert not learner_exists(db_engine, token)
    assert count(db_engine, "SELECT count(*) FROM attempt") == 1
    assert count(db_engine, "SELECT count(*) FROM answer") == 2


def _run_threads(n: int, target) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        try:
            target(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_same_answer_from_8_threads_is_stored_once(db_engine):
    token = new_learner(db_engine)
    attempt = start_attempt(db_engine, token, "case-a", "v1")
    results: list[tuple[AnswerInfo, bool]] = []
    errors = _run_threads(
        8, lambda i: results.append(submit(db_engine, token, attempt.id, "s1", minutes=5))
    )
    assert errors == []
    assert sorted(created for _, created in results) == [False] * 7 + [True]
    assert all(info == results[0][0] for info, _ in results)
    assert count(db_engine, "SELECT count(*) FROM answer") == 1
    assert get_attempt(db_engine, token, attempt.id).minutes_elapsed == 5


def test_8_threads_of_50_answers_each_all_stored_once_in_order(db_engine):
    token = new_learner(db_engine)
    attempt = start_attempt(db_engine, token, "case-a", "v1")
    created: list[bool] = []

    def learner(i: int) -> None:
        for k in range(50):
            for _ in range(2):  # every answer is also resent, as after a double click
                created.append(submit(db_engine, token, attempt.id, f"t{i}-s{k}", minutes=1)[1])

    start = time.perf_counter()
    errors = _run_threads(8, learner)
    elapsed = time.perf_counter() - start
    assert errors == []
    stored = answers(db_engine, token, attempt.id)
    assert len(stored) == 400 == created.count(True)
    assert sorted(a.step_id for a in stored) == sorted(
        f"t{i}-s{k}" for i in range(8) for k in range(50)
    )
    assert [a.seq for a in stored] == list(range(1, 401))
    assert get_attempt(db_engine, token, attempt.id).minutes_elapsed == 400
    print(f"\n{db_engine.dialect.name}: 800 submissions in {elapsed:.2f} s, {800 / elapsed:.0f}/s")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(response=JSON)
def test_any_json_response_round_trips(db_engine, response):
    token = new_learner(db_engine)
    attempt = start_attempt(db_engine, token, "case-a", "v1")
    if response is None:
        response = [None]
    stored, _ = submit(db_engine, token, attempt.id, "s1", response=response)
    assert stored.response == response
    assert answers(db_engine, token, attempt.id)[0].response == response
