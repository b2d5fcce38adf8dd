"""Spreadsheet exports (CSV, XLSX, LMS gradebook) that a spreadsheet cannot run as formulas.

Student names, free-text answers and item titles end up in cells an educator opens in Excel
or LibreOffice. Every text cell of every export passes one sanitiser, ``neutralize_cell``:

1. normalise: remove control characters (all but tab, line feed and carriage return) and
   invisible format characters (bidi controls, zero-width space, byte-order mark), then
   Unicode NFC;
2. neutralise: a cell that then starts with a formula trigger (``= + - @``, tab, CR, LF, or
   their full-width and small forms) gets a leading apostrophe (OWASP, "CSV Injection"), so it
   shows as text instead of running;

in that order: neutralising first and stripping after (the old order) turned
``"\x01=1+1"`` into a live ``=1+1``. XLSX cells holding text are written as strings, never
as formulas, whatever they hold. Numbers stay numbers.
"""

from __future__ import annotations

import io
import re
import unicodedata

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from classroom.item_stats import ItemDataError, score_matrix

# OWASP's list (=, +, -, @, tab, carriage return, and since 2025 line feed), and the
# full-width and small forms some spreadsheet programs read as the same signs.
FORMULA_TRIGGERS = (
    *("=", "+", "-", "@", "\t", "\r", "\n"),
    *("\uff1d", "\uff0b", "\uff0d", "\uff20"),  # ＝ ＋ － ＠
    *("\ufe66", "\ufe62", "\ufe63", "\u2212"),  # ﹦ ﹢ ﹣ − (minus sign)
)
# Control characters but tab, LF and CR; bidi controls, zero-width space, word joiner and
# friends, and the byte-order mark. Zero-width (non-)joiners stay: scripts and emoji need them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Excel forbids these in sheet names, and names longer than 31 characters.
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
GRADEBOOK_COLUMNS = ("student", "points", "max_points", "percent")


def normalize_text(text: str) -> str:
    """``text`` without control or invisible format characters, in Unicode NFC."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text))


def neutralize_cell(value: object) -> object:
    """The one sanitiser of export cells: normalise text, then prefix a formula with ``'``.

    Anything but text (numbers, booleans, missing values) is returned as it is.
    """
    if not isinstance(value, str):
        return value
    text = normalize_text(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralized; numbers untouched."""
    safe = frame.copy()
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if _is_textual(column.dtype):
            safe.isetitem(position, column.map(neutralize_cell, na_action="ignore"))
    safe.columns = [neutralize_cell(name) for name in safe.columns]
    return safe


def to_csv_bytes(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """Neutralized CSV, UTF-8 with a byte-order mark and CRLF line ends (RFC 4180).

    Excel reads a CSV without a BOM in the local ANSI code page, which garbles accented names
    (é becomes Ã©); with the BOM it detects UTF-8. pandas, LMS importers and Python's csv
    module (encoding ``utf-8-sig``) all read it back transparently.
    """
    safe = neutralize_frame(frame.reset_index() if index else frame)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one neutralized sheet per frame (header row, then data rows).

    Missing values become empty cells; text cells are strings, never formulas (the
    sanitiser has already removed the control characters XML cannot hold).
    """
    if not sheets:
        raise ValueError("an XLSX workbook needs at least one sheet")
    _check_sheet_names(list(sheets))
    workbook = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(title=name)
        safe = neutralize_frame(frame)
        sheet.append([_xlsx_cell(sheet, label) for label in safe.columns])
        for row in safe.astype(object).itertuples(index=False, name=None):
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def gradebook(scores: pd.DataFrame) -> pd.DataFrame:
    """Per-student totals for an LMS import: student, points, max_points, percent (1 decimal).

    ``scores`` is either item responses (``student``, ``item``, ``points``, ``max_points``),
    where an item a student has no row for counts 0 of its max points (as in the item
    analysis), or, without an ``item`` column, rows of points and max points summed per student.
    """
    if scores.empty:
        return pd.DataFrame(
            {
                "student": pd.Series(dtype=object),
                "points": pd.Series(dtype=float),
                "max_points": pd.Series(dtype=float),
                "percent": pd.Series(dtype=float),
            }
        )
    if "item" in scores.columns:
        marks, item_max = score_matrix(scores)
        points = marks.sum(axis=1).to_numpy()
        max_points = np.full(points.shape, float(item_max.sum()))
        students = marks.index
    else:
        missing = [c for c in ("student", "points", "max_points") if c not in scores.columns]
        if missing:
            raise ItemDataError(f"missing column(s): {', '.join(missing)}")
        totals = scores.groupby("student", sort=True)[["points", "max_points"]].sum()
        points = totals["points"].to_numpy(dtype=float)
        max_points = totals["max_points"].to_numpy(dtype=float)
        students = totals.index
        if (max_points <= 0).any():
            raise ItemDataError("every student needs max_points above 0")
    return pd.DataFrame(
        {
            "student": students.to_numpy(),
            # Sums of partial credit carry float noise (2.9999999999999996); 4 decimals hide it.
            "points": np.round(points, 4),
            "max_points": np.round(max_points, 4),
            "percent": np.round(100 * points / max_points, 1),
        }
    )


def _is_textual(dtype: object) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    )


def _xlsx_cell(sheet: object, value: object) -> object:
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would make a formula of any text starting with '='
        return cell
    return value


def _check_sheet_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not 1 <= len(name) <= 31 or _BAD_SHEET_NAME.search(name) or name.startswith("'"):
            raise ValueError(
                f"sheet name {name!r}: use 1–31 characters, none of [ ] : * ? / \\, "
                "and no leading apostrophe"
            )
        if name.casefold() in seen:
            raise ValueError(f"sheet name {name!r} is used twice (Excel ignores case)")
        seen.add(name.casefold())
