"""Educator pages sit behind the passcode and a signed sign-in cookie; students never reach them.

Call ``require_educator()`` at the top of every educator page, ``still_educator()`` at the
top of an educator fragment, and wrap an educator callback in ``educator_only``
(``ui.components.client``): fragment reruns and callbacks do not run the page script, so
each checks for itself.

Who is an educator is decided by the cookie of the browser connection running the script
(``ui.components.session.is_educator``), checked against the database on every run
(``classroom.access.sign_ins``); nothing in ``st.session_state`` says so. A second client that
reconnects with this session's id brings no cookie and gets the passcode form.

Signing in: the passcode is checked here, after ``classroom.access.throttle`` allows the try (10
wrong passcodes per address per 5 minutes, 100 per hour in all, with back-off after 3); a
right one gets a one-time ticket, which the page posts to ``/educator/sign-in``; that route
sets the cookie and sends the browser back to the page, now signed in (for 8 hours, or until
Sign out). The passcode's source and storage are described in ``classroom.access.passcode``.
"""

from __future__ import annotations

import streamlit as st

from classroom.access import passcode, sign_ins, throttle
from classroom.access.throttle import EDUCATOR_SIGN_IN
from ui.components import client, session

_CHECKED = "educator_passcode_checked"


@st.cache_resource(show_spinner=False)
def educator_hash(secret: str | None) -> str:
    """The passcode hash in force (generated and printed once when none is configured)."""
    return passcode.configured_hash(secret)


def _secret() -> str | None:
    try:
        value = st.secrets.get("educator_passcode")
    except (FileNotFoundError, KeyError, AttributeError, OSError):
        return None
    except Exception:  # malformed secrets.toml: the env var or generated passcode still work
        return None
    return str(value) if value else None


def passcode_at_start() -> None:
    """At server start (``casebook.web.launcher``): generate and print a passcode if none is set.

    A problem (e.g. a hash file that is not a hash) is left for the first page load, where
    ``ensure_passcode`` shows it; the server starts either way.
    """
    try:
        educator_hash(_secret())
    except passcode.PasscodeError:
        return


def ensure_passcode() -> None:
    """Make sure a passcode exists at start-up, so a generated one is printed at once."""
    if st.session_state.get(_CHECKED):  # once per browser session, not on every rerun
        return
    try:
        educator_hash(_secret())
    except passcode.PasscodeError as exc:
        st.error(f"Educator sign-in is unavailable: {exc}.")
        return
    st.session_state[_CHECKED] = True


is_educator = session.is_educator
educator_only = session.educator_only


def still_educator() -> None:
    """In an educator fragment: rerun the whole page (to its sign-in form) unless signed in."""
    if not is_educator():
        st.rerun(scope="app")


post_to_route = client.post_to_route


def sign_out() -> None:
    """End this browser's educator sign-in on the server, then clear its cookie."""
    session.guarded(sign_ins.sign_out, session.open_engine(), client.educator_cookie())
    st.caption("Signing you out…")
    post_to_route(sign_ins.SIGN_OUT_PATH, {})
    st.stop()


def _refusal(verdict: throttle.Verdict) -> str:
    if verdict.reason == "back-off":
        seconds = max(1, round(verdict.wait))
        return f"Wait {seconds} second{'' if seconds == 1 else 's'} before the next try."
    return f"Too many wrong passcodes. Try again in {verdict.minutes()} minutes."


def require_educator() -> None:
    """Stop the page with a sign-in form unless this browser is signed in as an educator."""
    if is_educator():
        return
    st.title("Educator sign-in")
    cookie = client.educator_cookie()
    if cookie and not sign_ins.has_valid_signature(cookie):
        st.info(
            "Your earlier sign-in has expired, or was made on a server with another "
            "CASEBOOK_SECRET_KEY (every app server needs the same one). Sign in again.",
            icon=":material/schedule:",
        )
    try:
        stored = educator_hash(_secret())
    except passcode.PasscodeError as exc:
        st.error(f"Educator sign-in is unavailable: {exc}.")
        st.stop()
    engine = session.open_engine()
    address = client.address()
    verdict = session.guarded(throttle.check, engine, EDUCATOR_SIGN_IN, address)
    if not verdict.allowed and verdict.reason != "back-off":
        st.error(_refusal(verdict))  # locked: no form until the lock lifts
        st.stop()
    st.caption(
        "The passcode was printed in the terminal where the app was started, or set "
        "with CASEBOOK_EDUCATOR_PASSCODE."
    )
    with st.form("educator-sign-in"):
        code = st.text_input("Educator passcode", type="password", max_chars=200)
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        st.stop()
    verdict = session.guarded(throttle.check, engine, EDUCATOR_SIGN_IN, address)
    if not verdict.allowed:
        st.error(_refusal(verdict))
        st.stop()
    if passcode.verify_passcode(code, stored):
        session.guarded(throttle.forget, engine, EDUCATOR_SIGN_IN, address)
        if passcode.upgrade_hash_file(code, stored) != stored:
            educator_hash.clear()
        ticket = session.guarded(sign_ins.issue_ticket, engine, address)
        st.caption("Signing you in…")
        post_to_route(sign_ins.SIGN_IN_PATH, {"ticket": ticket})
        st.stop()
    verdict = session.guarded(throttle.record_failure, engine, EDUCATOR_SIGN_IN, address)
    st.error("That passcode is not right." + ("" if verdict.allowed else " " + _refusal(verdict)))
    st.stop()
