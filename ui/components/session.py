"""Who the trainee is and where they are: a token and an attempt id kept in the URL.

The token (``?t=``) is created with ``new_learner`` on the first visit; the attempt id
(``?a=``) and the step whose feedback is on screen (``?s=``) make a refresh, a lost connection
or a server restart land exactly where the trainee was. Per-user data lives only in
``st.session_state`` and the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts
from classroom.attempts import AttemptInfo
from classroom.db import StorageError
from scoring.errors import CaseError
from scoring.loader import CaseLibrary
from ui.components import resources
from ui.components.safe_text import plain_md

T = TypeVar("T")
LIBRARY_PAGE = "ui/pages/library.py"
PLAYER_PAGE = "ui/pages/player.py"
QUIZ_PAGE = "ui/pages/quiz.py"
RESULTS_PAGE = "ui/pages/results.py"
JOIN_PAGE = "ui/pages/join.py"
SESSIONS_PAGE = "ui/pages/sessions.py"
DASHBOARD_PAGE = "ui/pages/dashboard.py"


def stop_with_storage_error(exc: StorageError) -> None:
    """Show a database fault as a message and end this run."""
    st.error(exc.message, icon=":material/database:")
    st.stop()


def guarded(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a storage function; on StorageError show its message and stop the page."""
    try:
        return fn(*args, **kwargs)
    except StorageError as exc:
        stop_with_storage_error(exc)
        raise  # unreachable: st.stop() raises


def open_engine() -> Engine:
    """The database engine, or an error on screen."""
    return guarded(resources.engine)


def open_library() -> CaseLibrary:
    """The case library, or the guidance problems on screen (cases need guidance to load)."""
    try:
        return resources.library()
    except CaseError as exc:
        st.error("The guidance documents have problems, so no case can be loaded.")
        st.code("\n".join(str(p) for p in exc.problems), language=None)
        st.stop()
        raise


def learner(engine: Engine) -> str:
    """The trainee's token from the URL or this session; a new learner on a first visit."""
    ss = st.session_state
    token = st.query_params.get("t")
    if token and token == ss.get("learner"):
        return token
    if token and guarded(attempts.learner_exists, engine, token):
        ss["learner"] = token
        return token
    if not token and ss.get("learner"):  # page switches clear the URL: put the token back
        token = ss["learner"]
    else:
        if token:
            st.toast("That progress link was not found, so a new record was started.")
        token = guarded(attempts.new_learner, engine)
    ss["learner"] = token
    st.query_params["t"] = token
    return token


def params(**values: str | int | None) -> dict[str, str]:
    """Query parameters for a page switch: the token plus ``values`` that are set."""
    out = {"t": st.session_state.get("learner", "")}
    out.update({k: str(v) for k, v in values.items() if v is not None})
    return {k: v for k, v in out.items() if v}


def attempt_id_param() -> int | None:
    """The attempt id in the URL, if it is a number."""
    raw = st.query_params.get("a")
    return int(raw) if raw and raw.isdigit() else None


def attempt_info(engine: Engine, token: str, attempt_id: int) -> AttemptInfo | None:
    """The attempt if ``token`` owns it; read once per session, again after ``forget_attempt``."""
    key = f"attempt:{attempt_id}"
    info = st.session_state.get(key)
    if info is None or info.learner_token != token:
        info = guarded(attempts.get_attempt, engine, token, attempt_id)
        if info is not None:
            st.session_state[key] = info
    return info


def forget_attempt(attempt_id: int) -> None:
    """Drop this session's copy of an attempt (it changed: an answer, a finish)."""
    st.session_state.pop(f"attempt:{attempt_id}", None)


def set_view(step_id: str | None) -> None:
    """Remember in the URL which answered step's feedback is on screen (None: the current)."""
    if step_id is None:
        st.query_params.pop("s", None)
    else:
        st.query_params["s"] = step_id


def not_found(message: str) -> None:
    """A friendly dead end with a way back to the library."""
    st.info(plain_md(message), icon=":material/search_off:")
    if st.button("Go to the case library", type="primary", icon=":material/menu_book:"):
        st.switch_page(LIBRARY_PAGE, query_params=params())
    st.stop()
