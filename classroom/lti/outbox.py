"""Delivering the grade outbox to the platforms (LTI AGS scores), with retries and backoff.

Rows are written by ``classroom.passback`` when an attempt finishes. ``deliver_due`` posts each
row that is due with PyLTI1p3's ``AssignmentsGradesService.put_grade`` (``scoreGiven``,
``scoreMaximum``, ``activityProgress: Completed``, ``gradingProgress: FullyGraded``, the time the
attempt finished and the platform's user id), over an OAuth 2 token from the library's RFC 7523
client assertion, cached until it expires (``classroom.lti.tool.CachedTokenConnector``).

- Accepted (2xx): ``sent``.
- The platform is down, times out, answers 5xx, 401 (the token is dropped), 408 or 429: still
  ``pending``; the next try waits ``backoff(tries)``: 30 s, 1 min, 2 min … at most an hour, for
  ever, so nothing is lost while a platform is away, even across restarts (it is all in the
  database).
- Any other 4xx (the line item is gone, the user is not in the course): ``failed``, with the
  platform's answer in ``last_error``; an educator can queue it again (``retry``).

A row is claimed before it is posted (``next_try_at`` moved on by ``LEASE_SECONDS`` in one UPDATE),
so two app servers never post the same row at once. ``start_worker`` runs ``deliver_due`` every
``POLL_SECONDS`` in a daemon thread of the app's process.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from requests import RequestException
from sqlalchemy.engine import Engine

from classroom.lti.adapters import registration_of
from classroom.lti.platforms import get_platform
from classroom.lti.tool import CachedTokenConnector
from classroom.storage.db import StorageError, reading, translate_errors
from classroom.storage.schema import LtiGradeOutbox, utcnow

LOG = logging.getLogger("casebook.lti")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEASE_SECONDS = 120
POLL_SECONDS = 5.0
BATCH = 50
_RETRY_STATUSES = {401, 408, 429}


def backoff(tries: int) -> timedelta:
    """How long to wait after ``tries`` failed deliveries: 30 s doubling, at most an hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, tries - 1)))


@dataclass(frozen=True)
class Passback:
    """One outbox row, as the educator's page lists it."""

    id: int
    attempt_id: int
    course_id: int
    user_sub: str
    score_given: float
    score_maximum: float
    status: str
    tries: int
    next_try_at: datetime
    last_error: str | None


def _claim(engine: Engine, limit: int) -> list[int]:
    now = utcnow()
    with reading(engine) as conn:  # most ticks find nothing: no write lock for them
        due = (
            conn.execute(
                sa.select(LtiGradeOutbox.id)
                .where(LtiGradeOutbox.status == "pending", LtiGradeOutbox.next_try_at <= now)
                .order_by(LtiGradeOutbox.next_try_at, LtiGradeOutbox.id)
                .limit(limit)
            )
            .scalars()
            .all()
        )
    if not due:
        return []
    with engine.begin() as conn:
        claimed = []
        for row_id in due:
            got = conn.execute(
                sa.update(LtiGradeOutbox)
                .where(
                    LtiGradeOutbox.id == row_id,
                    LtiGradeOutbox.status == "pending",
                    LtiGradeOutbox.next_try_at <= now,
                )
                .values(next_try_at=now + timedelta(seconds=LEASE_SECONDS))
            ).rowcount
            if got == 1:
                claimed.append(row_id)
    return claimed


