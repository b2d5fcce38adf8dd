"""An LMS launch in Chromium, through the case, to the score at the LMS: the platform's login,
its auto-posted id_token form, the case played in the page to its debrief, and the served app's
own outbox thread sending exactly the debrief's score (here capped by a must-avoid choice).

The platform is lti1p3platform on loopback (``tests/support/lti_platform.py``); the tool is the
served app (``server``), exactly as ``make run`` starts it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from classroom.access import sign_ins
from classroom.lti import outbox, platforms
from classroom.storage.db import get_engine
from tests.browser.test_journeys import metric, play_to_debrief
from tests.support.lti_platform import Launch, TestPlatform

pytestmark = pytest.mark.browser
SCC = "scc-back-pain-could-not-wait"
DELAY = {"Act": ["Give the PRN opioid and reassess at 06:00"]}  # must-avoid: the cap applies


def test_a_student_launch_plays_the_case_and_the_lms_gets_the_debriefs_score(
    page, server, server_database
):
    lms = TestPlatform(server).start()
    try:
        engine = get_engine(server_database)
        platforms.register_platform(engine, **lms.settings())
        lms.next = Launch(user_id="browser-student", custom={"casebook_case": SCC})
        page.goto(lms.login_url())  # the LMS sends the browser to /lti/login; the rest follows
        page.get_by_role("heading", name="Notice the cues").first.wait_for(state="visible")
        address = urlsplit(page.url)
        assert address.path == "/player" and parse_qs(address.query)["case"] == [SCC]
        assert "t" not in parse_qs(address.query)  # signed in by cookie, no token in the URL
        [cookie] = [c for c in page.context.cookies() if c["name"] == sign_ins.LEARNER_COOKIE]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert sign_ins.signed_in_learner(engine, cookie["value"]) is not None
        play_to_debrief(page, DELAY)
        shown = metric(page, "Score")
        assert shown == "50%"
        assert lms.score_arrived.wait(timeout=4 * outbox.POLL_SECONDS)  # nobody ran deliver
        [score] = lms.scores
        assert (score["userId"], f"{score['scoreGiven']:g}%") == ("browser-student", shown)
    finally:
        lms.stop()
