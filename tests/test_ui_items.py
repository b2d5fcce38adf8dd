"""Every NGN item type in the player: a widget, a full-marks path, feedback, and hostile
author text that never becomes a live link or raw HTML on screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.format.models import ITEM_TYPES
from scoring.guidance.passages import load_guidance
from scoring.library.loader import load_library

pytestmark = pytest.mark.usefixtures("clear_st_caches")  # caches outlive AppTests

ROOT = Path(__file__).resolve().parent.parent

# One step of each item type, with hostile author text in its texts (also played in Chromium).
ALL_TYPES = (ROOT / "tests" / "fixtures" / "every-item-type.yaml").read_text(encoding="utf-8")


@pytest.fixture
def all_types(app_env):
    """The app's cases folder holds the every-item-type case instead of the shipped one."""
    for f in app_env.cases.iterdir():
        f.unlink()
    (app_env.cases / "every-item-type.yaml").write_text(ALL_TYPES, encoding="utf-8")
    lib = load_library(app_env.cases, load_guidance())
    assert not lib.problems, [str(p) for p in lib.problems]
    return lib.get("every-item-type").case


def rendered(d) -> list[str]:
    """Every string the app sent as Markdown (labels included)."""
    at = d.at
    out = [str(e.value) for e in (*at.markdown, *at.caption, *at.info, *at.error, *at.warning)]
    out += [str(w.label) for w in (*at.checkbox, *at.radio, *at.button, *at.selectbox)]
    out += [str(opt) for r in at.radio for opt in r.options]
    out += [str(opt) for p in at.button_group for opt in p.options]
    out += [e.label for e in at.expander]
    return out


def assert_harmless(texts: list[str]) -> None:
    for text in texts:
        low = text.lower()
        assert "javascript:" not in low and "vbscript:" not in low, text
        assert "data:text" not in low, text
        assert "<script" not in low and "<img" not in low and "<svg" not in low, text


def test_the_fixture_case_covers_every_item_type(all_types):
    assert sorted({s.type for s in all_types.steps}) == sorted(ITEM_TYPES)


