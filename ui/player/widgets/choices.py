"""Native Streamlit widgets for the item types the NCLEX shows as plain lists: multiple choice
(radio buttons) and select all / select N (checkboxes)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scoring.format.models import MultipleChoice, SelectAll, SelectN
from ui.components.safe_text import safe_md

ALL_THAT_APPLY = "Select all that apply."


def _k(key: str, *parts: str) -> str:
    return ".".join((key, *parts))


def checked(key: str, ids: list[str]) -> list[str]:
    """The ids whose checkbox under ``key`` is ticked, in the given order."""
    return [i for i in ids if st.session_state.get(_k(key, i))]


def capped_checkboxes(options: list[Any], key: str, cap: int | None) -> None:
    """Checkboxes; once ``cap`` are ticked the others are disabled.

    A second click can land before the rerun that disables the rest, so ``missing`` asks the
    trainee to untick the extra box (values are never changed behind their back: the browser
    would not show it). A box is never disabled in the run in which it was unticked: Streamlit
    would restore its old value when its ``disabled`` flips at the same time.
    """
    ids = [o.id for o in options]
    ticked = checked(key, ids)
    before = st.session_state.get(_k(key, "~ticked"), [])
    full = cap is not None and len(ticked) >= cap
    for o in options:
        st.checkbox(
            safe_md(o.text),
            key=_k(key, o.id),
            disabled=full and o.id not in ticked and o.id not in before,
            wrap=True,
        )
    st.session_state[_k(key, "~ticked")] = ticked


def render(step: MultipleChoice | SelectAll | SelectN, key: str) -> None:
    """Radio buttons for multiple choice, checkboxes for select all and select N."""
    if isinstance(step, MultipleChoice):
        texts = {o.id: safe_md(o.text) for o in step.options}
        st.radio(
            "Choose one",
            list(texts),
            index=None,
            format_func=texts.__getitem__,
            key=_k(key, "choice"),
        )
    elif isinstance(step, SelectAll):
        if ALL_THAT_APPLY.lower() not in step.prompt.lower():  # said once, not twice
            st.caption(ALL_THAT_APPLY)
        capped_checkboxes(step.options, key, None)
    else:
        n = len(checked(key, [o.id for o in step.options]))
        st.caption(f"Select {step.select} · {n} selected")
        capped_checkboxes(step.options, key, step.select)
