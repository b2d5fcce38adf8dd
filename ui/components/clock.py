"""Times as the person reading them lives them: in the browser's time zone.

Everything is stored in UTC (``classroom.storage.schema``) and exports stay in UTC; pages show local
time from ``st.context.timezone`` (the browser's IANA zone), with the zone's name, and fall
back to UTC, said so, when the browser did not tell.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def browser_zone() -> tzinfo:
    """The browser's time zone, or UTC when it is unknown or not a zone Python knows."""
    name = st.context.timezone
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


DATE_TIME = "%d %b %Y, %H:%M"


def local_time(moment: datetime, fmt: str | None = None) -> str:
    """``moment`` (timezone-aware) in the browser's zone, e.g. '27 Nov 2026, 10:02 CET'."""
    local = moment.astimezone(browser_zone())
    return f"{local.strftime(fmt or DATE_TIME)} {local.tzname() or 'UTC'}"
