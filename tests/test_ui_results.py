"""My results in AppTest: past attempts with scores, reopening a debrief, resuming."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.library.loader import load_case

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
    assert ":green-badge[:material/check_circle: 100% · Full marks]" in shown
    assert "17 of 17 points" in shown and "In progress" in shown
    assert "UTC" in shown  # AppTest's browser tells no time zone: said so, not guessed
    results.at.button(key=f"open.{finished}").click()
    results.run()
    assert results.query["a"] == finished
    assert "Debrief" in results.texts()


def test_my_results_show_local_time_from_the_browser(app, app_env):
    from classroom import attempts
    from classroom.storage.db import get_engine

    engine = get_engine(app_env.url)
    token = attempts.new_learner(engine)
    attempts.start_attempt(engine, token, SCC, "v1", first_step="cues")
    results = app({"t": token}, page=RESULTS)
    results.at.context["timezone"] = "America/New_York"
    results.run()
    started = next(c.value for c in results.at.caption if c.value.startswith("Started"))
    assert started.endswith(("EST", "EDT"))  # 5 or 4 hours behind the stored UTC
