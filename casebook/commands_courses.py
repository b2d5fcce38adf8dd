"""Commands on courses and rosters: course create, list, attach; roster import, pin-reset.

COURSE is a course's id (``casebook course list`` prints them). A roster file's problems print
as ``path:line: message``, one per line, and nothing is imported (exit 1); a database fault or
an unknown course or join code prints one line and exits 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from classroom.courses import courses, members, roster
from classroom.courses.roster_file import RosterError
from classroom.storage import db


def _fail(message: str) -> NoReturn:
    click.echo(f"casebook: {message}", err=True)
    raise SystemExit(1)


@contextmanager
def _clean_failures() -> Iterator[None]:
    """Expected failures become one line (or a roster's lines) and exit 1, never a traceback."""
    try:
        yield
    except RosterError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        raise SystemExit(1) from None
    except db.StorageError as exc:
        _fail(exc.message)
    except ValueError as exc:  # CourseError, TextError
        _fail(str(exc))


def _engine() -> Engine:
    try:
        return db.get_engine(db.database_url())
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as exc:
        _fail(f"CASEBOOK_DATABASE_URL is not a usable database URL ({exc})")


def _line(course: courses.Course) -> str:
    extra = " · ".join(x for x in (course.term, course.section) if x)
    return f"{course.id}\t{course.title}" + (f"\t{extra}" if extra else "")


@click.group("course")
def course_group() -> None:
    """Courses: a term's class sessions and its roster."""


@course_group.command("create")
@click.option("--title", required=True, help="The course title.")
@click.option("--term", default=None, help="e.g. 'Spring 2027'.")
@click.option("--section", default=None, help="e.g. 'A'.")
def create(title: str, term: str | None, section: str | None) -> None:
    """Create a course and print its id."""
    with _clean_failures():
        course = courses.create_course(_engine(), title, term=term, section=section)
    click.echo(_line(course))


@course_group.command("list")
def list_() -> None:
    """Every course: id, title, term · section."""
    with _clean_failures():
        for course in courses.list_courses(_engine()):
            click.echo(_line(course))


@course_group.command("attach")
@click.argument("course_id", metavar="COURSE", type=int)
@click.argument("code")
def attach(course_id: int, code: str) -> None:
    """Attach the class session with join code CODE to COURSE (only its roster may join)."""
    with _clean_failures():
        engine = _engine()
        courses.attach_session(engine, course_id, code)
        course = courses.get_course(engine, course_id)
    click.echo(f"session {code.upper()} is now in course {course.id} ({course.title})")


@click.group("roster")
def roster_group() -> None:
    """A course's roster: import a CSV (plain, Canvas or Moodle), reset a student's PIN."""


@roster_group.command("import")
@click.argument("course_id", metavar="COURSE", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(course_id: int, file: Path) -> None:
    """Import FILE (CSV) into COURSE's roster: all or nothing; re-importing updates."""
    with _clean_failures():
        report = roster.import_roster(_engine(), course_id, file.read_bytes(), str(file))
    click.echo(report.summary())


@roster_group.command("pin-reset")
@click.argument("course_id", metavar="COURSE", type=int)
@click.argument("student_id")
def pin_reset(course_id: int, student_id: str) -> None:
    """Clear STUDENT_ID's PIN in COURSE and sign them out; they choose a new one next time."""
    with _clean_failures():
        members.reset_pin(_engine(), course_id, student_id)
    click.echo(f"PIN of {student_id} cleared: they choose a new one at their next sign-in")
