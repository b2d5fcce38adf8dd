"""Courses (educator): create a course, attach its sessions, import its roster, reset PINs."""

import streamlit as st

from ui.components import session
from ui.components.safe_text import plain_md
from ui.educator import class_sessions
from ui.educator import courses as views
from ui.educator import gate as educator_gate

educator_gate.require_educator()
engine = session.open_engine()
class_sessions.sign_out_button()

chosen = views.chosen_course(engine)
if chosen is None:
    st.title("Courses")
    st.caption(
        "A course holds a term's class sessions and its roster. Rostered students sign in "
        "with their student ID and a PIN, so their work follows them to any device."
    )
    if st.query_params.get("course"):
        st.warning("There is no such course.")
    made = views.create_form(engine) or views.course_list(engine)
    if made is not None:
        st.query_params["course"] = str(made.id)
        st.rerun()
    st.stop()

if st.button("All courses", icon=":material/arrow_back:", type="tertiary"):
    st.query_params.pop("course", None)
    st.rerun()
st.title(chosen.title)
if views.describe(chosen):
    st.caption(plain_md(views.describe(chosen)))
views.sessions_panel(engine, chosen)
views.roster_upload(engine, chosen)
views.add_student(engine, chosen)
people = views.member_table(engine, chosen)
views.pin_reset(engine, chosen, people)
