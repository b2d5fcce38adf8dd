"""Class sessions: join codes, joining, exam time limits and the educator's views."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from classroom import sessions
from classroom.attempts import (
    answers,
    finish_attempt,
    get_attempt,
    list_attempts,
    new_learner,
    open_attempt,
    record_answer,
    start_attempt,
)
from classroom.sessions import (
    CODE_ALPHABET,
    create_session,
    delete_participant,
    get_session,
    join_session,
    list_sessions,
    normalize_code,
    release_results,
    session_responses,
    session_roster,
    set_open,
    time_left,
)
from classroom.storage.schema import Attempt, utcnow


def submit(engine: sa.Engine, token: str, attempt_id: int, step_id: str, **over: Any):
    """record_answer with plausible defaults for the scored fields."""
    fields: dict[str, Any] = {
        "response": {"choice": "b"},
        "points": 1,
        "max_points": 1,
        "rule": "0/1",
        "skill": "take_action",
        "item_type": "multiple_choice",
        "must_avoid": [],
        "next_step": None,
    }
    fields.update(over)
    return record_answer(engine, token, attempt_id, step_id, **fields)


def backdate(engine: sa.Engine, attempt_id: int, minutes: int) -> None:
    """Move an attempt's start into the past, as if the student began long ago."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(started_at=utcnow() - timedelta(minutes=minutes))
        )


def test_join_codes_use_an_unambiguous_alphabet():
    assert not set("0O1IL") & set(CODE_ALPHABET)
    codes = {sessions.new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) >= 6 and set(c) <= set(CODE_ALPHABET) for c in codes)


@pytest.mark.parametrize("typed", ["abc-def", " ABC DEF ", "abc–def", "aBc\tDeF"])
def test_join_codes_are_normalized(typed):
    assert normalize_code(typed) == "ABCDEF"


def test_create_and_find_a_session_by_any_spelling_of_its_code(db_engine):
    info = create_session(db_engine, " Week 3 ", ["case-a", "case-b"], time_limit_minutes=30)
    assert (info.title, info.mode, info.case_ids) == ("Week 3", "practice", ("case-a", "case-b"))
    assert info.is_open and not info.results_released and info.closed_at is None
    assert info.created_at.utcoffset().total_seconds() == 0
    spelled = f" {info.code[:3].lower()}-{info.code[3:].lower()} "
    assert get_session(db_engine, spelled) == info
    assert get_session(db_engine, "ZZZZZZ") is None


def test_create_session_validates_its_settings(db_engine):
    with pytest.raises(ValueError, match="mode"):
        create_session(db_engine, "x", ["case-a"], mode="homework")
    with pytest.raises(ValueError, match="title"):
        create_session(db_engine, "  ", ["case-a"])
    with pytest.raises(ValueError, match="case or a quiz"):
        create_session(db_engine, "x", [])
    with pytest.raises(ValueError, match="time limit"):
        create_session(db_engine, "x", ["case-a"], time_limit_minutes=0)


def test_create_session_retries_a_code_collision(db_engine, monkeypatch):
    first = create_session(db_engine, "first", ["case-a"])
    codes = iter([first.code, first.code, "NEWC0DE".replace("0", "D")])
    monkeypatch.setattr(sessions, "new_code", lambda: next(codes))
    second = create_session(db_engine, "second", ["case-a"])
    assert second.code == "NEWCDDE"
    assert [s.title for s in list_sessions(db_engine)] == ["second", "first"]


def test_join_returns_a_token_and_rejoining_keeps_one_participant(db_engine):
    info = create_session(db_engine, "Week 3", ["case-a"])
    joined, token = join_session(db_engine, info.code.lower(), "  Ada   Lovelace ")
    assert joined == info
    assert len(token) == 32
    _, same = join_session(db_engine, info.code, "Ada L.", token)
    assert same == token
    roster = session_roster(db_engine, info.code)
    assert [r["display_name"] for r in roster] == ["Ada L."]
    existing = new_learner(db_engine)
    assert join_session(db_engine, info.code, "Bob", existing)[1] == existing
    assert len(session_roster(db_engine, info.code)) == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
def test_join_refuses_empty_or_long_names(db_engine, name):
    info = create_session(db_engine, "Week 3", ["case-a"])
    with pytest.raises(ValueError, match="display name"):
        join_session(db_engine, info.code, name)


def test_join_refuses_unknown_codes_and_malformed_tokens(db_engine):
    with pytest.raises(ValueError, match="no class session"):
        join_session(db_engine, "ZZZZZZ", "Ada")
    info = create_session(db_engine, "Week 3", ["case-a"])
    with pytest.raises(ValueError, match="token"):
        join_session(db_engine, info.code, "Ada", "not a token")


