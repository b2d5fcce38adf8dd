"""The case library's cards, filters and the list of case files left out for problems."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from classroom.attempts import AttemptInfo
from scoring.engine.grades import format_percent
from scoring.errors import Problem
from scoring.format.models import Case, Skill
from ui.components.safe_text import safe_md

ITEM_LABELS = {
    "multiple_choice": "Multiple choice",
    "select_all": "Select all that apply",
    "select_n": "Select N",
    "highlight": "Highlight",
    "highlight_table": "Highlight table",
    "multiple_response_grouping": "Multiple-response grouping",
    "ordering": "Ordering",
    "matrix_choice": "Matrix (one per row)",
    "matrix_response": "Matrix (any per row)",
    "dropdown_cloze": "Drop-down cloze",
    "dropdown_table": "Drop-down table",
    "rationale_dyad": "Rationale (dyad)",
    "rationale_triad": "Rationale (triad)",
    "drag_drop_cloze": "Drag-and-drop cloze",
    "drag_drop_rationale": "Drag-and-drop rationale",
    "bow_tie": "Bow-tie",
}
DIFFICULTY_COLORS = {"introductory": "green", "intermediate": "blue", "advanced": "violet"}


def skills_of(case: Case) -> list[Skill]:
    """CJMM skills the case's steps exercise, in the model's order."""
    used = {Skill(s.skill) for s in case.steps}
    return [s for s in Skill if s in used]


def item_types_of(case: Case) -> list[str]:
    """Item types used by the case, in first-use order."""
    return list(dict.fromkeys(s.type for s in case.steps))


def matches(
    case: Case,
    text: str = "",
    topics: Sequence[str] = (),
    skills: Sequence[str] = (),
    difficulty: str | None = None,
    item_types: Sequence[str] = (),
) -> bool:
    """True when the case passes every filter (each empty filter passes all)."""
    words = text.lower().split()
    haystack = " ".join([case.title, case.summary, *case.topics]).lower()
    return (
        all(w in haystack for w in words)
        and (not topics or bool(set(topics) & set(case.topics)))
        and (not skills or bool(set(skills) & {s.value for s in skills_of(case)}))
        and (difficulty is None or case.difficulty == difficulty)
        and (not item_types or bool(set(item_types) & set(item_types_of(case))))
    )


def source_caption(notice: str) -> None:
    """Which document the answer keys follow and its last medical review (grounding §0.10)."""
    st.caption(f":material/menu_book: {safe_md(notice)}")


def case_card(
    case: Case, open_attempt: AttemptInfo | None, best: float | None, notice: str
) -> bool:
    """One case as a card, with the answer keys' source; True when its play button was pressed."""
    with st.container(border=True, height="stretch"):
        st.markdown(f"#### {safe_md(case.title)}")
        with st.container(horizontal=True, gap="small"):
            st.badge(
                case.difficulty.capitalize(),
                icon=":material/signal_cellular_alt:",
                color=DIFFICULTY_COLORS[case.difficulty],
            )
            st.badge(f"{case.minutes} min", icon=":material/schedule:", color="gray")
            if best is not None:
                best_text = f"Best {format_percent(best)}"
                st.badge(best_text, icon=":material/emoji_events:", color="blue")
        st.markdown(safe_md(case.summary))
        st.caption("**Topics:** " + safe_md(" · ".join(case.topics)))
        st.caption("**Skills:** " + " · ".join(s.label for s in skills_of(case)))
        st.caption("**Item types:** " + " · ".join(ITEM_LABELS[t] for t in item_types_of(case)))
        source_caption(notice)
        if open_attempt is not None:
            label, icon = "Resume", ":material/resume:"
        else:
            label, icon = (
                ("Play again" if best is not None else "Start case"),
                ":material/play_arrow:",
            )
        return st.button(label, key=f"play.{case.id}", type="primary", icon=icon, width="stretch")


def problems_expander(problems: Sequence[Problem]) -> None:
    """Case files left out of the library, each as ``path:line:col: message``."""
    if not problems:
        return
    files = {p.path for p in problems}
    n = len(files)
    label = f"{n} case file{'s' if n != 1 else ''} {'have' if n != 1 else 'has'} problems"
    with st.expander(label, icon=":material/report:"):
        st.caption("These files are left out of the library until they are fixed.")
        st.code("\n".join(str(p) for p in problems), language=None, wrap_lines=True)
