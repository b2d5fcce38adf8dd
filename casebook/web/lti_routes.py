"""LTI 1.3 endpoints beside Streamlit (``st.App(routes=...)``): login, launch, keys, deep links.

- ``GET|POST /lti/login``: OIDC login initiation. PyLTI1p3 checks the issuer (and client id) is
  registered, stores a nonce, sets the ``state`` cookie and we redirect to the platform's
  authorization URL.
- ``POST /lti/launch``: the platform's ``id_token`` form. Validated by
  ``classroom.lti.tool.CasebookLaunch`` (signature, iss, aud/azp, exp/iat with a minute of
  skew, single-use nonce, state, deployment, message type, LTI version). A resource link
  launch then signs the user in by an HttpOnly cookie set on this very response (a learner:
  ``sign_ins.open_session(learner_id=…)``; an Instructor: an educator session) and redirects
  to the linked case or class session (a learner) or to the course's page (an educator).
  No secret is ever put in a URL. A deep linking launch shows the case and session picker.
- ``POST /lti/deep-link``: the picker's choice becomes PyLTI1p3's signed deep linking response,
  auto-posted back to the platform. The launch id it carries is used once.
- ``GET /lti/jwks``: the tool's public keys. ``GET /lti/config.json``: the Canvas LTI key JSON.

Every refusal is a small HTML page saying what was wrong (never a traceback), with a 4xx
status, and a ``casebook.lti`` log line with the client's address.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa
from pylti1p3.exception import LtiException, OIDCException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from casebook.web import lti_deep_linking
from casebook.web.cookies import is_https, same_origin, set_cookie
from casebook.web.lti_refusals import reason_of, refusal
from classroom.access import sign_ins
from classroom.lti import adapters, keys, launches, tool
from classroom.storage import db

LOG = logging.getLogger("casebook.lti")
LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
DEEP_LINK_PATH = lti_deep_linking.DEEP_LINK_PATH
JWKS_PATH = "/lti/jwks"
CONFIG_PATH = "/lti/config.json"
_MAX_FORM_BYTES = 64 * 1024  # an id_token with its claims is a few kB
DEEP_LINK_SECONDS = 1800  # the picker's launch may be used this long after the launch


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_FORM_BYTES:
                return {}
        try:
            params.update(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=32))
        except ValueError:  # more fields than any LTI message has: nothing is read
            return {}
    return params


def _request_of(request: Request, params: dict[str, str]) -> adapters.FormRequest:
    return adapters.FormRequest(params, dict(request.cookies), is_https(request))


def _url(request: Request, path: str) -> str:
    return str(request.url.replace(path=path, query="", fragment=""))


def _set_lti_cookies(response: Response, request: Request, jar: adapters.CookieJar) -> None:
    """PyLTI1p3's state cookie, sent back on the platform's cross-site POST: SameSite=None
    needs Secure, so over plain HTTP (a laptop) it is Lax and works only on one site."""
    secure = is_https(request)
    for name, value, max_age in jar.to_set:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            secure=secure,
            samesite="none" if secure else "lax",
        )


def _engine() -> sa.Engine:
    return db.get_engine()


def login_endpoint(prefix: str):
    """``GET|POST /lti/login``: OIDC login initiation."""

    async def login(request: Request) -> Response:
        params = await _params(request)
        lti_request = _request_of(request, params)

        def redirect_url() -> tuple[str, adapters.CookieJar]:
            flow = tool.CasebookLogin(lti_request, _engine())
            return flow.redirect(_url(request, prefix + LAUNCH_PATH)), flow.jar

        try:
            url, jar = await run_in_threadpool(redirect_url)
        except (OIDCException, LtiException, tool.LaunchRefused) as exc:
            return refusal(request, "login", reason_of(exc))
        except db.StorageError as exc:
            return refusal(request, "login", exc.message, 503)
        response = RedirectResponse(url, status_code=302)
        _set_lti_cookies(response, request, jar)
        return response

    return login


def _landing_path(prefix: str, landing: launches.Landing) -> str:
    if landing.educator:
        return f"{prefix}/courses?course={landing.course_id}"
    if landing.session_code:
        return f"{prefix}/join?code={landing.session_code}"
    if landing.case_id:
        return f"{prefix}/player?case={landing.case_id}"
    return f"{prefix}/"


def launch_endpoint(prefix: str):
    """``POST /lti/launch``: validate the id_token, sign the user in, land them."""

    async def launch(request: Request) -> Response:
        params = await _params(request)
        lti_request = _request_of(request, params)
        address = request.client.host if request.client else "unknown"

        def validated() -> tuple[tool.CasebookLaunch, dict[str, Any]]:
            message = tool.CasebookLaunch(lti_request, _engine())
            message.set_launch_data_lifetime(DEEP_LINK_SECONDS)
            return message, dict(message.validate().get_launch_data())

        try:
            message, claims = await run_in_threadpool(validated)
        except (LtiException, tool.LaunchRefused) as exc:
            return refusal(request, "launch", reason_of(exc), getattr(exc, "status", 400))
        except db.StorageError as exc:
            return refusal(request, "launch", exc.message, 503)
        platform = message.tool_conf.platform
        assert platform is not None
        educator = message.check_teacher_access()
        if message.is_deep_link_launch():
            if not educator:
                return refusal(request, "launch", "only an instructor can place Casebook", 403)
            page = await run_in_threadpool(
                lti_deep_linking.picker_page, prefix, message.get_launch_id()
            )
            return HTMLResponse(page)

        def signed_in() -> tuple[launches.Landing, str]:
            engine = _engine()
            landing = launches.land(engine, platform.id, claims, educator=educator)
            cookie = sign_ins.open_session(engine, address, learner_id=landing.learner_id)
            return landing, cookie

        try:
            landing, cookie = await run_in_threadpool(signed_in)
        except db.StorageError as exc:
            return refusal(request, "launch", exc.message, 503)
        except ValueError as exc:
            return refusal(request, "launch", str(exc))
        response = RedirectResponse(_landing_path(prefix, landing), status_code=303)
        if landing.educator:
            set_cookie(response, request, sign_ins.COOKIE, cookie, sign_ins.SESSION_SECONDS)
        else:
            lasts = sign_ins.LEARNER_SESSION_SECONDS
            set_cookie(response, request, sign_ins.LEARNER_COOKIE, cookie, lasts)
        LOG.info(
            "LTI launch from %s: %s in course %s",
            platform.issuer,
            "educator" if landing.educator else f"learner {landing.learner_id}",
            landing.course_id,
        )
        return response

    return launch


def deep_link_endpoint(prefix: str):
    """``POST /lti/deep-link``: the picker's choice, posted back to the platform."""

    async def deep_link(request: Request) -> Response:
        if not same_origin(request):  # the picker posts from this site's own page
            return refusal(request, "deep link", "the form came from another site", 403)
        params = await _params(request)
        params["launch_url"] = _url(request, prefix + LAUNCH_PATH)
        lti_request = _request_of(request, params)
        try:
            page = await run_in_threadpool(
                lti_deep_linking.deep_link_form,
                params.get("launch", ""),
                params.get("choice", ""),
                lti_request,
            )
        except LtiException:
            return refusal(request, "deep link", "the placement has expired or was used", 400)
        except tool.LaunchRefused as exc:
            return refusal(request, "deep link", exc.message, exc.status)
        except db.StorageError as exc:
            return refusal(request, "deep link", exc.message, 503)
        return HTMLResponse(page)

    return deep_link


