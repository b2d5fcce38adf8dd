"""Grades you can trust, in AppTest: one number for a capped attempt from the debrief to the
gradebook; an exam's key never shown before a student finishes; End now in the middle of a step.

The SCC case is capped at 50% when a must-avoid choice is made; walking her to the bathroom
is one. With every other step keyed that path earns 16 of 17 points: 94.1% before the cap.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from classroom import attempts, sessions
from classroom.analytics.dashboard import build_dashboard, session_frames
from classroom.analytics.exports import exports_for, to_csv_bytes
from tests.conftest import AppDriver, keyed_response
from tests.support.educator import finish_sign_in

ROOT = Path(__file__).resolve().parent.parent
SCC = "scc-back-pain-could-not-wait"
PASSCODE = "correct-horse-42"
UNSAFE = {"priority": ["walk-bathroom"]}  # a must-avoid choice: the case's cap applies
RESULTS, PLAYER, JOIN = "ui/pages/results.py", "ui/pages/player.py", "ui/pages/join.py"


@pytest.fixture(autouse=True)
def engine(class_engine, monkeypatch, browser_cookies):
    """A fresh database with the shipped cases and a known educator passcode."""
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", PASSCODE)
    return class_engine


@pytest.fixture
def scc(class_engine):
    from scoring.library.loader import load_library

    return load_library([ROOT / "cases"]).cases[SCC].case


def button(at: AppTest, label: str):
    """The button with this label."""
    return next(b for b in at.button if b.label == label)


def texts(at: AppTest) -> str:
    """Every markdown, caption, alert and title on the page, as one string."""
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption]
    parts += [*at.info, *at.success, *at.warning, *at.error]
    return "\n".join(str(p.value) for p in parts)


def student(code: str, name: str, zone: str | None = "Europe/Berlin") -> AppDriver:
    """A student's browser: join ``code`` as ``name`` and start its first activity."""
    d = AppDriver({"code": code}, page=JOIN)
    if zone:
        d.at.context["timezone"] = zone
    next(t for t in d.at.text_input if t.label == "Display name").input(name)
    button(d.at, "Join").click()
    d.run()
    button(d.at, "Start").click()
    d.run()
    d.at.switch_page(PLAYER)
    return d.run()


def play_on(d: AppDriver, case, choices: dict, stop_before: str | None = None) -> AppDriver:
    """Answer each step the page shows (``choices`` or the key), up to ``stop_before``."""
    steps = {s.id: s for s in case.steps}
    while (key := d.widget_key()) is not None:
        step = steps[key.split(".", 1)[1]]
        if step.id == stop_before:
            break
        d.answer(step, choices.get(step.id))
        onward = [b for b in d.at.button if b.label.startswith(("Continue", "See your", "Next"))]
        if not onward:
            break
        onward[0].click()
        d.run()
    return d


