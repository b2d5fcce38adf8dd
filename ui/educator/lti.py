"""The educator's LMS room: registered platforms, scores waiting for the LMS, the roster pull."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from classroom.lti import launches, nrps, outbox, platforms
from ui.components import session
from ui.components.clock import local_time
from ui.components.safe_text import plain_md

STATUS_WORDS = {"pending": "waiting (will be tried again)", "failed": "refused by the LMS"}


def platform_list(engine: Engine) -> None:
    """The registered platforms, or how to register one."""
    found = session.guarded(platforms.list_platforms, engine)
    if not found:
        st.info(
            "No LMS is registered yet: see docs/lti.md (`casebook lti register …`).",
            icon=":material/link_off:",
        )
        return
    st.table(
        pd.DataFrame(
            {
                "issuer": [p.issuer for p in found],
                "client id": [p.client_id for p in found],
                "deployments": [", ".join(p.deployment_ids) for p in found],
            }
        )
    )


def passback_table(engine: Engine, course_id: int | None) -> None:
    """Scores the LMS has not accepted yet, each with a button to try it again now."""
    waiting = session.guarded(outbox.passbacks, engine, course_id)
    if not waiting:
        st.success("Every score has reached the LMS.", icon=":material/done_all:")
        return
    for row in waiting:
        left, right = st.columns([5, 1], vertical_alignment="center")
        reason = f" — {plain_md(row.last_error)}" if row.last_error else ""
        left.markdown(
            f"Attempt {row.attempt_id}, LMS user {plain_md(row.user_sub)}: "
            f"{row.score_given:g} of {row.score_maximum:g}, "
            f"**{STATUS_WORDS[row.status]}** after {row.tries} tries; "
            f"next try {local_time(row.next_try_at)}{reason}"
        )
        if right.button("Try again now", key=f"retry-{row.id}", icon=":material/refresh:"):
            session.guarded(outbox.retry, engine, row.id)
            session.guarded(outbox.deliver_due, engine)
            st.rerun()


def roster_pull(engine: Engine, course_id: int) -> None:
    """Pull the course's roster from the LMS it was launched from (NRPS)."""
    if session.guarded(launches.memberships_url, engine, course_id) is None:
        st.caption("This course has no LMS roster service: launch Casebook from the LMS first.")
        return
    if st.button("Pull the roster from the LMS", icon=":material/group_add:"):
        try:
            report = nrps.pull_roster(engine, course_id)
        except nrps.RosterPullError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.success(
            f"{report.added} students added, {report.updated} updated "
            f"({report.skipped} instructors or inactive members left out).",
            icon=":material/group:",
        )


def course_panel(engine: Engine, course_id: int) -> None:
    """On a course's page, for a course made by an LMS launch: the roster pull, its scores."""
    if course_id not in session.guarded(launches.lms_course_ids, engine):
        return
    st.markdown("#### From the LMS")
    roster_pull(engine, course_id)
    st.markdown("##### Scores waiting for the LMS")
    passback_table(engine, course_id)
