"""LMS (LTI) (educator): the registered platforms, scores waiting for the LMS, the roster pull."""

import streamlit as st

from classroom.courses.courses import list_courses
from classroom.lti import launches
from ui.components import session
from ui.educator import class_sessions, lti
from ui.educator import gate as educator_gate

educator_gate.require_educator()
engine = session.open_engine()
class_sessions.sign_out_button()

st.title("LMS (LTI)")
st.caption("Casebook inside Canvas, Moodle and other LMSs: setting it up is in docs/lti.md.")
st.markdown("#### Registered LMSs")
lti.platform_list(engine)

ids = set(session.guarded(launches.lms_course_ids, engine))
courses = [c for c in session.guarded(list_courses, engine) if c.id in ids]
st.markdown("#### Courses from the LMS")
if not courses:
    st.info("No course has been launched from an LMS yet.", icon=":material/school:")
    st.markdown("#### Scores waiting for the LMS")
    lti.passback_table(engine, None)
    st.stop()
wanted = st.query_params.get("course", "")  # a course id: only compared, never trusted
titles = {c.id: c.title for c in courses}
default = next((i for i, c in enumerate(courses) if str(c.id) == wanted), 0)
course_id = st.selectbox(
    "Course", [c.id for c in courses], index=default, format_func=lambda i: titles[i]
)
lti.roster_pull(engine, course_id)
st.markdown("#### Scores waiting for the LMS")
lti.passback_table(engine, course_id)
