"""Sign-ins of educators and learners: a one-time ticket, then a session named by a cookie.

1. The passcode form (``ui.educator.gate``) verifies the passcode and calls ``issue_ticket``:
   a random ticket, valid for a minute, stored only as its SHA-256.
2. The browser posts the ticket to ``/educator/sign-in`` (``casebook.web.routes``), which
   calls ``redeem_ticket``: once only, it turns the ticket into a session and returns the
   cookie value, a random session secret signed by ``classroom.access.signing``. The route sets it
   as an HttpOnly, SameSite=Strict cookie.
3. Every educator page checks the cookie of the browser connection running it
   (``signed_in``), never a flag in the Streamlit session, so a second client that presents
   the first one's Streamlit session id is not an educator.
4. ``sign_out`` ends the session on the server at once; the cookie alone lets nobody back in.

Sessions last ``SESSION_SECONDS`` (8 hours, a teaching day) from sign-in.

Learners (issue 10) sign in the same way, with a row of the same table whose ``learner_id``
is set: a rostered student after their student ID and PIN (``classroom.courses.members``), an
LTI launch (issue 11) after its id token. ``issue_ticket(..., learner_id=…)`` and
``redeem_ticket(..., learner=True)`` take the ticket route ``LEARNER_SIGN_IN_PATH``;
``open_session`` opens a session at once for a caller that already holds the response (the
LTI launch route). A learner's cookie is ``LEARNER_COOKIE``, signed for its own purpose,
lasts ``LEARNER_SESSION_SECONDS`` (12 hours: a shared computer in a skills lab forgets the
student by the next day) and is never accepted as an educator's, nor the other way round:
the purposes differ and every check also matches ``learner_id`` being NULL or not.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom.access import signing
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import EducatorSignIn, utcnow

COOKIE = "casebook_educator"
LEARNER_COOKIE = "casebook_learner"
SIGN_IN_PATH = "/educator/sign-in"  # routes of casebook.web.routes, below server.baseUrlPath
SIGN_OUT_PATH = "/educator/sign-out"
LEARNER_SIGN_IN_PATH = "/learner/sign-in"
LEARNER_SIGN_OUT_PATH = "/learner/sign-out"
PURPOSE = "educator-session"
LEARNER_PURPOSE = "learner-session"
TICKET_SECONDS = 60
SESSION_SECONDS = 8 * 3600
LEARNER_SESSION_SECONDS = 12 * 3600
_KEEP = timedelta(days=30)  # ended sign-ins are kept this long, as a record of who signed in


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _whose(learner_id: int | None) -> sa.ColumnElement[bool]:
    column = EducatorSignIn.learner_id
    return column.is_(None) if learner_id is None else column == learner_id


def _kind(learner: bool) -> sa.ColumnElement[bool]:
    column = EducatorSignIn.learner_id
    return column.is_not(None) if learner else column.is_(None)


def _lasts(learner: bool) -> int:
    return LEARNER_SESSION_SECONDS if learner else SESSION_SECONDS


def _purpose(learner: bool) -> str:
    return LEARNER_PURPOSE if learner else PURPOSE


def _tidy(conn: sa.Connection, now: datetime) -> None:
    conn.execute(  # unused tickets and long-ended sessions
        sa.delete(EducatorSignIn).where(
            sa.or_(
                sa.and_(
                    EducatorSignIn.session_hash.is_(None),
                    EducatorSignIn.ticket_expires_at < now,
                ),
                EducatorSignIn.expires_at < now - _KEEP,
            )
        )
    )


@translate_errors("You were not signed in; try again.")
def issue_ticket(engine: Engine, address: str, *, learner_id: int | None = None) -> str:
    """A one-time sign-in ticket for a client just verified (an educator, or ``learner_id``)."""
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(EducatorSignIn).values(
                ticket_hash=_digest(ticket),
                ticket_expires_at=now + timedelta(seconds=TICKET_SECONDS),
                address=address[:64],
                created_at=now,
                learner_id=learner_id,
            )
        )
        _tidy(conn, now)
    return ticket


@translate_errors("You were not signed in; try again.")
def redeem_ticket(engine: Engine, ticket: str, *, learner: bool = False) -> str | None:
    """The cookie value for a valid, unused ticket (which is used up), else None.

    An educator's ticket redeems only with ``learner=False``, a learner's only with True.
    """
    if not ticket or len(ticket) > 200:
        return None
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        used = conn.execute(
            sa.update(EducatorSignIn)
            .where(
                EducatorSignIn.ticket_hash == _digest(ticket),
                EducatorSignIn.session_hash.is_(None),
                EducatorSignIn.ticket_expires_at > now,
                _kind(learner),
            )
            .values(
                session_hash=_digest(secret),
                expires_at=now + timedelta(seconds=_lasts(learner)),
                ticket_expires_at=now,
            )
        ).rowcount
    return signing.sign(_purpose(learner), secret) if used == 1 else None


@translate_errors("You were not signed in; try again.")
def open_session(engine: Engine, address: str, *, learner_id: int | None = None) -> str:
    """Open a sign-in session at once and return its cookie value (no ticket).

    For a route that has verified the client itself and sets the cookie in its own response
    (the LTI launch); ``learner_id`` None is an educator's session.
    """
    secret = secrets.token_urlsafe(32)
    learner = learner_id is not None
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(EducatorSignIn).values(
                ticket_hash=_digest(secrets.token_urlsafe(32)),  # never handed out
                ticket_expires_at=now,
                session_hash=_digest(secret),
                expires_at=now + timedelta(seconds=_lasts(learner)),
                address=address[:64],
                created_at=now,
                learner_id=learner_id,
            )
        )
        _tidy(conn, now)
    return signing.sign(_purpose(learner), secret)


def _secret(cookie: str | None, learner: bool = False) -> str | None:
    value = signing.unsign(_purpose(learner), cookie, _lasts(learner))
    return value if isinstance(value, str) else None


def has_valid_signature(cookie: str | None, *, learner: bool = False) -> bool:
    """True when the cookie was signed with this site's key and has not expired."""
    return _secret(cookie, learner) is not None


