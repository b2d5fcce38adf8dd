"""Reading a roster file: a plain CSV, a Canvas gradebook export or a Moodle export.

Pure parsing and checking (the ``csv`` module, no database). Every problem is collected with
its line number and raised together in one ``RosterError``; a file with any problem imports
nothing. Headers are matched case-insensitively, ignoring spaces, ``_`` and ``-``; columns
not listed here are ignored. The delimiter (comma, semicolon or tab) is sniffed from the
header line by ``csv.Sniffer``; a UTF-8 byte-order mark is allowed.

Formats and the columns read (``FORMATS`` holds them; docs/courses.md explains them):

- **plain**: ``student_id`` (also ``student id``), ``name``, optional ``email`` and ``section``.
- **canvas**: Canvas's gradebook export (Grades → Export → CSV). Its fixed first columns are
  ``Student, ID, SIS User ID, SIS Login ID, Section`` (Canvas Community guide "How do I export
  grades in the Gradebook?"; the nemogb "Detailed Canvas Export Info" vignette describes each:
  Student is "Last, First", ID the Canvas user id, SIS User ID the institution's student id).
  student_id ← ``SIS User ID``, or ``ID`` when no row has an SIS User ID (courses without an
  SIS); name ← ``Student``; section ← ``Section``. The "Points Possible" row under the header,
  Canvas's "Student, Test" (Student View) and any row without an id are skipped.
- **moodle**: Moodle's grade export (Grades → Export → Plain text file), whose user columns
  are ``First name, Last name, ID number, Institution, Department, Email address`` (Moodle's
  ``grade/export/txt/grade_export_txt.php`` writes the profile fields' full names), and the
  participants download with the same names. student_id ← ``ID number``, or ``Username``,
  or ``Email address`` when no row has an ID number; name ← ``First name`` + ``Last name``
  (``Surname`` in older versions); email ← ``Email address``.

Refused with a line number: a blank or duplicate student id (case-insensitively, so sign-in is
never ambiguous), a blank name, a cell that starts like a spreadsheet formula (``=``, ``+``,
``-``, ``@`` …) or holds a control character, a value too long for its column, an email without
``@``, bytes that are not UTF-8, a malformed CSV, more than ``MAX_ROWS`` students, and a file
that is not a roster at all (a spreadsheet, binary data, or no student-id column).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from scoring.format.text import FORMULA_TRIGGERS, TextError, clean_line

# A whole nursing school is a few thousand students; 10,000 leaves room and keeps an import
# of the largest file allowed under a second on either database.
MAX_ROWS = 10_000
MAX_BYTES = 4 * 1024 * 1024  # 10,000 rows of Canvas's widest export fit easily
MAX_PROBLEMS = 200
LENGTHS = {"student_id": 64, "name": 120, "email": 254, "section": 80}
# Canvas's "Points Possible" row under the header, and the Test Student of Student View.
_CANVAS_NOT_STUDENTS = ("points possible", "student, test", "test student")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_SIGNATURES = {
    b"PK\x03\x04": "a spreadsheet (XLSX) or a ZIP file: save it as CSV (UTF-8) and upload that",
    b"\xd0\xcf\x11\xe0": "an old Excel file (XLS): save it as CSV (UTF-8) and upload that",
    b"%PDF": "a PDF: export the roster as CSV instead",
}


def header_key(text: str) -> str:
    """A header as matched: lower case, without spaces, '_' and '-'."""
    return re.sub(r"[\s_\-]+", "", text.strip().lstrip("\ufeff")).casefold()


# format → field → headers that may hold it, first found wins.
FORMATS: dict[str, dict[str, tuple[str, ...]]] = {
    "canvas": {
        "student_id": ("SIS User ID", "ID"),
        "name": ("Student",),
        "section": ("Section",),
    },
    "moodle": {
        "student_id": ("ID number", "Username", "Email address"),
        "first_name": ("First name",),
        "last_name": ("Last name", "Surname"),
        "email": ("Email address",),
    },
    "plain": {
        "student_id": ("student_id", "student id", "studentid"),
        "name": ("name", "full name"),
        "email": ("email", "email address", "e-mail"),
        "section": ("section",),
    },
}


@dataclass(frozen=True)
class RosterRow:
    """One student of a roster file, checked, with the line it came from."""

    line: int
    student_id: str
    name: str
    email: str | None = None
    section: str | None = None


@dataclass(frozen=True, order=True)
class RosterProblem:
    """One problem of a roster file, at a line."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class RosterError(ValueError):
    """A roster file has problems: every one of them (up to ``MAX_PROBLEMS``), by line."""

    def __init__(self, filename: str, problems: list[RosterProblem]):
        self.filename = filename
        ordered = sorted(problems)
        if len(ordered) > MAX_PROBLEMS:
            more = len(ordered) - MAX_PROBLEMS
            ordered = [
                *ordered[:MAX_PROBLEMS],
                RosterProblem(ordered[MAX_PROBLEMS].line, f"… and {more:,} more problems"),
            ]
        self.problems = ordered
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """``filename:line: message`` for each problem."""
        return [f"{self.filename}:{p.line}: {p.message}" for p in self.problems]


