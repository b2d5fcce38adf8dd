"""A class session as the student meets it: the session's activities, and how a session
changes the case and quiz players (an exam withholds feedback until results are released;
its time limit is shown and enforced)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts, sessions
from classroom.attempts import AttemptInfo
from classroom.sessions import SessionInfo
from scoring.loader import CaseLibrary
from scoring.quiz import QUIZ_ID, items_from_keys, quiz_version
from ui.components import session
from ui.components.safe_text import plain_md


def questions(info: SessionInfo) -> str:
    """'1 question', '5 questions': the size of the session's quiz."""
    n = len((info.quiz_spec or {}).get("items", []))
    return f"{n} question" + ("" if n == 1 else "s")


def my_session_attempts(engine: Engine, token: str, code: str) -> list[AttemptInfo]:
    """The learner's own attempts in the session (never anyone else's)."""
    mine = session.guarded(attempts.list_attempts, engine, token)
    return [a for a in mine if a.session_code == code]


def mode_note(info: SessionInfo) -> None:
    """What the mode and time limit mean for the student, in plain words."""
    if info.mode == "exam":
        text = "**Exam.** Your answers are saved as you go; your educator will release results."
    else:
        text = "**Practice.** You see feedback after every answer."
    if info.time_limit_minutes:
        text += (
            f" You have **{info.time_limit_minutes} minutes** for each activity, counted from "
            "when you start it."
        )
    st.info(text, icon=":material/info:")


def activity_list(engine: Engine, lib: CaseLibrary, token: str, info: SessionInfo) -> None:
    """The session's cases and quiz with Start / Continue / Results buttons."""
    mine = {(a.kind, a.case_id): a for a in my_session_attempts(engine, token, info.code)}
    entries = [("case", c) for c in info.case_ids]
    if info.quiz_spec:
        entries.append(("quiz", QUIZ_ID))
    for kind, case_id in entries:
        loaded = lib.get(case_id) if kind == "case" else None
        if kind == "case" and loaded is None:
            st.warning(f"The case “{plain_md(case_id)}” is no longer in the library.")
            continue
        title = loaded.case.title if loaded else f"Quick quiz · {questions(info)}"
        mine_now = mine.get((kind, case_id))
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{plain_md(title)}**")
            label, icon, badge = _activity_state(engine, info, mine_now)
            if badge:
                st.badge(badge[0], color=badge[1])
            if st.button(label, key=f"go.{kind}.{case_id}", type="primary", icon=icon):
                target = mine_now or start_activity(engine, lib, token, info, kind, case_id)
                page = session.QUIZ_PAGE if kind == "quiz" else session.PLAYER_PAGE
                st.switch_page(page, query_params=session.params(a=target.id))


def _activity_state(
    engine: Engine, info: SessionInfo, attempt: AttemptInfo | None
) -> tuple[str, str, tuple[str, str] | None]:
    """Button label, icon and badge (text, colour) of one activity for this student."""
    if attempt is None:
        return "Start", ":material/play_arrow:", None
    if attempt.status == "finished":
        done = "Submitted" if info.mode == "exam" and not info.results_released else "Done"
        return "Open", ":material/flag:", (done, "green")
    if info.mode == "exam" and info.time_limit_minutes:
        left = session.guarded(sessions.time_left, engine, info.code, attempt)
        if left is not None and left <= 0:
            return "Open", ":material/timer_off:", ("Time is up", "red")
    return "Continue", ":material/resume:", ("In progress", "orange")


def start_activity(
    engine: Engine, lib: CaseLibrary, token: str, info: SessionInfo, kind: str, case_id: str
) -> AttemptInfo:
    """Start (or find) the learner's one attempt at a session case or quiz."""
    if kind == "quiz":
        spec = info.quiz_spec or {}
        sources = {s.id: s for s in lib.sources()}
        items, _ = items_from_keys(sources, spec.get("items", []), int(spec.get("seed", 0)))
        if not items:
            st.error("The questions of this quiz are no longer in the library.")
            st.stop()
        version, first = (
            quiz_version(lib.versions(), items),
            items[0].key,
        )
    else:
        loaded = lib.get(case_id)
        version, first = loaded.version, loaded.case.steps[0].id
    try:
        return session.guarded(
            attempts.start_attempt,
            engine,
            token,
            case_id,
            version,
            kind=kind,
            session_code=info.code,
            first_step=first,
        )
    except ValueError:  # closed meanwhile, or the educator removed this student
        if info.is_open:
            st.session_state.get("joined", {}).pop(info.code, None)
            st.error("You are no longer in this session. Join again with the code.")
        else:
            st.error(
                "This class session is closed, so new activities cannot be started. "
                "Ask your educator to reopen it.",
                icon=":material/lock:",
            )
        st.stop()
        raise


