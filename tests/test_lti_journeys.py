"""LTI journeys against a real platform (lti1p3platform) over HTTP, on SQLite and PostgreSQL:
a student's launch through a case to the score at the platform, an instructor's launch,
deep linking, the roster pull, the token endpoint down, a key rotation, a replayed launch."""

from __future__ import annotations

import sqlalchemy as sa

from classroom.access import sign_ins
from classroom.lti import nrps, outbox
from classroom.lti.tool import JWKS_REFETCH_SECONDS, KEY_SETS
from classroom.storage.schema import LtiGradeOutbox
from tests.support.lti_platform import Launch, new_pem
from tests.support.lti_play import CASE_ID, learner_of, play, student_launch, token_of

TEACHER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def test_a_student_launch_lands_in_the_case_and_the_debrief_score_reaches_the_platform(lti):
    answer, _ = student_launch(lti)
    assert answer.headers["location"] == f"/player?case={CASE_ID}"
    set_cookie = answer.headers["set-cookie"]
    assert sign_ins.LEARNER_COOKIE in set_cookie and "HttpOnly" in set_cookie
    assert "?" not in answer.headers["location"].split("case=")[1]  # no secret in the URL
    learner_id = learner_of(lti, answer)
    _, score = play(lti.engine, token_of(lti.engine, learner_id))
    assert outbox.deliver_due(lti.engine) == {"sent": 1, "pending": 0, "failed": 0}
    [sent] = lti.platform.scores
    assert sent["scoreGiven"] == score.percent and sent["scoreMaximum"] == 100
    assert sent["userId"] == "student-1" and sent["lineitem"] == "link-1"
    assert (sent["activityProgress"], sent["gradingProgress"]) == ("Completed", "FullyGraded")
    assert outbox.passbacks(lti.engine) == []  # nothing waits any more
    # A second launch of the same student is the same member, not a new one.
    again, _ = student_launch(lti)
    assert learner_of(lti, again) == learner_id


def test_the_platform_down_keeps_the_score_waiting_until_it_is_accepted(lti):
    answer, _ = student_launch(lti)
    token = token_of(lti.engine, learner_of(lti, answer))
    lti.platform.token_down = True
    _, score = play(lti.engine, token)
    assert outbox.deliver_due(lti.engine) == {"sent": 0, "pending": 1, "failed": 0}
    [waiting] = outbox.passbacks(lti.engine)
    assert waiting.status == "pending" and waiting.tries == 1 and "503" in waiting.last_error
    assert outbox.deliver_due(lti.engine)["pending"] == 0  # not due yet: backoff
    lti.platform.token_down = False
    outbox.retry(lti.engine, waiting.id)  # as if the backoff had passed
    assert outbox.deliver_due(lti.engine)["sent"] == 1
    assert [s["scoreGiven"] for s in lti.platform.scores] == [score.percent]


def test_the_outbox_row_is_written_with_the_finished_attempt(lti):
    answer, _ = student_launch(lti)
    attempt_id, score = play(lti.engine, token_of(lti.engine, learner_of(lti, answer)))
    with lti.engine.connect() as conn:
        row = conn.execute(sa.select(LtiGradeOutbox)).one()
    assert (row.attempt_id, row.status, row.score_given) == (attempt_id, "pending", score.percent)


def test_a_replayed_launch_is_refused(lti):
    answer, browser = student_launch(lti)
    replay = browser.post(
        answer.posted["launch_url"],
        data={"id_token": answer.posted["id_token"], "state": answer.posted["state"]},
        allow_redirects=False,
        timeout=10,
    )
    assert replay.status_code == 400 and "already used" in replay.text


def test_a_platform_key_rotation_is_picked_up_by_fetching_its_keys_again(lti, monkeypatch):
    student_launch(lti)  # the platform's key set is now cached
    student_launch(lti, user_id="student-2")
    assert lti.platform.jwks_fetches == 1
    lti.platform.key = new_pem()  # a new key, a new kid
    answer, _ = lti.launch(Launch(custom={"casebook_case": CASE_ID}))
    assert "key (kid)" in answer.text  # an unknown kid just after a fetch: no second fetch
    assert lti.platform.jwks_fetches == 1
    later = KEY_SETS.clock() + JWKS_REFETCH_SECONDS + 1
    monkeypatch.setattr(KEY_SETS, "clock", lambda: later)
    student_launch(lti)  # a while later the unknown kid fetches the set again, and is found
    assert lti.platform.jwks_fetches == 2