@dataclass(frozen=True)
class RosterFile:
    """A roster file read: its format, the column each field came from, and its students."""

    format: str
    columns: dict[str, str]
    rows: list[RosterRow] = field(default_factory=list)

    @property
    def has_email(self) -> bool:
        """True when the file has an email column (a re-import then updates emails)."""
        return "email" in self.columns

    @property
    def has_section(self) -> bool:
        """True when the file has a section column (a re-import then updates sections)."""
        return "section" in self.columns


def _decode(data: bytes, filename: str) -> str:
    if not data.strip():
        raise RosterError(filename, [RosterProblem(1, "the file is empty")])
    for signature, what in _SIGNATURES.items():
        if data.startswith(signature):
            raise RosterError(filename, [RosterProblem(1, f"this is not a CSV file but {what}")])
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise RosterError(filename, [RosterProblem(1, f"the file is larger than {limit} MiB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (
            f"byte 0x{data[exc.start]:02x} is not UTF-8 text: save the file as "
            "'CSV UTF-8' (Excel) or with UTF-8 encoding, then import it again"
        )
        raise RosterError(filename, [RosterProblem(line, message)]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise RosterError(filename, [RosterProblem(line, "this is binary data, not a CSV file")])
    return text


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _records(text: str, filename: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((start, record))
            start = reader.line_num + 1
            if len(records) > MAX_ROWS + 3:  # the header and Canvas's extra rows, then stop
                break
    except csv.Error as exc:
        problem = RosterProblem(reader.line_num or start, f"this is not a valid CSV file ({exc})")
        raise RosterError(filename, [problem]) from None
    return records


def _choose(header: list[str]) -> tuple[str, dict[str, int]]:
    keys = [header_key(h) for h in header]
    for name, fields in FORMATS.items():
        found = {
            f: keys.index(k)
            for f, names in fields.items()
            for k in [next((header_key(n) for n in names if header_key(n) in keys), "")]
            if k
        }
        identified = "student_id" in found
        named = "name" in found or {"first_name", "last_name"} <= found.keys()
        if name == "canvas" and not {"name", "student_id"} <= found.keys():
            continue
        if name == "moodle" and not {"first_name", "last_name"} <= found.keys():
            continue
        if identified and named:
            return name, found
    return "", {}


def _fallback_id(fmt: str, header: list[str], body: list[tuple[int, list[str]]]) -> int | None:
    """The first listed id column that has a value in some row (Canvas without an SIS, …)."""
    keys = [header_key(h) for h in header]
    for name in FORMATS[fmt]["student_id"]:
        if header_key(name) in keys:
            index = keys.index(header_key(name))
            if any(index < len(r) and r[index].strip() for _, r in body):
                return index
    return None


def _raw(record: list[str], index: int | None) -> str:
    return record[index].strip() if index is not None and index < len(record) else ""


def _cell(raw: str, what: str, line: int, problems: list[RosterProblem]) -> str | None:
    """The checked value of one cell (None when blank, or refused with a problem)."""
    if not raw:
        return None
    if raw.startswith(FORMULA_TRIGGERS):
        problems.append(
            RosterProblem(
                line,
                f"the {what} {raw[:30]!r} starts like a spreadsheet formula ({raw[0]!r}); "
                "remove that sign",
            )
        )
        return None
    try:
        return clean_line(raw, f"the {what}", LENGTHS.get(what.replace(" ", "_"), 120))
    except TextError as exc:
        problems.append(RosterProblem(line, str(exc)))
        return None


def _canvas_students(
    header: list[str], columns: dict[str, int], body: list[tuple[int, list[str]]]
) -> list[tuple[int, list[str]]]:
    """Canvas's rows of students: not "Points Possible", not the Test Student, not idless."""
    canvas_id = next((i for i, h in enumerate(header) if header_key(h) == "id"), None)
    return [
        (line, r)
        for line, r in body
        if (_raw(r, canvas_id) or _raw(r, columns["student_id"]))
        and " ".join(_raw(r, columns["name"]).split()).casefold() not in _CANVAS_NOT_STUDENTS
    ]


def _row(
    fmt: str, columns: dict[str, int], line: int, record: list[str], problems: list[RosterProblem]
) -> RosterRow | None:
    before = len(problems)
    raw_id = _raw(record, columns.get("student_id"))
    student_id = _cell(raw_id, "student id", line, problems)
    if not raw_id:
        problems.append(RosterProblem(line, "the student id is blank"))
    if fmt == "moodle":
        parts = [
            _cell(_raw(record, columns.get(f)), w, line, problems)
            for f, w in (("first_name", "first name"), ("last_name", "last name"))
        ]
        name = " ".join(x for x in parts if x) or None
    else:
        name = _cell(_raw(record, columns.get("name")), "name", line, problems)
    email = _cell(_raw(record, columns.get("email")), "email", line, problems)
    section = _cell(_raw(record, columns.get("section")), "section", line, problems)
    if name is None and len(problems) == before:
        problems.append(RosterProblem(line, "the name is blank"))
    if email is not None and not _EMAIL.fullmatch(email):
        problems.append(RosterProblem(line, f"{email!r} is not an email address"))
    if len(problems) > before or student_id is None or name is None:
        return None
    return RosterRow(line, student_id, name[: LENGTHS["name"]], email, section)


def read_roster_file(data: bytes, filename: str) -> RosterFile:
    """The roster in ``data`` with its format and columns; ``RosterError`` lists every problem."""
    records = _records(_decode(data, filename), filename)
    if not records:
        raise RosterError(filename, [RosterProblem(1, "the file has no rows")])
    header_line, header = records[0]
    fmt, columns = _choose(header)
    if not fmt:
        found = ", ".join(repr(h.strip()) for h in header[:8]) or "none"
        message = (
            "this is not a roster: no student_id and name columns in the first row "
            f"(found {found}); see docs/courses.md for the columns read"
        )
        raise RosterError(filename, [RosterProblem(header_line, message)])
    body = records[1:]
    if fmt in ("canvas", "moodle"):
        chosen = _fallback_id(fmt, header, body)
        if chosen is not None:
            columns["student_id"] = chosen
    if fmt == "canvas":
        body = _canvas_students(header, columns, body)
    problems: list[RosterProblem] = []
    if len(body) > MAX_ROWS:
        problems.append(
            RosterProblem(
                body[MAX_ROWS][0], f"more than {MAX_ROWS:,} students: split the roster into files"
            )
        )
        body = body[:MAX_ROWS]
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for line, record in body:
        row = _row(fmt, columns, line, record, problems)
        if row is None:
            continue
        key = row.student_id.lower()  # as the database compares them: lower()
        if key in seen:
            problems.append(
                RosterProblem(
                    line, f"the student id {row.student_id!r} is also on line {seen[key]}"
                )
            )
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise RosterError(filename, problems)
    names = {f: header[i].strip().lstrip("\ufeff") for f, i in columns.items()}
    return RosterFile(fmt, names, rows)


def check_student(
    student_id: str, name: str, email: str | None = None, section: str | None = None
) -> RosterRow:
    """One student's fields, checked as a roster row is; ``RosterError`` if any is refused."""
    problems: list[RosterProblem] = []
    record = [str(student_id), str(name), email or "", section or ""]
    columns = {"student_id": 0, "name": 1, "email": 2, "section": 3}
    row = _row("plain", columns, 1, record, problems)
    if problems or row is None:
        raise RosterError("student", problems)
    return row


def read_roster(data: bytes, filename: str) -> list[RosterRow]:
    """The students of a roster file; ``RosterError`` lists every problem with its line."""
    return read_roster_file(data, filename).rows
