"""The page a refused LTI login, launch or placement shows: what was wrong, in plain words.

Never a traceback; a 4xx status; a ``casebook.lti`` log line with the client's address.
"""

from __future__ import annotations

import html
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse

from classroom.lti import tool

LOG = logging.getLogger("casebook.lti")

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
