"""My results: the trainee's attempts with their scores; reopen a debrief or resume."""

import streamlit as st

from classroom import attempts
from classroom.storage.schema import utcnow
from ui.components import session
from ui.components.safe_text import plain_md
from ui.player.in_class import sessions_of
from ui.player.my_results import attempt_status, when_line
from ui.player.sign_in import keep_progress, restore_form, signed_in_bar, signed_in_member

engine = session.open_engine()
lib = session.open_library()
token = session.learner(engine)

st.title("My results")
member = signed_in_member(engine, token)
if member is not None:
    signed_in_bar(member)
    st.caption("Your results follow your sign-in: sign in on any device to see them.")
mine = session.guarded(attempts.list_attempts, engine, token)
if member is None:
    keep_progress(engine, token)
    restore_form(engine)
if not mine:
    st.info(
        "No attempts yet. Start a case in the library or take a quick quiz.",
        icon=":material/inbox:",
    )
    if st.button("Go to the case library", type="primary", icon=":material/menu_book:"):
        st.switch_page(session.LIBRARY_PAGE, query_params=session.params())
classes = sessions_of(engine, {a.session_code for a in mine if a.session_code})
now = utcnow()
for a in mine:
    loaded = lib.get(a.case_id)
    title = "Quick quiz" if a.kind == "quiz" else (loaded.case.title if loaded else a.case_id)
    status = attempt_status(a, classes.get(a.session_code), now)
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        with st.container():
            st.markdown(f"**{plain_md(title)}**")
            st.caption(when_line(a))
        with st.container():
            st.badge(status.badge, icon=status.icon, color=status.color)
            if status.detail:
                st.caption(status.detail)
        if st.button(status.action, key=f"open.{a.id}", icon=status.action_icon):
            page = session.QUIZ_PAGE if a.kind == "quiz" else session.PLAYER_PAGE
            st.switch_page(page, query_params=session.params(a=a.id))
