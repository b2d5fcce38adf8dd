"""A course's roster: importing a roster file, adding one student, listing the members.

Each member has a learner row of their own (created with them), so their attempts and
answers are keyed on ``learner_id`` like everyone's. An import runs in one transaction: a
file with any problem (``roster_file.RosterError``) changes nothing, and a good file is
imported whole. Re-importing is idempotent: students are matched on their student id
(case-insensitively), new ones are added, names are updated, emails and sections too when
the file has those columns; a member missing from the file is kept with all their work (the
report counts them), never dropped.

Names in a course need not be unique (two real students may share one); every member has a
``label`` that is: the name, or "name (student id)" when another member of the course has
the same name. Tables and exports show the student id beside it as well.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.courses.courses import CourseError, CourseNotFound
from classroom.courses.roster_file import (
    RosterError,
    RosterFile,
    RosterProblem,
    RosterRow,
    check_student,
    read_roster,
    read_roster_file,
)
from classroom.storage.db import reading, translate_errors
from classroom.storage.identifiers import new_token
from classroom.storage.schema import Course as CourseRow
from classroom.storage.schema import CourseMember, Learner, utcnow

__all__ = [
    "ImportReport",
    "Member",
    "RosterError",
    "RosterProblem",
    "RosterRow",
    "anonymous_id",
    "fetch_member",
    "find_member",
    "import_roster",
    "member_of_learner",
    "members",
    "read_roster",
    "stable_ids",
    "upsert_member",
]

DISPLAY_NAME_LENGTH = 40  # learner.display_name


@dataclass(frozen=True)
class Member:
    """A student on a course's roster."""

    id: int
    course_id: int
    learner_id: int
    student_id: str
    name: str
    email: str | None
    section: str | None
    has_pin: bool
    label: str = ""  # the name, with the student id when the course has two of that name

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the file's format and columns, and how many students changed."""

    format: str
    columns: dict[str, str]
    added: int
    updated: int
    unchanged: int
    kept: int  # members not in the file, kept as they were

    def summary(self) -> str:
        """One sentence for the CLI and the Course page."""
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
            f", {self.kept} not in this file and kept ({self.format} format; columns "
            + ", ".join(f"{f} ← {c!r}" for f, c in self.columns.items())
            + ")"
        )


_MEMBER_COLUMNS = (
    CourseMember.id,
    CourseMember.course_id,
    CourseMember.learner_id,
    CourseMember.student_id,
    CourseMember.name,
    CourseMember.email,
    CourseMember.section,
    CourseMember.pin_hash.is_not(None).label("has_pin"),
)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _labelled(rows: list[Any]) -> list[Member]:
    counts = Counter(_name_key(r.name) for r in rows)
    return [
        Member(
            *row,
            label=row.name
            if counts[_name_key(row.name)] == 1
            else f"{row.name} ({row.student_id})",
        )
        for row in rows
    ]


def _require_course(conn: Connection, course_id: int) -> None:
    # FOR UPDATE (PostgreSQL): imports into one course queue, so none sees half of another.
    found = conn.execute(
        sa.select(CourseRow.id).where(CourseRow.id == course_id).with_for_update()
    ).first()
    if found is None:
        raise CourseNotFound(f"no course has the id {course_id}")


def _existing(conn: Connection, course_id: int) -> dict[str, Any]:
    rows = conn.execute(
        sa.select(
            CourseMember.id,
            CourseMember.student_id,
            CourseMember.name,
            CourseMember.email,
            CourseMember.section,
        ).where(CourseMember.course_id == course_id)
    )
    return {row.student_id.lower(): row for row in rows}


def _add(conn: Connection, course_id: int, rows: list[RosterRow]) -> None:
    if not rows:
        return
    now = utcnow()
    learner_ids = conn.execute(
        sa.insert(Learner).returning(Learner.id, sort_by_parameter_order=True),
        [
            {"token": new_token(), "display_name": r.name[:DISPLAY_NAME_LENGTH], "created_at": now}
            for r in rows
        ],
    ).scalars()
    conn.execute(
        sa.insert(CourseMember),
        [
            {
                "course_id": course_id,
                "learner_id": learner_id,
                "student_id": r.student_id,
                "name": r.name,
                "email": r.email,
                "section": r.section,
                "created_at": now,
                "updated_at": now,
            }
            for learner_id, r in zip(learner_ids, rows, strict=True)
        ],
    )


def _changes(old: Any, row: RosterRow, email: bool, section: bool) -> dict[str, Any]:
    wanted = {"name": row.name}
    if email:
        wanted["email"] = row.email
    if section:
        wanted["section"] = row.section
    return {k: v for k, v in wanted.items() if getattr(old, k) != v}


