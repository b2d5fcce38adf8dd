"""Course gradebook (educator): each student's term in one table, cohort, one student, files."""

import functools

import streamlit as st

from classroom.courses.courses import list_courses
from ui.components import session
from ui.educator import class_sessions
from ui.educator import gate as educator_gate
from ui.educator import gradebook as views

educator_gate.require_educator()
engine = session.open_engine()
lib = session.open_library()
class_sessions.sign_out_button()

st.title("Course gradebook")
courses = session.guarded(list_courses, engine)
if not courses:
    st.info(
        "There are no courses yet. Create one and import its roster on the Courses page.",
        icon=":material/inbox:",
    )
    st.stop()
by_id = {c.id: c for c in courses}
raw = st.query_params.get("course", "")
wanted = int(raw) if raw.isdigit() and len(raw) < 10 else None
chosen = st.selectbox(
    "Course",
    list(by_id),
    index=list(by_id).index(wanted) if wanted in by_id else 0,
    format_func=lambda i: views.course_label(by_id[i]),
)
st.query_params["course"] = str(chosen)
# Read once per run, and only by the tabs that show it (the cohort tab has its own query).
book = functools.cache(lambda: views.load(engine, lib, chosen))
panels = {
    "Gradebook": lambda: views.gradebook_panel(book()),
    "Cohort": lambda: views.cohort_panel(engine, lib, chosen),
    "One student": lambda: views.student_panel(engine, lib, book()),
    "Export": lambda: views.exports_panel(book()),
}
tabs = st.tabs(list(panels), key="gradebook.tab", on_change="rerun")
for tab, draw in zip(tabs, panels.values(), strict=True):
    if tab.open:
        with tab:
            draw()
