"""Class sessions for the educator: the set-up form, the join panel and the session controls."""

from __future__ import annotations

import html
import io
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import segno
import streamlit as st
from sqlalchemy import Engine

from classroom import closing, sessions
from classroom.courses.roster import stable_ids
from classroom.sessions import SessionInfo
from scoring.engine.quiz import draw_quiz, quiz_bank
from scoring.format.text import control_character
from scoring.library.loader import CaseLibrary
from ui.components import session
from ui.components.clock import local_time
from ui.components.safe_text import plain_md
from ui.educator import gate
from ui.player.in_class import questions

_EDUCATOR_PATHS = ("sessions", "dashboard")


MODE_LABELS = {
    "practice": "Practice — students see feedback after every answer",
    "exam": "Exam — feedback and scores stay hidden until you release results",
}


def sign_out_button() -> None:
    """A sidebar button that ends this browser session's educator sign-in."""
    if st.sidebar.button("Sign out of educator pages", icon=":material/logout:"):
        gate.sign_out()


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
            st.badge("No new joiners", icon=":material/lock:", color="gray")
        if not info.answering:
            st.badge("Answering ended", icon=":material/stop_circle:", color="red")
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


def quiz_spec(lib: CaseLibrary, n: int) -> dict[str, Any] | None:
    """A quiz drawn once for the whole class (same questions and order for everyone)."""
    seed = secrets.randbelow(2**31)
    items = draw_quiz(quiz_bank(lib.sources()), n, seed)
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
    elif control_character(title):
        problems.append("The title contains an invisible control character: retype it.")
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
        alt = "QR code of the join link, with the join code filled in"
        st.image(qr_png(url), caption="Scan to join", width=300, alt=alt)


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
                f"Created {local_time(info.created_at)} · "
                + ", ".join(plain_md(t) for t in activity_titles(lib, info))
            )
            status_badges(info)
        if st.button("Join code", key=f"show.{info.code}", icon=":material/qr_code_2:"):
            return session.SESSIONS_PAGE
        if st.button("Dashboard", key=f"dash.{info.code}", icon=":material/monitoring:"):
            return session.DASHBOARD_PAGE
    return None


def joined_count(engine: Engine, code: str, live: bool) -> None:
    """How many students have joined; refreshed every few seconds while the session is open."""

    def count() -> None:
        gate.still_educator()
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
    ids = session.guarded(stable_ids, engine, [r["learner_id"] for r in roster])
    names = {
        r["learner_id"]: f"{r['display_name']} · {ids[r['learner_id']]}"
        f" (joined {local_time(r['joined_at'], '%H:%M')})"
        for r in roster
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


END_NOW_WARNING = (
    "Every student's answering stops at once: an answer sent after this is refused, and the "
    "student is told; an answer already on its way is saved. Every attempt still open is "
    "finished with what it has (work not done counts 0). The session also closes to new "
    "joiners. This cannot be undone."
)


def closing_controls(engine: Engine, lib: CaseLibrary, info: SessionInfo) -> None:
    """Stop new joiners, reopen, End now (stop answering) and Release results, each said plainly.

    The rules are in ``classroom.sessions``; every change reruns the page to show the new state.
    """
    with st.container(horizontal=True):
        if st.button("Open live dashboard", type="primary", icon=":material/monitoring:"):
            st.switch_page(session.DASHBOARD_PAGE, query_params={"code": info.code})
        if info.is_open and st.button(
            "Stop new joiners",
            icon=":material/lock:",
            help="No new joiners or new attempts; students who started can finish.",
        ):
            session.guarded(sessions.set_open, engine, info.code, False)
            st.rerun()
        if (
            not info.is_open
            and info.answering
            and st.button("Reopen joining", icon=":material/lock_open:")
        ):
            session.guarded(sessions.set_open, engine, info.code, True)
            st.rerun()
    if info.answering and confirmed(
        "end-now", "End now: stop all answering", END_NOW_WARNING, ":material/stop_circle:"
    ):
        _, finished = session.guarded(closing.end_answering, engine, info.code, lib)
        st.toast(f"Answering ended; {finished} attempt(s) still open were finished.")
        st.rerun()
    if info.mode == "exam" and not info.results_released:
        release_controls(engine, lib, info)


def release_controls(engine: Engine, lib: CaseLibrary, info: SessionInfo) -> None:
    """Release an exam's results, saying what it closes, and asking what to do about
    students still answering (end their answering now, or let them finish first)."""
    flag = "confirm:release"
    if not st.session_state.get(flag):
        if st.button("Release results", key="ask:release", icon=":material/visibility:"):
            st.session_state[flag] = True
            st.rerun()
        return
    still = session.guarded(sessions.answering_count, engine, info.code) if info.answering else 0
    text = (
        "Students will see their scores and the feedback on every answer, each once their own "
        "attempt is finished. Releasing also **closes the session to new joiners and new "
        "attempts**, so nobody can start this exam with the key out. This cannot be undone."
    )
    if still:
        text += (
            f"\n\n**{still} student attempt(s) are still being answered.** End their answering "
            "now (each student is told; work not done counts 0), or let them finish: they see "
            "their feedback only when they do."
        )
    st.warning(text, icon=":material/warning:")
    with st.container(horizontal=True):
        if still:
            end_first = st.button(
                "End answering and release", key="yes:release-end", type="primary"
            )
            release = st.button("Release, let them finish", key="yes:release") or end_first
        else:
            end_first = False
            release = st.button("Yes, release results", key="yes:release", type="primary")
        cancel = st.button("Cancel", key="no:release")
    if release or cancel:
        st.session_state.pop(flag, None)
    if release:
        if end_first:
            session.guarded(closing.end_answering, engine, info.code, lib)
        session.guarded(sessions.release_results, engine, info.code)
        st.toast("Results released. The session is closed to new joiners and new attempts.")
    if release or cancel:
        st.rerun()
