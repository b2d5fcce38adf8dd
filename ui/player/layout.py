"""The player's two panes (client record and item) and the scoped CSS that lays them out.

Decided here: the item column comes first in the page and the record second, with a
"Client record" link at the top of the item on a phone; from 640 px the record is drawn to
the left of the item (CSS ``order``), as the NCLEX shows a case. The CSS (``layout.css``) is
scoped to keyed containers; it also keeps tables and charts scrolling inside the record
column and lets the record tabs wrap onto a second row rather than hide behind an arrow.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

CSS = (Path(__file__).with_name("layout.css")).read_text(encoding="utf-8")
RECORD_ANCHOR = "client-record"


def styles() -> None:
    """Add the player's scoped CSS to the page (no element is drawn)."""
    st.html(f"<style>{CSS}</style>")


def panes(widths: tuple[int, int] = (3, 2)) -> tuple[DeltaGenerator, DeltaGenerator]:
    """(record, item): the item pane first in the page, the record pane beside it."""
    styles()
    item, record = st.columns(list(widths), gap="large")
    return record.container(key="cb-record"), item.container(key="cb-item")


def record_heading() -> None:
    """The record pane's heading, the target of the item pane's link on a phone."""
    st.subheader(":material/folder_open: Client record", anchor=RECORD_ANCHOR)


def record_link() -> None:
    """On a phone (hidden from 640 px): a link from the question down to the client record."""
    with st.container(key="cb-jump"):
        st.markdown(f"[:material/folder_open: Client record ↓](#{RECORD_ANCHOR})")
