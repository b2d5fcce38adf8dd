"""My results, one attempt at a time: its status in words that match the outcome.

A finished attempt shows the reported score (``scoring.engine.grades``, the number the debrief, the
dashboard and the gradebook show) with words and a colour from its outcome, never a green
check for 29%; the cap, when it applied, with the percent before it; and times in the
browser's time zone. An exam's score stays hidden until its results are released.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classroom.attempts import AttemptInfo, time_is_up
from classroom.sessions import SessionInfo
from scoring.engine.grades import format_percent
from ui.components.clock import local_time

# Outcome tone (scoring.engine.grades.outcome_of) → badge colour and icon; words always come too.
TONES = {
    "full": ("green", ":material/check_circle:"),
    "good": ("blue", ":material/thumb_up:"),
    "fair": ("orange", ":material/incomplete_circle:"),
    "weak": ("red", ":material/error:"),
    "unsafe": ("red", ":material/gpp_maybe:"),
}


@dataclass(frozen=True)
class Status:
    """How one attempt reads in My results: a badge, a line under it, and its button."""

    badge: str
    icon: str
    color: str
    detail: str
    action: str
    action_icon: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def attempt_status(a: AttemptInfo, found: SessionInfo | None, now: datetime) -> Status:
    """The status of attempt ``a`` (``found``: its class session, if any) at ``now``."""
    exam = found is not None and found.mode == "exam"
    if a.status == "finished" and exam and not found.results_released:
        return Status(
            "Submitted · results not released yet",
            ":material/lock:",
            "gray",
            "Your educator will release the results.",
            "Open",
            ":material/flag:",
        )
    score = a.score
    if score is not None:
        color, icon = TONES[score.outcome.tone]
        notes = [f"{score.points} of {_plural(score.max_points, 'point')}"]
        if score.capped:
            notes.append(f"{format_percent(score.raw_percent)} before the must-avoid cap")
        elif score.must_avoid:
            notes.append(_plural(score.must_avoid, "unsafe choice"))
        if a.ended_early:
            notes.append("ended by your educator before the last step")
        return Status(
            f"{score.text} · {score.outcome.words}",
            icon,
            color,
            " · ".join(notes),
            "Open debrief",
            ":material/flag:",
        )
    closed = found is not None and not found.answering
    limit = found.time_limit_minutes if exam else None
    if closed or time_is_up(a.started_at, limit, now):
        why = "Ended by your educator" if closed else "Time is up"
        return Status(
            f"{why} · not finished",
            ":material/timer_off:",
            "red",
            "No more answers are accepted; the ones you gave are saved.",
            "Open",
            ":material/flag:",
        )
    return Status("In progress", ":material/pending:", "orange", "", "Resume", ":material/resume:")


def when_line(a: AttemptInfo) -> str:
    """'Started 27 Nov 2026, 10:02 CET · finished 10:20 CET · class K7QX3M', local time."""
    line = f"Started {local_time(a.started_at)}"
    if a.finished_at is not None:
        same_day = local_time(a.finished_at, "%d %b %Y") == local_time(a.started_at, "%d %b %Y")
        line += f" · finished {local_time(a.finished_at, '%H:%M' if same_day else None)}"
    if a.session_code:
        line += f" · class {a.session_code}"
    return line
