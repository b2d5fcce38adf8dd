"""Who the trainee is and where they are: a token and an attempt id kept in the URL.

A first visit gets a token in this browser session only: no database row is written for a
page view. The first join or answer stores the learner (``stored_learner``) and from then on
the token is in the URL (``?t=``), so a refresh, a lost connection or a server restart lands
exactly where the trainee was, with the attempt id (``?a=``) and the step whose feedback is on
screen (``?s=``). Per-user data lives only in ``st.session_state`` and the database.

A rostered student who signed in (``classroom.courses.members``) is named by the learner cookie
of the browser connection instead (``casebook_learner``, checked against the database on every
run): their token never goes into the URL, and a ``?t=`` link that names a course member's
record is refused, so a forwarded or shared link opens nobody's record without their sign-in.
Signing out (or the sign-in expiring) makes this browser forget the record.

Every query parameter is read through ``query``, which returns a value only when it has the
exact form its parameter allows (an attempt id is 1–2,147,483,647 in ASCII digits, a case id
is lowercase letters, digits, '-' and '_', ...); anything else counts as absent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts, sessions
from classroom.access import sign_ins
from classroom.attempts import AttemptInfo
from classroom.storage.db import StorageError
from scoring.errors import CaseError
from scoring.library.loader import CaseLibrary
from ui.components import client, resources
from ui.components.safe_text import plain_md

T = TypeVar("T")
P = ParamSpec("P")
LIBRARY_PAGE = "ui/pages/library.py"
PLAYER_PAGE = "ui/pages/player.py"
QUIZ_PAGE = "ui/pages/quiz.py"
RESULTS_PAGE = "ui/pages/results.py"
JOIN_PAGE = "ui/pages/join.py"
SESSIONS_PAGE = "ui/pages/sessions.py"
DASHBOARD_PAGE = "ui/pages/dashboard.py"
STORED = "learner_stored"  # session-state key: the learner has a database row
SIGNED_IN = "learner_signed_in"  # session-state key: the learner came from a sign-in cookie
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
_ID = r"[a-z0-9][a-z0-9_-]{0,79}"
# The form each query parameter may take; anything else is ignored.
QUERY_FORMS = {
    "t": re.compile(r"[A-Za-z0-9_-]{20,64}"),
    "a": re.compile(r"[1-9][0-9]{0,9}"),
    "s": re.compile(rf"{_ID}(/{_ID})?"),
    "case": re.compile(_ID),
    "code": re.compile(f"[{sessions.CODE_ALPHABET}]{{{sessions.CODE_LENGTH}}}"),
}


def query(name: str) -> str | None:
    """The query parameter ``name`` if it has its exact form (``QUERY_FORMS``), else None.

    Join codes are normalised first (spaces, dashes and case do not matter).
    """
    raw = st.query_params.get(name)
    if not raw:
        return None
    value = sessions.normalize_code(raw) if name == "code" else raw
    if not QUERY_FORMS[name].fullmatch(value):
        return None
    if name == "a" and int(value) > MAX_ID:
        return None
    return value


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


def signed_in_learner_id(engine: Engine) -> int | None:
    """The learner this browser's learner cookie signs in, or None."""
    cookie = client.learner_cookie()
    return guarded(sign_ins.signed_in_learner, engine, cookie) if cookie else None


def signed_in_token(engine: Engine) -> str | None:
    """The token of the learner this browser's learner cookie signs in, or None."""
    learner_id = signed_in_learner_id(engine)
    return None if learner_id is None else guarded(attempts.learner_token, engine, learner_id)


def learner(engine: Engine) -> str:
    """The trainee's token: the signed-in learner's, else the URL's when it names a stored
    anonymous learner, else this session's own.

    Nothing is written here: a new visitor's token is stored with their first join or answer.
    """
    ss = st.session_state
    signed = signed_in_token(engine)
    if signed:
        ss["learner"], ss[STORED], ss[SIGNED_IN] = signed, True, True
        st.query_params.pop("t", None)
        return signed
    if ss.pop(SIGNED_IN, False):  # signed out or expired: forget that student's record
        ss.pop("learner", None)
        ss[STORED] = False
    token = query("t")
    if token and token == ss.get("learner"):
        return token
    kind = guarded(attempts.learner_kind, engine, token) if token else None
    if kind == "anonymous":
        stored_learner(token)
        return token
    if kind == "member":
        st.toast("That record belongs to a course's student: they sign in on Join a class.")
    elif st.query_params.get("t"):  # mistyped, deleted, or not a token at all
        st.toast("That progress link was not found, so a new record was started.")
    if st.query_params.get("t"):
        st.query_params.pop("t", None)
        ss.pop("learner", None)
    if not ss.get("learner"):
        ss["learner"], ss[STORED] = attempts.new_token(), False
    if ss.get(STORED):  # page switches clear the URL: put the token back
        st.query_params["t"] = ss["learner"]
    return ss["learner"]


def is_signed_in() -> bool:
    """True when this run's learner came from a sign-in cookie (a course's student)."""
    return bool(st.session_state.get(SIGNED_IN))


def stored_learner(token: str) -> None:
    """After a join or an answer has stored the learner: their token in the URL from now on
    (not for a signed-in student, whose cookie names them)."""
    st.session_state["learner"], st.session_state[STORED] = token, True
    if not is_signed_in():
        st.query_params["t"] = token


def params(**values: str | int | None) -> dict[str, str]:
    """Query parameters for a page switch: the (stored) token plus ``values`` that are set."""
    ss = st.session_state
    out = {"t": ss.get("learner", "") if ss.get(STORED) and not is_signed_in() else ""}
    out.update({k: str(v) for k, v in values.items() if v is not None})
    return {k: v for k, v in out.items() if v}


def attempt_id_param() -> int | None:
    """The attempt id in the URL, if it is one (see ``query``)."""
    raw = query("a")
    return int(raw) if raw else None


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


def is_educator() -> bool:
    """True when the browser behind this connection is signed in as an educator."""
    cookie = client.educator_cookie()
    if not cookie:
        return False
    return guarded(sign_ins.signed_in, open_engine(), cookie)


def educator_only(callback: Callable[P, None]) -> Callable[P, None]:
    """A widget callback that does nothing unless this connection is signed in as an educator.

    Callbacks run before the page script, so the page's sign-in check cannot protect them.
    """

    @functools.wraps(callback)
    def checked(*args: P.args, **kwargs: P.kwargs) -> None:
        if is_educator():
            callback(*args, **kwargs)

    return checked
