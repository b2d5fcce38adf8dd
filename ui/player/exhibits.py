"""The patient banner and the client record: exhibits that unfold along the trainee's path.

Tables of one tab with the same columns are stacked into one table in the order they were
revealed (rows as written within each exhibit), so trends read top to bottom; numeric vital
signs also get a small line chart per measure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from scoring.format.models import Case, Exhibit, Tab
from ui.components.safe_text import directive_text, safe_md, table_cell

if TYPE_CHECKING:  # imported where a chart is drawn: a step without one starts faster
    import altair as alt
    import pandas as pd

_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$")
_PRESSURE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def visible_exhibits(case: Case, reached: Sequence[str]) -> list[Exhibit]:
    """Exhibits revealed on the path so far, in reveal order (start first, then by step)."""
    rank = {step_id: i for i, step_id in enumerate(reached)}
    shown = [e for e in case.exhibits if e.from_step is None or e.from_step in rank]
    return sorted(shown, key=lambda e: -1 if e.from_step is None else rank[e.from_step])


def patient_banner(case: Case, clock: str | None) -> None:
    """Name, age, sex, setting and alerts; the case clock when the case has one."""
    p = case.patient
    who = ", ".join(x for x in (f"{p.age}", p.sex) if x)
    # Two short lines, no heading (the case title above is the h2; a heading here would skip
    # a level): the question is what a trainee came for, on a phone the banner stays small.
    lines = [
        f":material/person: **{safe_md(p.name)}** · {safe_md(who)} · "
        f":material/location_on: {safe_md(p.setting)}"
    ]
    if p.alerts:
        lines[0] += " " + " ".join(
            f":red-badge[:material/warning: {directive_text(a)}]" for a in p.alerts
        )
    if p.background:
        lines.append(safe_md(p.background))
    with st.container(border=True):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown("\n\n".join(lines))  # one element: the banner is drawn on every rerun
        if clock:
            time, _, days = clock.partition(" (")
            right.metric("Clock", time)
            if days:
                right.caption(days.rstrip(")").capitalize())


@dataclass
class _Block:
    """One entry in a tab: a text exhibit, or a table stacked from several exhibits."""

    first: Exhibit
    new: bool
    rows: list[list[object]] | None = None
    new_rows: list[bool] | None = None


def _blocks(exhibits: list[Exhibit], new_step: str | None) -> list[_Block]:
    blocks: list[_Block] = []
    tables: dict[tuple[str, ...], _Block] = {}
    for e in exhibits:
        is_new = new_step is not None and e.from_step == new_step
        if e.table is None:
            blocks.append(_Block(e, is_new))
            continue
        cols = tuple(e.table.columns)
        block = tables.get(cols)
        if block is None:
            block = tables[cols] = _Block(e, is_new, [], [])
            blocks.append(block)
        block.new = block.new or is_new
        block.rows += [list(r) for r in e.table.rows]
        block.new_rows += [is_new] * len(e.table.rows)
        if e.text:
            blocks.append(_Block(e.model_copy(update={"table": None}), is_new))
    return blocks


def table_markdown(block: _Block) -> str:
    """A stacked table as a Markdown table (st.table costs ~3 ms a rerun; this, ~0.1 ms)."""
    cols = [table_cell(c) for c in block.first.table.columns]
    marks = any(block.new_rows)
    head = ([""] if marks else []) + cols
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row, new in zip(block.rows, block.new_rows, strict=True):
        cells = ([("**New**" if new else " ")] if marks else []) + [table_cell(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def vitals_long(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Numeric measures of a vital-signs table as (time, order, measure, value) rows."""
    import pandas as pd

    out = []
    for order, row in enumerate(rows):
        when = str(row[0])
        for name, value in zip(columns[1:], row[1:], strict=False):
            text = "" if value is None else str(value)
            bp = _PRESSURE.match(text)
            if bp:
                out += [
                    (when, order, f"{name} systolic", float(bp.group(1))),
                    (when, order, f"{name} diastolic", float(bp.group(2))),
                ]
            elif isinstance(value, int | float) and not isinstance(value, bool):
                out.append((when, order, name, float(value)))
            elif _NUMBER.match(text):
                out.append((when, order, name, float(_NUMBER.match(text).group(1))))
    return pd.DataFrame(out, columns=["time", "order", "measure", "value"])


