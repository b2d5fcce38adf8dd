"""Join a class session (student): a join code and a display name, then the session's cases.

A session in a course asks instead for the student ID and PIN (``ui.player.sign_in``).
"""

import streamlit as st

from classroom import sessions
from classroom.access import throttle
from classroom.access.throttle import JOIN_CODE
from scoring.format.text import TextError, control_character
from ui.components import client, session
from ui.player import in_class, sign_in

engine = session.open_engine()
lib = session.open_library()

st.title("Join a class session")
code = session.query("code") or ""
token = session.learner(engine)
info = session.guarded(sessions.get_session, engine, code) if code else None
joined = st.session_state.get("joined", {})
# Back after a refresh or a restart: someone who has started an activity has joined.
if (
    info
    and info.code not in joined
    and st.session_state.get(session.STORED)
    and in_class.my_session_attempts(engine, token, info.code)
):
    joined[info.code] = True
member = sign_in.signed_in_member(engine, token)
if info and info.course_id is not None and info.code not in joined:
    if member is not None and member.course_id == info.course_id:
        if not sign_in.join_as_member(engine, info, member):
            st.stop()
        joined[info.code] = True
        st.session_state["joined"] = joined
    else:
        st.subheader(info.title)
        sign_in.course_form(engine, info)

if info is None or info.code not in joined:
    st.caption("Your educator shows the join code on the screen. No e-mail needed.")
    with st.form("join"):
        typed = st.text_input("Join code", value=code, max_chars=12, placeholder="e.g. K7QX3M")
        name = st.text_input(
            "Display name",
            max_chars=sessions.NAME_LENGTH,
            placeholder="A first name or a nickname",
            help="Shown to your educator. A nickname is fine.",
        )
        go = st.form_submit_button("Join", type="primary", icon=":material/login:")
    if not go:
        st.stop()
    wanted = sessions.normalize_code(typed)
    if not name.strip():
        st.error("Enter a display name: a first name or a nickname.", icon=":material/badge:")
        st.stop()
    if control_character(name):
        st.error(
            "Your display name contains an invisible control character. Retype it.",
            icon=":material/badge:",
        )
        st.stop()
    # Join codes can be guessed: misses are throttled per address (classroom.access.throttle).
    address = client.address()
    verdict = session.guarded(throttle.check, engine, JOIN_CODE, address)
    if not verdict.allowed:
        st.error(
            "Too many wrong join codes from this network. Try again in "
            + (f"{verdict.minutes()} minutes." if verdict.wait >= 60 else f"{verdict.wait:.0f} s."),
            icon=":material/timer:",
        )
        st.stop()
    found = session.guarded(sessions.get_session, engine, wanted) if wanted else None
    if found is None:
        session.guarded(throttle.record_failure, engine, JOIN_CODE, address)
        st.error(
            "No class session has that code. Check the code on the screen and try again.",
            icon=":material/search_off:",
        )
        st.stop()
    if found.course_id is not None and not (member and member.course_id == found.course_id):
        st.query_params["code"] = found.code  # the course's sign-in form, on the next run
        st.rerun()
    try:
        joined_as = session.guarded(sessions.join, engine, wanted, name, token)
    except TextError as exc:
        st.error(f"{str(exc).capitalize()}.", icon=":material/badge:")
        st.stop()
    except ValueError:
        st.error(
            "This class session is closed to new participants. Ask your educator to reopen it.",
            icon=":material/lock:",
        )
        st.stop()
    info, token = joined_as.session, joined_as.token
    if joined_as.renamed:
        st.session_state["renamed"] = joined_as.display_name
    session.stored_learner(token)
    st.session_state["joined"] = {**joined, info.code: True}
    st.query_params["code"] = info.code
    st.rerun()

st.query_params["code"] = info.code
st.subheader(info.title)
renamed = st.session_state.pop("renamed", None)
if renamed:
    st.info(
        f"Someone in this class already uses that name, so you appear as **{renamed}**.",
        icon=":material/badge:",
    )
in_class.mode_note(info)
if member is not None:
    sign_in.signed_in_bar(member)
    st.caption("Your work follows your sign-in: sign in on any device to continue.")
else:
    st.caption("Keep this page's address: it brings you back to your place on any device.")
in_class.activity_list(engine, lib, token, info)
