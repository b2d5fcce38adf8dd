"""My results in AppTest: past attempts with scores, reopening a debrief, resuming."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.loader import load_case

pytestmark = pytest.mark.usefixtures("clear_st_caches")  # caches outlive AppTests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = "ui/pages/results.py"
SCC = "scc-back-pain-could-not-wait"


def test_no_attempts_yet(app):
    d = app(page=RESULTS)
    assert "No attempts yet" in d.texts()


def test_results_list_attempts_and_reopen_the_debrief(app):
    case = load_case(ROOT / "cases" / f"{SCC}.yaml").case
    d = app({"case": SCC})
    while (key := d.widget_key()) is not None:
        step = next(s for s in case.steps if key.endswith("." + s.id))
        d.answer(step).onward()
    finished = d.query["a"]
    token = d.query["t"]
    next(b for b in d.at.button if b.label == "Try again").click()
    d.run()
    d.answer(case.steps[0])  # the second attempt is stored with its first answer
    results = app({"t": token}, page=RESULTS)
    shown = results.texts()
    assert "The back pain that couldn't wait" in shown
    assert "17 of 17 · 100%" in shown and "In progress" in shown
    results.at.button(key=f"open.{finished}").click()
    results.run()
    assert results.query["a"] == finished
    assert "Debrief" in results.texts()
