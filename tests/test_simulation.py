"""Synthetic students: nothing lost or duplicated under concurrency, answers fixed by the seed."""

from __future__ import annotations

from collections import defaultdict

import pytest

from classroom import sessions
from classroom.analytics.dashboard import distractors, session_frames
from classroom.simulation import display_name, simulate
from classroom.storage.db import get_engine
from scoring.engine.case_path import score_case
from scoring.engine.items import score_points


def stored_by_student(engine, code) -> dict[str, dict[str, object]]:
    """Student number (the end of the pseudonym, "-007") → item → stored response."""
    out: dict[str, dict[str, object]] = defaultdict(dict)
    for row in sessions.session_responses(engine, code):
        out[row["student"].rsplit("-", 1)[-1]][row["item"]] = row["response"]
    return dict(out)


def test_small_class_nothing_lost_or_duplicated(db_engine, ward_library):
    info = sessions.create_session(db_engine, "Sim", ["ward-round", "night-shift"])
    ticks = []
    report = simulate(db_engine, info.code, ward_library, 10, 4, seed=7, progress=ticks.append)
    assert report.ok, report
    assert (report.lost, report.duplicates, report.errors) == (0, 0, 0)
    assert report.resends > 0  # this seed double-clicks at least once
    assert sum(ticks) == 10
    roster = sessions.session_roster(db_engine, info.code)
    assert len(roster) == 10 and all(r["finished"] == 2 for r in roster)
    stored = sessions.session_responses(db_engine, info.code)
    assert len(stored) == report.answers_written
    assert report.p95_ms >= report.p50_ms > 0 and report.throughput > 0
    assert "0 lost, 0 duplicated, 0 errors" in report.summary()


def test_answers_are_scored_and_branch_as_the_player_does(sqlite_url, ward_library):
    engine = get_engine(sqlite_url)
    info = sessions.create_session(engine, "Sim", ["ward-round", "night-shift"])
    assert simulate(engine, info.code, ward_library, 8, 2, seed=3).ok
    by_attempt: dict[int, list[dict]] = defaultdict(list)
    for row in sessions.session_responses(engine, info.code):
        by_attempt[row["attempt_id"]].append(row)
    for rows in by_attempt.values():
        case = ward_library.get(rows[0]["case_id"]).case
        steps = {s.id: s for s in case.steps}
        for row in rows:
            assert (row["points"], row["max_points"]) == score_points(
                steps[row["step_id"]], row["response"]
            )
        walked = score_case(
            case, {r["step_id"]: r["response"] for r in rows}, ward_library.guidance
        )
        assert walked.finished and walked.path == [r["step_id"] for r in rows]


def test_same_seed_same_answers(sqlite_url, ward_library):
    engine = get_engine(sqlite_url)
    first = sessions.create_session(engine, "One", ["ward-round", "night-shift"])
    second = sessions.create_session(engine, "Two", ["ward-round", "night-shift"])
    simulate(engine, first.code, ward_library, 6, 3, seed=11)
    simulate(engine, second.code, ward_library, 6, 1, seed=11)
    assert stored_by_student(engine, first.code) == stored_by_student(engine, second.code)
    assert sorted(stored_by_student(engine, first.code)) == [f"{n:03d}" for n in range(1, 7)]


def test_names_differ_between_seeds_and_runs(sqlite_url, ward_library):
    engine = get_engine(sqlite_url)
    names = []
    for seed in (5, 5, 6):
        info = sessions.create_session(engine, f"Seed {seed}", ["ward-round"])
        simulate(engine, info.code, ward_library, 4, 2, seed=seed)
        names.append({r["display_name"] for r in sessions.session_roster(engine, info.code)})
    assert len(names[0]) == 4 and not (names[0] & names[1]) and not (names[0] & names[2])
    assert all(len(n) <= sessions.NAME_LENGTH for n in names[0])
    assert display_name(3, 1, "AB2C") != display_name(3, 2, "AB2C") != display_name(3, 1, "XY7Z")


def test_a_course_session_signs_in_rostered_students(db_engine, ward_library):
    from classroom.courses import courses, roster

    course = courses.create_course(db_engine, "Adult health")
    roster.import_roster(db_engine, course.id, b"student_id,name\nN-001,Real Student\n", "r.csv")
    info = sessions.create_session(db_engine, "Week 1", ["ward-round"])
    courses.attach_session(db_engine, course.id, info.code)
    report = simulate(db_engine, info.code, ward_library, 5, 2, seed=2)
    assert report.ok, report
    on_roster = roster.members(db_engine, course.id)
    simulated = [m for m in on_roster if m.student_id.startswith("SIM-")]
    assert len(simulated) == 5 and all(m.has_pin for m in simulated)
    real = roster.find_member(db_engine, course.id, "N-001")
    assert not real.has_pin  # a real student's record is never touched
    joined = {r["learner_id"] for r in sessions.session_roster(db_engine, info.code)}
    assert joined == {m.learner_id for m in simulated}


def test_every_item_type_gives_catalogued_options(sqlite_url, shipped):
    """Simulated answers to every shipped item type map onto the options the items offer."""
    engine = get_engine(sqlite_url)
    info = sessions.create_session(engine, "All", sorted(shipped.cases))
    assert simulate(engine, info.code, shipped, 3, 2, seed=1).ok
    data = session_frames(engine, info.code)
    assert set(data.responses["item_type"]) >= {"ordering", "bow_tie", "matrix_response"}
    table = distractors(data, shipped)
    chosen = table[table["count"] > 0]
    assert chosen["text"].notna().all(), chosen[chosen["text"].isna()]


def test_refuses_unknown_code_and_bad_counts(sqlite_url, ward_library):
    engine = get_engine(sqlite_url)
    with pytest.raises(ValueError, match="no class session"):
        simulate(engine, "NOPE42", ward_library, 1, 1, seed=0)
    info = sessions.create_session(engine, "Sim", ["ward-round"])
    with pytest.raises(ValueError, match="at least 1"):
        simulate(engine, info.code, ward_library, 0, 1, seed=0)
    other = sessions.create_session(engine, "Gone", ["not-in-library"])
    with pytest.raises(ValueError, match="not in the case library"):
        simulate(engine, other.code, ward_library, 1, 1, seed=0)
