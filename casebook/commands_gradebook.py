"""``casebook gradebook``: a course's gradebook as Canvas, Moodle, plain CSV or XLSX.

The database is ``CASEBOOK_DATABASE_URL``, as for the session commands. An unknown course,
a database fault or a binary format bound for a terminal prints one line and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from casebook.commands_sessions import (
    _clean_failures,
    _engine,
    _Failure,
    _library,
    write_payload,
)
from classroom.courses.courses import CourseError
from classroom.term.gradebook import read_gradebook
from classroom.term.lms_exports import BINARY_FORMATS, FORMATS, export_gradebook


def _to_terminal() -> bool:
    """True when standard output is a terminal (a binary file would garble it)."""
    return sys.stdout.isatty()


@click.command()
@click.argument("course", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="canvas and moodle: their grade import CSVs; csv: one row per student; xlsx: workbook.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File.")
def gradebook(course: int, fmt: str, output: Path | None) -> None:
    """Export the gradebook of course COURSE (its id): each rostered student by student ID,
    one column per class session with its reported percent (the must-avoid cap applied).

    The README says how to import each format into Canvas and Moodle.
    """
    with _clean_failures():
        if output is None and fmt in BINARY_FORMATS and _to_terminal():
            raise _Failure(f"an {fmt.upper()} workbook is binary: give --output FILE")
        try:
            book = read_gradebook(_engine(), course, _library())
        except CourseError as exc:
            raise _Failure(str(exc)) from None
        write_payload(export_gradebook(book, fmt), output)
