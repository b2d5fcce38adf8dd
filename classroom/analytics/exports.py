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

``exports_for`` and ``workbook_sheets`` shape a session's dashboard into the tables the
dashboard's downloads and ``casebook report`` write (the same tables for both).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from classroom.grades import SCORE_COLUMNS
from classroom.session_data import text_column
from scoring.format.text import FORMULA_TRIGGERS as FORMULA_TRIGGERS  # defined once, there

if TYPE_CHECKING:  # the tables come from a Dashboard; exports is the layer above it
    from classroom.analytics.dashboard import Dashboard

# Control characters but tab, LF and CR; bidi controls, zero-width space, word joiner and
# friends, and the byte-order mark. Zero-width (non-)joiners stay: scripts and emoji need them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Excel forbids these in sheet names, and names longer than 31 characters.
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
# The gradebook's first columns (``exports_for``): who, by name and stable IDs, then the score.
GRADEBOOK_COLUMNS = ("student", "student_id", "learner_id", "points", "max_points", "percent")


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


# --- The tables a session exports ---------------------------------------------------------


ATTEMPT_COLUMNS = (
    "student",
    "student_id",
    "learner_id",
    "activity",
    "kind",
    "status",
    "ended_early",
    *SCORE_COLUMNS,
    "started_at_utc",
    "finished_at_utc",
)


def _utc(times: pd.Series) -> pd.Series:
    """Timestamps as naive UTC (spreadsheets have no time zones; the column name says UTC)."""
    return times.dt.tz_convert(None)


def exports_for(board: Dashboard) -> dict[str, pd.DataFrame]:
    """Tables to download, every score the reported one (``classroom.grades``):

    - ``gradebook``: one row per student: student, student_id (the roster's, blank for an
      anonymous joiner), learner_id (the record's), points, max_points, percent
      (import ``percent``: the session score; points are as earned, so where a must-avoid
      cap applied, ``capped`` is true and percent is below raw_percent), must_avoid;
    - ``attempts``: one row per student × activity (not started included, counting 0);
    - ``scores``: per student, the percent of each activity, then the session score;
    - ``responses``: every answer; ``items``: the item analysis with each item's n.
    Times are UTC.
    """
    data, grades, scores = board.data, board.grades, board.scores
    roster_ids = data.participants.set_index("learner_id")["student_id"]
    gradebook = grades[["student", "learner_id", *SCORE_COLUMNS]].drop(columns="cap")
    gradebook["student_id"] = text_column(roster_ids.reindex(grades["learner_id"]).to_numpy())
    gradebook = gradebook[[*GRADEBOOK_COLUMNS, "raw_percent", "capped", "must_avoid"]]
    attempts = scores.assign(
        student_id=text_column(roster_ids.reindex(scores["learner_id"]).to_numpy()),
        started_at_utc=_utc(scores["started_at"]),
        finished_at_utc=_utc(scores["finished_at"]),
    )[list(ATTEMPT_COLUMNS)]
    per_activity = scores.pivot_table(
        index="learner_id", columns="activity", values="percent", aggfunc="first", sort=False
    )
    order = list(dict.fromkeys([*data.session.case_ids, *scores["activity"]]))
    per_activity = per_activity.reindex(index=grades["learner_id"], columns=order)
    people = data.participants.set_index("learner_id")
    summary = grades.set_index("learner_id")
    per_student = pd.concat(
        [
            people[["student", "student_id"]].assign(
                learner_id=people.index, joined_at_utc=_utc(people["joined_at"])
            ),
            per_activity.rename(columns=lambda a: f"{a} %"),
            summary[[*SCORE_COLUMNS]].drop(columns="cap"),
        ],
        axis=1,
    )
    answered = data.responses.groupby("learner_id").size()
    per_student["answered"] = answered.reindex(people.index).fillna(0).astype("int64")
    per_student["finished"] = summary["finished"]
    r = data.responses
    responses = pd.DataFrame(
        {
            "student": r["student"],
            "student_id": text_column(roster_ids.reindex(r["learner_id"]).to_numpy()),
            "learner_id": r["learner_id"],
            "case_id": r["item_case"],
            "step_id": r["item_step"],
            "item_type": r["item_type"],
            "skill": r["skill"],
            "rule": r["rule"],
            "points": r["points"],
            "max_points": r["max_points"],
            "response": [json.dumps(x, ensure_ascii=False) for x in r["response"]],
            "must_avoid": r["must_avoid"].str.join("; "),
            "answered_at_utc": _utc(r["created_at"]),
        }
    )
    return {
        "gradebook": gradebook.reset_index(drop=True),
        "attempts": attempts.reset_index(drop=True),
        "scores": per_student.reset_index(drop=True),
        "responses": responses.reset_index(drop=True),
        "items": board.items.reset_index(),
    }


def workbook_sheets(board: Dashboard) -> dict[str, pd.DataFrame]:
    """Every export table, then the distractors and skills: the "Everything" workbook."""
    return {
        **exports_for(board),
        "distractors": board.distractors,
        "skills": board.skills.by_student,
    }
