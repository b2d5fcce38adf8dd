"""A bare Streamlit client over the WebSocket protocol: what an attacker's script speaks.

It does what the frontend does, without a browser: open ``/_stcore/stream`` (optionally
reattaching to an existing session id, as the frontend does after a reconnect), ask for a
page, read the elements the server sends, and fill in and submit widgets by their ids. The
security tests and ``benchmarks/bench_guessing.py`` use it to replay the attacks of issue 14.
"""

from __future__ import annotations

import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

XSRF_COOKIE = "_streamlit_xsrf"


@dataclass
class Page:
    """What one script run drew: texts and the widgets' ids by label."""

    texts: list[str] = field(default_factory=list)
    widgets: dict[str, str] = field(default_factory=dict)  # label -> widget id
    html: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Every text, joined (for assertions)."""
        return "\n".join(self.texts)


def xsrf_cookie(base: str) -> str:
    """A fresh XSRF cookie from the server, as a browser gets on its first page load."""
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as reply:
        jar: SimpleCookie = SimpleCookie()
        for header in reply.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    return jar[XSRF_COOKIE].value


class StreamlitClient:
    """One connection to a Streamlit server, as a browser tab holds it."""

    def __init__(
        self,
        base: str,
        *,
        cookies: dict[str, str] | None = None,
        session_id: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base = base
        self.cookies = {XSRF_COOKIE: xsrf_cookie(base), **(cookies or {})}
        self.timeout = timeout
        # The frontend's subprotocol list: protocol, XSRF token, session id to reattach to.
        protocols = ["streamlit", self.cookies[XSRF_COOKIE]]
        if session_id:
            protocols.append(session_id)
        self._exit = ExitStack()
        self.ws = self._exit.enter_context(
            connect(
                base.replace("http", "ws", 1) + "/_stcore/stream",
                subprotocols=protocols,
                origin=base,
                additional_headers={
                    "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                },
                open_timeout=timeout,
                max_size=None,
            )
        )
        self.session_id: str | None = None

    def run(self, page: str = "", query: str = "", widgets: list[Any] | None = None) -> Page:
        """Run ``page`` (its URL path, '' for the default) with widget states; read the result."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page
        for widget in widgets or []:
            state.widget_states.widgets.append(widget)
        self.ws.send(msg.SerializeToString())
        return self._read_run()

    def submit(self, page: str, drawn: Page, values: dict[str, str], button: str) -> Page:
        """Fill text inputs by label and press the (form submit) button labelled ``button``."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        states = []
        for label, value in values.items():
            state = WidgetState(id=drawn.widgets[label])
            state.string_value = value
            states.append(state)
        pressed = WidgetState(id=drawn.widgets[button])
        pressed.trigger_value = True
        states.append(pressed)
        return self.run(page, widgets=states)

    def _read_run(self) -> Page:
        drawn = Page()
        while True:
            raw = self.ws.recv(timeout=self.timeout)
            if isinstance(raw, str):
                continue
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _collect(fwd.delta.new_element, drawn)
            elif kind == "script_finished":
                return drawn

    def close(self) -> None:
        """Close the connection (the session stays on the server for a while, as a closed tab)."""
        self._exit.close()

    def __enter__(self) -> StreamlitClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _collect(element: Any, drawn: Page) -> None:
    kind = element.WhichOneof("type")
    part = getattr(element, kind)
    if kind in ("markdown", "heading", "alert", "text", "code"):
        drawn.texts.append(part.body)
    elif kind == "html":
        drawn.html.append(part.body)
    elif kind == "exception":
        drawn.texts.append(f"EXCEPTION {part.type}: {part.message}\n" + "\n".join(part.stack_trace))
    if hasattr(part, "id") and hasattr(part, "label") and part.id:
        drawn.widgets[part.label] = part.id
