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

import functools
import html
import json
import logging
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from casebook.web.cookies import is_https, same_origin, set_cookie
from classroom import sessions
from classroom.access import sign_ins
from classroom.lti import keys, launches, tool
from classroom.storage import db
from scoring.library.loader import CaseLibrary, cases_dir, load_library

LOG = logging.getLogger("casebook.lti")
LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
DEEP_LINK_PATH = "/lti/deep-link"
JWKS_PATH = "/lti/jwks"
CONFIG_PATH = "/lti/config.json"
_MAX_FORM_BYTES = 64 * 1024  # an id_token with its claims is a few kB
DEEP_LINK_SECONDS = 1800  # the picker's launch may be used this long after the launch

# PyLTI1p3's messages → what went wrong, in words a person at an LMS can act on.
REASONS = (
    (
        "State not found",
        "the sign-in state does not match this browser: open the link "
        "from the LMS again (when Casebook opens inside the LMS page the browser may block its "
        "cookie: place the link to open in a new window)",
    ),
    ("Missing state", "the launch carries no state: it did not come through /lti/login"),
    (
        "Invalid Nonce",
        "this launch was already used or is too old (a launch is good once, "
        "for ten minutes): open the link from the LMS again",
    ),
    (
        "Unable to find public key",
        "the launch is signed with a key (kid) that the LMS's key set does not contain",
    ),
    ("Signature verification failed", "the launch's signature does not match the LMS's keys"),
    (
        "Signature has expired",
        "the launch has expired: open the link again (if this repeats, "
        "the LMS's clock or this server's is wrong)",
    ),
    (
        "not yet valid",
        "the launch was issued in the future: the LMS's clock and this "
        "server's differ by more than a minute",
    ),
    (
        "Audience doesn't match",
        "the launch is meant for another tool (aud is not Casebook's client id)",
    ),
    ("Invalid audience", "the launch is meant for another tool (aud is not Casebook's client id)"),
    ("azp", "the launch is meant for another tool (azp is not Casebook's client id)"),
    (
        "Unable to find deployment",
        "this deployment of the LMS is not registered with Casebook "
        "(casebook lti register … --deployment-id)",
    ),
    ("Registration not found", "this LMS (issuer and client id) is not registered with Casebook"),
    ("Client id not registered", "this LMS (issuer and client id) is not registered with Casebook"),
    (
        "Could not find registration",
        "this LMS (issuer and client id) is not registered with Casebook",
    ),
    ("Incorrect version", "the launch is not LTI 1.3.0"),
    ("message type", "the launch is neither a resource link nor a deep linking request"),
    ("Missing", "the launch lacks a claim LTI 1.3 requires"),
    ("Could not find", "the login request lacks a parameter LTI 1.3 requires"),
    ("Can't decode id_token", "the launch's token could not be verified"),
    ("Invalid id_token", "the launch's token is not a JWT"),
)


def reason_of(exc: Exception) -> str:
    """The plain reason for a refused login or launch."""
    if isinstance(exc, tool.LaunchRefused):
        return exc.message
    text = str(exc)
    for needle, reason in REASONS:
        if needle in text:
            return reason
    return "the launch could not be checked"


def refusal(request: Request, what: str, reason: str, status: int = 400) -> HTMLResponse:
    """The page shown for a refused login or launch, logged with the client's address."""
    client = request.client.host if request.client else "unknown"
    LOG.warning("LTI %s refused from %s: %s", what, client, reason)
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Casebook could not open this link</title></head><body>"
        "<main><h1>Casebook could not open this link</h1>"
        f"<p>The {html.escape(what)} was refused: {html.escape(reason)}.</p>"
        "<p>Go back to your course in the LMS and open the link again. If it fails again, "
        "show this page to the person who set Casebook up.</p></main></body></html>"
    )
    return HTMLResponse(body, status_code=status)


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_FORM_BYTES:
                return {}
        params.update(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=32))
    return params