def _live(secret: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        EducatorSignIn.session_hash == _digest(secret),
        EducatorSignIn.ended_at.is_(None),
        EducatorSignIn.expires_at > utcnow(),
    )


@translate_errors("Your sign-in could not be checked; try again in a moment.")
def signed_in(engine: Engine, cookie: str | None) -> bool:
    """True when the cookie names an educator sign-in that has not ended or expired."""
    secret = _secret(cookie)
    if secret is None:
        return False
    with reading(engine) as conn:
        found = conn.execute(
            sa.select(EducatorSignIn.id).where(_live(secret), _kind(False))
        ).first()
    return found is not None


@translate_errors("Your sign-in could not be checked; try again in a moment.")
def signed_in_learner(engine: Engine, cookie: str | None) -> int | None:
    """The learner id a learner cookie signs in (not ended, not expired), else None."""
    secret = _secret(cookie, learner=True)
    if secret is None:
        return None
    with reading(engine) as conn:
        return conn.execute(
            sa.select(EducatorSignIn.learner_id).where(_live(secret), _kind(True))
        ).scalar_one_or_none()


@translate_errors("You were not signed out; try again.")
def sign_out(engine: Engine, cookie: str | None, *, learner: bool = False) -> None:
    """End the sign-in the cookie names (nothing happens for an unknown cookie)."""
    secret = _secret(cookie, learner)
    if secret is None:
        return
    with engine.begin() as conn:
        conn.execute(
            sa.update(EducatorSignIn)
            .where(
                EducatorSignIn.session_hash == _digest(secret),
                EducatorSignIn.ended_at.is_(None),
                _kind(learner),
            )
            .values(ended_at=utcnow())
        )


@translate_errors("Nothing was changed; try again.")
def end_learner_sessions(engine: Engine, learner_id: int) -> int:
    """End every open sign-in of a learner (after a PIN reset); returns how many."""
    with engine.begin() as conn:
        return conn.execute(
            sa.update(EducatorSignIn)
            .where(_whose(learner_id), EducatorSignIn.ended_at.is_(None))
            .values(ended_at=utcnow(), ticket_expires_at=utcnow())
        ).rowcount
