"""Live dashboard (educator): who joined, scores, item analysis, skills, one student, exports."""

import streamlit as st

from classroom import sessions
from ui.components import session
from ui.educator import class_sessions
from ui.educator import dashboard as views
from ui.educator import gate as educator_gate

educator_gate.require_educator()
engine = session.open_engine()
lib = session.open_library()
class_sessions.sign_out_button()

st.title("Live dashboard")
everything = session.guarded(sessions.list_sessions, engine)
if not everything:
    st.info("There are no class sessions yet.", icon=":material/inbox:")
    if st.button("Create a session", type="primary", icon=":material/add:"):
        st.switch_page(session.SESSIONS_PAGE)
    st.stop()
by_code = {s.code: s for s in everything}
code = st.query_params.get("code")
chosen = st.selectbox(
    "Session",
    list(by_code),
    index=list(by_code).index(code) if code in by_code else 0,
    format_func=lambda c: f"{by_code[c].title} · code {c}",
)
st.query_params["code"] = chosen
info = by_code[chosen]
class_sessions.status_badges(info)
if info.is_open:
    st.caption(f"Updates itself every {views.REFRESH_SECONDS} seconds while the session is open.")
else:
    st.caption("The session is closed, so the dashboard no longer updates itself.")
    st.button("Refresh now", icon=":material/refresh:")


@st.fragment(run_every=views.REFRESH_SECONDS if info.is_open else None)
def live() -> None:
    """Every panel, redrawn from the cached dashboard on each refresh."""
    educator_gate.still_educator()
    board = views.load(engine, lib, info.code)
    if board is None:
        st.warning("This session has been deleted.")
        return
    views.headline(board)
    panels = {
        "Students": lambda: views.roster_table(board),
        "Scores": lambda: views.scores_panel(board),
        "Items": lambda: views.items_panel(board),
        "Distractors": lambda: views.distractors_panel(board),
        "Skills & safety": lambda: views.skills_panel(board),
        "One student": lambda: views.student_panel(board, lib),
        "Export": lambda: views.exports_panel(board, lib, info.code),
    }
    # Lazy tabs: only the open one is drawn, so each refresh sends one panel, not seven.
    tabs = st.tabs(list(panels), key=views.TAB_KEY, on_change="rerun")
    for tab, draw in zip(tabs, panels.values(), strict=True):
        if tab.open:
            with tab:
                draw()


live()