def test_every_item_type_plays_to_full_marks_without_live_hostile_text(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    seen = []
    while (key := d.widget_key()) is not None:
        assert_harmless(rendered(d))
        step = steps[key.split(".", 1)[1]]
        seen.append(step.type)
        d.answer(step)
        assert d.widget_key() is None
        assert_harmless(rendered(d))
        d.onward()
    assert sorted(seen) == sorted(ITEM_TYPES)
    assert {m.label: m.value for m in d.at.metric}["Score"] == "100%"
    assert_harmless(rendered(d))


def test_select_n_disables_further_boxes_once_n_are_ticked(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    d.answer(steps["one"]).onward().answer(steps["all"]).onward()
    key = d.widget_key()
    assert key.endswith(".choose-n")
    d.at.checkbox(key=f"{key}.a").check()
    d.at.checkbox(key=f"{key}.b").check()
    d.run()
    assert d.at.checkbox(key=f"{key}.c").disabled
    assert d.at.checkbox(key=f"{key}.d").disabled
    assert not d.at.checkbox(key=f"{key}.a").disabled
    assert "Select 2 · 2 selected" in d.texts()


def test_new_vital_signs_stack_under_the_old_and_are_marked(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    d.answer(steps["one"]).onward().answer(steps["all"]).onward()
    shown = d.texts()
    assert "**Vital signs** :orange-badge[:material/fiber_new: New]" in shown  # tab opened
    assert "|  | Time | HR | BP | SpO2 |" in shown
    assert "|   | 08:00 | 80 | 120/80 | 97% |\n| **New** | 09:00 | 96 | 100/60 | 93% |" in shown
    assert "The numbers are changing" in d.at.info[0].value


def ngn_data(at) -> dict:
    """What the NGN component on screen was given: its spec and the answer it shows."""
    (component,) = at.get("bidi_component")
    return json.loads(component.proto.json)


def test_widgets_show_the_answer_being_built(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    for sid in ("one", "all", "choose-n"):
        d.answer(steps[sid]).onward()
    key = d.widget_key()
    d.fill(steps["mark"], ["thirsty"]).run()
    data = ngn_data(d.at)
    assert data["value"] == ["thirsty"]
    segments = data["spec"]["segments"]
    assert "".join(s["text"] for s in segments) == steps["mark"].passage  # nothing added
    assert [s["id"] for s in segments if s["id"]] == ["thirsty", "sleepy", "walking"]
    assert not d.at.button(key=f"submit.{key}").disabled
    d.answer(steps["mark"]).onward()
    key = d.widget_key()
    before = list(d.at.session_state[f"{key}.order"])
    assert ngn_data(d.at)["value"] == before
    assert before != ["first", "second", "third"]  # never starts on the key
    d.fill(steps["order"], [before[1], before[0], *before[2:]]).run()
    assert ngn_data(d.at)["value"] == [before[1], before[0], *before[2:]]


def test_the_grid_and_the_drop_downs_name_every_control(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    for sid in ("one", "all", "choose-n", "mark", "order"):
        d.answer(steps[sid]).onward()
    spec = ngn_data(d.at)["spec"]
    assert spec["kind"] == "matrix" and not spec["multiple"]
    assert [c["text"] for c in spec["columns"]] == ["Indicated", "Not indicated"]
    d.answer(steps["grid"]).onward().answer(steps["cells"]).onward()
    parts = ngn_data(d.at)["spec"]["parts"]
    assert parts[0] == "The client is at risk for "
    assert [p["label"] for p in parts if isinstance(p, dict)] == [
        "Drop-down 1 of 2: The client is at risk for ___ because of",
        "Drop-down 2 of 2: at risk for … because of ___ .",
    ]
    d.answer(steps["cloze"]).onward()
    rows = ngn_data(d.at)["spec"]["rows"]
    assert [r["label"] for r in rows] == ["Choice for Pain 2/10", "Choice for Walks 10 m"]


def test_an_answer_from_the_browser_is_checked_before_it_is_kept(all_types):
    """The component's change callback keeps an answer that fits the item, and nothing else."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui.player.widgets import ngn

        st.session_state["k.ngn"] = {"answer": st.session_state["sent"]}
        ngn._changed(st.session_state["step"], "k")

    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["step"] = next(s for s in all_types.steps if s.id == "tie")
    sent = {"condition": ["scc"], "actions": ["call", "steroid"], "parameters": ["legs"]}
    at.session_state["sent"] = sent
    at.run()
    kept = {k: at.session_state[k] for k in ("k.condition", "k.actions.call", "k.actions.walk")}
    assert kept == {"k.condition": "scc", "k.actions.call": True, "k.actions.walk": False}
    for crafted in ({**sent, "actions": ["call", "steroid", "walk"]}, {"condition": ["x"]}, 7):
        at.session_state["sent"] = crafted
        at.run()
        assert not at.exception
        assert at.session_state["k.actions.walk"] is False
        assert at.session_state["k.condition"] == "scc"


def test_feedback_marks_groups_and_safety(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    d.answer(steps["one"], ["b"])
    assert any(e.value.startswith("**Safety:**") for e in d.at.error)
    assert any("Practice note" in i.value for i in d.at.info)
    d.onward()
    for sid in ("all", "choose-n", "mark", "order", "grid", "cells"):
        d.answer(steps[sid]).onward()
    d.answer(steps["cloze"], {"risk": "sepsis", "cause": "fever"})
    shown = d.texts()
    assert "| Drop-down 1 | sepsis | falls | ✗ Wrong |" in shown
    assert "| Drop-down 2 | fever | weakness | ✗ Wrong |" in shown
    assert "1 point for each drop-down right: 0 of 2" in shown


def shipped_ids() -> list[str]:
    return sorted(load_library(ROOT / "cases", load_guidance()).cases)


@pytest.mark.parametrize("case_id", shipped_ids())
def test_every_shipped_case_plays_to_full_marks(app, monkeypatch, shipped, case_id):
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(ROOT / "cases"))
    case = shipped.get(case_id).case
    steps = {s.id: s for s in case.steps}
    d = app({"case": case_id})
    while (key := d.widget_key()) is not None:
        d.answer(steps[key.split(".", 1)[1]]).onward()
    assert {m.label: m.value for m in d.at.metric}["Score"] == "100%"


def test_boxes_ticked_faster_than_a_rerun_are_not_submitted_over_the_cap(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    d.answer(steps["one"]).onward().answer(steps["all"]).onward()
    key = d.widget_key()
    for option in ("a", "b", "c"):  # one batch: the browser sent them before any rerun
        d.at.checkbox(key=f"{key}.{option}").check()
    d.run()
    assert "Select only 2: untick 1." in d.texts()
    assert d.at.button(key=f"submit.{key}").disabled
    d.at.checkbox(key=f"{key}.c").uncheck()
    d.run()
    assert not d.at.button(key=f"submit.{key}").disabled


def test_ordering_feedback_shows_each_neighbouring_pair(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    for sid in ("one", "all", "choose-n", "mark"):
        d.answer(steps[sid]).onward()
    d.answer(steps["order"], ["second", "first", "third"])
    shown = d.texts()
    # Second → first is reversed (0); first → third skips second (0): 0 of 2, and why.
    assert "0 of 2 points" in shown
    table = next(m.value for m in d.at.markdown if "Your order, pair by pair" in m.value)
    assert "| 1–2 | Do second → Do first | ✗ 0 | the wrong way round" in table
    assert "| 2–3 | Do first → Do third | ✗ 0 | in the key, “Do second” comes next |" in table
    assert "places 1–2 ✗, 2–3 ✗" in shown  # the arithmetic line names the same pairs


def _reach(d, steps, target: str):
    """Answer every step with its key until ``target`` is on screen."""
    while not d.widget_key().endswith("." + target):
        d.answer(steps[d.widget_key().split(".", 1)[1]]).onward()
    return d.widget_key()


def test_drag_and_drop_one_token_per_space_and_where_each_token_went(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    key = _reach(d, steps, "drag")
    spec = ngn_data(d.at)["spec"]
    assert spec["kind"] == "tokens"
    assert [t["text"] for t in spec["tokens"]][:2] == ["urine", "dehydrated"]
    labels = [p["label"] for p in spec["parts"] if isinstance(p, dict)]
    assert labels[0] == "Space 1 of 2: calcium makes her pass too much ___ , so she becomes"
    for name, value in {f"{key}.loss": "urine", f"{key}.state": "urine"}.items():
        d.at.session_state[name] = value  # what a stale tab could send: one token twice
    d.run()
    assert "“urine” is in two spaces: each word fills one space only." in d.texts()
    assert d.at.button(key=f"submit.{key}").disabled
    d.answer(steps["drag"], {"loss": "dry", "state": "wet"})
    shown = d.texts()
    assert "1 point for each target filled right: 0 of 2" in shown
    assert "| Space 1 | dehydrated | urine | ✗ Wrong |" in shown
    assert (
        "| Space 2 | overloaded &lt;b>x&lt;/b> | dehydrated | ✗ Wrong · ⚠ unsafe choice |" in shown
    )
    assert any(e.value.startswith("**Safety:**") for e in d.at.error)  # the must-avoid token


def test_highlight_table_and_grouping_show_rows_and_groups(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    _reach(d, steps, "htable")
    spec = ngn_data(d.at)["spec"]
    assert spec["kind"] == "highlight" and spec["columns"] == ["System", "Findings"]
    cells = [seg for row in spec["rows"] for cell in row for seg in cell if seg["id"]]
    assert {seg["id"] for seg in cells} == {o.id for o in steps["htable"].options}
    d.answer(steps["htable"], ["heavy", "alert"])
    shown = d.texts()
    assert "+1 for each of 1 keyed choice, −1 for 1 non-keyed choice = 0 of 2" in shown
    d.onward()
    assert "Vital signs over the shift" in d.texts()  # the trend item's own exhibit
    assert ngn_data(d.at)["spec"]["kind"] == "grouping"
    d.answer(steps["groups"], {"cv": ["warm"], "neuro": ["heavy", "numb"]})
    shown = d.texts()
    assert "(Cardiovascular: +0 −1 → 0; Neurological: +2 −0 → 2) = 2 of 3" in shown
    assert "| Cardiovascular | " in shown and "| Neurological | " in shown