def educator(jar: dict[str, str], page: str, **params: str) -> AppTest:
    """A signed-in educator's browser on ``page`` (the sign-in route sets its cookie)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.query_params.update(params)
    at.switch_page(page).run()
    next(t for t in at.text_input if t.label == "Educator passcode").input(PASSCODE)
    button(at, "Sign in").click().run()
    finish_sign_in(at, jar)
    return at


def test_a_capped_attempt_is_one_number_for_student_educator_and_gradebook(
    engine, scc, browser_cookies
):
    info = sessions.create_session(engine, "Week 5", [SCC])
    d = play_on(student(info.code, "Cy"), scc, UNSAFE)
    # The student's debrief: 50%, and why.
    metrics = {m.label: m.value for m in d.at.metric}
    assert (metrics["Points"], metrics["Score"]) == ("16 of 17", "50%")
    warning = " ".join(w.value for w in d.at.warning)
    assert "capped at 50%" in warning and "without the cap it would be 94.1%" in warning

    # My results: the same number, the cap shown, local time with its zone.
    d.at.switch_page(RESULTS)
    d.run()
    shown = d.texts()
    assert "50% · Capped: an unsafe choice" in shown and ":red-badge[" in shown
    assert "16 of 17 points · 94.1% before the must-avoid cap" in shown
    assert "CET" in shown or "CEST" in shown  # Europe/Berlin, not UTC

    # The educator: the roster's score, the attempt with the cap, and the gradebook.
    at = educator(browser_cookies, "ui/pages/dashboard.py", code=info.code)
    assert not at.exception
    roster = at.dataframe[0].value
    assert roster.loc[0, "Score %"] == 50.0 and roster.loc[0, "Capped"] == "capped"
    at.session_state["dashboard.tab"] = "Scores"
    at.run()
    every = next(f.value for f in at.dataframe if "Before the cap" in f.value.columns)
    assert every.loc[0, ["Score", "Points", "Of", "Before the cap"]].tolist() == [
        "50%",
        16,
        17,
        "94.1%",
    ]
    at.session_state["dashboard.tab"] = "Export"
    at.run()
    assert "Gradebook (CSV)" in [b.label for b in at.get("download_button")]
    board = build_dashboard(session_frames(engine, info.code), _library())
    book = pd.read_csv(
        io.BytesIO(to_csv_bytes(exports_for(board)["gradebook"])), encoding="utf-8-sig"
    )
    assert book.loc[0, ["student", "points", "max_points", "percent", "raw_percent"]].tolist() == [
        "Cy",
        16,
        17,
        50.0,
        94.1,
    ]
    assert bool(book.loc[0, "capped"]) and book.loc[0, "must_avoid"] == 1


def _library():
    from scoring.library.loader import load_library

    return load_library([ROOT / "cases"])


def test_a_late_joiner_after_release_sees_no_key_before_finishing(engine, scc, browser_cookies):
    info = sessions.create_session(engine, "Final", [SCC], mode="exam")
    early = student(info.code, "Ana")
    steps = {s.id: s for s in scc.steps}
    early.answer(steps["cues"])
    assert "Answer saved." in early.texts()

    # The educator releases: the dialog says it closes joining; nobody is still answering?
    at = educator(browser_cookies, "ui/pages/sessions.py", code=info.code)
    button(at, "Release results").click().run()
    warning = " ".join(w.value for w in at.warning)
    assert "closes the session to new joiners and new attempts" in warning
    assert "1 student attempt(s) are still being answered" in warning
    button(at, "Release, let them finish").click().run()
    released = sessions.get_session(engine, info.code)
    assert released.results_released and not released.is_open and released.answering

    # A late joiner is turned away while the key is out...
    late = AppDriver({"code": info.code}, page=JOIN)
    next(t for t in late.at.text_input if t.label == "Display name").input("Late")
    button(late.at, "Join").click()
    late.run()
    assert "closed to new participants" in " ".join(e.value for e in late.at.error)

    # ...and if the educator lets them in after all, they still see no key before finishing.
    sessions.set_open(engine, info.code, True)
    late = student(info.code, "Late")
    late.answer(steps["cues"], ["pain-legs"])
    shown = late.texts()
    assert "Answer saved." in shown and "Key points" not in shown and "✗ Missed" not in shown
    # Ana, who was answering when results came out, also answers on without feedback.
    button(early.at, "Next").click()
    early.run()
    early.answer(steps["priority"], ["notify-now"])
    assert "Answer saved." in early.texts() and "Key points" not in early.texts()
    # Finishing shows the debrief: results are released and the attempt is done.
    play_exam(late, scc)
    assert "Debrief" in late.texts()
    # 1 of 4 on the cues, then the key: 14 of 17.
    assert {m.label: m.value for m in late.at.metric}["Score"] == "82.4%"


def play_exam(d: AppDriver, case) -> None:
    """Answer the rest with the key, pressing Next / Finish after each saved answer (and, once
    the last answer's feedback shows, See your debrief)."""
    steps = {s.id: s for s in case.steps}
    while True:
        nxt = [b for b in d.at.button if b.label in ("Next", "Finish", "See your debrief")]
        if nxt:
            nxt[0].click()
            d.run()
            continue
        key = d.widget_key()
        if key is None:
            return
        d.answer(steps[key.split(".", 1)[1]])


def test_end_now_in_the_middle_of_a_step(engine, scc, browser_cookies):
    info = sessions.create_session(engine, "Final", [SCC], mode="exam")
    d = student(info.code, "Ana")
    steps = {s.id: s for s in scc.steps}
    d.answer(steps["cues"])
    button(d.at, "Next").click()
    d.run()
    assert d.widget_key().endswith(".priority")  # mid-step: the priority question is open
    d.fill(steps["priority"], keyed_response(steps["priority"]))  # chosen, not yet submitted
    d.run()

    at = educator(browser_cookies, "ui/pages/sessions.py", code=info.code)
    button(at, "End now: stop all answering").click().run()
    assert "cannot be undone" in " ".join(w.value for w in at.warning)
    button(at, "Yes, end now: stop all answering").click().run()
    assert not at.exception
    assert "Answering has ended" in texts(at)
    assert not sessions.get_session(engine, info.code).answering

    # The student submits the step they were on (its page still shows it): refused, and told
    # so; nothing is stored. (In a browser the refusal shows under Submit first; AppTest
    # reruns the whole page, which already shows the end.)
    button(d.at, "Submit answer").click()
    d.run()
    told = " ".join(e.value for e in d.at.error)
    assert "Your educator has ended this class session" in told
    assert "The answer you had just submitted arrived after that, so it was not saved" in told
    assert d.widget_key() is None  # the step is gone
    token = d.query["t"]
    [attempt] = attempts.list_attempts(engine, token)
    assert [a.step_id for a in attempts.answers(engine, token, attempt.id)] == ["cues"]
    assert attempt.status == "finished" and attempt.ended_early
    d.at.switch_page(RESULTS)
    d.run()
    assert "Submitted · results not released yet" in d.texts()
