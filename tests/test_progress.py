"""A student's term and the cohort's weak spots, on real databases."""

from __future__ import annotations

from classroom import sessions
from classroom.courses.courses import create_course
from classroom.term.gradebook import read_gradebook
from classroom.term.progress import cohort_weak_spots, student_term
from tests.conftest import keyed_response
from tests.support.term import course_session, member_token, play
from tests.test_gradebook import wrong_first


def test_the_term_lists_every_attempt_with_the_gradebook_number(db_engine, shipped):
    course = create_course(db_engine, "Med-surg")
    learner, token = member_token(db_engine, course.id, "S1", "Ana")
    first = course_session(db_engine, course.id, "Week 1", ["scc-back-pain-could-not-wait"])
    second = course_session(db_engine, course.id, "Week 2", ["scc-back-pain-could-not-wait"])

    def unsafe(step):
        return ["walk-bathroom"] if step.id == "priority" else keyed_response(step)

    _, debrief = play(db_engine, shipped, first, token, "scc-back-pain-could-not-wait", unsafe)
    play(db_engine, shipped, second, token, "scc-back-pain-could-not-wait", wrong_first)
    term = student_term(db_engine, learner, shipped)
    assert [a.session_code for a in term.attempts] == [second, first]  # newest first
    book = read_gradebook(db_engine, course.id, shipped).cells.set_index("session")
    for a in term.attempts:
        assert a.status == "finished" and a.title == "The back pain that couldn't wait"
        assert a.score.percent == book.loc[a.session_code, "percent"]
    assert term.attempts[1].score.capped and term.attempts[1].score.percent == debrief.percent
    # The skill profile: one row per skill answered, per day; percent of the points.
    skills = term.skills
    assert set(skills["label"]) <= {
        "Recognize cues", "Analyze cues", "Prioritize hypotheses",
        "Generate solutions", "Take action", "Evaluate outcomes",
    }  # fmt: skip
    assert (skills["points"] <= skills["max_points"]).all()
    row = skills.iloc[0]
    assert row["percent"] == round(100 * row["points"] / row["max_points"], 1)
    # Passages to review come from options got wrong, most often first.
    assert term.passages, "a wrong answer on a cited option gives a passage to review"
    counts = [p.answers for p in term.passages]
    assert counts == sorted(counts, reverse=True) and all(p.text for p in term.passages)


def test_an_exam_not_released_keeps_its_score_and_answers_closed(db_engine, ward_library):
    course = create_course(db_engine, "Exams")
    learner, token = member_token(db_engine, course.id, "S1", "Ana")
    code = course_session(db_engine, course.id, "Midterm", ["ward-round"], mode="exam")
    play(db_engine, ward_library, code, token, "ward-round", wrong_first)
    closed = student_term(db_engine, learner, ward_library)
    assert [a.score for a in closed.attempts] == [None]
    assert closed.skills.empty and closed.passages == ()
    sessions.release_results(db_engine, code)
    opened = student_term(db_engine, learner, ward_library)
    assert opened.attempts[0].score is not None and not opened.skills.empty


def test_practice_and_an_attempt_in_progress_are_listed(db_engine, ward_library):
    course = create_course(db_engine, "Practice")
    learner, token = member_token(db_engine, course.id, "S1", "Ana")
    code = course_session(db_engine, course.id, "Week 1", ["ward-round"])
    steps = iter([True])
    play(db_engine, ward_library, code, token, "ward-round",
         lambda s: keyed_response(s) if next(steps, False) else None)  # fmt: skip
    [attempt] = student_term(db_engine, learner, ward_library).attempts
    assert attempt.status == "in progress"
    assert (attempt.score.points, attempt.score.max_points) == (1, 5)  # 4 points to go
    assert student_term(db_engine, 10_000, ward_library).attempts == ()  # nobody: nothing


def test_the_cohort_weakest_skills_and_most_missed_steps(db_engine, ward_library):
    course = create_course(db_engine, "Cohort")
    code = course_session(db_engine, course.id, "Week 1", ["ward-round"])
    for n in range(3):
        _, token = member_token(db_engine, course.id, f"S{n}", f"Student {n}")
        play(db_engine, ward_library, code, token, "ward-round",
             wrong_first if n else keyed_response)  # fmt: skip
    spots = cohort_weak_spots(db_engine, course.id, ward_library)
    steps = spots.steps.set_index("step_id")
    assert steps.loc["cues", ["answerers", "missed", "missed_share"]].tolist() == [3, 2, 66.7]
    assert steps.loc["act", "missed"] == 0
    assert spots.steps["step_id"].iloc[0] == "cues"  # missed most, first
    assert steps.loc["cues", "title"] == "First look"
    skills = spots.skills.set_index("label")
    assert skills.loc["Recognize cues", "percent"] == round(100 * 1 / 3, 1)
    assert spots.skills["label"].iloc[0] == "Recognize cues"  # weakest first


def test_the_cohort_decision_points_missed_most(db_engine, shipped):
    course = create_course(db_engine, "Oncology")
    case = "scc-back-pain-could-not-wait"
    code = course_session(db_engine, course.id, "Week 1", [case])
    for n in range(2):
        _, token = member_token(db_engine, course.id, f"S{n}", f"Student {n}")
        play(db_engine, shipped, code, token, case, wrong_first if n else keyed_response)
    spots = cohort_weak_spots(db_engine, course.id, shipped)
    points = spots.decision_points.set_index("decision_point")
    tagged = spots.steps.explode("decision_points").groupby("decision_points")
    assert set(points.index) == set(tagged.groups)
    for dp, row in points.iterrows():  # each decision point sums the steps tagged with it
        assert row["answers"] == tagged.get_group(dp)["answers"].sum()
        assert row["missed"] == tagged.get_group(dp)["missed"].sum()
        assert row["missed_share"] == round(100 * row["missed"] / row["answers"], 1)
    assert points.loc["DP-13", "title"] == "Recognising spinal cord compression"
    shares = spots.decision_points["missed_share"].tolist()
    assert shares == sorted(shares, reverse=True)
