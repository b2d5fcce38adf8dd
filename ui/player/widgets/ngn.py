"""NGN-style item widgets drawn by one ``st.components.v2`` component (``ngn.js``, ``ngn.css``).

Matrix grid, in-text highlighting, drop-downs inside the sentence (cloze, dyad, triad) or the
table, drag-and-drop ordering and the bow-tie. The component runs in the app's page (a shadow
root, no iframe); its JavaScript and CSS are files in this package, read once at import: no
build step, nothing fetched at run time.

How the answer travels (decided here): the component is a *view* of the answer. The answer
it shows and sends back (its state ``answer``) has exactly the raw response shape of
``scoring.engine.responses`` for the item; on every change ``normalize_response`` checks what the
browser sent (it is browser input) and ``state_entries`` writes it into the same
session-state keys that ``read_response`` has always read. So scoring, storage and resume
never see the component, and a test can set an answer the way the component does (AppTest
cannot click inside a component; Playwright does).

Texts inside the component are shown as written (``textContent``): Markdown marks are not
interpreted there, and nothing an author writes can become markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from scoring.engine.items import PLACEHOLDER, ordered_slots
from scoring.engine.responses import WING_PICKS, normalize_response
from scoring.errors import ResponseError
from scoring.format.models import (
    BowTie,
    DragDropCloze,
    DragDropRationale,
    DropdownCloze,
    DropdownTable,
    Highlight,
    HighlightTable,
    MatrixChoice,
    MatrixResponse,
    MultipleResponseGrouping,
    Ordering,
    RationaleDyad,
    RationaleTriad,
)

HERE = Path(__file__).parent
NGN_TYPES = (
    MatrixChoice,
    MatrixResponse,
    MultipleResponseGrouping,
    Highlight,
    HighlightTable,
    DropdownCloze,
    RationaleDyad,
    RationaleTriad,
    DropdownTable,
    DragDropCloze,
    DragDropRationale,
    Ordering,
    BowTie,
)
# Slot titles inside the bow-tie, and the lists of choices under it, as the NCLEX words them.
TIE = {
    "actions": ("Action to take", "Actions to take", "Place an action here"),
    "condition": ("Condition most likely", "Potential conditions", "Place the condition here"),
    "parameters": ("Parameter to monitor", "Parameters to monitor", "Place a parameter here"),
}

COMPONENT = st.components.v2.component(
    "casebook_ngn",
    js=(HERE / "ngn.js").read_text(encoding="utf-8"),
    css=(HERE / "ngn.css").read_text(encoding="utf-8"),
)


def _k(key: str, *parts: str) -> str:
    return ".".join((key, *parts))


# Blanks (or drag-and-drop targets) in the order their placeholders appear in the text.
ordered_blanks = ordered_slots


def _words_around(before: str, after: str) -> str:
    """'… at risk for ___ because of …': the words either side of a blank, for its name."""
    left = " ".join(PLACEHOLDER.sub("…", before).split()[-6:])
    right = " ".join(PLACEHOLDER.sub("…", after).split()[:4])
    return f"{left} ___ {right}".strip()


def _cloze_parts(step: Any, what: str = "Drop-down") -> list[Any]:
    """The sentence as text pieces and blanks (or drag-and-drop spaces), each named by its
    number and the words around it."""
    blanks = {b.id: b for b in ordered_blanks(step)}
    numbers = {b.id: i + 1 for i, b in enumerate(ordered_blanks(step))}
    matches = list(PLACEHOLDER.finditer(step.text))
    parts: list[Any] = []
    pos = 0
    for i, m in enumerate(matches):
        blank = blanks.get(m.group(1))
        parts.append(step.text[pos : m.start()])
        pos = m.end()
        if blank is None:  # the loader forbids this; show the placeholder rather than fail
            parts.append(m.group(0))
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(step.text)
        words = _words_around(step.text[: m.start()], step.text[m.end() : end])
        name = f"{what} {numbers[blank.id]}"
        part = {"id": blank.id, "name": name, "label": f"{name} of {len(blanks)}: {words}"}
        if hasattr(blank, "options"):
            part["options"] = _options(blank.options)
        parts.append(part)
    parts.append(step.text[pos:])
    return [p for p in parts if p != ""]


def _options(options: list[Any]) -> list[dict[str, str]]:
    return [{"id": o.id, "text": o.text} for o in options]


def _segments(passage: str, options: list[Any]) -> list[dict[str, str | None]]:
    """The passage cut into plain text and the option phrases, exactly as written.

    Each phrase is marked at its first place in the passage that does not overlap one
    already marked; no character is added or dropped (no stray spaces).
    """
    spans: list[tuple[int, int, str]] = []
    for o in options:
        at = passage.find(o.text)
        while at >= 0 and any(s < at + len(o.text) and at < e for s, e, _ in spans):
            at = passage.find(o.text, at + 1)
        if at >= 0:
            spans.append((at, at + len(o.text), o.id))
    out: list[dict[str, str | None]] = []
    pos = 0
    for start, end, oid in sorted(spans):
        if start > pos:
            out.append({"id": None, "text": passage[pos:start]})
        out.append({"id": oid, "text": passage[start:end]})
        pos = end
    if pos < len(passage):
        out.append({"id": None, "text": passage[pos:]})
    return out


def _spec(step: Any, key: str) -> dict[str, Any]:
    """What the component draws for ``step``: content only, the same on every rerun."""
    label = step.title or step.prompt
    if isinstance(step, MatrixChoice | MatrixResponse):
        return {
            "kind": "matrix",
            "id": key,
            "label": label,
            "multiple": isinstance(step, MatrixResponse),
            "row_header": "Finding or action",
            "columns": [{"id": c.id, "text": c.text} for c in step.columns],
            "rows": [{"id": r.id, "text": r.text} for r in step.rows],
        }
    if isinstance(step, Highlight):
        return {
            "kind": "highlight",
            "id": key,
            "label": "Passage: select each phrase to highlight it",
            "segments": _segments(step.passage, step.options),
            "order": [o.id for o in step.options],
        }
    if isinstance(step, HighlightTable):
        rows = []
        for row in step.rows:
            mine = [o for o in step.options if o.row == row.id]
            cells = [_segments(cell, [o for o in mine if o.text in cell]) for cell in row.cells]
            rows.append(_first_only(cells))
        return {
            "kind": "highlight",
            "id": key,
            "label": "Table: select each phrase to highlight it",
            "columns": list(step.columns),
            "rows": rows,
            "order": [o.id for o in step.options],
        }
    if isinstance(step, MultipleResponseGrouping):
        groups = [
            {"id": g.id, "label": g.label, "options": _options(g.options)} for g in step.groups
        ]
        return {"kind": "grouping", "id": key, "label": label, "groups": groups}
    if isinstance(step, DragDropCloze | DragDropRationale):
        return {
            "kind": "tokens",
            "id": key,
            "label": label,
            "parts": _cloze_parts(step, "Space"),
            "tokens": _options(step.tokens),
            "bank_title": "Words to place: select one, or drag it into a space",
        }
    if isinstance(step, DropdownTable):
        name = step.columns[-1] if step.columns else "Choice"
        rows = [
            {
                "id": b.id,
                "text": b.label or b.id,
                "label": f"{name} for {b.label or b.id}",
                "options": _options(b.options),
            }
            for b in step.blanks
        ]
        return {
            "kind": "dropdown_table",
            "id": key,
            "label": label,
            "columns": list(step.columns),
            "rows": rows,
        }
    if isinstance(step, DropdownCloze | RationaleDyad | RationaleTriad):
        return {"kind": "cloze", "id": key, "label": label, "parts": _cloze_parts(step)}
    if isinstance(step, Ordering):
        return {
            "kind": "ordering",
            "id": key,
            "label": "Your order, first at the top",
            "hint": (
                "Drag an option to its place, or use its ↑ and ↓ buttons "
                "(keyboard: Tab to a button, then Enter; Alt+↑ or Alt+↓ also move it)."
            ),
            "options": _options(step.options),
        }
    if isinstance(step, BowTie):
        wings = []
        for wing in ("actions", "condition", "parameters"):
            slot, bank, empty = TIE[wing]
            part = getattr(step, wing)
            wings.append(
                {
                    "wing": wing,
                    "pick": WING_PICKS[wing],
                    "slot_title": slot,
                    "bank_title": part.prompt or bank,
                    "empty": empty,
                    "options": _options(part.options),
                }
            )
        return {"kind": "bow_tie", "id": key, "label": "Bow-tie", "wings": wings}
    raise TypeError(f"no NGN widget for {type(step).__name__}")  # pragma: no cover


def _first_only(cells: list[list[dict[str, str | None]]]) -> list[list[dict[str, str | None]]]:
    """A phrase found in two cells of a row is marked in the first one only."""
    seen: set[str] = set()
    out = []
    for cell in cells:
        kept = []
        for seg in cell:
            if seg["id"] is not None and seg["id"] in seen:
                seg = {"id": None, "text": seg["text"]}
            elif seg["id"] is not None:
                seen.add(seg["id"])
            kept.append(seg)
        out.append(kept)
    return out


def state_entries(step: Any, key: str, answer: Any) -> dict[str, Any]:
    """The session-state entries under ``key`` that make ``read_response`` return ``answer``.

    ``answer`` is a normalised response (``normalize_response``); every row, blank, cell and
    wing is written, so an option taken back is cleared too.
    """
    if isinstance(step, Highlight):
        return {_k(key, "phrases"): list(answer)}
    if isinstance(step, HighlightTable):
        return {
            _k(key, "row", r.id): [o.id for o in step.options if o.row == r.id and o.id in answer]
            for r in step.rows
        }
    if isinstance(step, MultipleResponseGrouping):
        return {
            _k(key, g.id, o.id): o.id in answer.get(g.id, [])
            for g in step.groups
            for o in g.options
        }
    if isinstance(step, DragDropCloze | DragDropRationale):
        return {_k(key, t.id): answer.get(t.id) for t in step.targets}
    if isinstance(step, Ordering):
        return {_k(key, "order"): list(answer)}
    if isinstance(step, MatrixChoice):
        return {_k(key, r.id): answer.get(r.id) for r in step.rows}
    if isinstance(step, MatrixResponse):
        return {
            _k(key, r.id, c.id): c.id in answer.get(r.id, [])
            for r in step.rows
            for c in step.columns
        }
    if isinstance(step, BowTie):
        out: dict[str, Any] = {_k(key, "condition"): next(iter(answer["condition"]), None)}
        for wing in ("actions", "parameters"):
            for o in getattr(step, wing).options:
                out[_k(key, wing, o.id)] = o.id in answer[wing]
        return out
    return {_k(key, b.id): answer.get(b.id) for b in step.blanks}


def _changed(step: Any, key: str) -> None:
    """Callback: take the answer the browser sent, if it fits the item, into session state."""
    sent = (st.session_state.get(_k(key, "ngn")) or {}).get("answer")
    try:
        answer = normalize_response(step, sent)
    except ResponseError:  # not what our widget sends (a stale tab, a crafted message): ignore
        return
    st.session_state.update(state_entries(step, key, answer))


def render(step: Any, key: str, value: Any) -> None:
    """Mount the NGN widget of ``step`` showing ``value`` (the answer so far)."""
    COMPONENT(
        key=_k(key, "ngn"),
        data={"spec": _spec(step, key), "value": value},
        on_answer_change=lambda: _changed(step, key),
    )