@dataclass(frozen=True)
class ClassRules:
    """How the class session of an attempt changes the player."""

    code: str
    title: str
    mode: str
    withhold: bool  # an exam whose results are not released: no feedback or scores
    seconds_left: float | None  # an exam's time limit; None without one

    @property
    def time_up(self) -> bool:
        """True once an exam's time limit has passed."""
        return self.seconds_left is not None and self.seconds_left <= 0


def class_rules(engine: Engine, info: AttemptInfo) -> ClassRules | None:
    """The rules of the attempt's class session, or None outside a session."""
    if info.session_code is None:
        return None
    found = session.guarded(sessions.get_session, engine, info.session_code)
    if found is None:
        return None
    exam = found.mode == "exam"
    left = session.guarded(sessions.time_left, engine, found.code, info) if exam else None
    return ClassRules(
        code=found.code,
        title=found.title,
        mode=found.mode,
        withhold=exam and not found.results_released,
        seconds_left=left,
    )


def unreleased_exams(engine: Engine, codes: set[str]) -> set[str]:
    """Which of these session codes are exams whose results are not released yet."""
    found = [session.guarded(sessions.get_session, engine, code) for code in sorted(codes)]
    return {s.code for s in found if s is not None and s.mode == "exam" and not s.results_released}


def class_header(engine: Engine, info: AttemptInfo, rules: ClassRules | None) -> None:
    """A line naming the class session; in a timed exam, a clock that updates itself."""
    if rules is None:
        return
    kind = "Exam" if rules.mode == "exam" else "Practice"
    st.caption(f":material/groups: Class session · {plain_md(rules.title)} · {kind}")
    if rules.seconds_left is not None and not rules.time_up and info.status == "open":
        _clock(engine, info)


CLOCK_SECONDS = 15
# Warn this long before a timed exam ends. The clock ticks every CLOCK_SECONDS, so the warning
# shows at least WARN_SECONDS - CLOCK_SECONDS (105 s) before the end: well over the 20 s of
# WCAG 2.2.1. Exam rules allow no extension (the time limit is essential to the exam), so
# the warning is what the trainee gets: time to submit the answer being worked on.
WARN_SECONDS = 120


@st.fragment(run_every=CLOCK_SECONDS)
def _clock(engine: Engine, info: AttemptInfo) -> None:
    left = session.guarded(sessions.time_left, engine, info.session_code, info)
    if left is not None and left <= 0:
        st.rerun(scope="app")  # replace the question with the time-is-up message
    minutes = math.ceil((left or 0) / 60)
    text = f"{minutes} minutes left" if (left or 0) >= 60 else "Less than a minute left"
    st.badge(text, icon=":material/timer:", color="orange" if minutes <= 5 else "blue")
    if left is not None and left <= WARN_SECONDS:
        warning = (
            f"**About {minutes} minute{'s' if minutes != 1 else ''} left in this exam.** "
            "Submit the answer you are working on: answers count once submitted."
        )
        st.warning(warning, icon=":material/timer:")  # an alert: screen readers announce it
        warned = f"warned:{info.id}"
        if not st.session_state.get(warned):
            st.session_state[warned] = True
            st.toast(warning, icon=":material/timer:")


def refusal(exc: ValueError) -> str:
    """A student-facing message for an answer the server refused."""
    if "time is up" in str(exc):
        return "Time is up: this exam no longer accepts answers. Your earlier answers are saved."
    return "This answer could not be saved: the attempt is already finished."


def back_to_session(rules: ClassRules, key: str = "back-to-session") -> None:
    """A button back to the class session's list of activities."""
    if st.button("Back to the class session", key=key, icon=":material/groups:"):
        st.switch_page(session.JOIN_PAGE, query_params=session.params(code=rules.code))


def answer_saved(
    rules: ClassRules, finished: bool, on_next: Callable[[str | None], None] = session.set_view
) -> None:
    """What an exam shows after a submitted answer instead of its feedback.

    ``on_next(None)`` is the Next/Finish button's callback: it moves to where the trainee is.
    """
    st.success("Answer saved.", icon=":material/check_circle:")
    st.caption("Feedback is hidden in this exam until your educator releases results.")
    label = "Finish" if finished else "Next"
    icon = ":material/flag:" if finished else ":material/arrow_forward:"
    st.button(label, type="primary", icon=icon, on_click=on_next, args=(None,))


def results_pending(rules: ClassRules) -> None:
    """The end of an exam activity before results are released."""
    st.success("All your answers are saved.", icon=":material/check_circle:")
    st.info(
        "Your educator will release results. Come back to this page then to see your score "
        "and the feedback on every answer.",
        icon=":material/hourglass_top:",
    )
    with st.container(horizontal=True):
        if st.button("Check again", icon=":material/refresh:"):
            st.rerun()
        back_to_session(rules)


def time_is_up(rules: ClassRules) -> None:
    """The message that replaces a question once an exam's time limit has passed."""
    st.error(
        "Time is up. This exam no longer accepts answers; the answers you submitted are saved.",
        icon=":material/timer_off:",
    )
    if rules.withhold:
        st.caption("Your educator will release results.")
    back_to_session(rules, key="back-after-time")