def test_closed_session_refuses_new_participants_and_new_attempts(db_engine):
    info = create_session(db_engine, "Week 3", ["case-a", "case-b"])
    _, early = join_session(db_engine, info.code, "Early")
    started = start_attempt(db_engine, early, "case-a", "v1", session_code=info.code)
    closed = set_open(db_engine, info.code, False)
    assert not closed.is_open and closed.closed_at is not None
    with pytest.raises(ValueError, match="closed"):
        join_session(db_engine, info.code, "Late")
    assert len(session_roster(db_engine, info.code)) == 1
    # Someone already in may come back (after a refresh) and finish what they started.
    assert join_session(db_engine, info.code, "Early", early)[1] == early
    again = start_attempt(db_engine, early, "case-a", "v1", session_code=info.code)
    assert again == started
    assert submit(db_engine, early, started.id, "s1")[1]
    with pytest.raises(ValueError, match="closed"):
        start_attempt(db_engine, early, "case-b", "v1", session_code=info.code)
    reopened = set_open(db_engine, info.code, True)
    assert reopened.is_open and reopened.closed_at is None
    join_session(db_engine, info.code, "Late")


def test_session_attempts_need_membership_and_a_session_case(db_engine):
    info = create_session(db_engine, "Week 3", ["case-a"])
    outsider = new_learner(db_engine)
    with pytest.raises(ValueError, match="join"):
        start_attempt(db_engine, outsider, "case-a", "v1", session_code=info.code)
    _, token = join_session(db_engine, info.code, "Ada")
    with pytest.raises(ValueError, match="not part of"):
        start_attempt(db_engine, token, "case-z", "v1", session_code=info.code)
    with pytest.raises(ValueError, match="no class session"):
        start_attempt(db_engine, token, "case-a", "v1", session_code="ZZZZZZ")


def test_one_attempt_per_case_in_a_session_but_many_in_practice(db_engine):
    info = create_session(db_engine, "Week 3", ["case-a"])
    _, token = join_session(db_engine, info.code, "Ada")
    first = start_attempt(db_engine, token, "case-a", "v1", session_code=info.code)
    assert first.session_code == info.code
    assert start_attempt(db_engine, token, "case-a", "v1", session_code=info.code) == first
    assert open_attempt(db_engine, token, "case-a", session_code=info.code.lower()) == first
    assert open_attempt(db_engine, token, "case-a") is None  # practice is separate
    practice = [start_attempt(db_engine, token, "case-a", "v1") for _ in range(2)]
    assert len({a.id for a in practice}) == 2
    assert len(list_attempts(db_engine, token)) == 3


def test_quiz_attempt_in_a_session_takes_the_session_quiz(db_engine):
    spec = {"seed": 11, "items": ["case-a/s1", "case-a/s2"]}
    info = create_session(db_engine, "Quiz", [], quiz_spec=spec)
    _, token = join_session(db_engine, info.code, "Ada")
    attempt = start_attempt(db_engine, token, "quiz", "v1", kind="quiz", session_code=info.code)
    assert attempt.quiz_spec == spec


def test_exam_time_limit_is_enforced_by_the_server(db_engine):
    info = create_session(db_engine, "Exam", ["case-a"], mode="exam", time_limit_minutes=20)
    _, token = join_session(db_engine, info.code, "Ada")
    attempt = start_attempt(db_engine, token, "case-a", "v1", session_code=info.code)
    left = time_left(db_engine, info.code, attempt)
    assert 19 * 60 < left <= 20 * 60
    assert submit(db_engine, token, attempt.id, "s1")[1]
    backdate(db_engine, attempt.id, 21)
    late = get_attempt(db_engine, token, attempt.id)
    assert time_left(db_engine, info.code, late) == 0
    with pytest.raises(ValueError, match="time is up"):
        submit(db_engine, token, attempt.id, "s2")
    assert submit(db_engine, token, attempt.id, "s1")[1] is False  # a late resend is fine
    assert [a.step_id for a in answers(db_engine, token, attempt.id)] == ["s1"]
    done = finish_attempt(db_engine, token, attempt.id)
    assert done.status == "finished" and done.score.text == "100%"  # s1, the one answer


def test_practice_time_limit_is_advisory(db_engine):
    info = create_session(db_engine, "Practice", ["case-a"], time_limit_minutes=5)
    untimed = create_session(db_engine, "Untimed", ["case-a"])
    _, token = join_session(db_engine, info.code, "Ada")
    attempt = start_attempt(db_engine, token, "case-a", "v1", session_code=info.code)
    backdate(db_engine, attempt.id, 60)
    assert submit(db_engine, token, attempt.id, "s1")[1]
    assert time_left(db_engine, untimed.code, attempt) is None


