"""What a validated launch means to Casebook: a course, a roster entry, a link, a landing.

On every launch (the claims are already checked by ``classroom.lti.tool.CasebookLaunch``):

- the LTI context (the LMS course) becomes a Casebook course on its first launch (titled by
  the context's title or label), remembered in ``lti_context``; the NRPS memberships URL of the
  launch is kept there for the educator's roster pull;
- the resource link is remembered in ``lti_resource_link`` with what it opens, read from the
  custom parameters Casebook's deep linking response put on it (``casebook_case`` or
  ``casebook_session``), and the AGS line item its scores go to. A class session placed in
  an LMS course is attached to that Casebook course at its first launch, unless it already
  belongs to a course (then it stays there, and only that course's members may join);
- a learner becomes a roster entry of that course on their first launch
  (``classroom.courses.roster.upsert_member``), found again by (platform, ``sub``) in
  ``lti_user`` on every later launch. Their student ID is the LMS's SIS id
  (``lis.person_sourcedid``) when it sends one, so a roster imported from the LMS's CSV and a
  launch name the same person; otherwise the ``sub``, or its SHA-256 when over 64 characters.

Roles: the context roles Instructor or Administrator (PyLTI1p3's ``TeacherRole``) land on the
educator pages; everyone else is a learner.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom import sessions
from classroom.courses.courses import (
    CourseError,
    attach_session,
    course_of_session,
    create_course,
)
from classroom.courses.roster import Member, upsert_member
from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import LtiContext, LtiResourceLink, LtiUser

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CASE_PARAMETER = "casebook_case"
SESSION_PARAMETER = "casebook_session"
MAX_STUDENT_ID = 64


@dataclass(frozen=True)
class Landing:
    """Where a launch lands: the course, who (a learner id, or None for an educator), and what."""

    course_id: int
    learner_id: int | None
    case_id: str | None
    session_code: str | None

    @property
    def educator(self) -> bool:
        """True for an Instructor's or Administrator's launch."""
        return self.learner_id is None


def student_id_of(claims: dict[str, Any]) -> str:
    """The roster's student ID for the launch's user (module doc)."""
    sourced = str((claims.get(CLAIM + "lis") or {}).get("person_sourcedid") or "").strip()
    if sourced and len(sourced) <= MAX_STUDENT_ID:
        return sourced
    sub = str(claims["sub"])
    if len(sub) <= MAX_STUDENT_ID:
        return sub
    return hashlib.sha256(sub.encode("utf-8")).hexdigest()


def name_of(claims: dict[str, Any]) -> str:
    """The user's name as the platform gives it, else a neutral one."""
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(
            str(claims.get(k) or "").strip() for k in ("given_name", "family_name")
        ).strip()
    return (name or f"LMS user {student_id_of(claims)[:12]}")[:120]


def _course(engine: Engine, platform_id: int, claims: dict[str, Any]) -> tuple[int, int]:
    """(lti_context id, course id) of the launch's context, made on its first launch."""
    context = claims.get(CLAIM + "context") or {}
    context_id = str(context.get("id") or "")
    if not context_id:
        raise ValueError("the launch names no course (context)")
    memberships = (claims.get(NRPS_CLAIM) or {}).get("context_memberships_url")
    where = sa.and_(LtiContext.platform_id == platform_id, LtiContext.context_id == context_id)
    with reading(engine) as conn:
        found = conn.execute(sa.select(LtiContext.id, LtiContext.course_id).where(where)).first()
    if found is None:
        title = str(context.get("title") or context.get("label") or "LMS course")[:200]
        course = create_course(engine, title)
        try:
            with engine.begin() as conn:
                conn.execute(
                    sa.insert(LtiContext).values(
                        platform_id=platform_id, context_id=context_id, course_id=course.id
                    )
                )
        except sa.exc.IntegrityError:  # a second launch made it first: use theirs
            pass
        with reading(engine) as conn:
            found = conn.execute(sa.select(LtiContext.id, LtiContext.course_id).where(where)).one()
    if memberships:
        with engine.begin() as conn:
            conn.execute(
                sa.update(LtiContext)
                .where(LtiContext.id == found.id)
                .values(memberships_url=str(memberships)[:500])
            )
    return found.id, found.course_id


