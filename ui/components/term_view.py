"""A student's term on screen: every attempt, the CJMM skill profile over time, passages to review.

Drawn from ``classroom.term.progress.student_term``, with one drawer for the signed-in student
(My term) and the educator's one-student view, so both rooms use it. Times are the browser's;
the chart's days are UTC dates (when the answers were stored).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from classroom.term.progress import StudentTerm
from scoring.engine.grades import format_percent
from ui.components.clock import local_time
from ui.components.safe_text import plain_md


def attempts_table(term: StudentTerm) -> pd.DataFrame:
    """One row per attempt, newest first: when, class, activity, status and reported score."""
    return pd.DataFrame(
        {
            "Started": [local_time(a.started_at) for a in term.attempts],
            "Class": [
                f"{a.session_title} · {a.session_code}" if a.session_code else "Practice"
                for a in term.attempts
            ],
            "Activity": [a.title for a in term.attempts],
            "Status": [a.status for a in term.attempts],
            "Score": [
                "results not released" if a.score is None else a.score.text for a in term.attempts
            ],
            "Must-avoid": [0 if a.score is None else a.score.must_avoid for a in term.attempts],
        }
    )


def skill_chart(term: StudentTerm) -> alt.Chart:
    """Percent of points per CJMM skill, day by day (a line per skill)."""
    data = term.skills.rename(columns={"label": "Skill", "percent": "Percent", "day": "Day"})
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("Day:T", title="Day answered", axis=alt.Axis(format="%d %b")),
            y=alt.Y("Percent:Q", title="Points earned %", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("Skill:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                "Skill",
                alt.Tooltip("Day:T", format="%d %b %Y"),
                "Percent",
                "points",
                "max_points",
            ],
        )
    )


def term_view(term: StudentTerm) -> None:
    """The whole term: attempts, the skill chart (with its numbers), passages to review."""
    if not term.attempts:
        st.info("No attempts yet this term.", icon=":material/inbox:")
        return
    finished = [a for a in term.attempts if a.status == "finished" and a.score is not None]
    st.subheader("Every attempt")
    if finished:
        st.caption(f"{len(finished)} finished · latest {format_percent(finished[0].score.percent)}")
    st.dataframe(attempts_table(term), hide_index=True, width="stretch")
    st.subheader("Clinical judgment skills over time")
    if term.skills.empty:
        st.caption("No answers to show yet (an exam's answers show once its results are out).")
    else:
        st.altair_chart(skill_chart(term), width="stretch")
        st.caption("The same figures as a table:")
        st.dataframe(
            term.skills.rename(columns={"label": "skill", "skill": "id"}).drop(columns="id"),
            hide_index=True,
            width="stretch",
        )
    st.subheader("Passages to review")
    if not term.passages:
        st.caption("No passage stands out: you have lost no points on a cited option.")
    for p in term.passages:
        with st.container(border=True):
            st.markdown(f"> {plain_md(p.text)}")
            st.caption(
                f"{plain_md(p.source)} · passage `{p.passage_id}` · behind "
                f"{p.answers} answer{'s' if p.answers != 1 else ''} that lost points"
            )
