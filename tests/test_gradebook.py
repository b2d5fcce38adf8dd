"""The course gradebook on real databases: the session tables' numbers, for a whole term."""

from __future__ import annotations

import pytest

from classroom import sessions
from classroom.courses.courses import CourseNotFound, create_course
from classroom.grades import attempt_scores, student_grades
from classroom.session_data import session_frames
from classroom.term.gradebook import NOT_JOINED, read_gradebook, session_label, wide_table
from tests.support.term import course_session, member_token, play


def wrong_first(step):
    """Every step answered with its first unkeyed option where there is one (else keyed)."""
    from tests.conftest import keyed_response

    options = getattr(step, "options", None) or []
    wrong = [o.id for o in options if not o.keyed]
    return wrong[:1] if step.type == "multiple_choice" and wrong else keyed_response(step)


@pytest.fixture
def term(db_engine, ward_library):
    """Three members, two sessions: Ana plays both (one case left half done), Ben only the
    first, Cy never comes; plus one anonymous joiner from before the session was attached."""
    engine = db_engine
    course = create_course(engine, "Adult health", term="Spring 2027")
    ana = member_token(engine, course.id, "S001", "Ana Lima", email="ana@example.edu")
    ben = member_token(engine, course.id, "S002", "Ben Okafor", section="B")
    member_token(engine, course.id, "S003", "Cy Park")
    first = sessions.create_session(engine, "Week 1", ["ward-round", "night-shift"])
    sessions.join_session(engine, first.code, "Walk-in")  # joined before the course had it
    from classroom.courses.courses import attach_session

    attach_session(engine, course.id, first.code)
    second = course_session(engine, course.id, "Week 2", ["night-shift"])  # its code
    play(engine, ward_library, first.code, ana[1], "ward-round")
    play(engine, ward_library, first.code, ana[1], "night-shift", wrong_first)
    play(engine, ward_library, first.code, ben[1], "ward-round", wrong_first)
    steps = iter([True])  # Ana answers the first step of week 2, then stops
    play(
        engine,
        ward_library,
        second,
        ana[1],
        "night-shift",
        lambda step: wrong_first(step) if next(steps, False) else None,
    )
    return course, (first.code, second)


def test_each_cell_is_the_session_tables_number(db_engine, ward_library, term):
    course, codes = term
    book = read_gradebook(db_engine, course.id, ward_library)
    assert [s.code for s in book.sessions] == list(codes)
    assert book.members["student_id"].tolist() == ["S001", "S002", "S003"]
    assert book.outsiders == 1  # the walk-in: no student ID, so not in the gradebook
    for code in codes:
        data = session_frames(db_engine, code)
        scores = attempt_scores(data, ward_library)
        session_grades = student_grades(scores, data).set_index("learner_id")
        mine = book.grades[book.grades["session"] == code].set_index("learner_id")
        for learner_id, row in session_grades.iterrows():
            if learner_id not in mine.index:
                continue  # the walk-in
            ours = mine.loc[learner_id]
            columns = ["points", "max_points", "raw_percent", "percent", "capped", "must_avoid"]
            assert [ours[c] for c in columns] == [row[c] for c in columns], (code, learner_id)
        cells = book.cells[book.cells["session"] == code]
        for r in scores.itertuples():
            if r.learner_id in set(cells["learner_id"]):
                cell = cells[
                    (cells["learner_id"] == r.learner_id) & (cells["activity"] == r.activity)
                ]
                assert cell["percent"].tolist() == [r.percent]
                assert cell["status"].tolist() == [r.status]


def test_who_never_came_counts_zero_and_says_so(db_engine, ward_library, term):
    course, (_, second) = term
    book = read_gradebook(db_engine, course.id, ward_library)
    cy = book.cells[book.cells["student_id"] == "S003"]
    assert set(cy["status"]) == {NOT_JOINED}
    assert cy["percent"].tolist() == [0.0] * 3 and (cy["max_points"] > 0).all()
    ben = book.grades[(book.grades["student_id"] == "S002") & (book.grades["session"] == second)]
    assert ben[["joined", "finished", "complete", "percent"]].values.tolist() == [
        [False, 0, False, 0.0]
    ]
    # Ana's week 2 is in progress: what it would score if it ended now.
    ana = book.cells[(book.cells["student_id"] == "S001") & (book.cells["session"] == second)]
    assert ana["status"].tolist() == ["in progress"]
    assert ana["points"].iloc[0] == 0 and ana["max_points"].iloc[0] > 1


def test_the_wide_table_has_a_row_per_student_and_a_column_per_session(
    db_engine, ward_library, term
):
    course, (first, _) = term
    book = read_gradebook(db_engine, course.id, ward_library)
    table = wide_table(book)
    week1, week2 = (session_label(s) for s in book.sessions)
    assert week1 == f"Week 1 [{first}]"
    assert list(table.columns) == [
        "student_id",
        "name",
        "email",
        "section",
        f"{week1} %",
        f"{week1} done",
        f"{week2} %",
        f"{week2} done",
        "sessions complete",
        "must-avoid choices",
    ]
    assert table["student_id"].tolist() == ["S001", "S002", "S003"]
    assert table[f"{week1} done"].tolist() == ["2/2", "1/2", NOT_JOINED]
    assert table["sessions complete"].tolist() == [1, 0, 0]
    grades = book.grades.set_index(["student_id", "session"])
    assert table[f"{week1} %"].tolist() == [
        grades.loc[(s, first), "percent"] for s in ("S001", "S002", "S003")
    ]


def test_an_unknown_course_is_a_clear_error(db_engine, ward_library):
    with pytest.raises(CourseNotFound, match="no course has the id 999"):
        read_gradebook(db_engine, 999, ward_library)


def test_an_empty_course_has_an_empty_gradebook(db_engine, ward_library):
    course = create_course(db_engine, "New course")
    book = read_gradebook(db_engine, course.id, ward_library)
    assert book.sessions == () and book.cells.empty and book.grades.empty
    assert wide_table(book)["student_id"].tolist() == []
