"""The grade outbox: retries and backoff, a refusal for good, the token kept until it expires."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from classroom.lti import outbox
from classroom.lti.tool import CachedTokenConnector
from classroom.storage.schema import LtiGradeOutbox
from tests.support.lti_play import learner_of, play, student_launch, token_of


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour():
    waits = [outbox.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_deleted_grade_column_is_refused_for_good_and_can_be_queued_again(lti):
    answer, _ = student_launch(lti)
    _, score = play(lti.engine, token_of(lti.engine, learner_of(lti, answer)))
    lti.platform.gone_lineitems.add("link-1")
    assert outbox.deliver_due(lti.engine) == {"sent": 0, "pending": 0, "failed": 1}
    [failed] = outbox.passbacks(lti.engine)
    assert failed.status == "failed" and "404" in failed.last_error
    assert outbox.deliver_due(lti.engine)["failed"] == 0  # a failed row is not tried by itself
    lti.platform.gone_lineitems.clear()  # the instructor restored the column
    outbox.retry(lti.engine, failed.id)
    assert outbox.deliver_due(lti.engine)["sent"] == 1
    assert [s["scoreGiven"] for s in lti.platform.scores] == [score.percent]


def test_one_token_serves_every_delivery_until_it_expires(lti):
    for n in (1, 2):
        answer, _ = student_launch(lti, user_id=f"student-{n}")
        play(lti.engine, token_of(lti.engine, learner_of(lti, answer)), seed=n)
    assert outbox.deliver_due(lti.engine)["sent"] == 2
    assert lti.platform.tokens_issued == 1
    CachedTokenConnector.forget_all()  # as after a restart, or an expired token
    answer, _ = student_launch(lti, user_id="student-3")
    play(lti.engine, token_of(lti.engine, learner_of(lti, answer)))
    assert outbox.deliver_due(lti.engine)["sent"] == 1
    assert lti.platform.tokens_issued == 2


def test_a_claimed_row_is_not_posted_twice(lti):
    answer, _ = student_launch(lti)
    play(lti.engine, token_of(lti.engine, learner_of(lti, answer)))
    claimed = outbox._claim(lti.engine, 10)
    assert len(claimed) == 1 and outbox._claim(lti.engine, 10) == []  # a second server waits
    with lti.engine.connect() as conn:
        lease = conn.execute(sa.select(LtiGradeOutbox.next_try_at)).scalar_one()
    assert lease - outbox.utcnow() > timedelta(seconds=outbox.LEASE_SECONDS - 10)
