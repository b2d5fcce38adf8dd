"""Class sessions (educator): create one, show its join code, open/close it, release results."""

import streamlit as st

from classroom import sessions
from ui.components import session
from ui.components.safe_text import plain_md
from ui.educator import class_sessions
from ui.educator import gate as educator_gate

educator_gate.require_educator()
engine = session.open_engine()
lib = session.open_library()
class_sessions.sign_out_button()

code = st.query_params.get("code")
chosen = session.guarded(sessions.get_session, engine, code) if code else None

if chosen is None:
    st.title("Class sessions")
    st.caption(
        "Create a session, put its join code on the projector, and watch the answers arrive "
        "on the live dashboard."
    )
    if code:
        st.warning(f"There is no session with the code {plain_md(code)}.")
    created = class_sessions.create_form(engine, lib)
    if created is not None:
        st.query_params["code"] = created.code
        st.rerun()
    everything = session.guarded(sessions.list_sessions, engine)
    st.markdown("#### Your sessions")
    if not everything:
        st.info("No sessions yet: create one above.", icon=":material/inbox:")
    for info in everything:
        target = class_sessions.session_row(lib, info)
        if target:
            st.switch_page(target, query_params={"code": info.code})
    st.stop()

if st.button("All sessions", icon=":material/arrow_back:", type="tertiary"):
    st.query_params.pop("code", None)
    st.rerun()
st.title(chosen.title)
class_sessions.status_badges(chosen)
st.caption(
    "Activities: " + ", ".join(plain_md(t) for t in class_sessions.activity_titles(lib, chosen))
)
if not chosen.answering:
    st.info(
        f"Answering has ended (code {chosen.code}): no answers are accepted any more, and "
        "every attempt is finished.",
        icon=":material/stop_circle:",
    )
elif chosen.is_open:
    class_sessions.join_panel(chosen)
else:
    st.info(
        f"No new joiners (code {chosen.code}). Students who started can still finish what "
        "they started; reopen the session to let others join, or end answering now.",
        icon=":material/lock:",
    )
class_sessions.closing_controls(engine, lib, chosen)

st.markdown("#### Students")
class_sessions.joined_count(engine, chosen.code, chosen.is_open)
class_sessions.student_admin(engine, chosen.code)
with st.expander("Delete this session", icon=":material/delete_forever:"):
    if class_sessions.confirmed(
        "delete-session",
        "Delete the session",
        "The session, its join code and every student's answers in it will be deleted for good.",
        ":material/delete_forever:",
    ):
        session.guarded(sessions.delete_session, engine, chosen.code)
        st.query_params.pop("code", None)
        st.rerun()
