"""One input widget per NGN item type, looking and working like its NCLEX counterpart.

Multiple choice, select all and select N are native Streamlit radios and checkboxes
(``choices``); the matrix grid, highlighting, drop-downs, ordering and the bow-tie are one
``st.components.v2`` component (``ngn``). ``render_item`` draws them; their values live in
``st.session_state`` under keys built from ``key`` (attempt and step), so ``read_response``
can rebuild the raw response (``scoring.engine.responses``) from a submit callback, and ``missing``
says what is still needed before the answer can be submitted.
"""

from __future__ import annotations

import random
from typing import Any

import streamlit as st

from scoring.engine.quiz import starting_order
from scoring.engine.responses import WING_PICKS
from scoring.format.models import (
    BowTie,
    DragDropCloze,
    DragDropRationale,
    Highlight,
    HighlightTable,
    MatrixChoice,
    MatrixResponse,
    MultipleChoice,
    MultipleResponseGrouping,
    Ordering,
    SelectAll,
    SelectN,
)
from ui.player.widgets import choices, ngn
from ui.player.widgets.choices import checked
from ui.player.widgets.ngn import NGN_TYPES, PLACEHOLDER, ordered_blanks, state_entries

__all__ = [
    "PLACEHOLDER",
    "WINGS",
    "answer_form",
    "missing",
    "ordered_blanks",
    "read_response",
    "render_item",
    "state_entries",
]

WINGS = {
    "actions": "Actions to take",
    "condition": "Condition most likely",
    "parameters": "Parameters to monitor",
}


def _k(key: str, *parts: str) -> str:
    return ".".join((key, *parts))


def render_item(step: Any, key: str) -> None:
    """Draw the input widgets of ``step``; values are kept under ``key``."""
    if isinstance(step, Ordering) and _k(key, "order") not in st.session_state:
        start = starting_order(step, random.Random(key))  # never the key itself
        st.session_state[_k(key, "order")] = [o.id for o in start]
    if isinstance(step, NGN_TYPES):
        ngn.render(step, key, read_response(step, key))
    elif isinstance(step, MultipleChoice | SelectAll | SelectN):
        choices.render(step, key)
    else:  # pragma: no cover - the model admits no other types
        raise TypeError(f"no widget for {type(step).__name__}")


def read_response(step: Any, key: str) -> Any:
    """The raw response (see scoring.engine.responses) held by the widgets of ``step``."""
    ss = st.session_state
    if isinstance(step, MultipleChoice):
        choice = ss.get(_k(key, "choice"))
        return [choice] if choice else []
    if isinstance(step, SelectAll | SelectN):
        return checked(key, [o.id for o in step.options])
    if isinstance(step, Highlight):
        return list(ss.get(_k(key, "phrases")) or [])
    if isinstance(step, HighlightTable):
        picked = {p for r in step.rows for p in ss.get(_k(key, "row", r.id)) or []}
        return [o.id for o in step.options if o.id in picked]
    if isinstance(step, MultipleResponseGrouping):
        return {g.id: checked(_k(key, g.id), [o.id for o in g.options]) for g in step.groups}
    if isinstance(step, DragDropCloze | DragDropRationale):
        return {t.id: ss[_k(key, t.id)] for t in step.targets if ss.get(_k(key, t.id))}
    if isinstance(step, Ordering):
        order = ss.get(_k(key, "order"))
        return list(order) if order else [o.id for o in step.options]
    if isinstance(step, MatrixChoice):
        return {r.id: ss[_k(key, r.id)] for r in step.rows if ss.get(_k(key, r.id))}
    if isinstance(step, MatrixResponse):
        cols = [c.id for c in step.columns]
        return {r.id: checked(_k(key, r.id), cols) for r in step.rows}
    if isinstance(step, BowTie):
        condition = ss.get(_k(key, "condition"))
        return {
            "condition": [condition] if condition else [],
            "actions": checked(_k(key, "actions"), [o.id for o in step.actions.options]),
            "parameters": checked(_k(key, "parameters"), [o.id for o in step.parameters.options]),
        }
    return {b.id: ss[_k(key, b.id)] for b in step.blanks if ss.get(_k(key, b.id))}


def missing(step: Any, raw: Any) -> str | None:
    """What the trainee still has to do before submitting, or None when ready."""
    if isinstance(step, MultipleChoice):
        return None if raw else "Choose an answer."
    if isinstance(step, SelectN):
        left = step.select - len(raw)
        if left < 0:
            return f"Select only {step.select}: untick {-left}."
        return None if left == 0 else f"Select {left} more."
    if isinstance(step, SelectAll):
        return None if raw else "Select at least one."
    if isinstance(step, Highlight | HighlightTable):
        return None if raw else "Highlight at least one phrase."
    if isinstance(step, MultipleResponseGrouping):
        return None if any(raw.values()) else "Select at least one."
    if isinstance(step, DragDropCloze | DragDropRationale):
        texts = {t.id: t.text for t in step.tokens}
        twice = [t for t in texts if list(raw.values()).count(t) > 1]
        if twice:
            return f"“{texts[twice[0]]}” is in two spaces: each word fills one space only."
        left = len(step.targets) - len(raw)
        return None if left <= 0 else f"Fill every space ({left} left)."
    if isinstance(step, MatrixChoice):
        left = len(step.rows) - len(raw)
        return None if left <= 0 else f"Answer every row ({left} left)."
    if isinstance(step, MatrixResponse):
        return None if any(raw.values()) else "Tick at least one box."
    if isinstance(step, BowTie):
        over = [f"{WINGS[w].lower()} ({n})" for w, n in WING_PICKS.items() if len(raw[w]) > n]
        if over:
            return "Choose only " + ", ".join(over) + ": remove the extra."
        short = [WINGS[w].lower() for w, n in WING_PICKS.items() if len(raw[w]) < n]
        return None if not short else "Complete the bow-tie: " + ", ".join(short) + "."
    if hasattr(step, "blanks"):
        left = len(step.blanks) - len(raw)
        return None if left <= 0 else f"Fill every drop-down ({left} left)."
    return None


def answer_form(step: Any, key: str, on_submit: Any, args: tuple[Any, ...]) -> None:
    """The item's widgets, the last refused submit's message, and Submit (on when complete)."""
    render_item(step, key)
    need = missing(step, read_response(step, key))
    error = st.session_state.get(f"error:{key}")
    if error:
        st.error(error, icon=":material/error:")
    st.button(
        "Submit answer",
        type="primary",
        icon=":material/send:",
        disabled=need is not None,
        on_click=on_submit,
        args=args,
        key=f"submit.{key}",
    )
    if need:
        st.caption(need)
