"""Saving a scored answer from the case player or the quick quiz: one path for both.

Each submit is committed at once. A resend (double click, second tab) keeps the stored
answer; a refusal (exam time up, the educator ended the session, attempt finished) or a
database fault becomes a message under the Submit button, and the trainee's selection stays
on screen. An answer is never both refused and stored (``classroom.attempts``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts
from classroom.attempts import AnswerRefused
from classroom.storage.db import StorageError
from ui.player import in_class


def store_answer(
    engine: Engine,
    token: str,
    attempt_id: int,
    item_id: str,
    fields: dict[str, Any],
    widget_key: str,
    run_key: str,
) -> bool | None:
    """Save one answer: True if stored now, False if it was stored before, None if refused."""
    ss = st.session_state
    try:
        _, created = attempts.record_answer(engine, token, attempt_id, item_id, **fields)
    except StorageError as exc:
        ss[f"error:{widget_key}"] = exc.message
        return None
    except ValueError as exc:  # refused: time is up, the session ended, the attempt finished
        ss[f"error:{widget_key}"] = in_class.refusal(exc)
        if isinstance(exc, AnswerRefused) and exc.reason in ("ended", "time_up"):
            ss[in_class.REFUSED_KEY] = True  # the page that replaces the step says so too
        return None
    ss.pop(f"error:{widget_key}", None)
    if not created:  # answered already (another tab, a resend): the stored answer stands
        ss.pop(run_key, None)
        ss["notice"] = "This had already been answered; your saved answer is shown."
    return created


def finish(engine: Engine, token: str, attempt_id: int, result: Any) -> None:
    """Finish the attempt: the server scores its stored answers as ``result`` (a CaseResult)
    does, with the cap of the case played (``result.must_avoid_cap``) for old attempts."""
    attempts.finish_attempt(engine, token, attempt_id, must_avoid_cap=result.must_avoid_cap)


def finish_after_last_answer(engine: Engine, token: str, attempt_id: int, result: Any) -> None:
    """Finish right after the last answer; on a fault, the next visit finishes it instead."""
    try:
        finish(engine, token, attempt_id, result)
    except StorageError as exc:  # the answers are stored; the total follows later
        st.session_state["notice"] = f"{exc.message} Your answers are saved."
