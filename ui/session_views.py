"""Class sessions on screen: the educator's set-up form, join panel and controls; the student's
list of session activities; and the hooks the players call for session attempts (exam mode
withholds feedback until results are released; an exam's time limit is shown and enforced).
"""

from __future__ import annotations

import html
import io
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import segno
import streamlit as st
from sqlalchemy import Engine

from classroom import attempts, sessions
from classroom.attempts import AttemptInfo
from classroom.sessions import SessionInfo
from scoring.loader import CaseLibrary
from scoring.quiz import draw_quiz, items_from_keys, quiz_bank
from ui import educator_gate, session
from ui.safe_text import plain_md

SESSIONS_PAGE = "ui/pages/sessions.py"
DASHBOARD_PAGE = "ui/pages/dashboard.py"
JOIN_PAGE = "ui/pages/join.py"
_EDUCATOR_PATHS = ("sessions", "dashboard")
MODE_LABELS = {
    "practice": "Practice — students see feedback after every answer",
    "exam": "Exam — feedback and scores stay hidden until you release results",
}


# --- Educator side ---------------------------------------------------------------------------


def sign_out_button() -> None:
    """A sidebar button that ends this browser session's educator sign-in."""
    if st.sidebar.button("Sign out of educator pages", icon=":material/logout:"):
        educator_gate.sign_out()
        st.rerun()


def app_base() -> str:
    """The app's address as the educator's browser sees it (scheme, host, base path)."""
    url = st.context.url
    if url:
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        head, _, last = path.rpartition("/")
        if last in _EDUCATOR_PATHS:
            path = head
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    host = st.context.headers.get("Host") if st.context.headers else None
    return f"http://{host}" if host else "http://localhost:8501"


def join_url(code: str) -> str:
    """The link students open to join the session with ``code``."""
    return f"{app_base()}/join?code={code}"


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as PNG bytes, large enough for a projector."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def status_badges(info: SessionInfo) -> None:
    """Open/closed, practice/exam, time limit and release state as worded badges."""
    with st.container(horizontal=True):
        if info.is_open:
            st.badge("Open for joining", icon=":material/lock_open:", color="green")
        else:
            st.badge("Closed", icon=":material/lock:", color="gray")
        if info.mode == "exam":
            st.badge("Exam", icon=":material/assignment:", color="violet")
            if info.results_released:
                st.badge("Results released", icon=":material/visibility:", color="blue")
            else:
                st.badge("Results hidden", icon=":material/visibility_off:", color="orange")
        else:
            st.badge("Practice", icon=":material/school:", color="blue")
        if info.time_limit_minutes:
            st.badge(f"{info.time_limit_minutes} min per activity", icon=":material/timer:")


def activity_titles(lib: CaseLibrary, info: SessionInfo) -> list[str]:
    """What the students will do: the cases' titles, then the quiz."""
    titles = [lib.get(c).case.title if lib.get(c) else f"{c} (missing)" for c in info.case_ids]
    if info.quiz_spec:
        titles.append(f"Quick quiz ({questions(info)})")
    return titles


def questions(info: SessionInfo) -> str:
    """'1 question', '5 questions': the size of the session's quiz."""
    n = len((info.quiz_spec or {}).get("items", []))
    return f"{n} question" + ("" if n == 1 else "s")


def quiz_spec(lib: CaseLibrary, n: int) -> dict[str, Any] | None:
    """A quiz drawn once for the whole class (same questions and order for everyone)."""
    seed = secrets.randbelow(2**31)
    items = draw_quiz(quiz_bank(c.case for c in lib.cases.values()), n, seed)
    if not items:
        return None
    return {"seed": seed, "items": [i.key for i in items], "filters": {"n": n}}


def create_form(engine: Engine, lib: CaseLibrary) -> SessionInfo | None:
    """The new-session form; the created session once it is submitted without problems."""
    cases = sorted(lib.cases.values(), key=lambda c: c.case.title.lower())
    with st.form("new-session", border=True):
        st.markdown("#### :material/add_circle: New class session")
        title = st.text_input("Title", placeholder="e.g. NUR 301 · week 5 · oncologic emergencies")
        case_ids = st.multiselect(
            "Cases",
            [c.case.id for c in cases],
            format_func=lambda cid: lib.cases[cid].case.title,
            placeholder="Choose one or more cases",
        )
        n_quiz = st.number_input(
            "Quick-quiz questions (0 for none)",
            min_value=0,
            max_value=50,
            value=0,
            help="Stand-alone questions drawn from all cases; every student gets the same ones.",
        )
        mode = st.radio("Mode", list(MODE_LABELS), format_func=MODE_LABELS.__getitem__)
        limit = st.number_input(
            "Time limit in minutes (exam only, optional)",
            min_value=1,
            max_value=600,
            value=None,
            placeholder="No time limit",
            help="Counted for each case or quiz from when the student starts it.",
        )
        open_now = st.checkbox("Open for joining now", value=True)
        submitted = st.form_submit_button("Create session", type="primary", icon=":material/add:")
    if not submitted:
        return None
    problems = []
    if not title.strip():
        problems.append("Give the session a title.")
    if not case_ids and not n_quiz:
        problems.append("Choose at least one case, or a number of quiz questions.")
    if limit is not None and mode != "exam":
        problems.append("A time limit applies to exams only: choose Exam, or clear the limit.")
    spec = quiz_spec(lib, int(n_quiz)) if n_quiz else None
    if n_quiz and spec is None:
        problems.append("No quiz questions are available in the case library.")
    for problem in problems:
        st.error(problem, icon=":material/error:")
    if problems:
        return None
    info = session.guarded(
        sessions.create_session,
        engine,
        title,
        case_ids,
        mode=mode,
        quiz_spec=spec,
        time_limit_minutes=int(limit) if limit is not None else None,
    )
    if not open_now:
        info = session.guarded(sessions.set_open, engine, info.code, False)
    return info


