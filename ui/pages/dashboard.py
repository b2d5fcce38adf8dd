"""Live dashboard (educator): who joined, scores, item analysis, skills, one student, exports."""

import streamlit as st

from classroom import sessions
from classroom.courses import roster
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
# Live while students can join or still answer (a closed session's attempts may be open).
is_live = views.live(engine, info.code)
if is_live:
    st.caption(
        f"Updates itself every {views.REFRESH_SECONDS} seconds while students can join or "
        "are still answering."
    )
else:
    st.caption("Nobody can join or answer any more, so the dashboard no longer updates itself.")
    st.button("Refresh now", icon=":material/refresh:")


@st.fragment(run_every=views.REFRESH_SECONDS if is_live else None)
def live() -> None:
    """Every panel, redrawn from the cached dashboard on each refresh."""
    educator_gate.still_educator()
    if is_live and not views.live(engine, info.code):
        st.rerun(scope="app")  # the last attempt closed: say so, and stop refreshing
    board = views.load(engine, lib, info.code)
    if board is None:
        st.warning("This session has been deleted.")
        return
    # The stable ID beside each name (student id, or anon-<n>) in the roster and the picker.
    ids = session.guarded(roster.stable_ids, engine, list(board.roster.get("learner_id", [])))
    views.headline(board)
    panels = {
        "Students": lambda: views.roster_table(board, ids),
        "Scores": lambda: views.scores_panel(board),
        "Items": lambda: views.items_panel(board),
        "Distractors": lambda: views.distractors_panel(board),
        "Skills & safety": lambda: views.skills_panel(board),
        "One student": lambda: views.student_panel(board, lib, ids),
        "Export": lambda: views.exports_panel(board, info.code),
    }
    # Lazy tabs: only the open one is drawn, so each refresh sends one panel, not seven.
    tabs = st.tabs(list(panels), key=views.TAB_KEY, on_change="rerun")
    for tab, draw in zip(tabs, panels.values(), strict=True):
        if tab.open:
            with tab:
                draw()


live()