def _post(engine: Engine, row: sa.Row) -> None:
    """Post one score; raises LtiServiceException / RequestException / LtiException."""
    platform = get_platform(engine, row.platform_id)
    if platform is None:
        raise LtiException("the platform is no longer registered")
    connector = CachedTokenConnector(registration_of(platform))
    service = AssignmentsGradesService(
        connector, {"scope": [SCORE_SCOPE], "lineitem": row.lineitem_url}
    )
    grade = (
        Grade()
        .set_score_given(float(row.score_given))
        .set_score_maximum(float(row.score_maximum))
        .set_timestamp(row.finished_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(row.user_sub)
    )
    try:
        service.put_grade(grade)
    except LtiServiceException as exc:
        if exc.response.status_code == 401:
            connector.forget_token([SCORE_SCOPE])
        raise


def _outcome(exc: Exception) -> tuple[str, str]:
    """('pending' | 'failed', a short reason) for a failed delivery."""
    if isinstance(exc, LtiServiceException):
        code = exc.response.status_code
        text = f"the platform answered {code}: {exc.response.text[:300]}"
        return ("pending" if code >= 500 or code in _RETRY_STATUSES else "failed"), text
    if isinstance(exc, RequestException):
        return "pending", f"the platform could not be reached: {type(exc).__name__}"
    return "pending", str(exc)[:400]


def deliver_row(engine: Engine, row_id: int) -> str:
    """Post one claimed row and record what happened; returns its new status."""
    with reading(engine) as conn:
        row = conn.execute(sa.select(LtiGradeOutbox).where(LtiGradeOutbox.id == row_id)).one()
    now = utcnow()
    try:
        _post(engine, row)
    except (LtiException, RequestException) as exc:
        status, reason = _outcome(exc)
        values = {
            "status": status,
            "tries": row.tries + 1,
            "next_try_at": now + backoff(row.tries + 1),
            "last_error": reason[:500],
        }
        LOG.warning("grade passback %s for attempt %s: %s", status, row.attempt_id, reason)
    else:
        status = "sent"
        values = {"status": status, "tries": row.tries + 1, "sent_at": now, "last_error": None}
        LOG.info("grade passback sent for attempt %s", row.attempt_id)
    with engine.begin() as conn:
        conn.execute(sa.update(LtiGradeOutbox).where(LtiGradeOutbox.id == row_id).values(values))
    return status


@translate_errors("The scores waiting for the LMS were not sent; they will be tried again.")
def deliver_due(engine: Engine, limit: int = BATCH) -> dict[str, int]:
    """Post every row that is due now; returns how many ended sent, pending and failed."""
    counts = {"sent": 0, "pending": 0, "failed": 0}
    for row_id in _claim(engine, limit):
        counts[deliver_row(engine, row_id)] += 1
    return counts


@translate_errors("The scores waiting for the LMS could not be read; try again.")
def passbacks(
    engine: Engine, course_id: int | None = None, *, unsent: bool = True
) -> list[Passback]:
    """Outbox rows, newest first: those not yet accepted (``unsent``), of one course or all."""
    query = sa.select(LtiGradeOutbox).order_by(LtiGradeOutbox.id.desc())
    if course_id is not None:
        query = query.where(LtiGradeOutbox.course_id == course_id)
    if unsent:
        query = query.where(LtiGradeOutbox.status != "sent")
    with reading(engine) as conn:
        return [
            Passback(
                id=r.id,
                attempt_id=r.attempt_id,
                course_id=r.course_id,
                user_sub=r.user_sub,
                score_given=r.score_given,
                score_maximum=r.score_maximum,
                status=r.status,
                tries=r.tries,
                next_try_at=r.next_try_at,
                last_error=r.last_error,
            )
            for r in conn.execute(query)
        ]


@translate_errors("The score was not queued again; try again.")
def retry(engine: Engine, row_id: int) -> None:
    """Queue a failed (or waiting) row to be posted at once."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(LtiGradeOutbox)
            .where(LtiGradeOutbox.id == row_id, LtiGradeOutbox.status != "sent")
            .values(status="pending", next_try_at=utcnow())
        )


def start_worker(engine_of, stop: threading.Event | None = None) -> threading.Thread:
    """A daemon thread delivering the outbox every ``POLL_SECONDS`` (``engine_of``: the engine)."""
    stop = stop or threading.Event()

    def run() -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                deliver_due(engine_of())
            except StorageError as exc:  # the database is away: try at the next tick
                LOG.error("grade passback: %s", exc.message)

    thread = threading.Thread(target=run, name="casebook-lti-outbox", daemon=True)
    thread.start()
    return thread
