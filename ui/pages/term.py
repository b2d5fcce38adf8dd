"""My term (student): a signed-in course member's attempts, skills over time, passages to review."""

import streamlit as st

from classroom.courses.roster import member_of_learner
from classroom.term.progress import student_term
from ui.components import session
from ui.components.term_view import term_view

engine = session.open_engine()
lib = session.open_library()

st.title("My term")
learner_id = session.signed_in_learner_id(engine)
member = session.guarded(member_of_learner, engine, learner_id) if learner_id else None
if member is None:
    st.info(
        "Your term appears here once you sign in to your course with your student ID and PIN "
        "(**Join a class**). Practice without a course is in **My results**.",
        icon=":material/school:",
    )
    st.stop()
st.caption(f"Signed in as {member.name} · student ID {member.student_id}")
term_view(session.guarded(student_term, engine, member.learner_id, lib))
