"""Case library: every valid case as a card, with search and filters; problems at the bottom."""

import streamlit as st

from classroom import attempts
from scoring.format.models import Skill
from ui.components import session
from ui.player import catalog
from ui.player.in_class import unreleased_exams

engine = session.open_engine()
lib = session.open_library()
token = session.learner(engine)

st.title("Case library")
st.caption("Unfolding patient cases. Pick one, read the chart, and make the calls.")

cases = sorted((c.case for c in lib.cases.values()), key=lambda c: c.title.lower())
with st.container(horizontal=True, vertical_alignment="bottom"):
    text = st.text_input("Search", placeholder="Title, topic or words in the summary")
    topics = st.multiselect("Topics", sorted({t for c in cases for t in c.topics}))
    skills = st.multiselect(
        "CJMM skills", [s.value for s in Skill], format_func=lambda s: Skill(s).label
    )
    types = st.multiselect(
        "Item types",
        list(catalog.ITEM_LABELS),
        format_func=catalog.ITEM_LABELS.__getitem__,
    )
    difficulty = st.selectbox(
        "Difficulty", ["introductory", "intermediate", "advanced"], index=None, placeholder="Any"
    )

mine = [a for a in session.guarded(attempts.list_attempts, engine, token) if a.kind == "case"]
hidden = unreleased_exams(engine, {a.session_code for a in mine if a.session_code})
open_by_case = {}
best_by_case: dict[str, float] = {}
for a in mine:
    if a.status == "open" and a.session_code is None:
        open_by_case.setdefault(a.case_id, a)  # newest first
    if a.score is not None and a.session_code not in hidden:  # an exam's score waits
        best_by_case[a.case_id] = max(a.score.percent, best_by_case.get(a.case_id, 0.0))

shown = [c for c in cases if catalog.matches(c, text, topics, skills, difficulty, types)]
if not cases:
    st.info("No cases are available yet.", icon=":material/inbox:")
elif not shown:
    st.info("No case matches these filters.", icon=":material/filter_alt_off:")
for start in range(0, len(shown), 3):
    for column, case in zip(st.columns(3), shown[start : start + 3], strict=False):
        with column:
            resume = open_by_case.get(case.id)
            notice = lib.guidance.notice(case.guidance)
            if catalog.case_card(case, resume, best_by_case.get(case.id), notice):
                target = session.params(a=resume.id) if resume else session.params(case=case.id)
                st.switch_page(session.PLAYER_PAGE, query_params=target)

catalog.problems_expander(lib.problems)
