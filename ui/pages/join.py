"""Join a class session (student): a join code and a display name, then the session's cases."""

import streamlit as st

from classroom import attempts, sessions
from ui.components import session
from ui.player import in_class

engine = session.open_engine()
lib = session.open_library()

st.title("Join a class session")
code = sessions.normalize_code(st.query_params.get("code", ""))
url_token = st.query_params.get("t")
if url_token and session.guarded(attempts.learner_exists, engine, url_token):
    st.session_state["learner"] = url_token
token = st.session_state.get("learner")
info = session.guarded(sessions.get_session, engine, code) if code else None
joined = st.session_state.get("joined", {})
# Back after a refresh or a restart: someone who has started an activity has joined.
if (
    info
    and token
    and info.code not in joined
    and in_class.my_session_attempts(engine, token, info.code)
):
    joined[info.code] = True

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
    found = session.guarded(sessions.get_session, engine, wanted) if wanted else None
    if not name.strip():
        st.error("Enter a display name: a first name or a nickname.", icon=":material/badge:")
        st.stop()
    if found is None:
        st.error(
            "No class session has that code. Check the code on the screen and try again.",
            icon=":material/search_off:",
        )
        st.stop()
    try:
        info, token = session.guarded(sessions.join_session, engine, wanted, name, token)
    except ValueError:
        st.error(
            "This class session is closed to new participants. Ask your educator to reopen it.",
            icon=":material/lock:",
        )
        st.stop()
    st.session_state["learner"] = token
    st.session_state["joined"] = {**joined, info.code: True}
    st.query_params.update({"code": info.code, "t": token})
    st.rerun()

st.query_params.update({"code": info.code, "t": token})
st.subheader(info.title)
in_class.mode_note(info)
st.caption("Keep this page's address: it brings you back to your place on any device.")
in_class.activity_list(engine, lib, token, info)
