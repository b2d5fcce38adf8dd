"""The feedback view of a scored item, compact: the score with what happened beside it, the key
points, one table of your answer against the key (a one-line verdict per row), the
rationales that need reading, and every cited passage quoted once, in full, on screen.

Decided here (the issue asks for compact feedback; nobody to ask about the detail):

- A row *needs* its rationale when it was answered wrong or missed: a wrong or missed option
  or drop-down, a matrix row not answered as keyed, an ordering item out of place. Those are
  shown open. The rationales of what was right (and of the choices rightly left out) are one
  click away in a single expander, so every option is still explained.
- Passages are numbered once per item ([1], [2] …) and quoted under the rationales, with
  every quote that cites them in bold; rationales point at them by number.
- Verdicts always carry a symbol and words; colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from scoring.engine.case_path import Transition
from scoring.engine.explain import Evidence, ItemResult, OptionResult
from scoring.format.models import (
    BowTie,
    DragDropCloze,
    DragDropRationale,
    DropdownTable,
    MatrixChoice,
    MatrixResponse,
    MultipleResponseGrouping,
    Ordering,
)
from ui.components.safe_text import directive_text, plain_md, quote_md, safe_md, table_cell
from ui.player.widgets import WINGS, ordered_blanks

VERDICTS = {
    "correct": "✓ Correct",
    "incorrect": "✗ Incorrect",
    "missed": "✗ Missed",
    "not chosen": "✓ Rightly left out",
}


@dataclass(frozen=True)
class Row:
    """One line of the answer table, and the rationale(s) behind it."""

    label: str
    yours: str
    key: str
    verdict: str
    needs_reading: bool
    explained: tuple[OptionResult, ...]  # whose rationale explains this row


def score_line(result: ItemResult) -> None:
    """Points out of the maximum, a worded verdict, and the rule's arithmetic."""
    unit = "point" if result.max_points == 1 else "points"
    if result.full_marks:
        badge = ":green-badge[:material/check_circle: Full marks]"
    elif result.points:
        badge = ":orange-badge[:material/incomplete_circle: Partly right]"
    else:
        badge = ":red-badge[:material/cancel: No points]"
    scored = directive_text(f"How it was scored ({result.rule} rule): {result.arithmetic}")
    st.markdown(f"### {result.points} of {result.max_points} {unit}\n\n{badge}\n\n{scored}")


def _texts(options: Sequence[OptionResult], which: str) -> str:
    picked = [o.text for o in options if getattr(o, which)]
    return "; ".join(picked) if picked else "—"


def _unsafe(options: Sequence[OptionResult]) -> str:
    return " · ⚠ unsafe choice" if any(o.must_avoid and o.chosen for o in options) else ""


def _grouped(options: Sequence[OptionResult]) -> dict[str | None, list[OptionResult]]:
    groups: dict[str | None, list[OptionResult]] = {}
    for o in options:
        groups.setdefault(o.group_id, []).append(o)
    return groups


def _group_rows(titles: dict[str, str], result: ItemResult) -> list[Row]:
    """A row per matrix row, drop-down or bow-tie wing: chosen against keyed."""
    rows = []
    for gid, group in _grouped(result.options).items():
        right = sum(o.chosen and o.keyed for o in group)
        keyed = sum(o.keyed for o in group)
        wrong = sum(o.chosen and not o.keyed for o in group)
        if right == keyed and not wrong:
            verdict = "✓ Right"
        elif not any(o.chosen for o in group):
            verdict = "✗ Not answered"
        elif keyed > 1 and right:
            verdict = f"◐ {right} of {keyed} right" + (f", {wrong} not keyed" if wrong else "")
        else:
            verdict = "✗ Wrong"
        needs = verdict != "✓ Right"
        if group[0].rationale and all(o.rationale == group[0].rationale for o in group):
            explained = (group[0],)  # a matrix row: one rationale for the whole row
        else:
            explained = tuple(o for o in group if o.chosen or o.keyed)
        rows.append(
            Row(
                titles.get(str(gid), group[0].group or str(gid)),
                _texts(group, "chosen"),
                _texts(group, "keyed"),
                verdict + _unsafe(group),
                needs,
                explained,
            )
        )
    return rows


def _option_rows(result: ItemResult) -> list[Row]:
    """A row per option of a flat item (multiple choice, select, highlight)."""
    return [
        Row(
            o.text,
            "chosen" if o.chosen else "—",
            "keyed" if o.keyed else "—",
            VERDICTS[o.verdict] + _unsafe([o]),
            o.verdict in ("incorrect", "missed"),
            (o,),
        )
        for o in result.options
    ]


def _ordering_rows(result: ItemResult) -> list[Row]:
    ordered = sorted(result.options, key=lambda r: r.your_position or 0)
    return [
        Row(
            str(o.your_position),
            o.text,
            str(o.correct_position),
            "✓ Right place" if o.verdict == "correct" else f"✗ Belongs at {o.correct_position}",
            o.verdict != "correct",
            (o,),
        )
        for o in ordered
    ]