def _trend_chart(data: pd.DataFrame) -> alt.FacetChart:
    import altair as alt

    base = alt.Chart(data).mark_line(point=True)
    return (
        base.encode(
            x=alt.X("time:N", sort=alt.SortField("order"), title=None),
            y=alt.Y("value:Q", scale=alt.Scale(zero=False), title=None),
            tooltip=["time", "measure", "value"],
        )
        # Two small charts a row fit the record column from a phone (~350 px) upwards.
        .properties(width=120, height=80)
        .facet(facet=alt.Facet("measure:N", title=None, sort=None), columns=2)
        .resolve_scale(y="independent")
    )


@functools.lru_cache(maxsize=256)
def trend_spec(columns: tuple[str, ...], rows: tuple[tuple[object, ...], ...]) -> dict | None:
    """Vega-Lite spec of the trend chart with its data already in Arrow.

    Cached (case content, not per-user): altair validation costs ~20 ms and Arrow conversion
    a few more on every rerun otherwise.
    """
    import pandas as pd
    from streamlit import dataframe_util

    data = vitals_long(columns, rows)
    if data.empty:
        return None
    spec = _trend_chart(data).to_dict()
    spec["datasets"] = {
        name: dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(values))
        for name, values in spec.get("datasets", {}).items()
    }
    return spec


TREND_TABS = (Tab.vital_signs, Tab.labs)  # numbers over time: a chart under the table


def _render_block(block: _Block, tab: Tab, charts: tuple[Tab, ...] = (Tab.vital_signs,)) -> None:
    e = block.first
    head = f"**{safe_md(e.title)}**" + (f" · {safe_md(e.time)}" if e.time else "")
    if block.new:
        head += " :orange-badge[:material/fiber_new: New]"
    with st.container(border=True):
        if block.rows is not None:
            st.markdown(head + "\n\n" + table_markdown(block))
            if tab in charts and len(block.rows) > 1:
                spec = trend_spec(tuple(e.table.columns), tuple(map(tuple, block.rows)))
                if spec is not None:
                    st.caption("Trends")
                    # Streamlit moves the datasets out of the spec: hand it a copy.
                    st.vega_lite_chart(
                        {**spec, "datasets": dict(spec["datasets"])}, width="content"
                    )
        else:
            st.markdown(head + ("\n\n" + safe_md(e.text) if e.text else ""))


def client_record(case: Case, reached: Sequence[str], new_step: str | None) -> None:
    """The chart as tabs; only exhibits reached on the path, new ones marked and opened first."""
    shown = visible_exhibits(case, reached)
    if not shown:
        return
    by_tab = {tab: [e for e in shown if e.tab == tab] for tab in Tab}
    by_tab = {tab: es for tab, es in by_tab.items() if es}
    fresh = {tab for tab, es in by_tab.items() if any(e.from_step == new_step for e in es)}
    new_mark = " · New"  # words, not an icon: a screen reader reads an icon's ligature name
    labels = {tab: tab.label + (new_mark if new_step and tab in fresh else "") for tab in by_tab}
    # Open on what is new; at the start, on the nurses' notes, where the story usually is.
    first_new = next((labels[t] for t in by_tab if new_step and t in fresh), None)
    if first_new is None and Tab.nurses_notes in labels:
        first_new = labels[Tab.nurses_notes]
    # A key per step: the tabs open on the first tab with new entries when a step is reached.
    # on_change="rerun" makes them lazy: only the open tab's entries are built each run.
    tabs = st.tabs(
        list(labels.values()), default=first_new, key=f"record.{new_step}", on_change="rerun"
    )
    for (tab, exhibits), container in zip(by_tab.items(), tabs, strict=True):
        if container.open is False:
            continue
        with container:
            blocks = _blocks(exhibits, new_step)
            if tab in (Tab.nurses_notes, Tab.orders):  # newest first, as a chart reads
                blocks = [*reversed([b for b in blocks if b.rows is None])] + [
                    b for b in blocks if b.rows is not None
                ]
            for block in blocks:
                _render_block(block, tab)


def item_exhibits(step: Any) -> None:
    """An item's own exhibits (a trend item's data over time), shown with its prompt.

    Each table of vital signs or labs with two or more rows also gets its trend chart, so a
    trend item reads the same in a case and in a quiz, with no client record around it.
    """
    for e in step.exhibits:
        for block in _blocks([e], None):
            with st.container():
                st.caption(f":material/{_TAB_ICONS.get(e.tab, 'description')}: {e.tab.label}")
                _render_block(block, e.tab, TREND_TABS)


_TAB_ICONS = {Tab.vital_signs: "monitor_heart", Tab.labs: "biotech", Tab.orders: "assignment"}
