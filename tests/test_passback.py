"""Queueing passbacks: only a launched learner's finished case with a line item, once."""

from __future__ import annotations

import sqlalchemy as sa

from classroom import attempts
from classroom.storage.schema import LtiGradeOutbox, LtiResourceLink
from tests.support.lti_play import learner_of, play, student_launch, token_of


def rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(LtiGradeOutbox)).all()


def test_an_anonymous_learners_attempt_queues_nothing(lti):
    play(lti.engine, attempts.new_learner(lti.engine))
    assert rows(lti.engine) == []


def test_a_link_without_a_line_item_queues_nothing(lti):
    answer, _ = student_launch(lti, lineitem=False)
    play(lti.engine, token_of(lti.engine, learner_of(lti, answer)))
    assert rows(lti.engine) == []


def test_finishing_twice_queues_once(lti):
    answer, _ = student_launch(lti)
    token = token_of(lti.engine, learner_of(lti, answer))
    attempt_id, _ = play(lti.engine, token)
    attempts.finish_attempt(lti.engine, token, attempt_id)  # a second finish keeps the first
    assert len(rows(lti.engine)) == 1


def test_a_case_placed_twice_in_the_course_queues_a_score_for_each_link(lti):
    answer, _ = student_launch(lti)
    learner = learner_of(lti, answer)
    student_launch(lti, resource_link_id="link-2")  # the same case placed twice in the course
    with lti.engine.connect() as conn:
        links = conn.execute(sa.select(LtiResourceLink.lineitem_url)).scalars().all()
    assert len(links) == 2
    play(lti.engine, token_of(lti.engine, learner))
    assert sorted(r.lineitem_url for r in rows(lti.engine)) == sorted(links)
