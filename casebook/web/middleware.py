"""ASGI middleware in front of Streamlit: security headers, and uploads for educators only.

``SecurityHeaders`` adds to every HTTP response:
- ``Content-Security-Policy: frame-ancestors 'self'`` and ``X-Frame-Options: SAMEORIGIN``: no
  other site may frame the app (clickjacking). ``CASEBOOK_FRAME_ANCESTORS`` widens it, e.g.
  ``'self' https://lms.example.edu`` for an LMS that embeds Casebook;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.

``EducatorUploads`` refuses ``PUT /_stcore/upload_file/...`` with 403 before reading the body
unless the request carries a valid educator sign-in cookie. Streamlit stores an upload in
the server's memory for any live session id, whether or not that session shows a file
uploader, until the session ends (or the file is deleted); the only uploader in Casebook is
on the Author page, behind the educator sign-in. ``docs/deployment.md`` also rate-limits the
path in nginx.
"""

from __future__ import annotations

import os
from http.cookies import SimpleCookie

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from classroom.access import sign_ins
from classroom.storage import db

UPLOAD_PATH = "/_stcore/upload_file/"


def frame_ancestors() -> str:
    """Who may frame the app (CSP source list): ``'self'`` unless configured."""
    return os.environ.get("CASEBOOK_FRAME_ANCESTORS", "").strip() or "'self'"


def security_headers() -> list[tuple[bytes, bytes]]:
    """The headers added to every HTTP response."""
    ancestors = frame_ancestors()
    headers = [
        (b"content-security-policy", f"frame-ancestors {ancestors}".encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if ancestors == "'self'":  # X-Frame-Options cannot name other sites; CSP covers them
        headers.append((b"x-frame-options", b"SAMEORIGIN"))
    return headers


class SecurityHeaders:
    """Add ``security_headers()`` to every HTTP response (not to WebSocket frames)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header: no cookie
                return None
            if name in jar:
                return jar[name].value
    return None


def _educator(cookie: str | None) -> bool:
    if not sign_ins.has_valid_signature(cookie):  # no database round trip for strangers
        return False
    try:
        return sign_ins.signed_in(db.get_engine(), cookie)
    except db.StorageError:
        return False


class EducatorUploads:
    """Refuse uploads (403) from anyone not signed in as an educator, before the body is read."""

    def __init__(self, app: ASGIApp, base_path: str = "") -> None:
        self.app = app
        self.prefix = base_path.rstrip("/") + UPLOAD_PATH

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("PUT", "POST")
            and scope["path"].startswith(self.prefix)
            and not await run_in_threadpool(_educator, _cookie(scope, sign_ins.COOKIE))
        ):
            # No "Connection: close": uvicorn then discards the unread body as it arrives
            # (memory stays flat) and the client reads the 403. Closing with the body
            # unread makes the kernel reset the connection, which can destroy the reply.
            body = b"Uploads are for signed-in educators only."
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