def join_panel(info: SessionInfo) -> None:
    """The join code in large type, the link, and a QR code for the projector."""
    url = join_url(info.code)
    words, picture = st.columns([3, 2], vertical_alignment="center")
    with words:
        st.markdown("Students go to")
        st.code(url, language=None)
        st.markdown("and enter the join code")
        st.markdown(
            '<p style="font-size:5.5rem;font-weight:700;letter-spacing:0.18em;'
            'font-family:monospace;margin:0;line-height:1.1">'
            f"{html.escape(info.code)}</p>",
            unsafe_allow_html=True,
        )
        st.caption("…or scan the QR code, which opens the link with the code filled in.")
        if urlsplit(url).hostname in ("localhost", "127.0.0.1", "::1"):
            st.info(
                "This address points to this computer: it works in other tabs and windows here. "
                "For students' own devices, start Casebook with `--server.address 0.0.0.0` and "
                "open this page through the computer's network name or IP address.",
                icon=":material/lan:",
            )
    with picture:
        st.image(qr_png(url), caption="Scan to join", width=300)


def confirmed(key: str, label: str, warning: str, icon: str) -> bool:
    """A button that asks once more; True on the run where the educator confirms."""
    flag = f"confirm:{key}"
    if not st.session_state.get(flag):
        if st.button(label, key=f"ask:{key}", icon=icon):
            st.session_state[flag] = True
            st.rerun()
        return False
    st.warning(warning, icon=":material/warning:")
    with st.container(horizontal=True):
        yes = st.button(f"Yes, {label[0].lower()}{label[1:]}", key=f"yes:{key}", type="primary")
        no = st.button("Cancel", key=f"no:{key}")
    if yes or no:
        st.session_state.pop(flag, None)
    if no:
        st.rerun()
    return yes


def session_row(lib: CaseLibrary, info: SessionInfo) -> str | None:
    """One session in the list; the page to go to when one of its buttons is clicked."""
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        with st.container():
            st.markdown(f"**{plain_md(info.title)}** · code `{info.code}`")
            st.caption(
                f"Created {info.created_at:%d %b %Y, %H:%M} UTC · "
                + ", ".join(plain_md(t) for t in activity_titles(lib, info))
            )
            status_badges(info)
        if st.button("Join code", key=f"show.{info.code}", icon=":material/qr_code_2:"):
            return SESSIONS_PAGE
        if st.button("Dashboard", key=f"dash.{info.code}", icon=":material/monitoring:"):
            return DASHBOARD_PAGE
    return None


def joined_count(engine: Engine, code: str, live: bool) -> None:
    """How many students have joined; refreshed every few seconds while the session is open."""

    def count() -> None:
        roster = session.guarded(sessions.session_roster, engine, code)
        if not roster:
            st.caption("Nobody has joined yet.")
        else:
            st.markdown(f"**{len(roster)} joined.** Progress and scores are on the live dashboard.")

    st.fragment(count, run_every=5 if live else None)()


def student_admin(engine: Engine, code: str) -> None:
    """Deleting one student's data, after a confirmation."""
    roster = session.guarded(sessions.session_roster, engine, code)
    if not roster:
        return
    names = {
        r["learner_id"]: f"{r['display_name']} (joined {r['joined_at']:%H:%M} UTC)" for r in roster
    }
    with st.expander("Delete a student's data", icon=":material/person_remove:"):
        who = st.selectbox("Student", list(names), format_func=names.__getitem__, index=None)
        if who is not None and confirmed(
            f"drop.{who}",
            "Delete this student's data",
            f"Every answer of {plain_md(names[who])} in this session will be deleted for good.",
            ":material/delete:",
        ):
            session.guarded(sessions.delete_participant, engine, code, who)
            st.toast("The student's data was deleted.")
            st.rerun()


# --- Student side ----------------------------------------------------------------------------


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
    from ui.quiz_player import QUIZ_ID  # here, not at the top: the quiz player imports us

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
    from ui.quiz_player import quiz_version  # here, not at the top: the quiz player imports us

    if kind == "quiz":
        spec = info.quiz_spec or {}
        cases = {cid: c.case for cid, c in lib.cases.items()}
        items, _ = items_from_keys(cases, spec.get("items", []), int(spec.get("seed", 0)))
        if not items:
            st.error("The questions of this quiz are no longer in the library.")
            st.stop()
        version, first = quiz_version(lib, items), items[0].key
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


# --- Player hooks: how a class session changes the case and quiz players ----------------------


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


@st.fragment(run_every=15)
def _clock(engine: Engine, info: AttemptInfo) -> None:
    left = session.guarded(sessions.time_left, engine, info.session_code, info)
    if left is not None and left <= 0:
        st.rerun(scope="app")  # replace the question with the time-is-up message
    minutes = math.ceil((left or 0) / 60)
    text = f"{minutes} minutes left" if (left or 0) >= 60 else "Less than a minute left"
    st.badge(text, icon=":material/timer:", color="orange" if minutes <= 5 else "blue")


def refusal(exc: ValueError) -> str:
    """A student-facing message for an answer the server refused."""
    if "time is up" in str(exc):
        return "Time is up: this exam no longer accepts answers. Your earlier answers are saved."
    return "This answer could not be saved: the attempt is already finished."


def back_to_session(rules: ClassRules, key: str = "back-to-session") -> None:
    """A button back to the class session's list of activities."""
    if st.button("Back to the class session", key=key, icon=":material/groups:"):
        st.switch_page(JOIN_PAGE, query_params=session.params(code=rules.code))


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
