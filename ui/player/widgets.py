"""One input widget per NGN item type.

``render_item`` draws the widgets; their values live in ``st.session_state`` under keys built
from ``key`` (attempt and step), so ``read_response`` can rebuild the raw response from a
submit callback, and ``missing`` says what is still needed before the answer can be submitted.
Widget labels that Streamlit renders as Markdown go through ``safe_md``; selectbox options are
plain text already.
"""

from __future__ import annotations

import random
from typing import Any

import streamlit as st

from scoring.items import (
    PLACEHOLDER,
    ordered_slots,
)
from scoring.models import (
    BowTie,
    DragDropCloze,
    DragDropRationale,
    DropdownCloze,
    DropdownTable,
    Highlight,
    HighlightTable,
    MatrixChoice,
    MatrixResponse,
    MultipleChoice,
    MultipleResponseGrouping,
    Ordering,
    RationaleDyad,
    RationaleTriad,
    SelectAll,
    SelectN,
)
from scoring.quiz import starting_order
from scoring.responses import WING_PICKS
from ui.components.safe_text import directive_text, safe_md

WINGS = {
    "actions": "Actions to take",
    "condition": "Condition most likely",
    "parameters": "Parameters to monitor",
}


def _k(key: str, *parts: str) -> str:
    return ".".join((key, *parts))


def _checked(key: str, ids: list[str]) -> list[str]:
    return [i for i in ids if st.session_state.get(_k(key, i))]


def _capped_checkboxes(options: list[Any], key: str, cap: int | None) -> None:
    """Checkboxes; once ``cap`` are ticked the others are disabled.

    A second click can land before the rerun that disables the rest, so ``missing`` asks the
    trainee to untick the extra box (values are never changed behind their back: the browser
    would not show it). A box is never disabled in the run in which it was unticked: Streamlit
    would restore its old value when its ``disabled`` flips at the same time.
    """
    ids = [o.id for o in options]
    ticked = _checked(key, ids)
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


def ordered_blanks(step: Any) -> list[Any]:
    """Blanks (or drag-and-drop targets) in the order their placeholders appear in the text."""
    return ordered_slots(step)


def _choices_of(step: Any, slot: Any) -> list[Any]:
    """What can fill a slot: a drop-down's own options, or every token of a drag-and-drop."""
    return slot.options if hasattr(slot, "options") else step.tokens


def _blank_text(step: Any, blank: Any, number: int, key: str) -> str:
    chosen = st.session_state.get(_k(key, blank.id))
    option = next((o for o in _choices_of(step, blank) if o.id == chosen), None)
    if option is None:
        return f"**[ {number} ]**"
    return f":blue-background[**{directive_text(option.text)}**]"


def cloze_markdown(step: Any, key: str) -> str:
    """The item's sentence with each blank shown as its number or the current choice."""
    slots = ordered_blanks(step)
    numbers = {b.id: i + 1 for i, b in enumerate(slots)}
    blanks = {b.id: b for b in slots}
    out, pos = [], 0
    for m in PLACEHOLDER.finditer(step.text):
        out.append(safe_md(step.text[pos : m.start()]))
        blank = blanks.get(m.group(1))
        out.append(
            _blank_text(step, blank, numbers[blank.id], key) if blank else safe_md(m.group(0))
        )
        pos = m.end()
    out.append(safe_md(step.text[pos:]))
    return "".join(out)


def _selectbox(blank: Any, label: str, key: str) -> None:
    texts = {o.id: o.text for o in blank.options}
    st.selectbox(
        label,
        list(texts),
        index=None,
        format_func=texts.__getitem__,
        placeholder="Select…",
        key=_k(key, blank.id),
    )


def _cloze(step: Any, key: str) -> None:
    with st.container(border=True):
        st.markdown(cloze_markdown(step, key))
    blanks = ordered_blanks(step)
    cols = st.columns(min(3, len(blanks)))
    for i, blank in enumerate(blanks):
        with cols[i % len(cols)]:
            _selectbox(blank, f"Blank {i + 1}", key)


def _drag_drop(step: DragDropCloze | DragDropRationale, key: str) -> None:
    """The sentence, the word bank (tokens in use struck through), and a choice per space.

    Native widgets stand in for dragging: each numbered space takes a token from the bank.
    """
    with st.container(border=True):
        st.markdown(cloze_markdown(step, key))
    targets = ordered_blanks(step)
    used = {st.session_state.get(_k(key, t.id)) for t in targets}
    bank = " · ".join(
        f"~~{directive_text(t.text)}~~" if t.id in used else f"**{directive_text(t.text)}**"
        for t in step.tokens
    )
    st.markdown(f":material/inventory_2: Word bank: {bank}")
    texts = {t.id: t.text for t in step.tokens}
    cols = st.columns(min(3, len(targets)))
    for i, target in enumerate(targets):
        with cols[i % len(cols)]:
            st.selectbox(
                f"Space {i + 1}",
                list(texts),
                index=None,
                format_func=texts.__getitem__,
                placeholder="Drop a word here…",
                key=_k(key, target.id),
            )


