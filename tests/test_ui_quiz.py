"""Quick quiz in AppTest: set-up, a whole quiz with feedback per item, resume, and storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom import attempts
from classroom.storage.db import get_engine
from scoring.library.loader import load_case

pytestmark = pytest.mark.usefixtures("clear_st_caches")  # caches outlive AppTests

ROOT = Path(__file__).resolve().parent.parent
QUIZ = "ui/pages/quiz.py"


@pytest.fixture(scope="module")
def steps():
    """Quiz-bank steps of the SCC case by 'case/step' key."""
    case = load_case(ROOT / "cases" / "scc-back-pain-could-not-wait.yaml").case
    return {f"{case.id}/{s.id}": s for s in case.steps if s.quiz}


def start(app, n: int, query=None):
    d = app(query, page=QUIZ)
    d.at.radio[0].set_value(n)
    next(b for b in d.at.button if b.label == "Start quiz").click()
    return d.run()


def current(d, steps):
    return steps[d.widget_key().split(".", 1)[1]]


def test_quiz_setup_page(app):
    d = app(page=QUIZ)
    assert "Quick quiz" in [t.value for t in d.at.title]
    assert "2 questions in the bank" in d.texts()
    [length] = d.at.radio
    assert (length.label, length.options, length.value) == ("Number of questions", ["All 2"], 2)


def test_a_whole_quiz_with_feedback_per_item_and_a_summary(app, app_env, steps):
    d = start(app, 2)
    spec_keys = []
    for number in (1, 2):
        assert f"Question {number} of 2" in d.at.get("progress")[0].proto.text
        step = current(d, steps)
        spec_keys.append(d.widget_key().split(".", 1)[1])
        d.answer(step)
        assert d.widget_key() is None
        assert "Key points" in d.texts()
        d.onward()
    assert "Quiz results" in [t.value for t in d.at.title]
    assert {m.label: m.value for m in d.at.metric}["Score"] == "100%"
    assert "Every question, explained" in d.texts()
    engine = get_engine(app_env.url)
    [attempt] = attempts.list_attempts(engine, d.query["t"])
    assert attempt.kind == "quiz" and attempt.status == "finished" and attempt.percent == 100
    assert attempt.quiz_spec["items"] == spec_keys
    assert set(attempt.quiz_spec) == {"seed", "items", "filters"}
    stored = attempts.answers(engine, d.query["t"], attempt.id)
    assert [a.step_id for a in stored] == spec_keys


def test_a_refresh_mid_quiz_resumes(app, steps):
    d = start(app, 2)
    d.answer(current(d, steps))
    again = app(d.query, page=QUIZ)
    assert "Key points" in again.texts()
    again.onward()
    assert "Question 2 of 2" in again.at.get("progress")[0].proto.text


def test_skill_filter_limits_the_draw(app, steps):
    d = app(page=QUIZ)
    d.at.multiselect[1].set_value(["generate_solutions"]).run()
    assert d.at.radio[0].options == ["All 1"]
    next(b for b in d.at.button if b.label == "Start quiz").click()
    d.run()
    assert "Question 1 of 1" in d.at.get("progress")[0].proto.text
    assert current(d, steps).skill.value == "generate_solutions"


def test_someone_elses_quiz_is_not_shown(app, steps):
    owner = start(app, 2)
    stranger = app({"a": owner.query["a"]}, page=QUIZ)
    assert "could not find that quiz" in stranger.texts()


@pytest.fixture
def with_item_set(app_env):
    """The app's library: the SCC case and the shipped item set of standalone items."""
    import shutil

    (app_env.cases / "items").mkdir()
    shutil.copy(
        ROOT / "cases" / "items" / "bone-metastasis-standalone.yaml", app_env.cases / "items"
    )
    from scoring.library.loader import load_library

    library = load_library(app_env.cases)
    assert not library.problems and library.item_sets
    return {
        f"{s.id}/{i.id}": i
        for s in (library.item_sets["bone-metastasis-standalone"].item_set,)
        for i in s.items
    }


