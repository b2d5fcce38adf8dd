"""Spreadsheet exports (CSV, XLSX, LMS gradebook) that a spreadsheet cannot run as formulas.

Student names, free-text answers and item titles end up in cells an educator opens in Excel
or LibreOffice. A text cell starting with a formula trigger is prefixed with an apostrophe
(OWASP, "CSV Injection"), so it shows as text instead of running. Numbers stay numbers.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# OWASP's list (=, +, -, @, tab, carriage return, and since 2025 line feed), plus NUL, which
# some spreadsheet programs skip before looking for a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
# Excel forbids these in sheet names, and names longer than 31 characters.
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
# The gradebook's first columns, as LMS imports read them (classroom.dashboard.exports_for).
GRADEBOOK_COLUMNS = ("student", "points", "max_points", "percent")


def neutralize_cell(value: object) -> object:
    """Prefix text that a spreadsheet would read as a formula with ``'``; leave the rest as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


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

    Missing values become empty cells. Characters XML cannot hold (NUL and other control
    characters except tab, LF and CR) are removed from text, since an XLSX cannot store them.
    """
    if not sheets:
        raise ValueError("an XLSX workbook needs at least one sheet")
    _check_sheet_names(list(sheets))
    workbook = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(title=name)
        safe = neutralize_frame(frame)
        sheet.append([_xlsx_value(label) for label in safe.columns])
        for row in safe.astype(object).itertuples(index=False, name=None):
            sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _is_textual(dtype: object) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    )


def _xlsx_value(value: object) -> object:
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
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
