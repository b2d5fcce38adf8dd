"""Signing in as an educator in AppTest, through the app's real sign-in route.

AppTest has no browser connection, so no cookies: ``browser_cookies`` (a fixture in
``tests/conftest.py``) stands in for one browser's cookie jar. ``finish_sign_in`` does what
the browser does after a right passcode: it takes the one-time ticket from the form the page
drew, posts it to ``/educator/sign-in`` (``casebook.web.routes``, through Starlette's test
client), and keeps the cookie the route sets.
"""

from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.testclient import TestClient

from casebook.web.routes import routes
from classroom.access import sign_ins

_TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def route_client() -> TestClient:
    """A test client for Casebook's own routes (no Streamlit)."""
    return TestClient(Starlette(routes=routes()), base_url="http://127.0.0.1:8501")


def drawn_html(at) -> str:
    """The HTML the page drew with st.html, joined."""
    return "\n".join(e.proto.body for e in at.get("html"))


def finish_sign_in(at, jar: dict[str, str]) -> None:
    """Post the ticket on the page to the sign-in route; keep the cookie; rerun the page."""
    found = _TICKET.search(drawn_html(at))
    assert found, "the page drew no sign-in ticket (wrong passcode, or throttled?)"
    with route_client() as http:
        reply = http.post(
            sign_ins.SIGN_IN_PATH,
            data={"ticket": found.group(1), "next": "/sessions"},
            follow_redirects=False,
        )
    assert reply.status_code == 303, reply.text
    jar[sign_ins.COOKIE] = reply.cookies[sign_ins.COOKIE]
    at.run()


def finish_learner_sign_in(at, jar: dict[str, str]) -> None:
    """After a right student ID and PIN: post the page's ticket to ``/learner/sign-in``."""
    found = _TICKET.search(drawn_html(at))
    assert found, "the page drew no learner sign-in ticket (wrong PIN, or throttled?)"
    with route_client() as http:
        refused = http.post(
            sign_ins.SIGN_IN_PATH, data={"ticket": found.group(1)}, follow_redirects=False
        )
        assert sign_ins.COOKIE not in refused.cookies  # not an educator's ticket
        reply = http.post(
            sign_ins.LEARNER_SIGN_IN_PATH,
            data={"ticket": found.group(1), "next": "/join"},
            follow_redirects=False,
        )
    assert reply.status_code == 303, reply.text
    jar[sign_ins.LEARNER_COOKIE] = reply.cookies[sign_ins.LEARNER_COOKIE]
    at.run()