def test_a_quiz_draws_standalone_items_and_shows_a_trend_items_exhibit(app, steps, with_item_set):
    bank = {**steps, **with_item_set}
    d = start(app, len(bank))
    assert f"{len(bank)} questions in the bank" not in d.texts()  # the quiz has started
    seen = []
    while (key := d.widget_key()) is not None:
        item_key = key.split(".", 1)[1]
        step = bank[item_key]
        seen.append(step.type)
        if step.trend:
            shown = d.texts()
            assert "Trend item · From the item set" in shown
            assert "| Day | HR | BP | Fluid drunk (L) | Passing urine | Alertness |" in shown
            assert "| Day 5 | 114 | 96/58 | 1.5 | Little since morning |" in shown
            assert d.at.get("vega_lite_chart"), "a trend chart under the table"
        d.answer(step)
        if step.trend:
            assert "| Day 5 | 114 |" in d.texts()  # the data stays beside the feedback
        d.onward()
    assert {"highlight_table", "multiple_response_grouping", "drag_drop_cloze"} <= set(seen)
    assert "drag_drop_rationale" in seen and len(seen) == len(bank)
    assert {m.label: m.value for m in d.at.metric}["Score"] == "100%"


def test_the_source_and_its_date_come_before_the_first_question(app):
    d = app(page=QUIZ)
    assert any("last medical review 7 February 2014" in c.value for c in d.at.caption)
    d = start(app, 2)
    assert "Question 1 of 2" in d.at.get("progress")[0].proto.text
    assert any("Answer keys follow American Cancer Society" in c.value for c in d.at.caption)


def test_the_picker_filters_by_skill_and_client_need_and_stores_the_filters(
    app, app_env, with_item_set
):
    d = app(page=QUIZ)
    assert "7 questions in the bank" in d.texts()
    _, skills, needs = d.at.multiselect
    assert needs.label == "Client needs (NCLEX-RN)"
    assert set(needs.options) == {"Physiological Adaptation", "Health Promotion and Maintenance"}
    assert d.at.radio[0].options == ["5", "All 7"]
    skills.set_value(["analyze_cues"]).run()
    d.at.multiselect[2].set_value(["physiological-adaptation"]).run()
    assert "2 match these filters" in d.texts()
    assert d.at.radio[0].options == ["All 2"]
    next(b for b in d.at.button if b.label == "Start quiz").click()
    d.run()
    drawn = []
    while (key := d.widget_key()) is not None:
        item = with_item_set[key.split(".", 1)[1]]
        assert (item.skill.value, item.client_needs.value) == (
            "analyze_cues",
            "physiological-adaptation",
        )
        drawn.append(key)
        d.answer(item)
        d.onward()
    assert len(drawn) == len(set(drawn)) == 2  # never the same question twice
    [attempt] = attempts.list_attempts(get_engine(app_env.url), d.query["t"])
    assert attempt.quiz_spec["filters"] == {
        "topics": [],
        "skills": ["analyze_cues"],
        "client_needs": ["physiological-adaptation"],
        "n": 2,
    }


def test_filters_that_leave_nothing_say_so_and_offer_no_start(app, with_item_set):
    d = app(page=QUIZ)
    d.at.multiselect[1].set_value(["generate_solutions"]).run()
    d.at.multiselect[2].set_value(["health-promotion-and-maintenance"]).run()
    [warning] = d.at.warning
    assert "No questions match all of these filters together" in warning.value
    assert not d.at.radio
    start_button = next(b for b in d.at.button if b.label == "Start quiz")
    assert start_button.disabled
    assert "0 match these filters" in d.texts()
    d.at.multiselect[2].set_value([]).run()  # one filter fewer: questions again
    assert not d.at.warning and d.at.radio[0].options == ["All 2"]
