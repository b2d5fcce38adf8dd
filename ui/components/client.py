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

import functools
from collections.abc import Callable, Mapping
from typing import ParamSpec

import streamlit as st

from classroom.access import sign_ins
from classroom.access.throttle import address_key
from ui.components import session

P = ParamSpec("P")


def address() -> str:
    """The client's throttle key: its address (IPv6 by /64), or ``local`` on this machine."""
    ip = st.context.ip_address
    return address_key(ip if isinstance(ip, str) else None)


def cookies() -> Mapping[str, str]:
    """The cookies the browser sent when it opened this connection."""
    jar = st.context.cookies
    return jar if isinstance(jar, Mapping) else {}  # no connection at all: no cookies


def educator_cookie() -> str | None:
    """The educator sign-in cookie this browser sent, if any."""
    return cookies().get(sign_ins.COOKIE)


def is_educator() -> bool:
    """True when the browser behind this connection is signed in as an educator."""
    cookie = educator_cookie()
    if not cookie:
        return False
    return session.guarded(sign_ins.signed_in, session.open_engine(), cookie)


def educator_only(callback: Callable[P, None]) -> Callable[P, None]:
    """A widget callback that does nothing unless this connection is signed in as an educator.

    Callbacks run before the page script, so the page's sign-in check cannot protect them.
    """

    @functools.wraps(callback)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        if is_educator():
            callback(*args, **kwargs)

    return guarded
