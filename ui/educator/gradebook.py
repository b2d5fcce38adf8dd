"""Course gradebook panels: the term in one table, the cohort, one student, the LMS files.

Every number is the gradebook's (``classroom.term.gradebook``): the reported percent of each
session, the one the students, the live dashboard and the session exports show. A student's
data export is made (and recorded, ``classroom.term.data_requests``) only when the educator
clicks its download; deleting asks for the student ID typed again, then records the deletion.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import streamlit as st
from sqlalchemy.engine import Engine

from classroom.courses.courses import Course
from classroom.term import data_requests
from classroom.term.gradebook import CourseGradebook, read_gradebook, session_label, wide_table
from classroom.term.lms_exports import FORMATS, export_gradebook, file_name
from classroom.term.progress import cohort_weak_spots, student_term
from scoring.library.loader import CaseLibrary
from ui.components import client, session
from ui.components.safe_text import plain_md
from ui.components.term_view import term_view
from ui.educator import gate as educator_gate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOADS = {
    "canvas": "Canvas grade import (CSV)",
    "moodle": "Moodle grade import (CSV)",
    "csv": "Gradebook (CSV)",
    "xlsx": "Gradebook and every session (XLSX)",
}
_FLASH = "gradebook.flash"
_DELETING = "gradebook.deleting"  # the student ID whose deletion is being confirmed


def course_label(course: Course) -> str:
    """'Adult health · Spring 2027 · section B · #3'."""
    parts = [course.title, course.term, course.section and f"section {course.section}"]
    return " · ".join(p for p in parts if p) + f" · #{course.id}"


def load(engine: Engine, library: CaseLibrary, course_id: int) -> CourseGradebook:
    """The course's gradebook, read now (one transaction), or an error on screen."""
    return session.guarded(read_gradebook, engine, course_id, library)


def gradebook_panel(book: CourseGradebook) -> None:
    """Each student's term in one table: a row per student ID, a column pair per session."""
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    if book.members.empty:
        st.info("This course has no students yet: import its roster on the Courses page.")
        return
    if not book.sessions:
        st.info("No class session is attached to this course yet.")
    table = wide_table(book)
    percent = {
        f"{session_label(s)} %": st.column_config.NumberColumn(
            session_label(s), format="%.1f%%", help=f"Reported percent of {s.title}"
        )
        for s in book.sessions
    }
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"student_id": st.column_config.TextColumn("Student ID"), **percent},
    )
    st.caption(
        "Each session's % is the reported score (after any must-avoid cap) of all its "
        "activities, weighted by points possible; work not done counts 0, so a session a "
        "student has not joined shows 0% and *not joined*. “done” is activities finished."
    )
    if book.outsiders:
        st.caption(
            f"{book.outsiders} participant{'s' * (book.outsiders != 1)} of these sessions "
            "joined without being on the roster (before the session was attached): not listed."
        )


