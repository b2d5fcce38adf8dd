"""Educator pages sit behind a passcode; students never reach them.

Call ``require_educator()`` at the top of every educator page: it shows the sign-in form and
stops the page until the passcode is right. The passcode's source and storage are described
in ``classroom.passcode``; failures are throttled per browser session (10 in 5 minutes lock
the session for 5 minutes).
"""

from __future__ import annotations

import time

import streamlit as st

from classroom import passcode

_SIGNED_IN = "educator_signed_in"
_THROTTLE = "educator_throttle"
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
    """At server start (``casebook.serve``): generate and print a passcode if none is set.

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


def is_educator() -> bool:
    """True once this browser session has signed in as an educator."""
    return bool(st.session_state.get(_SIGNED_IN))


def sign_out() -> None:
    """Forget this session's educator sign-in."""
    st.session_state.pop(_SIGNED_IN, None)


def require_educator() -> None:
    """Stop the page with a sign-in form unless this session is signed in as an educator."""
    if is_educator():
        return
    st.title("Educator sign-in")
    try:
        stored = educator_hash(_secret())
    except passcode.PasscodeError as exc:
        st.error(f"Educator sign-in is unavailable: {exc}.")
        st.stop()
    state: passcode.ThrottleState = st.session_state.get(_THROTTLE, passcode.ThrottleState())
    wait = passcode.throttle_check(state, time.time())
    if wait:
        st.error(f"Too many wrong passcodes. Try again in {int(wait // 60) + 1} minutes.")
        st.stop()
    st.caption(
        "The passcode was printed in the terminal where the app was started, or set "
        "with CASEBOOK_EDUCATOR_PASSCODE."
    )
    with st.form("educator-sign-in"):
        code = st.text_input("Educator passcode", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        if passcode.verify_passcode(code, stored):
            st.session_state[_SIGNED_IN] = True
            st.session_state.pop(_THROTTLE, None)
            st.rerun()
        st.session_state[_THROTTLE] = passcode.throttle_fail(state, time.time())
        st.error("That passcode is not right.")
    st.stop()
