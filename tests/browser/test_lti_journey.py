"""An LMS launch in Chromium: the platform's login, its auto-posted id_token form, the case,
and the score that the served app's outbox thread then sends to the platform.

The platform is lti1p3platform on loopback (``tests/support/lti_platform.py``); the tool is the
served app (``server``), exactly as ``make run`` starts it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from classroom.access import sign_ins
from classroom.lti import outbox, platforms
from classroom.storage.db import get_engine
from tests.support.lti_platform import Launch, TestPlatform
from tests.support.lti_play import play, token_of

pytestmark = pytest.mark.browser
SCC = "scc-back-pain-could-not-wait"


def test_a_student_launch_lands_signed_in_on_the_linked_case(page, server, server_database):
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
        learner_id = sign_ins.signed_in_learner(engine, cookie["value"])
        assert learner_id is not None
        # The case finished (as the player stores it): the served app's own outbox thread
        # posts the debrief's score to the LMS, with nobody running `casebook lti deliver`.
        _, score = play(engine, token_of(engine, learner_id))
        assert lms.score_arrived.wait(timeout=4 * outbox.POLL_SECONDS)
        assert [(s["userId"], s["scoreGiven"]) for s in lms.scores] == [
            ("browser-student", score.percent)
        ]
    finally:
        lms.stop()
