"""Ways back to one's record on another device: a course student's sign-in, a recovery code.

A course's student signs in with the join code, their student ID and a PIN (set at the first
sign-in, ``classroom.courses.members``); the page then posts a one-time ticket to
``/learner/sign-in``, which sets the HttpOnly learner cookie and brings the browser back, so
no reusable secret is ever in an address. An anonymous learner's record lives in the page's
link; "Keep my progress" shows a recovery code once, and "Restore my progress" brings the
record back with it (``classroom.access.recovery``).
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts, sessions
from classroom.access import recovery, sign_ins
from classroom.courses import members, roster
from classroom.courses.members import SignInRefused
from classroom.sessions import SessionInfo
from scoring.format.text import TextError
from ui.components import client, session
from ui.components.safe_text import plain_md

_CODE_SHOWN = "recovery_code_shown"


def signed_in_member(engine: Engine, token: str) -> roster.Member | None:
    """The roster entry of this browser's signed-in student, or None."""
    if not session.is_signed_in():
        return None
    learner_id = session.guarded(attempts.learner_id_of, engine, token)
    if learner_id is None:
        return None
    return session.guarded(roster.member_of_learner, engine, learner_id)


def join_as_member(engine: Engine, info: SessionInfo, member: roster.Member) -> bool:
    """Join ``info`` under the member's roster name; False (with a message) if refused."""
    token = session.guarded(attempts.learner_token, engine, member.learner_id)
    try:
        joined = session.guarded(
            sessions.join, engine, info.code, member.name[: sessions.NAME_LENGTH], token
        )
    except (TextError, ValueError) as exc:
        st.error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.", icon=":material/lock:")
        return False
    if joined.renamed:
        st.toast(f"Another student has your name here, so you appear as {joined.display_name}.")
    return True


def course_form(engine: Engine, info: SessionInfo) -> None:
    """The sign-in form of a course's session; on success, off to the cookie route."""
    st.caption(
        "This class is for the students of a course. Sign in with your student ID and your "
        "PIN. The first time, choose a PIN: you will use it on any device."
    )
    with st.form("student-sign-in"):
        student_id = st.text_input("Student ID", max_chars=64, autocomplete="username")
        pin = st.text_input(
            "PIN",
            type="password",
            max_chars=members.PIN_MAX,
            help=f"First sign-in: choose a PIN of {members.PIN_RULES}.",
            autocomplete="current-password",
        )
        go = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if not go:
        st.stop()
    if not student_id.strip() or not pin:
        st.error("Enter your student ID and your PIN.", icon=":material/badge:")
        st.stop()
    address = client.address()
    try:
        member = session.guarded(
            members.sign_in_member, engine, info.course_id, student_id, pin, address
        )
    except SignInRefused as exc:
        st.error(str(exc), icon=":material/lock:")
        st.stop()
    if not join_as_member(engine, info, member):
        st.stop()
    ticket = session.guarded(sign_ins.issue_ticket, engine, address, learner_id=member.learner_id)
    st.caption("Signing you in…")
    client.post_to_route(sign_ins.LEARNER_SIGN_IN_PATH, {"ticket": ticket})
    st.stop()


def signed_in_bar(member: roster.Member) -> None:
    """'Signed in as …' with a Sign out button (which ends the sign-in on the server)."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Signed in as **{plain_md(member.name)}** ({plain_md(member.student_id)})")
        if st.button("Sign out", key="learner.sign-out", icon=":material/logout:"):
            st.caption("Signing you out…")
            client.post_to_route(sign_ins.LEARNER_SIGN_OUT_PATH, {})
            st.stop()


def keep_progress(engine: Engine, token: str) -> None:
    """My results, anonymous: the record lives in the link; offer a recovery code, once."""
    st.info(
        "**Your record lives in this page's link.** Without the link, a new empty record "
        "starts. To continue on another device, keep the link, or make a recovery code.",
        icon=":material/link:",
    )
    shown = st.session_state.get(_CODE_SHOWN)
    if shown:
        st.success(
            f"Your recovery code: **`{shown}`**\n\nWrite it down now: it is shown only once. "
            "On another device, open My results and choose *Restore my progress*.",
            icon=":material/key:",
        )
        return
    stored = st.session_state.get(session.STORED)
    has_code = stored and session.guarded(recovery.has_recovery_code, engine, token)
    label = "Make a new recovery code" if has_code else "Keep my progress"
    help_text = "The old code stops working." if has_code else "A code to restore this record."
    if st.button(label, icon=":material/key:", help=help_text, disabled=not stored):
        try:
            code = session.guarded(recovery.new_recovery_code, engine, token)
        except recovery.RecoveryRefused as exc:
            st.error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        st.session_state[_CODE_SHOWN] = code
        st.rerun()


def restore_form(engine: Engine) -> None:
    """My results: 'Restore my progress' with a recovery code made on another device."""
    with st.expander("Restore my progress", icon=":material/restore:"):
        with st.form("restore"):
            typed = st.text_input("Recovery code", max_chars=40, placeholder="ABCD-EFGH-JKMN-PQRS")
            go = st.form_submit_button("Restore")
        if not go:
            return
        try:
            token = session.guarded(recovery.restore, engine, typed, client.address())
        except recovery.RecoveryRefused as exc:
            st.error(str(exc), icon=":material/key_off:")
            return
        session.stored_learner(token)
        st.session_state.pop(_CODE_SHOWN, None)
        st.rerun()