def _token_rows(result: ItemResult) -> list[Row]:
    """A row per drag-and-drop space: the token put there against the one that belongs."""
    tokens = result.options
    spaces = sorted(
        {str(o.your_position) for o in tokens if o.your_position}
        | {o.correct_position for o in tokens if o.correct_position},
        key=int,
    )
    rows = []
    for n in spaces:
        yours = [o for o in tokens if str(o.your_position) == n]
        key = [o for o in tokens if o.correct_position == n]
        right = bool(yours) and yours == key
        verdict = "✓ Right" if right else ("✗ Not filled" if not yours else "✗ Wrong")
        explained = tuple(dict.fromkeys([*yours, *key]))
        rows.append(
            Row(
                f"Space {n}",
                _texts(yours, "chosen"),
                _texts(key, "keyed"),
                verdict + _unsafe(yours),
                not right,
                explained,
            )
        )
    others = tuple(o for o in tokens if not o.your_position and not o.correct_position)
    if others:
        rows.append(Row("Words not used", "—", "—", "✓ Rightly left out", False, others))
    return rows


def _titles(step: Any) -> dict[str, str]:
    if isinstance(step, BowTie):
        return dict(WINGS)
    if isinstance(step, DropdownTable):
        return {b.id: b.label or b.id for b in step.blanks}
    if isinstance(step, MultipleResponseGrouping):
        return {g.id: g.label for g in step.groups}
    if hasattr(step, "blanks"):
        return {b.id: f"Drop-down {i + 1}" for i, b in enumerate(ordered_blanks(step))}
    return {}


def answer_rows(step: Any, result: ItemResult) -> tuple[list[str], list[Row]]:
    """The answer table's column heads and rows for ``step``."""
    if isinstance(step, Ordering):
        return ["#", "Your order", "Belongs at", "Verdict"], _ordering_rows(result)
    if isinstance(step, MatrixChoice | MatrixResponse):
        return ["Row", "Your answer", "Key", "Verdict"], _group_rows({}, result)
    if isinstance(step, DragDropCloze | DragDropRationale):
        return ["Space", "Your word", "Key", "Verdict"], _token_rows(result)
    if isinstance(step, BowTie | MultipleResponseGrouping) or hasattr(step, "blanks"):
        rows = _group_rows(_titles(step), result)
        if isinstance(step, BowTie):
            order = list(WINGS.values())
            rows.sort(key=lambda r: order.index(r.label) if r.label in order else len(order))
        return ["Part", "Your answer", "Key", "Verdict"], rows
    return ["Option", "You", "Key", "Verdict"], _option_rows(result)