def _store(conn: Connection, course_id: int, roster: RosterFile) -> ImportReport:
    _require_course(conn, course_id)
    existing = _existing(conn, course_id)
    new_rows, updates, unchanged = [], [], 0
    for row in roster.rows:
        old = existing.get(row.student_id.lower())
        if old is None:
            new_rows.append(row)
            continue
        changed = _changes(old, row, roster.has_email, roster.has_section)
        if changed:
            updates.append((old.id, changed))
        else:
            unchanged += 1
    _add(conn, course_id, new_rows)
    now = utcnow()
    for member_id, changed in updates:
        conn.execute(
            sa.update(CourseMember)
            .where(CourseMember.id == member_id)
            .values(**changed, updated_at=now)
        )
    in_file = {r.student_id.lower() for r in roster.rows}
    kept = sum(key not in in_file for key in existing)
    return ImportReport(roster.format, roster.columns, len(new_rows), len(updates), unchanged, kept)


@translate_errors("Nothing was imported; try again.")
def import_roster(engine: Engine, course_id: int, data: bytes, filename: str) -> ImportReport:
    """Import a roster file into a course, all or nothing; see the module docstring."""
    roster = read_roster_file(data, filename)
    with engine.begin() as conn:
        return _store(conn, course_id, roster)


@translate_errors("The student was not saved; try again.")
def upsert_member(
    engine: Engine,
    course_id: int,
    student_id: str,
    name: str,
    email: str | None = None,
    section: str | None = None,
) -> Member:
    """Add a student to a course, or update their name (and email, section when given).

    Checked like a roster row; raises ``CourseError`` with the problems in plain words.
    ``email`` or ``section`` None leaves an existing member's value as it is.
    """
    try:
        row = check_student(student_id, name, email, section)
    except RosterError as exc:
        raise CourseError("; ".join(p.message for p in exc.problems)) from None
    columns = {"student_id": "student_id", "name": "name"}
    columns.update({k: k for k, v in (("email", email), ("section", section)) if v is not None})
    roster = RosterFile("plain", columns, [row])
    with engine.begin() as conn:
        _store(conn, course_id, roster)
        row = conn.execute(
            sa.select(*_MEMBER_COLUMNS).where(
                CourseMember.course_id == course_id,
                sa.func.lower(CourseMember.student_id) == roster.rows[0].student_id.lower(),
            )
        ).one()
    return Member(*row)


@translate_errors("Nothing was loaded; try again in a moment.")
def members(engine: Engine, course_id: int) -> list[Member]:
    """The course's roster, by name then student id, each with its ``label``."""
    with reading(engine) as conn:
        if conn.execute(sa.select(CourseRow.id).where(CourseRow.id == course_id)).first() is None:
            raise CourseNotFound(f"no course has the id {course_id}")
        rows = conn.execute(
            sa.select(*_MEMBER_COLUMNS)
            .where(CourseMember.course_id == course_id)
            .order_by(CourseMember.name, CourseMember.student_id)
        ).all()
    return _labelled(rows)


def fetch_member(conn: Connection, course_id: int, student_id: str) -> Any | None:
    """The member row (with ``pin_hash``) of a typed student id, case-insensitively."""
    typed = " ".join(str(student_id).split())
    if not typed or len(typed) > 64:
        return None
    return conn.execute(
        sa.select(*_MEMBER_COLUMNS, CourseMember.pin_hash).where(
            CourseMember.course_id == course_id,
            sa.func.lower(CourseMember.student_id) == typed.lower(),
        )
    ).first()


@translate_errors("Nothing was loaded; try again in a moment.")
def find_member(engine: Engine, course_id: int, student_id: str) -> Member | None:
    """The member with this student id (any case), or None."""
    with reading(engine) as conn:
        row = fetch_member(conn, course_id, student_id)
    return None if row is None else Member(*row[:8])


def anonymous_id(learner_id: int) -> str:
    """The stable id shown for a learner who is on no roster: ``anon-<learner id>``."""
    return f"anon-{learner_id}"


@translate_errors("Nothing was loaded; try again in a moment.")
def stable_ids(engine: Engine, learner_ids: list[int]) -> dict[int, str]:
    """learner id → the id a table shows: the student id, or ``anonymous_id`` off any roster."""
    wanted = sorted({int(i) for i in learner_ids})
    found: dict[int, str] = {}
    with reading(engine) as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                conn.execute(
                    sa.select(CourseMember.learner_id, CourseMember.student_id).where(
                        CourseMember.learner_id.in_(chunk)
                    )
                ).all()
            )
    return {i: found.get(i, anonymous_id(i)) for i in wanted}


@translate_errors("Nothing was loaded; try again in a moment.")
def member_of_learner(engine: Engine, learner_id: int) -> Member | None:
    """The roster entry of a learner, or None for an anonymous learner."""
    with reading(engine) as conn:
        row = conn.execute(
            sa.select(*_MEMBER_COLUMNS).where(CourseMember.learner_id == learner_id)
        ).first()
    return None if row is None else Member(*row)