def _request_of(request: Request, params: dict[str, str]) -> tool.FormRequest:
    return tool.FormRequest(params, dict(request.cookies), is_https(request))


def _url(request: Request, path: str) -> str:
    return str(request.url.replace(path=path, query="", fragment=""))


def _set_lti_cookies(response: Response, request: Request, jar: tool.CookieJar) -> None:
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

        def redirect_url() -> tuple[str, tool.CookieJar]:
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
            page = await run_in_threadpool(picker_page, prefix, message.get_launch_id())
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


@functools.lru_cache(maxsize=2)
def _library(_stamp: int) -> CaseLibrary:
    return load_library(cases_dir())


def _choices() -> list[tuple[str, str]]:
    """(value, label) of everything an instructor may place: each case, each open session."""
    from ui.components.resources import fingerprint

    library = _library(hash(fingerprint([cases_dir()])))
    choices = [
        (f"case:{cid}", f"Case: {loaded.case.title}")
        for cid, loaded in sorted(library.cases.items(), key=lambda kv: kv[1].case.title)
    ]
    for info in sessions.list_sessions(_engine()):
        if info.ended_at is None:
            choices.append((f"session:{info.code}", f"Class session: {info.title} ({info.code})"))
    return choices


def picker_page(prefix: str, launch_id: str) -> str:
    """The deep linking picker: one radio button per case and open class session."""
    options = "".join(
        f"<li><label><input type='radio' name='choice' value='{html.escape(v)}' required> "
        f"{html.escape(label)}</label></li>"
        for v, label in _choices()
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Place a Casebook case</title></head><body><main>"
        "<h1>Place a Casebook case in your course</h1>"
        f"<form method='post' action='{html.escape(prefix + DEEP_LINK_PATH)}'>"
        f"<input type='hidden' name='launch' value='{html.escape(launch_id)}'>"
        f"<ul style='list-style:none;padding:0'>{options}</ul>"
        "<button type='submit'>Place it</button></form></main></body></html>"
    )


def deep_link_form(launch_id: str, choice: str, lti_request: tool.FormRequest) -> str:
    """PyLTI1p3's signed deep linking response for the choice, as a form that posts itself."""
    engine = _engine()
    message = tool.CasebookLaunch.restored(launch_id, lti_request, engine)
    if not message.is_deep_link_launch() or not message.check_teacher_access():
        raise tool.LaunchRefused("this is not an instructor's deep linking launch", 403)
    kind, _, value = choice.partition(":")
    valid = dict(_choices())
    if choice not in valid or kind not in ("case", "session"):
        raise tool.LaunchRefused("choose one of the cases or sessions listed")
    parameter = launches.CASE_PARAMETER if kind == "case" else launches.SESSION_PARAMETER
    title = valid[choice].split(": ", 1)[1]
    resource = (
        DeepLinkResource()
        .set_url(str(lti_request.params.get("launch_url", "")))
        .set_title(title[:200])
        .set_custom_params({parameter: value})
    )
    if kind == "case":  # a case's score is sent back: ask the platform for a line item
        resource.set_lineitem(
            LineItem().set_score_maximum(100).set_label(title[:200]).set_resource_id(value)
        )
    deep_link = message.get_deep_link()
    jwt_value = deep_link.get_response_jwt([resource])
    return_url = message.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    ]["deep_link_return_url"]
    tool.DatabaseStorage(engine).set_value(launch_id, None, 1)  # the launch id is used up
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Placing the case…</title></head><body>"
        f"<form id='back' method='post' action='{html.escape(return_url)}'>"
        f"<input type='hidden' name='JWT' value='{html.escape(jwt_value)}'>"
        "<noscript><button type='submit'>Continue</button></noscript></form>"
        "<script>document.getElementById('back').submit()</script></body></html>"
    )


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
                deep_link_form, params.get("launch", ""), params.get("choice", ""), lti_request
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