async def jwks(request: Request) -> Response:
    """The tool's public keys (JWKS)."""
    return JSONResponse(await run_in_threadpool(keys.jwks))


def config_endpoint(prefix: str):
    """``GET /lti/config.json``: the LTI 1.3 key configuration Canvas asks for (docs/lti.md)."""

    async def config(request: Request) -> Response:
        launch = _url(request, prefix + LAUNCH_PATH)
        body = {
            "title": "Casebook",
            "description": "Clinical-judgment cases for nursing students, scored with NGN rules.",
            "oidc_initiation_url": _url(request, prefix + LOGIN_PATH),
            "target_link_uri": launch,
            "public_jwk_url": _url(request, prefix + JWKS_PATH),
            "scopes": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
            ],
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "settings": {
                        "placements": [
                            {
                                "placement": "link_selection",
                                "message_type": "LtiDeepLinkingRequest",
                                "target_link_uri": launch,
                            },
                            {
                                "placement": "assignment_selection",
                                "message_type": "LtiDeepLinkingRequest",
                                "target_link_uri": launch,
                            },
                        ]
                    },
                }
            ],
            "custom_fields": {},
        }
        return Response(json.dumps(body, indent=2), media_type="application/json")

    return config


def routes(prefix: str = "") -> list[BaseRoute]:
    """The LTI routes under ``prefix`` (``server.baseUrlPath``)."""
    return [
        Route(prefix + LOGIN_PATH, login_endpoint(prefix), methods=["GET", "POST"]),
        Route(prefix + LAUNCH_PATH, launch_endpoint(prefix), methods=["POST"]),
        Route(prefix + DEEP_LINK_PATH, deep_link_endpoint(prefix), methods=["POST"]),
        Route(prefix + JWKS_PATH, jwks, methods=["GET"]),
        Route(prefix + CONFIG_PATH, config_endpoint(prefix), methods=["GET"]),
    ]
