"""A course gradebook as the files an LMS imports: Canvas, Moodle, plain CSV and XLSX.

Every file is written by the one formula-safe writer (``classroom.analytics.exports``:
``to_csv_bytes``, ``to_xlsx_bytes``), so a name starting with "=" arrives as text. Each
session is one assignment (grade item) whose grade is the member's **reported percent** for
that session, out of 100: a branching case's points possible differ between students (the
path taken), so a fixed "points possible" per column only exists as a percent, and the
percent is the number every other surface shows (the must-avoid cap applied).

Where the formats come from (read 2026-12-01; the README cites them too):

- **Canvas**: ``app/models/gradebook_importer.rb`` in instructure/canvas-lms (the importer
  itself) and Ohio State's guide "Import a CSV file into Carmen Grades" (its Canvas). The header
  must start ``Student, ID`` and end its student columns with ``Section``; ``SIS User ID``
  and ``SIS Login ID`` sit between. A row whose first cell contains "Points Possible" gives
  each assignment's points and is no student. Students are matched by Canvas ``ID``, then
  ``SIS User ID``, then ``SIS Login ID``, then by name. A header that is no existing
  assignment creates one. We leave ``ID`` (Canvas's own numeric user id, which Casebook does
  not know) and ``SIS Login ID`` empty and put the roster's ``student_id`` in ``SIS User ID``.
- **Moodle**: "Grade import" on docs.moodle.org and ``grade/import/csv/classes/load_data.php``
  in moodle/moodle. The teacher maps one column to a user field (``useridnumber`` for "ID
  number", ``useremail`` for "Email address") and each grade column to a grade item or a new
  one; a blank identifier skips the row, an unknown one fails the import; "-" or blank is no
  grade; the default maximum grade is 100. Moodle's CSV reader strips the UTF-8 byte-order
  mark our writer adds (``lib/csvlib.class.php``).
"""

from __future__ import annotations

import pandas as pd

from classroom.analytics.exports import to_csv_bytes, to_xlsx_bytes
from classroom.grades import SCORE_COLUMNS
from classroom.term.gradebook import CourseGradebook, session_label, wide_table

FORMATS = ("canvas", "moodle", "csv", "xlsx")
BINARY_FORMATS = ("xlsx",)
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_ID_COLUMNS = ("ID number", "Email address", "Full name")
POINTS_POSSIBLE = 100  # each session's grade is its reported percent


def _percents(book: CourseGradebook) -> pd.DataFrame:
    """Member (rows, roster order) × session label: the reported percent of the session."""
    table = book.grades.pivot(index="student_id", columns="session", values="percent")
    table = table.reindex(index=book.members["student_id"], columns=[s.code for s in book.sessions])
    table.columns = [session_label(s) for s in book.sessions]
    return table.reset_index(drop=True)


def canvas_frame(book: CourseGradebook) -> pd.DataFrame:
    """The Canvas import table: the five student columns, one per session, and the points row."""
    m = book.members.reset_index(drop=True)
    people = pd.DataFrame(
        {
            "Student": m["name"],
            "ID": "",
            "SIS User ID": m["student_id"],
            "SIS Login ID": "",
            "Section": m["section"].fillna(""),
        }
    )
    grades = _percents(book)
    columns = [*CANVAS_STUDENT_COLUMNS, *grades.columns]
    # As text: a column of numbers and one int would come out as "100.0".
    points = [CANVAS_POINTS_ROW, "", "", "", "", *([str(POINTS_POSSIBLE)] * grades.shape[1])]
    body = pd.concat([people, grades], axis=1).astype(object).values.tolist()
    return pd.DataFrame([points, *body], columns=columns, dtype=object)


def moodle_frame(book: CourseGradebook) -> pd.DataFrame:
    """The Moodle import table: ID number, email and name, then one grade column per session."""
    m = book.members.reset_index(drop=True)
    people = pd.DataFrame(
        {
            "ID number": m["student_id"],
            "Email address": m["email"].fillna(""),
            "Full name": m["name"],
        }
    )
    return pd.concat([people, _percents(book)], axis=1)


def long_grades(book: CourseGradebook) -> pd.DataFrame:
    """One row per member × session: the session grade with what explains it."""
    titles = {s.code: s.title for s in book.sessions}
    names = book.members.set_index("student_id")["name"]
    g = book.grades
    return pd.DataFrame(
        {
            "student_id": g["student_id"],
            "name": names.reindex(g["student_id"]).to_numpy(),
            "session": g["session"],
            "title": g["session"].map(titles),
            "joined": g["joined"],
            "activities": g["activities"],
            "finished": g["finished"],
            "complete": g["complete"],
            **{c: g[c] for c in SCORE_COLUMNS if c != "cap"},
        }
    )


def export_gradebook(book: CourseGradebook, fmt: str) -> bytes:
    """The gradebook in format ``fmt`` (one of FORMATS) as the bytes of a file."""
    if fmt == "canvas":
        return to_csv_bytes(canvas_frame(book))
    if fmt == "moodle":
        return to_csv_bytes(moodle_frame(book))
    if fmt == "csv":
        return to_csv_bytes(wide_table(book))
    if fmt == "xlsx":
        # Two sheets, not a third of every activity: openpyxl writes about 40,000 cells a
        # second here, and 300 students × 20 sessions × their activities would take ~6 s.
        return to_xlsx_bytes({"gradebook": wide_table(book), "sessions": long_grades(book)})
    raise ValueError(f"unknown gradebook format {fmt!r}: use one of {', '.join(FORMATS)}")


def file_name(book: CourseGradebook, fmt: str) -> str:
    """A download name: 'course-3-canvas.csv'."""
    return f"course-{book.course.id}-{fmt}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
