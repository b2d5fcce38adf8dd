"""Pulling a course's roster from its platform (LTI Names and Role Provisioning Services).

The memberships URL comes from the course's launches (``classroom.lti.launches``). PyLTI1p3's
``NamesRolesProvisioningService`` fetches every page over the same cached OAuth 2 token as the
grade passback. Active learners (the membership role ``Learner``) are added to the course or
updated (``classroom.courses.roster.upsert_member``) and remembered as that platform user, so
their first launch finds them; instructors and inactive members are left out. Nobody is removed:
a roster pull never deletes a student's work.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from requests import RequestException
from sqlalchemy.engine import Engine

from classroom.lti.adapters import registration_of
from classroom.lti.launches import add_member, memberships_url
from classroom.lti.platforms import get_platform
from classroom.lti.tool import CachedTokenConnector
from classroom.storage.db import reading
from classroom.storage.schema import LtiUser

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER_ROLES = ("Learner", "Student")


class RosterPullError(ValueError):
    """The roster could not be pulled; the message says why in plain words."""


@dataclass(frozen=True)
class PullReport:
    """What a roster pull did."""

    added: int
    updated: int
    skipped: int  # instructors, inactive members


def _is_learner(member: dict) -> bool:
    roles = [str(r).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in member.get("roles", [])]
    return any(r in LEARNER_ROLES for r in roles) and member.get("status", "Active") == "Active"


def pull_roster(engine: Engine, course_id: int) -> PullReport:
    """Add or update the course's learners from its platform's roster."""
    source = memberships_url(engine, course_id)
    if source is None:
        raise RosterPullError(
            "This course has no roster service: launch Casebook from the LMS course first."
        )
    platform = get_platform(engine, source[0])
    if platform is None:
        raise RosterPullError("The LMS this course came from is no longer registered.")
    connector = CachedTokenConnector(registration_of(platform))
    service = NamesRolesProvisioningService(
        connector, {"context_memberships_url": source[1], "service_versions": ["2.0"]}
    )
    try:
        members = service.get_members()
    except (LtiException, RequestException) as exc:
        connector.forget_token([NRPS_SCOPE])
        raise RosterPullError(f"The LMS did not send the roster: {str(exc)[:300]}") from exc
    added = updated = skipped = 0
    for member in members:
        if not _is_learner(member) or not member.get("user_id"):
            skipped += 1
            continue
        claims = {
            "sub": str(member["user_id"]),
            "name": member.get("name"),
            "given_name": member.get("given_name"),
            "family_name": member.get("family_name"),
            "https://purl.imsglobal.org/spec/lti/claim/lis": {
                "person_sourcedid": member.get("lis_person_sourcedid")
            },
        }
        where = sa.and_(
            LtiUser.platform_id == platform.id,
            LtiUser.sub == claims["sub"][:255],
            LtiUser.course_id == course_id,
        )
        with reading(engine) as conn:
            known = conn.execute(sa.select(LtiUser.id).where(where)).first() is not None
        email = str(member.get("email") or "").strip()[:254] or None
        row = add_member(engine, course_id, claims, email)
        if known:
            updated += 1
            continue
        with engine.begin() as conn:
            conn.execute(
                sa.insert(LtiUser).values(
                    platform_id=platform.id,
                    sub=claims["sub"][:255],
                    course_id=course_id,
                    member_id=row.id,
                    learner_id=row.learner_id,
                )
            )
        added += 1
    return PullReport(added=added, updated=updated, skipped=skipped)
