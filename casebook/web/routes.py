"""Routes served beside Streamlit's: the sign-in cookies and the health check.

``POST /educator/sign-in`` (form fields ``ticket``, ``next``): exchanges the one-time ticket
that the passcode form issued (``classroom.access.sign_ins``) for the signed session cookie, then
sends the browser back to ``next`` (a path on this site). ``POST /educator/sign-out``: ends
the session and clears the cookie. ``POST /learner/sign-in`` and ``/learner/sign-out`` do the
same for a rostered student after their student ID and PIN (the ``casebook_learner`` cookie);
an educator's ticket is refused there and a learner's at the educator's route.
``GET /healthz``: ``ok`` (200) while the database answers a query, ``down`` (503) otherwise;
point load balancers here, not at ``/_stcore/health``, which only says the process is up.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from casebook.web.cookies import clear_cookie, local_path, same_origin, set_cookie
from classroom.access import sign_ins
from classroom.storage import db

LOG = logging.getLogger("casebook.security")
HEALTH_PATH = "/healthz"
_MAX_FORM_BYTES = 4096


def _engine() -> sa.Engine:
    return db.get_engine()  # the process-wide engine the pages use (raises StorageError)


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=4))


def _back(target: str | None, prefix: str) -> RedirectResponse:
    return RedirectResponse(local_path(target, f"{prefix}/"), status_code=303)


def sign_in_endpoint(prefix: str, *, learner: bool = False):
    """``POST /educator/sign-in`` (or ``/learner/sign-in``): a valid ticket becomes the cookie."""
    name = sign_ins.LEARNER_COOKIE if learner else sign_ins.COOKIE
    lasts = sign_ins.LEARNER_SESSION_SECONDS if learner else sign_ins.SESSION_SECONDS
    who = "learner" if learner else "educator"

    async def sign_in(request: Request) -> Response:
        if not same_origin(request):
            return PlainTextResponse("cross-site request refused", status_code=403)
        form = await _form(request)
        response = _back(form.get("next"), prefix)
        try:
            cookie = await run_in_threadpool(
                sign_ins.redeem_ticket, _engine(), form.get("ticket", ""), learner=learner
            )
        except db.StorageError as exc:
            LOG.error("%s sign-in not completed: %s", who, exc.message)
            return PlainTextResponse(exc.message, status_code=503)
        if cookie is None:  # used, expired or made up: the page shows its form again
            LOG.warning("%s sign-in ticket refused from %s", who, _client(request))
            return response
        set_cookie(response, request, name, cookie, lasts)
        return response

    return sign_in


def sign_out_endpoint(prefix: str, *, learner: bool = False):
    """``POST /educator/sign-out`` (or ``/learner/sign-out``): end it and clear the cookie."""
    name = sign_ins.LEARNER_COOKIE if learner else sign_ins.COOKIE

    async def sign_out(request: Request) -> Response:
        if not same_origin(request):
            return PlainTextResponse("cross-site request refused", status_code=403)
        form = await _form(request)
        cookie = request.cookies.get(name)
        try:
            await run_in_threadpool(sign_ins.sign_out, _engine(), cookie, learner=learner)
        except db.StorageError as exc:  # the cookie is still cleared below
            LOG.error("sign-out not recorded: %s", exc.message)
        response = _back(form.get("next"), prefix)
        clear_cookie(response, request, name)
        return response

    return sign_out


def database_answers() -> bool:
    """True when the configured database answers ``SELECT 1``."""
    try:
        with _engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except (db.StorageError, sa.exc.SQLAlchemyError) as exc:
        LOG.error("health check: database down: %s", exc)
        return False
    return True


async def healthz(request: Request) -> Response:
    """``ok`` while the database answers, else ``down`` with 503 (for load balancers)."""
    up = await run_in_threadpool(database_answers)
    return PlainTextResponse("ok" if up else "down", status_code=200 if up else 503)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def routes(prefix: str = "") -> list[BaseRoute]:
    """Every route of Casebook's own, under ``prefix`` (``server.baseUrlPath``, e.g. ``/cb``)."""
    return [
        Route(prefix + sign_ins.SIGN_IN_PATH, sign_in_endpoint(prefix), methods=["POST"]),
        Route(prefix + sign_ins.SIGN_OUT_PATH, sign_out_endpoint(prefix), methods=["POST"]),
        Route(
            prefix + sign_ins.LEARNER_SIGN_IN_PATH,
            sign_in_endpoint(prefix, learner=True),
            methods=["POST"],
        ),
        Route(
            prefix + sign_ins.LEARNER_SIGN_OUT_PATH,
            sign_out_endpoint(prefix, learner=True),
            methods=["POST"],
        ),
        Route(prefix + HEALTH_PATH, healthz, methods=["GET", "HEAD"]),
    ]