def cohort_panel(engine: Engine, library: CaseLibrary, course_id: int) -> None:
    """The weakest CJMM skills and the steps missed most, across the course's sessions."""
    spots = session.guarded(cohort_weak_spots, engine, course_id, library)
    if spots.skills.empty:
        st.info("No answers yet in this course's sessions.")
        return
    st.subheader("Weakest skills")
    chart = (
        alt.Chart(spots.skills)
        .mark_bar()
        .encode(
            x=alt.X("percent:Q", title="Points earned %", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("label:N", sort=None, title=None),
            tooltip=["label", "percent", "points", "max_points", "answers"],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(
        spots.skills.drop(columns="skill").rename(columns={"label": "skill"}),
        hide_index=True,
        width="stretch",
    )
    st.subheader("Decision points missed most")
    st.caption(
        "The grounding pack's decision points, over the steps tagged with them; an answer "
        "below full marks misses its step. missed % = missed ÷ answers."
    )
    if spots.decision_points.empty:
        st.caption("None of the steps answered is tagged with a decision point.")
    else:
        st.dataframe(
            spots.decision_points,
            hide_index=True,
            width="stretch",
            column_config={
                "decision_point": st.column_config.TextColumn("decision point"),
                "missed_share": st.column_config.NumberColumn("missed %", format="%.1f"),
            },
        )
    st.subheader("Steps missed most")
    steps = spots.steps.head(15).assign(
        decision_points=lambda f: f["decision_points"].str.join(", ")
    )
    st.dataframe(
        steps,
        hide_index=True,
        width="stretch",
        column_config={"missed_share": st.column_config.NumberColumn("missed %", format="%.1f")},
    )


def _member_choice(book: CourseGradebook) -> str | None:
    people = book.members.set_index("student_id")["name"].to_dict()
    return st.selectbox(
        "Student",
        list(people),
        format_func=lambda sid: f"{people[sid]} · {sid}",
        index=None,
        placeholder="Choose a student (by name or student ID)",
    )


def student_panel(engine: Engine, library: CaseLibrary, book: CourseGradebook) -> None:
    """One student's term (their exams included), and their data: export or delete."""
    if book.members.empty:
        st.info("This course has no students yet.")
        return
    student_id = _member_choice(book)
    if student_id is None:
        return
    learner_id = int(book.members.set_index("student_id").loc[student_id, "learner_id"])
    term = session.guarded(student_term, engine, learner_id, library, reveal_exams=True)
    term_view(term)
    st.subheader("This student's data")
    st.caption(
        "A data-access request: one JSON file of everything Casebook holds about this "
        "student (roster entry, sessions, attempts, answers, sign-ins). Each export and "
        "deletion is recorded."
    )
    address = client.address()
    course_id = book.course.id
    with st.container(horizontal=True):
        st.download_button(
            "Export their data (JSON)",
            _exporter(engine, course_id, student_id, address),
            file_name=f"course-{course_id}-student-{student_id}.json",
            mime="application/json",
            icon=":material/download:",
            on_click="ignore",
            key=f"export.{student_id}",
        )
        if st.button("Delete their data…", icon=":material/delete:", key=f"delete.{student_id}"):
            st.session_state[_DELETING] = student_id
    # Kept open by a flag: a dialog is only redrawn by its own reruns, not the page's.
    if st.session_state.get(_DELETING) == student_id:
        _confirm_delete(engine, course_id, student_id, address)
    _request_log(engine, course_id)


def _exporter(engine: Engine, course_id: int, student_id: str, address: str) -> Callable[[], bytes]:
    """The export, made (and recorded) only when the download is clicked."""
    return lambda: data_requests.export_student(engine, course_id, student_id, address)


def _not_deleting() -> None:
    st.session_state.pop(_DELETING, None)


@st.dialog("Delete a student's data", on_dismiss=_not_deleting)
def _confirm_delete(engine: Engine, course_id: int, student_id: str, address: str) -> None:
    educator_gate.still_educator()
    st.warning(
        f"This deletes everything about student **{plain_md(student_id)}**: their roster "
        "entry, every session place, attempt and answer. It cannot be undone.",
        icon=":material/warning:",
    )
    typed = st.text_input("Type the student ID to confirm", key="delete.confirm")
    with st.container(horizontal=True):
        go = st.button("Delete everything", type="primary", disabled=typed.strip() != student_id)
        stop = st.button("Cancel")
    if go:
        session.guarded(data_requests.delete_student, engine, course_id, student_id, address)
        st.session_state[_FLASH] = f"Student {student_id}'s data was deleted."
    if go or stop:
        _not_deleting()
        st.session_state.pop("delete.confirm", None)
        st.rerun()


def _request_log(engine: Engine, course_id: int) -> None:
    done = session.guarded(data_requests.data_requests, engine, course_id)
    if done:
        with st.expander(f"Data requests recorded in this course ({len(done)})"):
            st.dataframe(done, hide_index=True, width="stretch")


def exports_panel(book: CourseGradebook) -> None:
    """The LMS files: Canvas and Moodle grade imports, plain CSV and XLSX."""
    st.caption(
        "One grade per session: the reported percent, out of 100. **Canvas**: Grades → "
        "Import, choose the file; students are matched by SIS User ID (the roster's student "
        "ID), then by name; new assignments are created out of 100. **Moodle**: Grades → "
        "Import → CSV file; map *ID number* to *useridnumber* (or *Email address* to "
        "*useremail*) and each session column to a grade item or a new one. The README has "
        "the full steps."
    )
    with st.container(horizontal=True):
        for fmt in FORMATS:
            st.download_button(
                DOWNLOADS[fmt],
                lambda f=fmt: export_gradebook(book, f),
                file_name=file_name(book, fmt),
                mime=XLSX if fmt == "xlsx" else "text/csv",
                icon=":material/download:",
                on_click="ignore",
                type="primary" if fmt == "canvas" else "secondary",
                key=f"download.{fmt}",
            )