def test_responses_roster_and_release(db_engine):
    info = create_session(db_engine, "Week 3", ["case-a"])
    people = [join_session(db_engine, info.code, name)[1] for name in ("Ada", "Bob", "Cy")]
    for n, token in enumerate(people[:2]):
        attempt = start_attempt(db_engine, token, "case-a", "v1", session_code=info.code)
        submit(db_engine, token, attempt.id, "s1", points=n, must_avoid=["Give morphine"])
        submit(db_engine, token, attempt.id, "s2", response=["x", "y"])
        if n == 1:
            finish_attempt(db_engine, token, attempt.id)
    outside = start_attempt(db_engine, people[2], "case-a", "v1")  # practice: not in results
    submit(db_engine, people[2], outside.id, "s1")

    rows = session_responses(db_engine, info.code)
    assert [(r["student"], r["step_id"]) for r in rows] == [
        ("Ada", "s1"),
        ("Ada", "s2"),
        ("Bob", "s1"),
        ("Bob", "s2"),
    ]
    first = rows[0]
    assert first["item"] == "case-a/s1"
    assert first["response"] == {"choice": "b"}
    assert first["must_avoid"] == ["Give morphine"]
    assert (first["points"], first["max_points"], first["skill"]) == (0, 1, "take_action")
    assert rows[1]["response"] == ["x", "y"]
    assert {"learner_id", "attempt_id", "case_id", "item_type", "rule"} <= set(first)

    roster = {r["display_name"]: r for r in session_roster(db_engine, info.code)}
    assert (roster["Ada"]["started"], roster["Ada"]["finished"]) == (1, 0)
    assert (roster["Bob"]["started"], roster["Bob"]["finished"]) == (1, 1)
    assert roster["Cy"]["started"] == 0
    released = release_results(db_engine, info.code)
    assert released.results_released and not released.is_open  # releasing closes joining


def test_delete_participant_removes_their_session_work_only(db_engine):
    info = create_session(db_engine, "Week 3", ["case-a"])
    _, token = join_session(db_engine, info.code, "Ada")
    in_session = start_attempt(db_engine, token, "case-a", "v1", session_code=info.code)
    submit(db_engine, token, in_session.id, "s1")
    practice = start_attempt(db_engine, token, "case-a", "v1")
    learner_id = session_roster(db_engine, info.code)[0]["learner_id"]
    delete_participant(db_engine, info.code, learner_id)
    assert session_roster(db_engine, info.code) == []
    assert session_responses(db_engine, info.code) == []
    assert get_attempt(db_engine, token, in_session.id) is None
    assert get_attempt(db_engine, token, practice.id) == practice


def test_deleting_a_session_deletes_its_attempts(db_engine):
    info = create_session(db_engine, "Week 3", ["case-a"])
    _, token = join_session(db_engine, info.code, "Ada")
    attempt = start_attempt(db_engine, token, "case-a", "v1", session_code=info.code)
    submit(db_engine, token, attempt.id, "s1")
    sessions.delete_session(db_engine, info.code)
    assert get_session(db_engine, info.code) is None
    assert list_attempts(db_engine, token) == []
    with db_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM answer").scalar() == 0


def test_unknown_codes_are_reported(db_engine):
    for call in (
        lambda: set_open(db_engine, "ZZZZZZ", False),
        lambda: release_results(db_engine, "ZZZZZZ"),
        lambda: session_roster(db_engine, "ZZZZZZ"),
        lambda: session_responses(db_engine, "ZZZZZZ"),
    ):
        with pytest.raises(ValueError, match="no class session"):
            call()


def test_a_second_ana_joins_as_ana_2_and_keeps_it(db_engine):
    from classroom.sessions import join

    info = create_session(db_engine, "Week 1", ["ward-round"])
    first = join(db_engine, info.code, "Ana")
    second = join(db_engine, info.code, "  ana ")
    third = join(db_engine, info.code, "ANA")
    assert (first.display_name, first.renamed) == ("Ana", False)
    assert (second.display_name, second.renamed) == ("ana (2)", True)
    assert third.display_name == "ANA (3)"
    # Joining again keeps one's own name; renaming to a taken one numbers it.
    assert join(db_engine, info.code, "Ana", first.token).display_name == "Ana"
    assert join(db_engine, info.code, "ana", second.token).display_name == "ana (2)"
    assert join(db_engine, info.code, "Ana", third.token).display_name == "Ana (3)"
    long = join(db_engine, info.code, "x" * 40)
    assert join(db_engine, info.code, "X" * 40).display_name == "X" * 36 + " (2)"
    names = [r["display_name"] for r in session_roster(db_engine, info.code)]
    assert names == ["Ana", "ana (2)", "Ana (3)", "x" * 40, "X" * 36 + " (2)"]
    assert long.display_name == "x" * 40


def test_the_database_refuses_two_participants_of_one_name(db_engine):
    from classroom.storage.schema import Participant

    info = create_session(db_engine, "Week 1", ["ward-round"])
    join_session(db_engine, info.code, "Ana")
    join_session(db_engine, info.code, "Ben")
    with pytest.raises(sa.exc.IntegrityError), db_engine.begin() as conn:
        conn.execute(
            sa.update(Participant)
            .where(Participant.display_name == "Ben")
            .values(display_name="Ana", name_key="ana")
        )
