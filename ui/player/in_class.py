"""A class session as the student meets it: the session's activities, and how a session
changes the case and quiz players.

The rules (README, "Class sessions and exams"): an exam shows no feedback and no score until
its results are released *and* the student's own attempt is done (finished, time up, or
ended by the educator), so a student who starts after the release, or is still answering
when it comes, never sees the key before finishing. An exam's time limit is shown and
enforced; when the educator presses "End now", every student's page says so within
``WATCH_SECONDS`` (and any answer sent after it is refused, with a message, by the server).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts, sessions
from classroom.attempts import AnswerRefused, AttemptInfo
from classroom.sessions import SessionInfo
from scoring.engine.quiz import QUIZ_ID, items_from_keys, quiz_version
from scoring.library.loader import CaseLibrary
from ui.components import session
from ui.components.safe_text import plain_md

WATCH_SECONDS = 10  # how often an open class attempt's page checks for "End now"


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
    if not info.answering:
        text = "**This session has ended.** No more answers are accepted; yours are saved."
    elif info.mode == "exam" and info.results_released:
        text = (
            "**Exam.** Results are released: you see your score and feedback on each activity "
            "once you have finished it."
        )
    elif info.mode == "exam":
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
        version, first, cap = (
            quiz_version(lib.versions(), items),
            items[0].key,
            None,  # a quiz is never capped (scoring.engine.grades)
        )
    else:
        loaded = lib.get(case_id)
        version, first, cap = loaded.version, loaded.case.steps[0].id, loaded.case.must_avoid_cap
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
            must_avoid_cap=cap,
        )
    except ValueError as exc:  # closed meanwhile, or the educator removed this student
        if "has ended" in str(exc):
            st.error(
                "Your educator has ended this class session, so no activity can be started.",
                icon=":material/stop_circle:",
            )
        elif info.is_open:
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
    released: bool  # an exam's results are released
    ended: bool  # the educator pressed "End now": no answers are accepted
    seconds_left: float | None  # an exam's time limit; None without one

    @property
    def time_up(self) -> bool:
        """True once an exam's time limit has passed."""
        return self.seconds_left is not None and self.seconds_left <= 0

    @property
    def closed(self) -> bool:
        """No more answers: the educator ended the session, or an exam's time is up."""
        return self.ended or self.time_up

    def withholds(self, done: bool) -> bool:
        """Whether feedback and scores stay hidden: an exam, until its results are released
        and this attempt is ``done`` (finished, or closed to answers)."""
        return self.mode == "exam" and not (self.released and (done or self.closed))


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
        released=found.results_released,
        ended=not found.answering,
        seconds_left=left,
    )


def sessions_of(engine: Engine, codes: set[str]) -> dict[str, SessionInfo]:
    """The class sessions with these codes (gone ones left out), read once each."""
    found = (session.guarded(sessions.get_session, engine, code) for code in sorted(codes))
    return {s.code: s for s in found if s is not None}


def unreleased_exams(engine: Engine, codes: set[str]) -> set[str]:
    """Which of these session codes are exams whose results are not released yet."""
    found = sessions_of(engine, codes).values()
    return {s.code for s in found if s.mode == "exam" and not s.results_released}


def class_header(engine: Engine, info: AttemptInfo, rules: ClassRules | None) -> None:
    """A line naming the class session; while answering, a watch for "End now" (and in a
    timed exam a clock), both updating themselves."""
    if rules is None:
        return
    kind = "Exam" if rules.mode == "exam" else "Practice"
    st.caption(f":material/groups: Class session · {plain_md(rules.title)} · {kind}")
    if info.status == "open" and not rules.closed:
        _watch(engine, info, rules.seconds_left is not None)


# Warn this long before a timed exam ends. The watch ticks every WATCH_SECONDS, so the warning
# shows at least WARN_SECONDS - WATCH_SECONDS before the end: well over the 20 s of WCAG 2.2.1.
# Exam rules allow no extension (the time limit is essential to the exam), so the warning is
# what the trainee gets: time to submit the answer being worked on.
WARN_SECONDS = 120


@st.fragment(run_every=WATCH_SECONDS)
def _watch(engine: Engine, info: AttemptInfo, timed: bool) -> None:
    """Rerun the page the moment answering ends (End now, time up); show the time left."""
    found = session.guarded(sessions.get_session, engine, info.session_code)
    if found is None or not found.answering:
        st.rerun(scope="app")  # replace the question with the ended message
    if not timed:
        return
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


REFUSED = {
    "ended": (
        "Your educator has ended this class session: this answer was not saved. "
        "The answers you submitted before are saved."
    ),
    "time_up": "Time is up: this exam no longer accepts answers. Your earlier answers are saved.",
    "finished": "This answer could not be saved: the attempt is already finished.",
}


def refusal(exc: ValueError) -> str:
    """A student-facing message for an answer the server refused."""
    return REFUSED[exc.reason if isinstance(exc, AnswerRefused) else "finished"]


def back_to_session(rules: ClassRules, key: str = "back-to-session") -> None:
    """A button back to the class session's list of activities."""
    if st.button("Back to the class session", key=key, icon=":material/groups:"):
        st.switch_page(session.JOIN_PAGE, query_params=session.params(code=rules.code))


def answer_saved(
    rules: ClassRules, finished: bool, on_next: Callable[[str | None], None] = session.set_view
) -> None:
    """What an exam shows after a submitted answer instead of its feedback.

    ``on_next(None)`` is the Next button's callback: it moves to where the trainee is. Finish
    reruns the whole page, so the end shows under the session's rules as they are now (its
    results may have been released while the student answered).
    """
    st.success("Answer saved.", icon=":material/check_circle:")
    if rules.released:
        st.caption("Results are released: you see your feedback once you have finished.")
    else:
        st.caption("Feedback is hidden in this exam until your educator releases results.")
    if finished:
        st.button("Finish", type="primary", icon=":material/flag:", on_click=_to_the_end)
    else:
        label, icon = "Next", ":material/arrow_forward:"
        st.button(label, type="primary", icon=icon, on_click=on_next, args=(None,))


def _to_the_end() -> None:
    session.set_view(None)
    st.rerun(scope="app")


def results_pending(rules: ClassRules) -> None:
    """The end of an exam activity before its results are shown."""
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


REFUSED_KEY = "refused"  # st.session_state: the answer the server just refused, if any


def ended_early(rules: ClassRules) -> None:
    """Why the activity stopped before its end: the educator ended it, or time ran out; and
    whether the answer the student had just sent was refused for it."""
    late = st.session_state.pop(REFUSED_KEY, None)
    after = (
        " The answer you had just submitted arrived after that, so it was not saved."
        if late
        else " A step you had not submitted yet stays unanswered."
    )
    if rules.ended:
        st.error(
            "Your educator has ended this class session. No more answers are accepted; the "
            "answers you submitted before are saved." + after,
            icon=":material/stop_circle:",
        )
    elif rules.time_up:
        st.error(
            "Time is up. This exam no longer accepts answers; the answers you submitted before "
            "are saved." + after,
            icon=":material/timer_off:",
        )
