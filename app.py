"""Casebook entry point: page configuration and navigation, nothing else."""

import streamlit as st

from ui.educator.gate import ensure_passcode

st.set_page_config(page_title="Casebook", page_icon="🩺", layout="wide")
ensure_passcode()  # a generated educator passcode is printed once, at the first run

practice = [
    st.Page("ui/pages/library.py", title="Case library", icon=":material/menu_book:", default=True),
    st.Page("ui/pages/player.py", title="Case player", icon=":material/play_circle:"),
    st.Page("ui/pages/quiz.py", title="Quick quiz", icon=":material/bolt:"),
    st.Page("ui/pages/results.py", title="My results", icon=":material/insights:"),
    st.Page("ui/pages/term.py", title="My term", icon=":material/timeline:"),
    st.Page("ui/pages/join.py", title="Join a class", icon=":material/login:"),
]
educator = [  # they ask for the educator passcode
    st.Page("ui/pages/sessions.py", title="Class sessions", icon=":material/groups:"),
    st.Page("ui/pages/courses.py", title="Courses", icon=":material/school:"),
    st.Page("ui/pages/dashboard.py", title="Live dashboard", icon=":material/monitoring:"),
    st.Page("ui/pages/gradebook.py", title="Course gradebook", icon=":material/table_view:"),
    st.Page("ui/pages/author.py", title="Author a case", icon=":material/edit_document:"),
    st.Page("ui/pages/lti.py", title="LMS (LTI)", icon=":material/hub:"),
]
# One row at the top, not the sidebar: the page keeps its width on a laptop, every page is one
# click away, and the list markup passes axe (grouped into sections, Streamlit's menu puts
# headings inside the list; see README "Accessibility").
st.navigation([*practice, *educator], position="top").run()
