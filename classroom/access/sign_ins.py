"""Educator sign-ins: a one-time ticket after the passcode, then a session named by a cookie.

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
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom.access import signing
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import EducatorSignIn, utcnow

COOKIE = "casebook_educator"
SIGN_IN_PATH = "/educator/sign-in"  # routes of casebook.web.routes, below server.baseUrlPath
SIGN_OUT_PATH = "/educator/sign-out"
PURPOSE = "educator-session"
TICKET_SECONDS = 60
SESSION_SECONDS = 8 * 3600
_KEEP = timedelta(days=30)  # ended sign-ins are kept this long, as a record of who signed in


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@translate_errors("You were not signed in; try again.")
def issue_ticket(engine: Engine, address: str) -> str:
    """A one-time sign-in ticket for a client whose passcode was just verified."""
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(EducatorSignIn).values(
                ticket_hash=_digest(ticket),
                ticket_expires_at=now + timedelta(seconds=TICKET_SECONDS),
                address=address[:64],
                created_at=now,
            )
        )
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
    return ticket


@translate_errors("You were not signed in; try again.")
def redeem_ticket(engine: Engine, ticket: str) -> str | None:
    """The cookie value for a valid, unused ticket (which is used up), else None."""
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
            )
            .values(
                session_hash=_digest(secret),
                expires_at=now + timedelta(seconds=SESSION_SECONDS),
                ticket_expires_at=now,
            )
        ).rowcount
    return signing.sign(PURPOSE, secret) if used == 1 else None


def _secret(cookie: str | None) -> str | None:
    value = signing.unsign(PURPOSE, cookie, SESSION_SECONDS)
    return value if isinstance(value, str) else None


def has_valid_signature(cookie: str | None) -> bool:
    """True when the cookie was signed with this site's key and has not expired."""
    return _secret(cookie) is not None


@translate_errors("Your sign-in could not be checked; try again in a moment.")
def signed_in(engine: Engine, cookie: str | None) -> bool:
    """True when the cookie names a sign-in that has not ended or expired."""
    secret = _secret(cookie)
    if secret is None:
        return False
    with reading(engine) as conn:
        found = conn.execute(
            sa.select(EducatorSignIn.id).where(
                EducatorSignIn.session_hash == _digest(secret),
                EducatorSignIn.ended_at.is_(None),
                EducatorSignIn.expires_at > utcnow(),
            )
        ).first()
    return found is not None


@translate_errors("You were not signed out; try again.")
def sign_out(engine: Engine, cookie: str | None) -> None:
    """End the sign-in the cookie names (nothing happens for an unknown cookie)."""
    secret = _secret(cookie)
    if secret is None:
        return
    with engine.begin() as conn:
        conn.execute(
            sa.update(EducatorSignIn)
            .where(
                EducatorSignIn.session_hash == _digest(secret), EducatorSignIn.ended_at.is_(None)
            )
            .values(ended_at=utcnow())
        )
