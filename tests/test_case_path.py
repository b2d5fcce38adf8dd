"""Playing a case: branching, consequences, the clock, must-avoid cap and totals."""

from __future__ import annotations

from scoring.engine.case_path import clock_time, path_bounds, score_case, successors
from scoring.engine.items import max_points
from scoring.format.models import Skill

SCC = "scc-back-pain-could-not-wait"
KEYS = {
    "cues": ["pain-legs", "belly-numb", "heavy-legs", "hesitancy"],
    "early-bowtie": {
        "condition": "scc-early",
        "actions": ["steroid", "prep-radiation"],
        "parameters": ["leg-strength", "bladder-bowel"],
    },
    "early-radiation-timing": "clarify",
    "plan-matrix": {
        "just-starting": "radiation-steroid",
        "weak-fit": "surgery-radiation",
        "weak-frail": "radiation-steroid",
    },
    "early-outcomes": ["pain-relieved", "walking", "bladder"],
    "deficit-outcomes": ["pain-relieved", "strength-returning", "bladder-returning"],
}


# Every step keyed but the priority: walking her to the bathroom, a must-avoid choice.
UNSAFE_PATH = {
    **{k: v for k, v in KEYS.items() if not k.startswith("early-")},
    "priority": "walk-bathroom",
    "deficit-plan": "surgery-then-rt",
    "deficit-bowtie": {
        "condition": "scc",
        "actions": ["steroid", "prep-surgery"],
        "parameters": ["leg-strength", "bladder-bowel"],
    },
}


def test_prompt_escalation_path_scores_full_marks(shipped):
    case = shipped.cases[SCC].case
    result = score_case(case, {**KEYS, "priority": "notify-now"}, shipped.guidance)
    assert result.path == [
        "cues",
        "priority",
        "early-bowtie",
        "early-radiation-timing",
        "early-outcomes",
        "plan-matrix",
    ]
    assert result.points == result.max_points and result.percent == 100
    assert result.finished and not result.must_avoid and result.review == []
    assert clock_time(case, result.minutes_elapsed) == "22:20"
    assert set(result.by_skill) == set(Skill) - {Skill.analyze_cues}


def test_delay_path_deteriorates_and_cites_paralysis(shipped):
    case = shipped.cases[SCC].case
    answers = {**UNSAFE_PATH, "priority": "prn-reassess"}  # the deficit path, by delay
    result = score_case(case, answers, shipped.guidance)
    assert "deficit-bowtie" in result.path and "early-bowtie" not in result.path
    assert clock_time(case, result.minutes_elapsed) == "06:00 (next day)"
    assert "cannot lift her legs" in result.consequences[0]
    assert "scc-untreated-paralysis" in [e.passage_id for e in result.review]
    assert result.points == result.max_points - 1  # only the priority item lost
    # Delaying escalation is an unsafe choice (grounding: safe distractor families), so the
    # case's 50% cap applies even though the rest of the path was played well.
    assert result.must_avoid and result.capped and result.percent == 50


def test_must_avoid_caps_the_reported_percent(shipped):
    case = shipped.cases[SCC].case
    result = score_case(case, UNSAFE_PATH, shipped.guidance)
    assert result.must_avoid == [
        ("priority", "Walk her to the bathroom to see whether she can empty her bladder")
    ]
    assert result.raw_percent > 50 and result.capped and result.percent == 50


def test_unanswered_step_stops_the_walk(shipped):
    result = score_case(shipped.cases[SCC].case, {"cues": ["pain-legs"]}, shipped.guidance)
    assert result.path == ["cues", "priority"] and not result.finished


def test_successors_follow_gotos_and_defaults(shipped):
    case = shipped.cases[SCC].case
    by_id = {s.id: s for s in case.steps}
    assert successors(case, by_id["priority"]) == ["early-bowtie", "deficit-bowtie"]
    assert successors(case, by_id["cues"]) == ["priority"]
    assert successors(case, by_id["early-outcomes"]) == ["plan-matrix"]
    assert successors(case, by_id["deficit-outcomes"]) == ["plan-matrix"]
    assert successors(case, by_id["plan-matrix"]) == []


def test_path_bounds_count_steps_and_points_to_the_end(shipped):
    case = shipped.cases[SCC].case
    bounds = path_bounds(case)
    assert bounds["cues"][0] == 6 and bounds["deficit-bowtie"][0] == 4
    assert bounds["plan-matrix"] == (1, max_points(case.steps[-1]))
    assert case.steps[-1].id == "plan-matrix"
    # Both branches are worth 17 points, so the bound from the start is the case's maximum.
    played = score_case(case, {**KEYS, "priority": "notify-now"}, shipped.guidance)
    assert bounds["cues"][1] == played.max_points == 17