def table_highlight_markdown(step: HighlightTable, chosen: list[str]) -> str:
    """The table as Markdown with the chosen phrases marked in their cells."""
    marks = {r.id: [o for o in step.options if o.row == r.id and o.id in chosen] for r in step.rows}
    lines = [
        "| " + " | ".join(safe_md(c).replace("|", "\\|") for c in step.columns) + " |",
        "|" + " --- |" * len(step.columns),
    ]
    for row in step.rows:
        cells = [_marked(cell, [o.text for o in marks[row.id]]) for cell in row.cells]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _marked(text: str, phrases: list[str]) -> str:
    """``text`` as safe Markdown with each phrase's first occurrence on a highlight."""
    spans = sorted((at, at + len(p)) for p in phrases if (at := text.find(p)) >= 0)
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(safe_md(text[pos:start]))
        out.append(f":orange-background[**{directive_text(text[start:end])}**]")
        pos = end
    out.append(safe_md(text[pos:]))
    return "".join(out)


def _highlight_table(step: HighlightTable, key: str) -> None:
    """The table with the highlights so far, and the phrases of each row to tap."""
    with st.container(border=True):
        st.markdown(table_highlight_markdown(step, read_response(step, key)))
    st.caption("Tap each phrase to highlight it (tap again to remove).")
    for row in step.rows:
        phrases = {o.id: safe_md(o.text) for o in step.options if o.row == row.id}
        if phrases:
            st.pills(
                safe_md(row.cells[0]),
                list(phrases),
                selection_mode="multi",
                format_func=phrases.__getitem__,
                key=_k(key, "row", row.id),
            )


def _grouping(step: MultipleResponseGrouping, key: str) -> None:
    """One bordered box per group, with a checkbox per option."""
    st.caption("Select all that apply in each group.")
    for group in step.groups:
        with st.container(border=True):
            st.markdown(f"**{safe_md(group.label)}**")
            _capped_checkboxes(group.options, _k(key, group.id), None)


def _dropdown_table(step: DropdownTable, key: str) -> None:
    head = st.columns([3, 2])
    for col, name in zip(head, step.columns, strict=False):
        col.markdown(f"**{safe_md(name)}**")
    for blank in step.blanks:
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.markdown(safe_md(blank.label or blank.id))
        with right:
            texts = {o.id: o.text for o in blank.options}
            st.selectbox(
                blank.label or blank.id,
                list(texts),
                index=None,
                format_func=texts.__getitem__,
                placeholder="Select…",
                key=_k(key, blank.id),
                label_visibility="collapsed",
            )


def highlight_markdown(step: Highlight, chosen: list[str]) -> str:
    """The passage with the chosen phrases marked (bold on a highlight)."""
    return _marked(step.passage, [o.text for o in step.options if o.id in chosen])


def _highlight(step: Highlight, key: str) -> None:
    chosen = st.session_state.get(_k(key, "phrases")) or []
    with st.container(border=True):
        st.markdown(highlight_markdown(step, chosen))
    texts = {o.id: safe_md(o.text) for o in step.options}
    st.pills(
        "Tap each phrase to highlight it (tap again to remove)",
        list(texts),
        selection_mode="multi",
        format_func=texts.__getitem__,
        key=_k(key, "phrases"),
        wrap=True,
    )


def _move(order_key: str, index: int, delta: int) -> None:
    order = list(st.session_state[order_key])
    j = index + delta
    order[index], order[j] = order[j], order[index]
    st.session_state[order_key] = order


def _ordering(step: Ordering, key: str) -> None:
    order_key = _k(key, "order")
    if order_key not in st.session_state:
        start = starting_order(step, random.Random(key))
        st.session_state[order_key] = [o.id for o in start]
    texts = {o.id: o.text for o in step.options}
    order = st.session_state[order_key]
    st.caption("Use Up and Down to put the options in order, first at the top.")
    for i, oid in enumerate(order):
        with st.container(border=True, horizontal=True, vertical_alignment="center", wrap=False):
            st.markdown(f"**{i + 1}.** {safe_md(texts[oid])}", width="stretch")
            st.button(
                "Up",
                icon=":material/arrow_upward:",
                key=_k(key, "up", oid),
                disabled=i == 0,
                on_click=_move,
                args=(order_key, i, -1),
                help="Move up one place",
            )
            st.button(
                "Down",
                icon=":material/arrow_downward:",
                key=_k(key, "down", oid),
                disabled=i == len(order) - 1,
                on_click=_move,
                args=(order_key, i, 1),
                help="Move down one place",
            )


def _matrix_choice(step: MatrixChoice, key: str) -> None:
    texts = {c.id: safe_md(c.text) for c in step.columns}
    for row in step.rows:
        with st.container(border=True):
            st.radio(
                safe_md(row.text),
                list(texts),
                index=None,
                format_func=texts.__getitem__,
                horizontal=True,
                key=_k(key, row.id),
            )