def table_md(heads: list[str], rows: list[Row]) -> str:
    """The rows as one Markdown table."""
    lines = ["| " + " | ".join(heads) + " |", "|" + " --- |" * len(heads)]
    for r in rows:
        cells = (r.label, r.yours, r.key, r.verdict)
        lines.append("| " + " | ".join(table_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def numbered(result: ItemResult) -> dict[str, int]:
    """Passage id → its number in this item's feedback, in order of first citation."""
    return {e.passage_id: i + 1 for i, e in enumerate(result.evidence)}


def _refs(evidence: Sequence[Evidence], numbers: dict[str, int]) -> str:
    refs = [f"[{numbers[e.passage_id]}]" for e in evidence if not e.nursing]
    if any(e.nursing for e in evidence):
        refs.append("general nursing knowledge")
    return f" · *Basis:* {', '.join(refs)}" if refs else ""


def rationale_md(row: Row, numbers: dict[str, int], ordering: bool = False) -> str:
    """One row's rationale (or one line per option of a wing or drop-down), with the passages
    each rests on."""
    head = f"- {row.verdict} — **{safe_md(row.yours if ordering else row.label)}.**"
    if len(row.explained) == 1:
        o = row.explained[0]
        return f"{head} {safe_md(o.rationale)}{_refs(o.evidence, numbers)}"
    lines = [
        f"    - *{safe_md(o.text)}:* {safe_md(o.rationale)}{_refs(o.evidence, numbers)}"
        for o in row.explained
    ]
    return "\n".join([head, *lines])


def pairs_md(result: ItemResult) -> str:
    """An ordering item's arithmetic, pair by pair: each neighbouring pair of the trainee's
    order, whether it scored and why, so the points can be checked by eye."""
    texts = {o.id: plain_md(o.text) for o in result.options}  # plain: a | would split a cell
    lines = ["| Places | Your pair | Point | Why |", "| --- | --- | :---: | --- |"]
    for p in result.pairs:
        first, second = texts[p.first], texts[p.second]
        if p.tie:
            why = "tied in the key: either order scores"
        elif p.scored:
            why = "next in the key"
        elif p.reversed:
            why = f"the wrong way round: in the key “{second}” comes before “{first}”"
        elif p.follows:
            names = " or ".join(f"“{texts.get(x, x)}”" for x in p.follows)
            why = f"in the key, {names} comes next"
        else:
            why = f"“{first}” is last in the key: nothing scores after it"
        mark = "✓ 1" if p.scored else "✗ 0"
        lines.append(f"| {p.position}–{p.position + 1} | {first} → {second} | {mark} | {why} |")
    return (
        "**Your order, pair by pair.** A point for each neighbouring pair whose second option "
        "comes next in the key; the places alone do not score.\n\n" + "\n".join(lines)
    )


def passages_md(result: ItemResult) -> str:
    """Every cited passage of the item once, verbatim, its quoted words in bold."""
    quotes: dict[str, list[str]] = {}
    for o in result.options:
        for e in o.evidence:
            if not e.nursing and e.quote:
                quotes.setdefault(e.passage_id, []).append(e.quote)
    blocks = []
    for i, e in enumerate(result.evidence):
        blocks.append(
            f"**[{i + 1}]** Passage `{e.passage_id}` · {plain_md(e.source)}\n\n"
            + quote_md(e.text, quotes.get(e.passage_id))
        )
    return "\n\n".join(blocks)


def practice_notes(result: ItemResult) -> None:
    """Practice notes as their own callouts, set apart from the key."""
    for note in result.practice_notes:
        st.info(
            f"**Practice note · {safe_md(note.title)}**\n\n{safe_md(note.text)}\n\n"
            f"*Reference:* {safe_md(note.reference)}  \n"
            "*Current practice beyond the source guidance; not part of the answer key.*",
            icon=":material/menu_book:",
        )


def safety(result: ItemResult) -> None:
    """One error callout per must-avoid choice made."""
    for choice in result.must_avoid_chosen:
        st.error(
            f"**Safety:** you chose “{safe_md(choice)}”, a choice that could harm the patient.",
            icon=":material/gpp_maybe:",
        )


def _minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return " ".join(x for x in (f"{hours} h" if hours else "", f"{mins} min" if mins else "") if x)


def what_happened(move: Transition, clock: str | None, key: str | None = None) -> None:
    """Consequence narratives of the answer, with the case clock and their passages."""
    del key  # kept for callers; the passages are on screen now, no expander to key
    if not move.narratives:
        return
    with st.container(border=True):
        lines = ["#### :material/history: What happened", *map(safe_md, move.narratives)]
        if move.minutes and clock:
            lines.append(f":material/schedule: {_minutes(move.minutes)} passed · clock now {clock}")
        cited = [e for e in move.evidence if not e.nursing]
        lines += [quote_md(e.text, e.quote) + f"\n\nPassage `{e.passage_id}`" for e in cited]
        st.markdown("\n\n".join(lines))


def feedback_summary(
    result: ItemResult,
    move: Transition | None = None,
    clock: str | None = None,
    key: str | None = None,
) -> None:
    """The score (and safety calls) with what happened beside it, then the key points."""
    if move is not None and move.narratives:
        score, happened = st.columns(2, gap="medium")
        with score:
            score_line(result)
            safety(result)
        with happened:
            what_happened(move, clock, key)
    else:
        score_line(result)
        safety(result)
    with st.container(border=True):
        st.markdown("**Key points**\n\n" + safe_md(result.feedback))


def feedback_details(step: Any, result: ItemResult, key: str | None = None) -> None:
    """Your answer against the key, the rationales to read, the passages, practice notes.

    ``key`` (unique on the page) makes the expander of the other rationales lazy: its
    content is only sent when it is opened.
    """
    heads, rows = answer_rows(step, result)
    numbers = numbered(result)
    is_order = isinstance(step, Ordering)
    parts = ["#### Your answer and the key", table_md(heads, rows)]
    if result.pairs:
        parts.append(pairs_md(result))
    to_read = [r for r in rows if r.needs_reading]
    if to_read:
        parts.append("**Why** (what you missed or got wrong)")
        parts.append("\n".join(rationale_md(r, numbers, is_order) for r in to_read))
    st.markdown("\n\n".join(parts))
    rest = [r for r in rows if not r.needs_reading]
    if rest:
        label = f"Why the rest is right ({len(rest)})"
        icon = ":material/lightbulb:"
        if key is None:
            box = st.expander(label, icon=icon)
        else:
            box = st.expander(label, icon=icon, key=f"{key}.rest", on_change="rerun")
        if key is None or box.open:
            with box:
                st.markdown("\n".join(rationale_md(r, numbers, is_order) for r in rest))
    if numbers:
        st.markdown("#### Guidance quoted\n\n" + passages_md(result))
    practice_notes(result)


def item_feedback(
    step: Any,
    result: ItemResult,
    move: Transition | None = None,
    clock: str | None = None,
    key: str | None = None,
) -> None:
    """The whole feedback view of one answered item."""
    feedback_summary(result, move, clock, key)
    feedback_details(step, result, key)
