"""My results: the trainee's attempts with their scores; reopen a debrief or resume."""

import streamlit as st

from classroom import attempts
from ui.components import session
from ui.components.safe_text import plain_md
from ui.player.in_class import unreleased_exams

engine = session.open_engine()
lib = session.open_library()
token = session.learner(engine)

st.title("My results")
mine = session.guarded(attempts.list_attempts, engine, token)
if not mine:
    st.info(
        "No attempts yet. Start a case in the library or take a quick quiz.",
        icon=":material/inbox:",
    )
    if st.button("Go to the case library", type="primary", icon=":material/menu_book:"):
        st.switch_page(session.LIBRARY_PAGE, query_params=session.params())
st.caption("Keep this page's link to come back to your progress on another day or device.")
withheld = unreleased_exams(engine, {a.session_code for a in mine if a.session_code})
for a in mine:
    loaded = lib.get(a.case_id)
    title = "Quick quiz" if a.kind == "quiz" else (loaded.case.title if loaded else a.case_id)
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        with st.container():
            st.markdown(f"**{plain_md(title)}**")
            started = a.started_at.strftime("%d %b %Y, %H:%M UTC")
            st.caption(
                f"Started {started}" + (f" · class {a.session_code}" if a.session_code else "")
            )
        if a.status == "finished" and a.session_code in withheld:
            # An exam's scores stay hidden here too until the educator releases them.
            st.badge("Submitted · results not released yet", icon=":material/lock:", color="gray")
            label, icon = "Open", ":material/flag:"
        elif a.status == "finished":
            st.badge(
                f"{a.points} of {a.max_points} · {a.percent:.0f}%",
                icon=":material/check:",
                color="green",
            )
            label, icon = "Open debrief", ":material/flag:"
        else:
            st.badge("In progress", icon=":material/pending:", color="orange")
            label, icon = "Resume", ":material/resume:"
        if st.button(label, key=f"open.{a.id}", icon=icon):
            page = session.QUIZ_PAGE if a.kind == "quiz" else session.PLAYER_PAGE
            st.switch_page(page, query_params=session.params(a=a.id))