def _matrix_response(step: MatrixResponse, key: str) -> None:
    widths = [3] + [1] * len(step.columns)
    head = st.columns(widths)
    for col, c in zip(head[1:], step.columns, strict=True):
        col.markdown(f"**{safe_md(c.text)}**")
    for row in step.rows:
        cells = st.columns(widths, vertical_alignment="center")
        cells[0].markdown(safe_md(row.text))
        for cell, c in zip(cells[1:], step.columns, strict=True):
            with cell:
                st.checkbox(
                    safe_md(f"{row.text}: {c.text}"),
                    key=_k(key, row.id, c.id),
                    label_visibility="collapsed",
                )


def _bow_tie(step: BowTie, key: str) -> None:
    cols = st.columns(3, border=True)
    for col, wing in zip(cols, WINGS, strict=True):
        part = getattr(step, wing)
        cap = WING_PICKS[wing]
        with col:
            st.markdown(f"**{safe_md(part.prompt or WINGS[wing])}**")
            wing_key = _k(key, wing)
            if cap == 1:
                texts = {o.id: safe_md(o.text) for o in part.options}
                st.radio(
                    f"Choose 1: {WINGS[wing]}",
                    list(texts),
                    index=None,
                    format_func=texts.__getitem__,
                    key=wing_key,
                    label_visibility="collapsed",
                )
            else:
                st.caption(
                    f"Choose {cap} · {len(_checked(wing_key, [o.id for o in part.options]))} chosen"
                )
                _capped_checkboxes(part.options, wing_key, cap)


def render_item(step: Any, key: str) -> None:
    """Draw the input widgets of ``step``; values are kept under ``key``."""
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
        st.caption("Select all that apply.")
        _capped_checkboxes(step.options, key, None)
    elif isinstance(step, SelectN):
        n = len(_checked(key, [o.id for o in step.options]))
        st.caption(f"Select {step.select} · {n} selected")
        _capped_checkboxes(step.options, key, step.select)
    elif isinstance(step, Highlight):
        _highlight(step, key)
    elif isinstance(step, HighlightTable):
        _highlight_table(step, key)
    elif isinstance(step, MultipleResponseGrouping):
        _grouping(step, key)
    elif isinstance(step, DragDropCloze | DragDropRationale):
        _drag_drop(step, key)
    elif isinstance(step, Ordering):
        _ordering(step, key)
    elif isinstance(step, MatrixChoice):
        _matrix_choice(step, key)
    elif isinstance(step, MatrixResponse):
        _matrix_response(step, key)
    elif isinstance(step, DropdownTable):
        _dropdown_table(step, key)
    elif isinstance(step, DropdownCloze | RationaleDyad | RationaleTriad):
        _cloze(step, key)
    elif isinstance(step, BowTie):
        _bow_tie(step, key)
    else:  # pragma: no cover - the model admits no other types
        raise TypeError(f"no widget for {type(step).__name__}")


def read_response(step: Any, key: str) -> Any:
    """The raw response (see scoring.responses) held by the widgets of ``step``."""
    ss = st.session_state
    if isinstance(step, MultipleChoice):
        choice = ss.get(_k(key, "choice"))
        return [choice] if choice else []
    if isinstance(step, SelectAll | SelectN):
        return _checked(key, [o.id for o in step.options])
    if isinstance(step, Highlight):
        return list(ss.get(_k(key, "phrases")) or [])
    if isinstance(step, HighlightTable):
        picked = {p for r in step.rows for p in ss.get(_k(key, "row", r.id)) or []}
        return [o.id for o in step.options if o.id in picked]
    if isinstance(step, MultipleResponseGrouping):
        return {g.id: _checked(_k(key, g.id), [o.id for o in g.options]) for g in step.groups}
    if isinstance(step, DragDropCloze | DragDropRationale):
        return {t.id: ss[_k(key, t.id)] for t in step.targets if ss.get(_k(key, t.id))}
    if isinstance(step, Ordering):
        order = ss.get(_k(key, "order"))
        return list(order) if order else [o.id for o in step.options]
    if isinstance(step, MatrixChoice):
        return {r.id: ss[_k(key, r.id)] for r in step.rows if ss.get(_k(key, r.id))}
    if isinstance(step, MatrixResponse):
        cols = [c.id for c in step.columns]
        return {r.id: _checked(_k(key, r.id), cols) for r in step.rows}
    if isinstance(step, BowTie):
        condition = ss.get(_k(key, "condition"))
        return {
            "condition": [condition] if condition else [],
            "actions": _checked(_k(key, "actions"), [o.id for o in step.actions.options]),
            "parameters": _checked(_k(key, "parameters"), [o.id for o in step.parameters.options]),
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
    if isinstance(step, SelectAll | Highlight | HighlightTable):
        return None if raw else "Select at least one."
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
            return "Choose only " + ", ".join(over) + ": untick the extra."
        short = [WINGS[w].lower() for w, n in WING_PICKS.items() if len(raw[w]) < n]
        return None if not short else "Complete the bow-tie: " + ", ".join(short) + "."
    if hasattr(step, "blanks"):
        left = len(step.blanks) - len(raw)
        return None if left <= 0 else f"Fill every blank ({left} left)."
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
