"""The feedback view of a scored item: points and arithmetic, every option explained, evidence
quoted verbatim, practice notes apart from the key, safety calls and what happened next.

Verdicts always carry an icon and words; colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from scoring.case_path import Transition
from scoring.explain import Evidence, ItemResult, OptionResult
from scoring.models import (
    BowTie,
    DragDropCloze,
    DragDropRationale,
    DropdownTable,
    HighlightTable,
    MatrixChoice,
    MatrixResponse,
    MultipleResponseGrouping,
    Ordering,
)
from ui.components.safe_text import directive_text, plain_md, quote_md, safe_md
from ui.player.widgets import WINGS, ordered_blanks

VERDICTS = {
    "correct": ("✓", "Correct", "Your choice · keyed answer"),
    "incorrect": ("✗", "Incorrect", "Your choice · not a keyed answer"),
    "missed": ("✗", "Missed", "Not chosen · keyed answer"),
    "not chosen": ("✓", "Rightly left out", "Not chosen · not a keyed answer"),
}


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
    st.markdown(f"### {result.points} of {result.max_points} {unit}\n\n{badge} :gray[{scored}]")


def pair_breakdown(result: ItemResult) -> None:
    """An ordering item's arithmetic, pair by pair: each neighbouring pair of the trainee's
    order, whether it scored and why, so the points can be checked by eye."""
    if not result.pairs:
        return
    texts = {o.id: plain_md(o.text) for o in result.options}  # plain: a | would split a cell
    lines = [
        "| Places | Your pair | Point | Why |",
        "| --- | --- | :---: | --- |",
    ]
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
        pair = f"{first} → {second}"
        mark = "✓ 1" if p.scored else "✗ 0"
        lines.append(f"| {p.position}–{p.position + 1} | {pair} | {mark} | {why} |")
    st.markdown(
        "**Your order, pair by pair.** A point for each neighbouring pair whose second option "
        "comes next in the key; the places alone do not score.\n\n" + "\n".join(lines)
    )


def basis_line(items: Sequence[Evidence]) -> str:
    """A grey line naming the general-nursing basis, or '' when every citation is a passage."""
    if any(e.nursing for e in items):
        return "\n\n:gray[:material/school: Basis: General nursing knowledge]"
    return ""


def passages(items: Sequence[Evidence], key: str | None = None) -> None:
    """Each cited passage verbatim in an expander, with its id and source date.

    With a ``key`` the expanders are lazy: a passage is only sent when its expander is opened
    (a feedback view holds many; drawing them all slows every submit down).
    """
    for i, e in enumerate(items):
        if e.nursing:
            continue
        label = f"Guidance passage · {e.passage_id}"
        icon = ":material/format_quote:"
        if key is None:
            box = st.expander(label, icon=icon)
        else:
            box = st.expander(label, icon=icon, key=f"{key}.{i}", on_change="rerun")
            if not box.open:
                continue
        with box:
            st.markdown(
                quote_md(e.text, e.quote)
                + f"\n\n:gray[Passage `{e.passage_id}` · {plain_md(e.source)}]"
            )


def evidence(items: Sequence[Evidence], key: str | None = None) -> None:
    """The general-nursing basis as a caption and each cited passage in an expander."""
    if any(e.nursing for e in items):
        st.caption(":material/school: Basis: General nursing knowledge")
    passages(items, key)


def _option_md(o: OptionResult) -> str:
    icon, word, detail = VERDICTS[o.verdict]
    unsafe = " · :material/warning: unsafe choice" if o.must_avoid else ""
    return (
        f"**{icon} {word}** — {safe_md(o.text)}  \n:gray[{detail}{unsafe}]\n\n"
        + safe_md(o.rationale)
        + basis_line(o.evidence)
    )


def _ordering_md(o: OptionResult) -> str:
    right = o.verdict == "correct"
    place = "right place" if right else f"belongs at {o.correct_position}"
    return (
        f"**{'✓' if right else '✗'} {o.your_position}.** {safe_md(o.text)} — *{place}*\n\n"
        + safe_md(o.rationale)
        + basis_line(o.evidence)
    )


def _token_md(o: OptionResult) -> str:
    """A drag-and-drop token: where the trainee put it, where it belongs, and why."""
    icon, word, _ = VERDICTS[o.verdict]
    went = f"you put it in space {o.your_position}" if o.your_position else "you left it out"
    home = f"it belongs in space {o.correct_position}" if o.correct_position else "it fits no space"
    unsafe = " · :material/warning: unsafe choice" if o.must_avoid else ""
    return (
        f"**{icon} {word}** — {safe_md(o.text)}  \n:gray[{went}; {home}{unsafe}]\n\n"
        + safe_md(o.rationale)
        + basis_line(o.evidence)
    )


def _matrix_md(group: Sequence[OptionResult]) -> str:
    first = group[0]
    cells = []
    for o in group:
        icon, word, detail = VERDICTS[o.verdict]
        unsafe = " · :material/warning: unsafe here" if o.must_avoid else ""
        cells.append(f"{icon} **{word}** — {safe_md(o.text)}  \n:gray[{detail}{unsafe}]")
    return (
        f"**{safe_md(first.group)}**\n\n"
        + "\n\n".join(cells)
        + "\n\n"
        + safe_md(first.rationale)
        + basis_line(first.evidence)
    )


def _groups(options: Sequence[OptionResult]) -> list[list[OptionResult]]:
    groups: dict[str | None, list[OptionResult]] = {}
    for o in options:
        groups.setdefault(o.group_id, []).append(o)
    return list(groups.values())


def _group_titles(step: Any) -> dict[str, str]:
    if isinstance(step, BowTie):
        return {w: (getattr(step, w).prompt or label) for w, label in WINGS.items()}
    if isinstance(step, DropdownTable):
        return {b.id: b.label or b.id for b in step.blanks}
    if isinstance(step, MultipleResponseGrouping):
        return {g.id: g.label for g in step.groups}
    if isinstance(step, HighlightTable):
        return {r.id: r.cells[0] for r in step.rows}
    if hasattr(step, "blanks"):
        return {b.id: f"Blank {i + 1}" for i, b in enumerate(ordered_blanks(step))}
    return {}


def option_entries(step: Any, result: ItemResult) -> list[tuple[str, str, Sequence[Evidence]]]:
    """(Markdown, evidence key, evidence) per explained entry: an option, or a matrix row."""
    if isinstance(step, Ordering):
        ordered = sorted(result.options, key=lambda r: r.your_position or 0)
        return [(_ordering_md(o), o.id, o.evidence) for o in ordered]
    if isinstance(step, MatrixChoice | MatrixResponse):
        return [(_matrix_md(g), str(g[0].group_id), g[0].evidence) for g in _groups(result.options)]
    if isinstance(step, DragDropCloze | DragDropRationale):
        placed = sorted(result.options, key=lambda o: (o.your_position is None, o.your_position))
        return [(_token_md(o), f"token.{o.id}", o.evidence) for o in placed]
    titles = _group_titles(step)
    groups = _groups(result.options)
    if isinstance(step, BowTie):
        order = list(WINGS)
        groups.sort(key=lambda g: order.index(g[0].group_id))
    entries = []
    for group in groups:
        gid = group[0].group_id
        for i, o in enumerate(group):
            text = _option_md(o)
            if gid is not None and i == 0:
                text = f"##### {safe_md(titles.get(gid, group[0].group or gid))}\n\n" + text
            entries.append((text, f"{gid}.{o.id}", o.evidence))  # no group: "None.<id>"
    return entries


def options_breakdown(step: Any, result: ItemResult, key: str | None = None) -> None:
    """Every option (or cell) with chosen/keyed marks, rationale and evidence, in one box.

    One Markdown element per option with its passages under it, separated by rules, rather
    than a bordered box each: every element costs the server and each trainee's browser a
    share of every submit (see benchmarks/bench_browser.py).
    """
    with st.container(border=True):
        for i, (text, entry_key, cited) in enumerate(option_entries(step, result)):
            st.markdown(("---\n\n" if i else "") + text)
            passages(cited, key and f"{key}.{entry_key}")


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


def what_happened(move: Transition, clock: str | None, key: str | None = None) -> None:
    """Consequence narratives of the answer, with the case clock after them."""
    if not move.narratives:
        return
    with st.container(border=True):
        st.markdown("#### :material/history: What happened")
        for text in move.narratives:
            st.markdown(safe_md(text))
        if move.minutes and clock:
            hours, mins = divmod(move.minutes, 60)
            spent = " ".join(
                x for x in (f"{hours} h" if hours else "", f"{mins} min" if mins else "") if x
            )
            st.caption(f":material/schedule: {spent} passed · clock now {clock}")
        evidence(move.evidence, key and f"{key}.happened")


def feedback_summary(
    result: ItemResult,
    move: Transition | None = None,
    clock: str | None = None,
    key: str | None = None,
) -> None:
    """Points, safety calls, the key points, and what happened after the answer.

    ``key`` (unique on the page) makes the passage expanders lazy; see ``passages``.
    """
    score_line(result)
    pair_breakdown(result)
    safety(result)
    with st.container(border=True):
        st.markdown("**Key points**\n\n" + safe_md(result.feedback))
    if move is not None:
        what_happened(move, clock, key)


def feedback_details(step: Any, result: ItemResult, key: str | None = None) -> None:
    """Every option explained with its evidence, then the practice notes."""
    st.markdown("#### Your answer, option by option")
    options_breakdown(step, result, key)
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
