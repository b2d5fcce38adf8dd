"""The debrief: total and percent (with the must-avoid cap), points per CJMM skill, safety
calls, what happened on the path, and the passages to review behind every miss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import streamlit as st

from scoring.engine.case_path import CaseResult
from scoring.engine.grades import format_percent
from ui.components.safe_text import plain_md, quote_md, safe_md

if TYPE_CHECKING:  # imported at the debrief only: the player's first step starts faster
    import altair as alt
    import pandas as pd


def skill_table(result: CaseResult) -> pd.DataFrame:
    """Points, maximum and percent per CJMM skill, in the model's order."""
    import pandas as pd

    rows = [
        (skill.label, points, top, round(100 * points / top) if top else 0)
        for skill, (points, top) in result.by_skill.items()
    ]
    return pd.DataFrame(rows, columns=["Skill", "Points", "Max", "Percent"])


def skill_markdown(table: pd.DataFrame) -> str:
    """The per-skill table as Markdown (AppTest cannot read the chart; people read both)."""
    lines = ["| Skill | Points | Max | Percent |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {r.Skill} | {r.Points} | {r.Max} | {r.Percent}% |" for r in table.itertuples()]
    return "\n".join(lines)


def _skill_chart(table: pd.DataFrame) -> alt.Chart:
    import altair as alt

    return (
        alt.Chart(table)
        .mark_bar()
        .encode(
            y=alt.Y("Skill:N", sort=None, title=None),
            x=alt.X("Percent:Q", scale=alt.Scale(domain=[0, 100]), title="Percent of points"),
            tooltip=["Skill", "Points", "Max", "Percent"],
        )
        .properties(height=alt.Step(28))
    )


def headline(result: CaseResult, answered: str = "Steps answered") -> None:
    """Total points, the reported score (``scoring.engine.grades``), and a note when the cap
    applied."""
    score = result.score  # the number My results, the dashboard and every export show
    left, mid, right = st.columns(3)
    left.metric("Points", f"{score.points} of {score.max_points}", border=True)
    mid.metric("Score", score.text, border=True)
    right.metric(answered, len(result.items), border=True)
    if score.capped:
        st.warning(
            f"Your score is capped at {score.text} because a must-avoid choice was made "
            f"(without the cap it would be {format_percent(score.raw_percent)}).",
            icon=":material/gpp_maybe:",
        )


def debrief(
    result: CaseResult, titles: Mapping[str, str], answered: str = "Steps answered"
) -> None:
    """The whole debrief of a finished case or quiz; ``titles`` names steps for the trainee."""
    headline(result, answered)
    st.markdown("#### Points per clinical-judgment skill")
    table = skill_table(result)
    chart, numbers = st.columns([3, 2])
    chart.altair_chart(_skill_chart(table), width="stretch")
    numbers.markdown(skill_markdown(table))

    if result.must_avoid:
        st.markdown("#### Safety")
        for step_id, choice in result.must_avoid:
            st.error(
                f"**Safety:** {safe_md(titles.get(step_id, step_id))} — you chose "
                f"“{safe_md(choice)}”, a choice that could harm the patient.",
                icon=":material/gpp_maybe:",
            )
    if result.consequences:
        st.markdown("#### What happened on your path")
        with st.container(border=True):
            for text in result.consequences:
                st.markdown(safe_md(text))

    missed = [i for i in result.items if not i.full_marks]
    st.markdown("#### Items to review")
    if not missed:
        st.success("Full marks on every item.", icon=":material/check_circle:")
    for item in missed:
        with st.container(border=True):
            st.markdown(
                f"**{safe_md(titles.get(item.step_id, item.step_id))}** — "
                f"{item.points} of {item.max_points} point{'' if item.max_points == 1 else 's'}"
            )
            st.caption(safe_md(item.arithmetic))
    if result.review:
        st.markdown("#### Passages to review")
        st.caption("The guidance behind the choices you got wrong or missed, quoted word for word.")
        for e in result.review:
            with st.container(border=True):
                st.markdown(quote_md(e.text, e.quote))
                st.caption(f"Passage `{e.passage_id}` · {plain_md(e.source)}")
