"""Courses for the educator: create one, attach sessions, import its roster, reset a PIN.

Every student is shown with their student ID beside the name (two students may share a name).
A roster upload is imported only when the educator presses Import, all or nothing; its
problems are listed by line (``classroom.courses.roster_file``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from classroom import sessions
from classroom.courses import courses, members, roster
from classroom.courses.courses import Course, CourseError
from classroom.courses.roster_file import MAX_ROWS, RosterError
from scoring.format.text import TextError
from ui.components import session
from ui.components.clock import local_time
from ui.components.safe_text import plain_md
from ui.educator.class_sessions import confirmed

SHOWN_PROBLEMS = 50  # the rest are counted; the CLI prints them all


def chosen_course(engine: Engine) -> Course | None:
    """The course named by ``?course=`` (digits only), or None."""
    raw = st.query_params.get("course", "")
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        return None
    try:
        return session.guarded(courses.get_course, engine, int(raw))
    except CourseError:
        return None


def describe(course: Course) -> str:
    """'Spring 2027 · section B', or '' for a course without term and section."""
    parts = [course.term or "", f"section {course.section}" if course.section else ""]
    return " · ".join(p for p in parts if p)


def create_form(engine: Engine) -> Course | None:
    """The new-course form; the course created, or None."""
    with st.form("new-course", clear_on_submit=True):
        st.markdown("#### New course")
        title = st.text_input("Title", max_chars=courses.TITLE_LENGTH, placeholder="Adult health")
        with st.container(horizontal=True):
            term = st.text_input("Term (optional)", max_chars=courses.TERM_LENGTH)
            section = st.text_input("Section (optional)", max_chars=courses.TERM_LENGTH)
        go = st.form_submit_button("Create course", type="primary", icon=":material/add:")
    if not go:
        return None
    try:
        return session.guarded(courses.create_course, engine, title, term, section)
    except TextError as exc:
        st.error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        return None


def course_list(engine: Engine) -> Course | None:
    """Every course as a row with an Open button; the course opened, or None."""
    everything = session.guarded(courses.list_courses, engine)
    st.markdown("#### Your courses")
    if not everything:
        st.info("No courses yet: create one above.", icon=":material/inbox:")
    for course in everything:
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{plain_md(course.title)}** {plain_md(describe(course))}")
            if st.button("Open", key=f"course.{course.id}", icon=":material/arrow_forward:"):
                return course
    return None


def sessions_panel(engine: Engine, course: Course) -> None:
    """The course's sessions in term order, and a picker to attach another one."""
    attached = session.guarded(courses.course_sessions, engine, course.id)
    st.markdown("#### Class sessions")
    if attached:
        st.dataframe(
            pd.DataFrame(
                {
                    "Session": [s.title for s in attached],
                    "Code": [s.code for s in attached],
                    "Mode": [s.mode for s in attached],
                    "Created": [local_time(s.created_at) for s in attached],
                }
            ),
            hide_index=True,
        )
    else:
        st.caption("No sessions yet. Attach one below; only this course's students can join it.")
    mine = {s.code for s in attached}
    others = [s for s in session.guarded(sessions.list_sessions, engine) if s.code not in mine]
    if not others:
        return
    labels = {s.code: f"{s.title} · {s.code}" for s in others}
    with st.form("attach"):
        code = st.selectbox("Session", list(labels), format_func=labels.__getitem__, index=None)
        go = st.form_submit_button("Attach to this course", icon=":material/link:")
    if go and code:
        session.guarded(courses.attach_session, engine, course.id, code)
        st.toast(f"{labels[code]} is now in {course.title}.")
        st.rerun()


def roster_upload(engine: Engine, course: Course) -> None:
    """Upload a roster CSV (plain, Canvas or Moodle) and import it when asked."""
    with st.form("roster-upload", clear_on_submit=True):
        st.markdown("#### Import a roster")
        st.caption(
            "A CSV with `student_id` and `name` (optional `email`, `section`), or a Canvas or "
            f"Moodle export. Up to {MAX_ROWS:,} students. Importing again updates names and "
            "adds new students; nobody is removed."
        )
        upload = st.file_uploader("Roster file", type=["csv", "txt"])
        go = st.form_submit_button("Import", type="primary", icon=":material/upload:")
    if not go or upload is None:
        return
    try:
        report = session.guarded(
            roster.import_roster, engine, course.id, upload.getvalue(), upload.name
        )
    except RosterError as exc:
        lines = exc.lines()
        st.error(
            f"Nothing was imported: {upload.name} has {len(lines)} problem"
            f"{'' if len(lines) == 1 else 's'}. Fix them and import it again.",
            icon=":material/error:",
        )
        st.code("\n".join(lines[:SHOWN_PROBLEMS]), language=None)
        if len(lines) > SHOWN_PROBLEMS:
            st.caption(f"… and {len(lines) - SHOWN_PROBLEMS} more.")
        return
    st.success(f"Roster imported: {report.summary()}.", icon=":material/check_circle:")


def add_student(engine: Engine, course: Course) -> None:
    """Add or update one student by hand."""
    with st.expander("Add one student", icon=":material/person_add:"):
        with st.form("add-student", clear_on_submit=True):
            student_id = st.text_input("Student ID", max_chars=64)
            name = st.text_input("Name", max_chars=120)
            with st.container(horizontal=True):
                email = st.text_input("Email (optional)", max_chars=254)
                section = st.text_input("Section (optional)", max_chars=80)
            go = st.form_submit_button("Save student", icon=":material/save:")
        if not go:
            return
        try:
            member = session.guarded(
                roster.upsert_member,
                engine,
                course.id,
                student_id,
                name,
                email or None,
                section or None,
            )
        except CourseError as exc:
            st.error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        st.toast(f"{member.name} ({member.student_id}) is on the roster.")


def member_table(engine: Engine, course: Course) -> list[roster.Member]:
    """The roster as a table, student ID first; returns the members."""
    people = session.guarded(roster.members, engine, course.id)
    st.markdown(f"#### Students ({len(people)})")
    if not people:
        st.info("No students yet: import a roster above.", icon=":material/inbox:")
        return people
    st.dataframe(
        pd.DataFrame(
            {
                "Student ID": [m.student_id for m in people],
                "Name": [m.name for m in people],
                "Email": [m.email or "" for m in people],
                "Section": [m.section or "" for m in people],
                "PIN set": ["yes" if m.has_pin else "not yet" for m in people],
            }
        ),
        hide_index=True,
    )
    return people


def pin_reset(engine: Engine, course: Course, people: list[roster.Member]) -> None:
    """Reset one student's PIN (they choose a new one at the next sign-in)."""
    with_pin = {m.student_id: f"{m.name} · {m.student_id}" for m in people if m.has_pin}
    if not with_pin:
        return
    with st.expander("Reset a student's PIN", icon=":material/lock_reset:"):
        who = st.selectbox(
            "Student", list(with_pin), format_func=with_pin.__getitem__, index=None, key="pin"
        )
        if who is not None and confirmed(
            f"pin.{who}",
            "Reset this PIN",
            f"{plain_md(with_pin[who])} is signed out everywhere and chooses a new PIN at the "
            "next sign-in.",
            ":material/lock_reset:",
        ):
            session.guarded(members.reset_pin, engine, course.id, who)
            st.toast(f"The PIN of {with_pin[who]} was reset.")
            st.rerun()