def _link(engine: Engine, platform_id: int, context_row: int, claims: dict[str, Any]) -> Any:
    """Remember the resource link, what it opens and its line item; returns the stored row."""
    link = claims.get(CLAIM + "resource_link") or {}
    link_id = str(link.get("id") or "")
    custom = claims.get(CLAIM + "custom") or {}
    values = {
        "case_id": str(custom.get(CASE_PARAMETER) or "")[:200] or None,
        "session_code": str(custom.get(SESSION_PARAMETER) or "")[:12] or None,
        "lineitem_url": str((claims.get(AGS_CLAIM) or {}).get("lineitem") or "")[:500] or None,
        "title": str(link.get("title") or "")[:200] or None,
        "context_id": context_row,
    }
    if not link_id:
        return values
    where = sa.and_(
        LtiResourceLink.platform_id == platform_id, LtiResourceLink.resource_link_id == link_id
    )
    with engine.begin() as conn:
        if conn.execute(sa.update(LtiResourceLink).where(where).values(values)).rowcount == 0:
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(LtiResourceLink).values(
                            platform_id=platform_id, resource_link_id=link_id, **values
                        )
                    )
            except sa.exc.IntegrityError:
                conn.execute(sa.update(LtiResourceLink).where(where).values(values))
    return values


def add_member(engine: Engine, course_id: int, claims: dict[str, Any], email: str | None) -> Member:
    """The user as a roster entry (an email the roster refuses is left out)."""
    student_id, name = student_id_of(claims), name_of(claims)
    try:
        return upsert_member(engine, course_id, student_id, name, email=email)
    except CourseError:
        if email is None:
            raise
        return upsert_member(engine, course_id, student_id, name)


def _member(engine: Engine, platform_id: int, course_id: int, claims: dict[str, Any]) -> int:
    """The learner id of the launch's user in the course, added to its roster if new."""
    sub = str(claims["sub"])[:255]
    where = sa.and_(
        LtiUser.platform_id == platform_id, LtiUser.sub == sub, LtiUser.course_id == course_id
    )
    with reading(engine) as conn:
        known = conn.execute(sa.select(LtiUser.learner_id).where(where)).scalar_one_or_none()
    if known is not None:
        return known
    email = str(claims.get("email") or "").strip()[:254] or None
    member = add_member(engine, course_id, claims, email)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(LtiUser).values(
                    platform_id=platform_id,
                    sub=sub,
                    course_id=course_id,
                    member_id=member.id,
                    learner_id=member.learner_id,
                )
            )
    except sa.exc.IntegrityError:  # two first launches at once: both are the same member
        pass
    return member.learner_id


@translate_errors("The launch was not completed; try again from the LMS.")
def land(engine: Engine, platform_id: int, claims: dict[str, Any], *, educator: bool) -> Landing:
    """Store what the launch means (module doc) and say where it lands."""
    context_row, course_id = _course(engine, platform_id, claims)
    link = _link(engine, platform_id, context_row, claims)
    code = link["session_code"]
    if code and sessions.get_session(engine, code) is None:
        code = None  # deleted since it was placed: land on the course instead
    if code and course_of_session(engine, code) is None:  # a placed session joins the course
        attach_session(engine, course_id, code)
    learner_id = None if educator else _member(engine, platform_id, course_id, claims)
    return Landing(
        course_id=course_id,
        learner_id=learner_id,
        case_id=link["case_id"],
        session_code=code,
    )


@translate_errors("The course could not be read; try again.")
def memberships_url(engine: Engine, course_id: int) -> tuple[int, str] | None:
    """(platform id, NRPS memberships URL) of a course made by a launch, if it has one."""
    with reading(engine) as conn:
        found = conn.execute(
            sa.select(LtiContext.platform_id, LtiContext.memberships_url)
            .where(LtiContext.course_id == course_id, LtiContext.memberships_url.is_not(None))
            .order_by(LtiContext.id)
        ).first()
    return (found.platform_id, found.memberships_url) if found else None


@translate_errors("The courses could not be read; try again.")
def lms_course_ids(engine: Engine) -> list[int]:
    """The ids of the courses made by LMS launches, oldest first."""
    with reading(engine) as conn:
        return list(
            conn.execute(
                sa.select(LtiContext.course_id).distinct().order_by(LtiContext.course_id)
            ).scalars()
        )