def test_thirty_seconds_of_clock_skew_are_accepted(lti):
    student_launch(lti, spoil="skew:30")


def test_an_instructor_launch_lands_on_the_course_signed_in_as_an_educator(lti):
    answer, _ = lti.launch(Launch(roles=[TEACHER], user_id="teacher-1"))
    assert answer.status_code == 303, answer.text[:300]
    assert answer.headers["location"].startswith("/courses?course=")
    cookie = answer.cookies.get(sign_ins.COOKIE)
    assert sign_ins.signed_in(lti.engine, cookie)
    assert answer.cookies.get(sign_ins.LEARNER_COOKIE) is None


def test_deep_linking_places_a_case_that_students_then_land_in(lti):
    answer, browser = lti.launch(Launch(roles=[TEACHER], deep_link=True, user_id="teacher-1"))
    assert answer.status_code == 200 and f"case:{CASE_ID}" in answer.text
    launch_id = answer.text.split("name='launch' value='")[1].split("'")[0]
    back = browser.post(
        f"{lti.tool_url}/lti/deep-link",
        data={"launch": launch_id, "choice": f"case:{CASE_ID}"},
        timeout=10,
    )
    assert back.status_code == 200 and "deep-link-return" in back.text
    jwt_value = back.text.split("name='JWT' value='")[1].split("'")[0]
    placed = browser.post(f"{lti.platform.url}/deep-link-return", data={"JWT": jwt_value})
    assert placed.status_code == 200
    [item] = lti.platform.deep_link_items  # checked by the platform library
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"casebook_case": CASE_ID}
    assert item["lineItem"]["scoreMaximum"] == 100
    assert item["window"] == {"targetName": "casebook"}  # the platform offers windows
    used = browser.post(
        f"{lti.tool_url}/lti/deep-link", data={"launch": launch_id, "choice": f"case:{CASE_ID}"}
    )
    assert used.status_code == 400  # the placement's launch is used once
    landed, _ = lti.launch(Launch(custom=item["custom"], resource_link_id="placed-1"))
    assert landed.headers["location"] == f"/player?case={CASE_ID}"


def test_a_student_cannot_place_a_case(lti):
    answer, _ = lti.launch(Launch(deep_link=True))
    assert answer.status_code == 403 and "only an instructor" in answer.text


def test_the_roster_pull_adds_the_platforms_learners_to_the_course(lti):
    from classroom.courses.roster import members

    lti.platform.members = [
        {"user_id": "s-2", "name": "Grace Hopper", "email": "g@example.edu", "roles": [LEARNER]},
        {
            "user_id": "s-3",
            "given_name": "Mary",
            "family_name": "Seacole",
            "roles": [LEARNER],
            "lis_person_sourcedid": "SIS-3",
        },
        {"user_id": "t-1", "name": "Teacher", "roles": [TEACHER]},
        {"user_id": "s-4", "name": "Gone", "roles": [LEARNER], "status": "Inactive"},
    ]
    answer, _ = lti.launch(Launch(roles=[TEACHER], user_id="teacher-1"))
    course_id = int(answer.headers["location"].split("course=")[1])
    report = nrps.pull_roster(lti.engine, course_id)
    assert (report.added, report.updated, report.skipped) == (2, 0, 2)
    roster = {m.student_id: m.name for m in members(lti.engine, course_id)}
    assert roster == {"s-2": "Grace Hopper", "SIS-3": "Mary Seacole"}
    # Grace's first launch finds her roster entry: no second member.
    student_launch(lti, user_id="s-2", name="Grace Hopper")
    assert len(members(lti.engine, course_id)) == 2
    assert nrps.pull_roster(lti.engine, course_id).updated == 2


def test_a_placed_class_session_joins_the_course_and_students_land_on_its_join_page(lti):
    from classroom import sessions
    from classroom.courses.courses import course_of_session

    info = sessions.create_session(lti.engine, "Ward round", [CASE_ID])
    answer, _ = lti.launch(Launch(custom={"casebook_session": info.code}))
    assert answer.status_code == 303 and answer.headers["location"] == f"/join?code={info.code}"
    course = course_of_session(lti.engine, info.code)
    assert course is not None and course.title == "Nursing 101"
    sessions.delete_session(lti.engine, info.code)  # gone since: the next launch lands home
    again, _ = lti.launch(Launch(custom={"casebook_session": info.code}))
    assert again.headers["location"] == "/"
