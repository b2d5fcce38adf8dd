"""Case player in AppTest: golden path, the delay path, resume after a refresh, bad URLs,
two trainees at once, and a database fault on submit."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom import attempts
from classroom.storage.db import StorageError
from scoring.library.loader import load_case

pytestmark = pytest.mark.usefixtures("clear_st_caches")  # caches outlive AppTests

ROOT = Path(__file__).resolve().parent.parent
SCC = "scc-back-pain-could-not-wait"
EARLY_PATH = [
    "cues",
    "priority",
    "early-bowtie",
    "early-radiation-timing",
    "early-outcomes",
    "plan-matrix",
]


@pytest.fixture(scope="module")
def scc():
    """The spinal cord compression case."""
    return load_case(ROOT / "cases" / f"{SCC}.yaml").case


def play(d, case, choices=None) -> list[str]:
    """Answer every step on the path (with the key unless ``choices`` says otherwise)."""
    steps, path = {s.id: s for s in case.steps}, []
    while (key := d.widget_key()) is not None:
        step = steps[key.split(".", 1)[1]]
        path.append(step.id)
        d.answer(step, (choices or {}).get(step.id)).onward()
    return path


def metrics(d) -> dict[str, str]:
    return {m.label: m.value for m in d.at.metric}


def test_player_without_a_case_points_to_the_library(app):
    d = app()
    assert "Choose a case in the library" in d.texts()
    assert "t" not in d.query  # nothing stored yet, so no progress link


def test_finding_6_page_views_store_nothing_until_the_first_answer(app, scc, app_env):
    """Issue 14, finding 6: every anonymous page view inserted a learner row."""
    import sqlalchemy as sa

    from classroom.storage.db import get_engine

    def rows() -> tuple[int, int]:
        with get_engine(app_env.url).connect() as conn:
            count = lambda t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()  # noqa: E731
            return count("learner"), count("attempt")

    views = [app(page=p) for p in ("ui/pages/library.py", "ui/pages/results.py")]
    views += [app(page="ui/pages/quiz.py"), app(page="ui/pages/join.py")]
    views += [app({"case": SCC}) for _ in range(3)]
    assert rows() == (0, 0)
    d = views[-1]
    d.answer(scc.steps[0])
    assert rows() == (1, 1)
    assert d.query["t"] and d.query["a"].isdigit()


def test_golden_path_scores_full_marks(app, scc):
    d = app({"case": SCC})
    assert "a" not in d.query  # stored with the first answer
    assert "Step 1 of 6" in d.at.get("progress")[0].proto.text
    assert play(d, scc) == EARLY_PATH
    assert d.query["a"].isdigit()
    assert "Debrief" in d.texts()
    assert metrics(d)["Points"] == "17 of 17"
    assert metrics(d)["Score"] == "100%"
    table = next(m.value for m in d.at.markdown if m.value.startswith("| Skill |"))
    rows = table.splitlines()[2:]
    assert len(rows) == 5 and all(r.endswith("| 100% |") for r in rows)
    assert "| Prioritize hypotheses | 5 | 5 | 100% |" in rows
    assert "Full marks on every item" in d.texts()


def test_delay_path_plays_out_the_deterioration_and_the_cap(app, scc):
    d = app({"case": SCC})
    steps = {s.id: s for s in scc.steps}
    d.answer(steps["cues"]).onward()
    d.answer(steps["priority"], ["walk-bathroom"])
    shown = d.texts()
    assert "What happened" in shown
    assert "Her legs buckle" in shown
    assert any("Safety:" in e.value for e in d.at.error)
    assert ":blue-badge[:material/schedule: Clock 06:00 (next day)]" in shown  # clock moved
    d.onward()
    assert "It is 06:00" in d.at.info[0].value  # the step narrative on arrival
    assert "Cannot lift either leg off the bed" in d.texts()  # the new nurse's note
    path = ["cues", "priority", *play(d, scc)]
    assert path[2:] == ["deficit-bowtie", "deficit-plan", "deficit-outcomes", "plan-matrix"]
    m = metrics(d)
    assert m["Score"] == "50%"
    warning = " ".join(w.value for w in d.at.warning)
    assert "capped at 50%" in warning
    assert "Passages to review" in d.texts()
    assert "scc-untreated-paralysis" in d.texts()


def test_feedback_replaces_the_widgets_and_explains_every_option(app, scc):
    d = app({"case": SCC})
    cues = scc.steps[0]
    key = d.widget_key()
    d.answer(cues, ["pain-legs", "stable-vitals"])
    assert d.widget_key() is None
    assert not [c for c in d.at.checkbox if c.key and c.key.startswith(key)]
    shown = d.texts()
    assert "0 of 4 points" in shown
    assert "+1 for each" in shown
    for word in ("✓ Correct", "✗ Incorrect", "✗ Missed", "✓ Rightly left out"):
        assert word in shown
    vitals = next(o.text for o in cues.options if o.id == "stable-vitals")
    assert f"| {vitals} | chosen | — | ✗ Incorrect |" in shown
    assert "*Basis:* general nursing knowledge" in shown
    assert "Passage `scc-symptoms`" in shown  # quoted on screen, not behind a click
    assert shown.count("Passage `scc-symptoms`") == 1  # once per item
    assert [e.label for e in d.at.expander] == ["Why the rest is right (2)"]
    assert any("Practice note" in i.value and "Reference" in i.value for i in d.at.info)
    assert d.query["s"] == "cues"


def test_refresh_resumes_at_the_same_place_with_feedback(app, scc):
    d = app({"case": SCC})
    d.answer(scc.steps[0])
    again = app(d.query)  # a reload: a new session with the same URL
    assert again.widget_key() is None
    assert "4 of 4 points" in again.texts()
    again.onward()
    assert again.widget_key().endswith(".priority")
    fresh = app({"t": d.query["t"], "a": d.query["a"]})
    assert fresh.widget_key().endswith(".priority")
    assert any("Notice the cues · 4/4" in b.label for b in fresh.at.button)


def test_a_stale_second_window_keeps_the_first_answer(app, scc):
    first = app({"case": SCC})
    first.answer(scc.steps[0]).onward()
    second = app({"t": first.query["t"], "a": first.query["a"]})
    priority = scc.steps[1]
    first.answer(priority)
    second.answer(priority, ["walk-bathroom"])
    assert "This had already been answered" in next(t.proto.body for t in second.at.toast)
    assert "What happened" in second.texts() and "Her legs buckle" not in second.texts()


def test_unknown_case_id_gets_a_friendly_message(app):
    d = app({"case": "no-such-case"})
    assert "There is no case called" in d.texts()
    assert d.widget_key() is None


def test_someone_elses_attempt_is_not_shown(app, scc):
    owner = app({"case": SCC})
    owner.answer(scc.steps[0])
    stranger = app({"a": owner.query["a"]})
    assert stranger.query.get("t") != owner.query["t"]
    assert "could not find that attempt" in stranger.texts()
    assert "4 of 4" not in stranger.texts()
    garbage = app({"t": owner.query["t"], "a": "99999"})
    assert "could not find that attempt" in garbage.texts()


def test_two_trainees_at_once_never_see_each_others_answers(app, scc, app_env):
    from classroom.storage.db import get_engine

    one, two = app({"case": SCC}), app({"case": SCC})
    one.answer(scc.steps[0])
    two.answer(scc.steps[0], ["stable-vitals"])
    assert one.query["t"] != two.query["t"]
    assert "4 of 4 points" in one.texts() and "0 of 4 points" not in one.texts()
    assert "0 of 4 points" in two.texts() and "4 of 4 points" not in two.texts()
    engine = get_engine(app_env.url)
    mine = attempts.list_attempts(engine, one.query["t"])
    assert [a.id for a in mine] == [int(one.query["a"])]


def test_a_database_fault_on_submit_keeps_the_selection(app, scc, monkeypatch):
    d = app({"case": SCC})
    key = d.widget_key()
    real = attempts.record_answer

    def broken(*args, **kwargs):
        raise StorageError(
            "The database is busy (sqlite file x): locked. Your answer was not saved."
        )

    monkeypatch.setattr(attempts, "record_answer", broken)
    d.answer(scc.steps[0], ["pain-legs"])
    assert "Your answer was not saved" in d.at.error[0].value
    assert d.at.checkbox(key=f"{key}.pain-legs").value is True
    monkeypatch.setattr(attempts, "record_answer", real)
    d.at.button(key=f"submit.{key}").click()
    d.run()
    assert "1 of 4 points" in d.texts()
    assert not d.at.error


def test_try_again_starts_a_new_attempt(app, scc):
    d = app({"case": SCC})
    play(d, scc)
    first = d.query["a"]
    next(b for b in d.at.button if b.label == "Try again").click()
    d.run()
    assert d.widget_key().endswith(".cues") and "a" not in d.query
    d.answer(scc.steps[0])
    assert d.query["a"] != first


def test_every_passage_is_quoted_verbatim_with_its_id_and_source_date(app, scc, guidance_lib):
    d = app({"case": SCC})
    d.answer(scc.steps[0], ["pain-legs"])
    shown = d.texts()  # on screen at once: no click to see a quote
    passage = guidance_lib.passage("scc-symptoms", ("bone-metastasis",))
    assert "Passage `scc-symptoms`" in shown
    assert passage.guidance.source_date in shown.replace("\\", "")  # plain_md escapes
    assert "**Back pain \\(with pain that may go down one or both legs\\)**" in shown


def test_a_republished_case_does_not_change_under_a_trainee(app, scc, app_env):
    from classroom.publishing import publish_case

    d = app({"case": SCC})
    d.answer(scc.steps[0])
    live = app_env.cases / f"{SCC}.yaml"
    before = live.read_bytes()
    publish_case(
        before.replace(b"Which findings at 22:00", b"Which findings at 23:00"), app_env.cases
    )
    assert b"at 23:00" in live.read_bytes()
    mid_case = app({"t": d.query["t"], "a": d.query["a"]})  # the same trainee, reloading
    assert mid_case.widget_key().endswith(".priority")
    back = app({"t": d.query["t"], "a": d.query["a"], "s": "cues"})
    assert "at 22:00" in back.texts() and "at 23:00" not in back.texts()
    newcomer = app({"case": SCC})  # a new attempt starts on the new version
    assert "at 23:00" in newcomer.texts()


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", "2147483648", "²", "-1", "0", "1e3", " 7", "7 "]
)
@pytest.mark.parametrize("page", ["ui/pages/player.py", "ui/pages/quiz.py"])
def test_finding_5_a_malformed_attempt_id_is_treated_as_absent(app, page, value):
    """Issue 14, finding 5: ``?a=99999999999999999999999`` or ``?a=²`` showed a traceback."""
    d = app({"a": value}, page=page)  # AppDriver fails on any exception
    assert "Traceback" not in d.texts()


def test_the_source_and_its_date_come_before_the_first_item(app, scc):
    d = app({"case": SCC})
    assert d.widget_key().endswith(".cues")  # still at the first item
    notice = next(c.value for c in d.at.caption if "Answer keys follow" in c.value)
    assert "last medical review 7 February 2014" in notice
    assert "Practice notes beside the feedback show newer guidance" in notice
