"""Queueing a finished attempt's score for the LMS (LTI AGS), in the transaction that finishes it.

When an attempt of a learner who came from an LMS launch finishes, and the case was placed in
that course as a resource link with a line item, one ``lti_grade_outbox`` row is written on the
same transaction as the finished attempt: either both are stored or neither is. The row carries
the reported score (``scoring.engine.grades``: the debrief's percent, cap applied) as
``scoreGiven`` of ``scoreMaximum`` 100. ``classroom.lti.outbox`` delivers it after the commit
and retries until the platform accepts it.

Only case links pass back (a link to a class session lands students in it; its grade per
session is not sent: see docs/lti.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from classroom.storage.schema import (
    Attempt,
    LtiContext,
    LtiGradeOutbox,
    LtiResourceLink,
    LtiUser,
    utcnow,
)
from scoring.engine.grades import ReportedScore

SCORE_MAXIMUM = 100.0  # scoreGiven is the reported percent


def queue_passback(conn: Connection, attempt_id: int, score: ReportedScore) -> int:
    """Write the outbox rows of a just-finished attempt; returns how many (0 for most)."""
    attempt = conn.execute(
        sa.select(Attempt.learner_id, Attempt.case_id, Attempt.kind, Attempt.finished_at).where(
            Attempt.id == attempt_id
        )
    ).one_or_none()
    if attempt is None or attempt.kind != "case":
        return 0
    targets = conn.execute(
        sa.select(LtiUser.platform_id, LtiUser.sub, LtiUser.course_id, LtiResourceLink.lineitem_url)
        .join(
            LtiContext,
            sa.and_(
                LtiContext.course_id == LtiUser.course_id,
                LtiContext.platform_id == LtiUser.platform_id,
            ),
        )
        .join(LtiResourceLink, LtiResourceLink.context_id == LtiContext.id)
        .where(
            LtiUser.learner_id == attempt.learner_id,
            LtiResourceLink.case_id == attempt.case_id,
            LtiResourceLink.lineitem_url.is_not(None),
        )
        .distinct()
    ).all()
    now = utcnow()
    for t in targets:
        conn.execute(
            sa.insert(LtiGradeOutbox).values(
                attempt_id=attempt_id,
                platform_id=t.platform_id,
                course_id=t.course_id,
                lineitem_url=t.lineitem_url,
                user_sub=t.sub,
                score_given=score.percent,
                score_maximum=SCORE_MAXIMUM,
                finished_at=attempt.finished_at or now,
                status="pending",
                tries=0,
                next_try_at=now,
                created_at=now,
            )
        )
    return len(targets)
