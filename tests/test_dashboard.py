"""The educator dashboard on a hand-built class of three, checked by hand, on real databases.

Ana, Ben and Cy play 'ward-round' (3 steps, 5 points); 'night-shift' (branching, at most 3
points: call → handover, or call → recheck → handover) is in the session too. Ana: a (1/1),
{w, x} (2/2), both rows right (2/2) → 5 of 5. Ben: b (0), {w, y} (+1 −1 = 0/2), one row
right (1/2) → 1 of 5. Cy: c (0, must-avoid), {w, x, z} (+2 −1 = 1/2, must-avoid z), stops
before 'check' → 1 of 3 answered + 2 still possible = 1 of 5. Cy also answers night-shift's
first step with 'wait' (0/1), leaving recheck and handover (2 points) on the path.

Session scores (work not done counts 0): Ana 5 of 5 + 0 of 3 → 62.5%; Ben 1 of 8 → 12.5%;
Cy 1 of 5 + 0 of 3 → 12.5%.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from classroom import attempts, sessions
from classroom.analytics.dashboard import (
    DashboardCache,
    answer_key,
    build_dashboard,
    distractors,
    item_analysis,
    must_avoid_made,
    session_frames,
    skill_performance,
    student_answers,
)
from classroom.analytics.exports import exports_for
from classroom.analytics.item_stats import random_guess_baseline
from scoring.engine.case_path import transition
from scoring.engine.items import score_response
from scoring.format.models import Skill

ANSWERS = {
    "Ana": {
        "ward-round": {"cues": "a", "act": ["w", "x"], "check": {"pain": "yes", "urine": "no"}}
    },
    "Ben": {
        "ward-round": {"cues": "b", "act": ["w", "y"], "check": {"pain": "yes", "urine": "yes"}}
    },
    "Cy": {"ward-round": {"cues": "c", "act": ["w", "x", "z"]}, "night-shift": {"call": "wait"}},
}


def play(engine, library, code, token, case_id, raw_answers) -> int:
    """Answer steps in path order as the case player does; finish at the end of the path."""
    loaded = library.get(case_id)
    case = loaded.case
    info = attempts.start_attempt(
        engine,
        token,
        case_id,
        loaded.version,
        session_code=code,
        first_step=case.steps[0].id,
        must_avoid_cap=case.must_avoid_cap,
    )
    by_id = {s.id: s for s in case.steps}
    current = case.steps[0].id
    while current in raw_answers:
        step = by_id[current]
        result = score_response(step, raw_answers[current], library.guidance)
        move = transition(case, step, result.response, library.guidance)
        attempts.record_answer(
            engine,
            token,
            info.id,
            step.id,
            response=result.response,
            points=result.points,
            max_points=result.max_points,
            rule=result.rule,
            skill=Skill(step.skill).value,
            item_type=step.type,
            must_avoid=list(result.must_avoid_chosen),
            next_step=move.next_step,
        )
        current = move.next_step
    if current is None:
        attempts.finish_attempt(engine, token, info.id)
    return info.id


@pytest.fixture
def ward(db_engine, ward_library):
    """The class of three, played; returns (engine, library, code, tokens by name)."""
    info = sessions.create_session(db_engine, "Ward", ["ward-round", "night-shift"])
    tokens = {}
    for name, cases in ANSWERS.items():
        _, tokens[name] = sessions.join_session(db_engine, info.code, name)
        for case_id, raw in cases.items():
            play(db_engine, ward_library, info.code, tokens[name], case_id, raw)
    return db_engine, ward_library, info.code, tokens


def by_name(frame, name):
    return frame.loc[frame["student"] == name].iloc[0]


def board_of(engine, library, code):
    """Every dashboard table of the session, read now."""
    return build_dashboard(session_frames(engine, code), library)


def test_totals_and_summary_by_hand(ward):
    engine, library, code, tokens = ward
    dist = board_of(engine, library, code).distribution
    totals = dist.totals.set_index("student")
    assert totals["points"].to_dict() == {"Ana": 5, "Ben": 1, "Cy": 1}
    assert totals["percent"].to_dict() == {"Ana": 62.5, "Ben": 12.5, "Cy": 12.5}
    assert dist.summary["n"] == 0  # nobody has finished both cases: no class mean yet
    # Ana escalates (2 of 2); Ben waits, then escalates, then hands over routine care (1 of 3).
    play(
        engine,
        library,
        code,
        tokens["Ana"],
        "night-shift",
        {"call": "escalate", "handover": "change"},
    )
    play(
        engine,
        library,
        code,
        tokens["Ben"],
        "night-shift",
        {"call": "wait", "recheck": "escalate", "handover": "routine"},
    )
    dist = board_of(engine, library, code).distribution
    totals = dist.totals.set_index("student")
    # Ana 7 of 7 = 100; Ben 2 of 8 = 25; Cy (still playing) 12.5 but not in the summary.
    assert totals["percent"].to_dict() == {"Ana": 100.0, "Ben": 25.0, "Cy": 12.5}
    assert totals["finished"].to_dict() == {"Ana": True, "Ben": True, "Cy": False}
    assert dist.summary["n"] == 2
    assert dist.summary["mean"] == 62.5 and dist.summary["median"] == 62.5
    assert dist.summary["sd"] == pytest.approx(math.sqrt(2 * 37.5**2))


def test_item_analysis_facility_labels_and_guess_baseline(ward):
    engine, library, code, _ = ward
    items = item_analysis(session_frames(engine, code), library).items
    assert items.loc["ward-round/cues", "facility"] == pytest.approx(100 / 3)
    assert items.loc["ward-round/act", "facility"] == pytest.approx(50)
    # Only Ana (2 of 2) and Ben (1 of 2) reached 'check': 3 of 4, not Cy's missing as 0.
    assert items.loc["ward-round/check", "facility"] == pytest.approx(75)
    assert items.loc["ward-round/check", "n"] == 2
    assert set(items["flag"]) == {"too few answers"}  # three students: nothing to flag yet
    act = items.loc["ward-round/act"]
    assert (act["case_title"], act["step_title"], act["skill"], act["rule"]) == (
        "Ward round",
        "Which actions do you take now?",
        "Take action",
        "+/-",
    )
    assert act["random_guess"] == pytest.approx(100 * random_guess_baseline(4, 2))
    assert math.isnan(items.loc["ward-round/cues", "random_guess"])
    assert items.loc["ward-round/cues", "step_title"] == "First look"


def test_distractor_counts_by_hand(ward):
    engine, library, code, _ = ward
    table = distractors(session_frames(engine, code), library)
    act = table[table["item"] == "ward-round/act"].set_index("option")
    assert act["count"].to_dict() == {"w": 3, "x": 2, "y": 1, "z": 1}
    assert act["share"].round(1).to_dict() == {"w": 100.0, "x": 66.7, "y": 33.3, "z": 33.3}
    assert act.loc["z", "must_avoid"] and act.loc["w", "keyed"] and not act.loc["y", "keyed"]
    check = table[table["item"] == "ward-round/check"].set_index("option")
    assert check["count"].to_dict() == {"pain:yes": 2, "pain:no": 0, "urine:yes": 1, "urine:no": 1}
    assert check.loc["urine:no", "text"] == "Urine output: Not improved"
    assert check["share"].to_dict()["pain:yes"] == 100  # of the two who answered it


def test_skill_performance_by_hand(ward):
    engine, _, code, _ = ward
    skills = skill_performance(session_frames(engine, code))
    by_class = skills.by_class.set_index("skill")
    assert by_class.loc["recognize_cues", "percent"] == pytest.approx(100 / 3)  # 1 of 3
    assert by_class.loc["take_action", "percent"] == pytest.approx(3 / 7 * 100)  # 3 of 6 + 0 of 1
    assert by_class.loc["evaluate_outcomes", "percent"] == pytest.approx(75)  # 3 of 4
    assert list(by_class.index) == [
        s.value for s in Skill if s.value in set(by_class.index)
    ]  # in CJMM order
    ana = skills.by_student[skills.by_student["student"] == "Ana"]
    assert set(ana["percent"]) == {100.0}
    assert "Take action" in skills.percent_table.columns


def test_roster_progress_points_and_finished(ward):
    engine, library, code, _ = ward
    table = board_of(engine, library, code).roster
    assert list(table["student"]) == ["Ana", "Ben", "Cy"]  # join order
    ana, cy = by_name(table, "Ana"), by_name(table, "Cy")
    assert (ana["ward-round"], ana["night-shift"]) == ("3/3", "0/3")  # not started: longest path
    assert (cy["ward-round"], cy["night-shift"]) == ("2/3", "1/3")
    # The session score, as the gradebook: 5 of 5 + 0 of 3 for night-shift not started.
    assert (ana["points"], ana["max_points"], ana["percent"], ana["cases_finished"]) == (
        5,
        8,
        62.5,
        1,
    )
    assert not ana["finished"]  # night-shift not played
    assert (cy["points"], cy["must_avoid"], cy["percent"]) == (1, 2, 12.5)


def test_branch_taken_shortens_the_path(ward):
    engine, library, code, tokens = ward
    play(engine, library, code, tokens["Ana"], "night-shift", {"call": "escalate"})
    ana = by_name(board_of(engine, library, code).roster, "Ana")
    assert ana["night-shift"] == "1/2"  # call → handover
    # 1 of 1 answered, handover (1) still possible: 1 of 2 for night-shift, 6 of 7 in all.
    assert (ana["points"], ana["max_points"]) == (6, 7)


def test_must_avoid_choices_listed(ward):
    engine, _, code, _ = ward
    made = must_avoid_made(session_frames(engine, code))
    assert list(made["student"]) == ["Cy", "Cy"]
    assert list(made["choice"]) == ["Option C", "Action Z"]


def test_student_drill_down_re_explains_each_answer(ward):
    engine, library, code, _ = ward
    data = session_frames(engine, code)
    cy_id = int(data.participants.set_index("student").loc["Cy", "learner_id"])
    answers = student_answers(data, library, cy_id)
    assert [a.item for a in answers] == ["ward-round/cues", "ward-round/act", "night-shift/call"]
    act = answers[1].result
    assert (act.points, act.max_points) == (1, 2)
    assert act.must_avoid_chosen == ("Action Z",)
    verdicts = {o.id: o.verdict for o in act.options}
    assert verdicts == {"w": "correct", "x": "correct", "y": "not chosen", "z": "incorrect"}
    assert answers[0].case_title == "Ward round" and answers[0].step.id == "cues"


def test_student_drill_down_explains_with_the_version_the_attempt_played(ward):
    engine, library, code, _ = ward
    data = session_frames(engine, code)
    cy_id = int(data.participants.set_index("student").loc["Cy", "learner_id"])
    live = library.get("ward-round")
    act = next(s for s in live.case.steps if s.id == "act")
    first = act.model_copy(
        update={
            "options": [
                o.model_copy(update={"rationale": "As first published."}) if o.id == "z" else o
                for o in act.options
            ]
        }
    )
    played = live.case.model_copy(
        update={"steps": [first if s.id == "act" else s for s in live.case.steps]}
    )
    asked = []

    def case_at(case_id, version):
        asked.append((case_id, version))
        return played if case_id == "ward-round" else None  # night-shift: not kept

    answers = student_answers(data, library, cy_id, case_at)
    assert ("ward-round", live.version) in asked
    z = next(o for o in answers[1].result.options if o.id == "z")
    assert z.rationale == "As first published."
    night = answers[2]  # its version is not kept: the library's case explains it
    assert night.result is not None and night.case_title == library.get("night-shift").case.title


def test_exports_gradebook_counts_work_not_done(ward):
    engine, library, code, _ = ward
    tables = exports_for(board_of(engine, library, code))
    book = tables["gradebook"].set_index("student").drop(columns=["student_id", "learner_id"])
    assert list(tables["gradebook"].columns) == [
        "student",
        "student_id",  # the roster's; None: these students joined without a course
        "learner_id",
        "points",
        "max_points",
        "percent",
        "raw_percent",
        "capped",
        "must_avoid",
    ]
    # Ana: 5 of 5 + night-shift not started (longest-max path 3) → 5 of 8.
    assert book.loc["Ana"].tolist() == [5, 8, 62.5, 62.5, False, 0]
    # Cy: ward-round 1 of 3 answered + 'check' still open (2); night-shift 0 of 1 + 2 open.
    assert book.loc["Cy"].tolist() == [1, 8, 12.5, 12.5, False, 2]
    scores = tables["scores"].set_index("student")
    assert scores.loc["Ben", "ward-round %"] == 20 and scores.loc["Ben", "night-shift %"] == 0
    attempts_table = tables["attempts"]
    assert attempts_table[["student", "activity", "status", "percent"]].values.tolist() == [
        ["Ana", "ward-round", "finished", 100.0],
        ["Ana", "night-shift", "not started", 0.0],
        ["Ben", "ward-round", "finished", 20.0],
        ["Ben", "night-shift", "not started", 0.0],
        ["Cy", "ward-round", "in progress", 20.0],
        ["Cy", "night-shift", "in progress", 0.0],
    ]
    responses = tables["responses"]
    assert len(responses) == 9
    assert responses["response"].iloc[0] == '["a"]'
    assert tables["items"].set_index("item").loc["ward-round/check", "n"] == 2


def test_cache_recomputes_only_when_answers_change(ward):
    engine, library, code, tokens = ward
    cache = DashboardCache()
    first = cache.get(engine, code, library)
    assert cache.get(engine, code, library) is first
    assert cache.computations == 1
    key = answer_key(engine, code)
    play(engine, library, code, tokens["Ben"], "night-shift", {"call": "escalate"})
    assert answer_key(engine, code) != key
    second = cache.get(engine, code, library)
    assert cache.computations == 2 and second is not first
    assert by_name(second.roster, "Ben")["night-shift"] == "1/2"
    sessions.join_session(engine, code, "Dee")  # a join changes the roster: recompute
    assert len(cache.get(engine, code, library).roster) == 4
    assert cache.computations == 3


def test_empty_session_gives_empty_tables(db_engine, ward_library):
    info = sessions.create_session(db_engine, "Empty", ["ward-round"])
    sessions.join_session(db_engine, info.code, "Only joined")
    board = build_dashboard(session_frames(db_engine, info.code), ward_library)
    assert board.roster["ward-round"].tolist() == ["0/3"]
    assert board.items.empty and board.distractors.empty and board.must_avoid.empty
    assert board.distribution.summary["n"] == 0
    book = exports_for(board)["gradebook"].drop(columns="learner_id")
    assert book.iloc[0].tolist() == ["Only joined", None, 0, 5, 0.0, 0.0, False, 0]


def test_every_export_names_a_rostered_student_by_their_student_id(db_engine, ward_library):
    from classroom.courses.courses import attach_session, create_course
    from tests.support.term import member_token, play

    course = create_course(db_engine, "Adult health")
    info = sessions.create_session(db_engine, "Week 1", ["ward-round"])
    sessions.join_session(db_engine, info.code, "Walk-in")  # before the course had it
    attach_session(db_engine, course.id, info.code)
    learner_id, token = member_token(db_engine, course.id, "S-017", "Ana")
    play(db_engine, ward_library, info.code, token, "ward-round")
    tables = exports_for(board_of(db_engine, ward_library, info.code))
    for name in ("gradebook", "attempts", "scores", "responses"):
        ids = dict(zip(tables[name]["learner_id"], tables[name]["student_id"], strict=True))
        assert ids[learner_id] == "S-017", name
        assert all(v is None for k, v in ids.items() if k != learner_id), name


def test_unknown_code_is_a_value_error(db_engine):
    with pytest.raises(ValueError, match="no class session"):
        session_frames(db_engine, "NOPE42")


def test_frames_hold_exactly_the_rows_of_session_responses(ward):
    """The dashboard reads columns itself (for speed); it must see what session_responses does."""
    engine, _, code, _ = ward
    frame = session_frames(engine, code).responses
    rows = sessions.session_responses(engine, code)
    columns = ["student", "learner_id", "attempt_id", "item", "points", "response", "must_avoid"]
    assert frame[columns].to_dict("records") == [{c: r[c] for c in columns} for r in rows]
    assert list(frame["created_at"]) == [r["created_at"] for r in rows]


def test_item_analysis_of_a_branching_session_matches_an_independent_computation(
    db_engine, ward_library
):
    """Thirty simulated students on 'night-shift': 'recheck' is only on the wait branch."""
    from classroom.simulation import simulate
    from tests.test_item_stats import independent_item_statistics

    code = sessions.create_session(db_engine, "Branching", ["night-shift"]).code
    assert simulate(db_engine, code, ward_library, 30, 4, seed=3).ok
    rows = sessions.session_responses(db_engine, code)
    answers = pd.DataFrame(
        [(r["learner_id"], r["item"], r["points"], r["max_points"]) for r in rows],
        columns=["student", "item", "points", "max_points"],
    )
    oracle = independent_item_statistics(answers)
    items = build_dashboard(session_frames(db_engine, code), ward_library).items
    waited = sum(r["item"] == "night-shift/recheck" for r in rows)
    assert 0 < waited < 30 and items.loc["night-shift/recheck", "n"] == waited
    for item, expected in oracle.items():
        for column in ("n", "facility", "sd", "discrimination_index", "covariance"):
            assert items.loc[item, column] == pytest.approx(expected[column], nan_ok=True), (
                item,
                column,
            )


def test_every_choice_a_response_can_make_is_in_its_items_option_catalog(shipped):
    """The distractor table lists an item's options by the keys stored choices get, for every
    item type (the drag-and-drop, grouping and highlight-table ones included)."""
    import random

    from classroom.analytics.dashboard import _option_catalog
    from classroom.session_data import _choice_keys
    from scoring.engine.responses import normalize_response
    from scoring.engine.simulate import random_response

    rng = random.Random(5)
    seen = set()
    for source in shipped.sources():
        for step in source.steps:
            catalog = {key for key, *_ in _option_catalog(step)}
            for _ in range(10):
                answer = normalize_response(step, random_response(step, rng, 0.5))
                assert set(_choice_keys(step.type, answer)) <= catalog, (source.id, step.id)
            seen.add(step.type)
    assert len(seen) == 16
