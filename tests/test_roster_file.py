"""Roster files: plain, Canvas and Moodle exports read; every bad row reported by line."""

from __future__ import annotations

import pytest

from classroom.courses.roster_file import (
    MAX_ROWS,
    RosterError,
    RosterRow,
    check_student,
    read_roster,
    read_roster_file,
)

CANVAS = (
    b"Student,ID,SIS User ID,SIS Login ID,Section,Week 1 (2231),Current Score\r\n"
    b"    Points Possible,,,,,10,(read only)\r\n"
    b'"Lopez, Ana",1017,N2024-001,alopez,Nursing 201 A,9,90\r\n'
    b'"Ng, Ben",1018,N2024-002,bng,Nursing 201 B,7,70\r\n'
    b'"Student, Test",1099,,,Nursing 201 A,,\r\n'
)
MOODLE = (
    "\ufeffFirst name\tLast name\tID number\tInstitution\tDepartment\tEmail address\t"
    "Quiz: Week 1 (Real)\n"
    "Ana\tLópez\t2024001\tCity College\tNursing\tana@example.org\t9.00\n"
    "Ben\tNg\t2024002\tCity College\tNursing\tben@example.org\t-\n"
).encode()


def problems(data: bytes) -> list[str]:
    with pytest.raises(RosterError) as caught:
        read_roster(data, "roster.csv")
    return caught.value.lines()


def test_a_plain_roster_is_read_with_optional_columns_and_extra_ones_ignored():
    data = b"Student ID;Name;Email;Section;Notes\nS1;Ana  Lopez ;ana@example.org;A;x\nS2;Ben;;;\n"
    roster = read_roster_file(data, "roster.csv")
    assert roster.format == "plain" and roster.has_email and roster.has_section
    assert roster.rows == [
        RosterRow(2, "S1", "Ana Lopez", "ana@example.org", "A"),
        RosterRow(3, "S2", "Ben", None, None),
    ]


def test_canvas_gradebook_export_maps_sis_user_id_student_and_section():
    roster = read_roster_file(CANVAS, "canvas.csv")
    assert roster.format == "canvas"
    assert roster.columns == {"student_id": "SIS User ID", "name": "Student", "section": "Section"}
    # The Points Possible row and Canvas's Test Student are not students.
    assert [(r.line, r.student_id, r.name, r.section) for r in roster.rows] == [
        (3, "N2024-001", "Lopez, Ana", "Nursing 201 A"),
        (4, "N2024-002", "Ng, Ben", "Nursing 201 B"),
    ]


def test_canvas_without_sis_ids_uses_the_canvas_user_id():
    data = CANVAS.replace(b",N2024-001,", b",,").replace(b",N2024-002,", b",,")
    roster = read_roster_file(data, "canvas.csv")
    assert roster.columns["student_id"] == "ID"
    assert [r.student_id for r in roster.rows] == ["1017", "1018"]


def test_moodle_grade_export_joins_first_and_last_name_and_reads_id_number():
    roster = read_roster_file(MOODLE, "moodle.txt")
    assert roster.format == "moodle"
    assert roster.columns["student_id"] == "ID number"
    assert [(r.student_id, r.name, r.email) for r in roster.rows] == [
        ("2024001", "Ana López", "ana@example.org"),
        ("2024002", "Ben Ng", "ben@example.org"),
    ]


def test_moodle_without_id_numbers_falls_back_to_the_email_address():
    data = MOODLE.replace(b"\t2024001\t", b"\t\t").replace(b"\t2024002\t", b"\t\t")
    roster = read_roster_file(data, "moodle.txt")
    assert roster.columns["student_id"] == "Email address"
    assert [r.student_id for r in roster.rows] == ["ana@example.org", "ben@example.org"]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_returned():
    data = (
        b"student_id,name,email\n"
        b",Ana,\n"  # 2: blank id
        b'S1,=HYPERLINK("http://x"),\n'  # 3: formula
        b"S2,Bo,\n"
        b"s2,Bob,\n"  # 5: duplicate, case-insensitively
        b"S3,,\n"  # 6: blank name
        b"S4,Al,not-an-email\n"  # 7
        b"@S5,Cy,\n"  # 8: formula in the id
        b'"S6","multi\nline name",\n'  # 9: a line break inside a name
    )
    assert problems(data) == [
        "roster.csv:2: the student id is blank",
        "roster.csv:3: the name '=HYPERLINK(\"http://x\")' starts like a spreadsheet formula"
        " ('='); remove that sign",
        "roster.csv:5: the student id 's2' is also on line 4",
        "roster.csv:6: the name is blank",
        "roster.csv:7: 'not-an-email' is not an email address",
        "roster.csv:8: the student id '@S5' starts like a spreadsheet formula ('@'); remove"
        " that sign",
        "roster.csv:9: the name contains an invisible control character (U+000A); retype it"
        " without one",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "roster.csv:1: the file is empty"),
        (b"PK\x03\x04\x14\x00", "roster.csv:1: this is not a CSV file but a spreadsheet (XLSX)"),
        (b"a,b\n1,2\n", "roster.csv:1: this is not a roster: no student_id and name columns"),
        (b"student_id,name\nS1,Ana\nS2,Jos\xe9\n", "roster.csv:3: byte 0xe9 is not UTF-8 text"),
        (b'student_id,name\nS1,"Ana\n', "roster.csv:2: this is not a valid CSV file"),
        (b"student_id,name\nS1,A\x00\n", "roster.csv:2: this is binary data, not a CSV file"),
    ],
    ids=["empty", "xlsx", "no-columns", "latin-1", "open-quote", "binary"],
)
def test_files_that_are_not_rosters_are_refused_with_a_reason(data, expected):
    found = problems(data)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_more_than_the_row_limit_is_refused_at_the_first_row_over_it():
    rows = [b"S%d,Student %d\n" % (i, i) for i in range(MAX_ROWS + 1)]
    assert problems(b"student_id,name\n" + b"".join(rows)) == [
        f"roster.csv:{MAX_ROWS + 2}: more than {MAX_ROWS:,} students: split the roster into files"
    ]
    at_the_limit = b"student_id,name\n" + b"".join(rows[:MAX_ROWS])
    assert len(read_roster(at_the_limit, "ok.csv")) == MAX_ROWS


def test_one_student_is_checked_like_a_row():
    assert check_student(" S9 ", "Dee") == RosterRow(1, "S9", "Dee")
    with pytest.raises(RosterError, match="formula"):
        check_student("S9", "+Dee")
