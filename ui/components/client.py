"""Who is on the other end of this browser connection: the address and the cookies.

Read from the WebSocket handshake of the connection that runs this script (``st.context``),
never from ``st.session_state``: a second client that reconnects with a Streamlit session id
brings its own address and cookies.

The address is ``st.context.ip_address``. Behind a reverse proxy that is the proxy's address
unless the proxy is trusted: ``CASEBOOK_TRUSTED_PROXIES`` (default ``127.0.0.1,::1``, see
``casebook.serve``) tells uvicorn whose ``X-Forwarded-For`` to believe, and uvicorn then
reports the browser's address here. Tests replace these two functions.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping

import streamlit as st

from classroom.access import sign_ins
from classroom.access.throttle import address_key


def address() -> str:
    """The client's throttle key: its address (IPv6 by /64), or ``local`` on this machine."""
    ip = st.context.ip_address
    return address_key(ip if isinstance(ip, str) else None)


def cookies() -> Mapping[str, str]:
    """The cookies the browser sent when it opened this connection."""
    jar = st.context.cookies
    return jar if isinstance(jar, Mapping) else {}  # no connection at all: no cookies


def learner_cookie() -> str | None:
    """The learner sign-in cookie this browser sent, if any."""
    return cookies().get(sign_ins.LEARNER_COOKIE)


def educator_cookie() -> str | None:
    """The educator sign-in cookie this browser sent, if any."""
    return cookies().get(sign_ins.COOKIE)


def _route(path: str) -> str:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return (f"/{base}" if base else "") + path


def post_to_route(path: str, fields: dict[str, str]) -> None:
    """Send the browser to one of the app's POST routes, which comes back to this page.

    The fields travel in the request body, so a ticket never appears in an address (or in a
    proxy's access log). The page address is sent as ``next``.
    """
    form_id = f"casebook-post-{secrets.token_hex(4)}"
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    st.html(
        f'<form id="{form_id}" method="post" action="{html.escape(_route(path))}">{inputs}'
        '<input type="hidden" name="next" value=""></form>'
        f'<script>const f = document.getElementById("{form_id}");'
        "f.elements.next.value = location.pathname + location.search; f.submit();</script>",
        unsafe_allow_javascript=True,
    )
