"""Rebuilding a run from stored answers, progress on branching paths, and exhibits unfolding."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import ResponseError
from scoring.library.loader import load_case
from ui.player.exhibits import visible_exhibits, vitals_long
from ui.player.state import rebuild_case

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scc():
    return load_case(ROOT / "cases" / "scc-back-pain-could-not-wait.yaml").case


def test_rebuild_replays_the_path_with_clock_and_progress(scc, guidance_lib, keyed):
    by_id = {s.id: s for s in scc.steps}
    responses = {"cues": keyed(by_id["cues"]), "priority": ["prn-reassess"]}
    run = rebuild_case(scc, guidance_lib, responses)
    assert [a.step.id for a in run.answered] == ["cues", "priority"]
    assert run.current == "deficit-bowtie"
    assert run.minutes == 480
    assert run.progress() == (3, 6)
    assert run.answered[1].transition.narratives[0].startswith("06:00")
    assert run.answered[0].result.full_marks and not run.answered[1].result.points
    assert not run.finished and run.result().points == 4


def test_rebuild_ignores_answers_off_the_path_and_rejects_misfits(scc, guidance_lib):
    run = rebuild_case(scc, guidance_lib, {"early-outcomes": ["walking"]})
    assert run.answered == [] and run.current == "cues"
    with pytest.raises(ResponseError):
        rebuild_case(scc, guidance_lib, {"cues": ["no-such-option"]})


def test_exhibits_unfold_along_the_path(scc):
    start = [e.id for e in visible_exhibits(scc, ["cues"])]
    assert "note-0600" not in start and "history" in start
    later = [e.id for e in visible_exhibits(scc, ["cues", "priority", "deficit-bowtie"])]
    assert later[-3:] == ["note-0600", "vitals-0600", "orders-0600"]
    assert "note-2220" not in later


def test_vitals_become_numeric_series():
    data = vitals_long(
        ["Time", "HR", "BP", "SpO2", "Note"],
        [["18:00", 82, "128/76", "97%", "ok"], ["22:00", 88, "132/80", "96 %", None]],
    )
    series = {m: list(g["value"]) for m, g in data.groupby("measure")}
    assert series == {
        "HR": [82.0, 88.0],
        "BP systolic": [128.0, 132.0],
        "BP diastolic": [76.0, 80.0],
        "SpO2": [97.0, 96.0],
    }
