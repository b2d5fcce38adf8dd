"""The LMS files, column by column against the formats Canvas and Moodle document.

Canvas: ``app/models/gradebook_importer.rb`` (instructure/canvas-lms) reads a header whose
first cell contains "Student" and second "ID", with "SIS User ID" and "SIS Login ID" after
them and the student columns ending in "Section"; a row whose first cell contains "Points
Possible" gives each assignment's points; a header ending in "(digits)" names an existing
assignment by id. Moodle: ``grade/import/csv/classes/load_data.php`` maps one column to
``useridnumber`` or ``useremail`` and parses each grade with ``unformat_float`` ("-" or blank:
no grade), at most 100 by default; its CSV reader strips a UTF-8 byte-order mark and refuses
duplicate column names.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from classroom.courses.courses import create_course
from classroom.storage.schema import CourseMember
from classroom.term.gradebook import read_gradebook, session_label
from classroom.term.lms_exports import (
    CANVAS_STUDENT_COLUMNS,
    export_gradebook,
    file_name,
)
from tests.support.term import course_session, member_token, play
from tests.test_gradebook import wrong_first


def rows_of(payload: bytes) -> list[list[str]]:
    """The CSV as an importer reads it: UTF-8 with its BOM, RFC 4180 quoting."""
    assert payload.startswith(b"\xef\xbb\xbf")  # Excel needs it; Canvas and Moodle accept it
    return list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline="")))


@pytest.fixture
def book(db_engine, ward_library):
    """Two sessions, three members (one named like a formula); the gradebook read back."""
    course = create_course(db_engine, "Adult health", term="Spring 2027")
    ana = member_token(db_engine, course.id, "S001", "Lima, Ana", email="ana@example.edu",
                       section="A")  # fmt: skip
    ben = member_token(db_engine, course.id, "00042", "Okafor, Ben", section="B")
    member_token(db_engine, course.id, "S003", "Park, Cy")
    with db_engine.begin() as conn:  # a name a spreadsheet would run (the roster refuses one)
        conn.execute(
            sa.update(CourseMember)
            .where(CourseMember.student_id == "S003")
            .values(name='=HYPERLINK("http://x")')
        )
    first = course_session(db_engine, course.id, "Week 1", ["ward-round", "night-shift"])
    second = course_session(db_engine, course.id, "Week 1", ["night-shift"])  # same title
    play(db_engine, ward_library, first, ana[1], "ward-round")
    play(db_engine, ward_library, first, ben[1], "ward-round", wrong_first)
    play(db_engine, ward_library, second, ana[1], "night-shift", wrong_first)
    return read_gradebook(db_engine, course.id, ward_library)


def percents(book, student_id: str) -> list[float]:
    grades = book.grades.set_index(["student_id", "session"])
    return [float(grades.loc[(student_id, s.code), "percent"]) for s in book.sessions]


def test_canvas_file_column_by_column(book):
    rows = rows_of(export_gradebook(book, "canvas"))
    header, points, *students = rows
    labels = [session_label(s) for s in book.sessions]
    # The header: Canvas's five student columns in its order, then one per assignment.
    assert header == [*CANVAS_STUDENT_COLUMNS, *labels]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert "Student" in header[0] and "ID" in header[1] and "Section" in header[4]
    assert len(set(labels)) == 2  # two sessions titled alike stay two assignments
    assert not any(re.search(r"\(\d+\)\s*$", label) for label in labels)  # not an assignment id
    # The points possible row: no student; each assignment out of 100 (its grade is a percent).
    assert "Points Possible" in points[0] and points[1:5] == ["", "", "", ""]
    assert points[5:] == ["100", "100"]
    # One row per rostered student, matched by SIS User ID (Canvas's own ID left empty).
    assert len(students) == 3
    by_sis = {r[2]: r for r in students}
    assert set(by_sis) == {"S001", "00042", "S003"}  # leading zeros kept as text
    ana = by_sis["S001"]
    assert ana[:5] == ["Lima, Ana", "", "S001", "", "A"]
    assert [float(x) for x in ana[5:]] == percents(book, "S001")
    assert by_sis["00042"][4] == "B" and by_sis["S003"][4] == ""
    for row in students:
        assert len(row) == len(header)
        assert all(float(x) >= 0 and float(x) <= 100 for x in row[5:])
    # A formula-looking name arrives as text.
    assert by_sis["S003"][0] == '\'=HYPERLINK("http://x")'


def test_moodle_file_column_by_column(book):
    header, *students = rows_of(export_gradebook(book, "moodle"))
    labels = [session_label(s) for s in book.sessions]
    assert header == ["ID number", "Email address", "Full name", *labels]
    assert len(header) == len(set(header))  # Moodle refuses duplicate column names
    assert len(students) == 3
    by_id = {r[0]: r for r in students}
    assert by_id["S001"][:3] == ["S001", "ana@example.edu", "Lima, Ana"]
    assert by_id["00042"][1] == ""  # no email: map by ID number (a blank email skips the row)
    for student_id, row in by_id.items():
        grades = [float(x) for x in row[3:]]  # what unformat_float reads: plain decimals
        assert grades == percents(book, student_id)
        assert all(0 <= g <= 100 for g in grades)  # Moodle's default maximum grade


def test_plain_csv_and_xlsx_carry_the_stable_id(book):
    header, *students = rows_of(export_gradebook(book, "csv"))
    assert header[:4] == ["student_id", "name", "email", "section"]
    assert sorted(r[0] for r in students) == ["00042", "S001", "S003"]
    workbook = openpyxl.load_workbook(io.BytesIO(export_gradebook(book, "xlsx")))
    assert workbook.sheetnames == ["gradebook", "sessions"]
    first = list(workbook["gradebook"].iter_rows(values_only=True))
    assert first[0][:4] == ("student_id", "name", "email", "section")
    assert {r[0] for r in first[1:]} == {"00042", "S001", "S003"}  # text, zeros kept
    sessions = list(workbook["sessions"].iter_rows(values_only=True))
    column = sessions[0].index("percent")
    by = {(r[0], r[2]): r[column] for r in sessions[1:]}
    for student_id in ("S001", "00042", "S003"):
        assert [by[(student_id, s.code)] for s in book.sessions] == percents(book, student_id)
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert [c.value for c in cells if c.data_type == "f"] == []


def test_file_names_and_an_unknown_format(book):
    assert file_name(book, "canvas") == f"course-{book.course.id}-canvas.csv"
    assert file_name(book, "xlsx").endswith(".xlsx")
    with pytest.raises(ValueError, match="unknown gradebook format"):
        export_gradebook(book, "blackboard")
