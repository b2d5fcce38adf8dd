"""Every NGN item type in the player: a widget, a full-marks path, feedback, and hostile
author text that never becomes a live link or raw HTML on screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.guidance import load_guidance
from scoring.loader import load_library
from scoring.models import ITEM_TYPES

pytestmark = pytest.mark.usefixtures("clear_st_caches")  # caches outlive AppTests

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "[x](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>"

ALL_TYPES = f"""
id: every-item-type
title: "Every item type <b>bold?</b>"
summary: "One step of each NGN item type. {HOSTILE}"
topics: [testing]
minutes: 10
objectives: [Exercise every widget.]
guidance: [bone-metastasis]
clock: {{start: "08:00"}}
patient:
  name: "Test <i>Patient</i>"
  age: 60
  setting: "Ward [home](data:text/html,hi)"
  alerts: ["Allergy <svg onload=alert(4)>"]
exhibits:
  - id: note
    tab: nurses_notes
    title: Note
    time: "08:00"
    text: "Alert and oriented. [click](vbscript:msgbox(1)) <https://example.org/ok>"
  - id: vitals
    tab: vital_signs
    title: Vital signs
    table:
      columns: [Time, HR, BP, SpO2]
      rows:
        - ["08:00", 80, "120/80", "97%"]
  - id: vitals-later
    tab: vital_signs
    title: Vital signs
    from_step: choose-n
    table:
      columns: [Time, HR, BP, SpO2]
      rows:
        - ["09:00", 96, "100/60", "93%"]
steps:
  - id: one
    skill: recognize_cues
    type: multiple_choice
    prompt: "Pick one. {HOSTILE}"
    feedback: "Feedback [ref][1]\\n\\n[1]: javascript:alert(5)"
    practice_notes: [PN-SCC-01]
    options:
      - {{id: a, text: "Right <b>one</b>", keyed: true, rationale: Yes., cite: [scc-symptoms]}}
      - {{id: b, text: Wrong one, rationale: No., cite: [nursing], must_avoid: true}}
  - id: all
    skill: analyze_cues
    type: select_all
    prompt: Select all that apply.
    feedback: Two are right.
    options:
      - {{id: a, text: First, keyed: true, rationale: Yes., cite: [nursing]}}
      - {{id: b, text: Second, keyed: true, rationale: Yes., cite: [nursing]}}
      - {{id: c, text: Third, rationale: No., cite: [nursing]}}
  - id: choose-n
    skill: prioritize_hypotheses
    type: select_n
    select: 2
    narrative: The numbers are changing (see Vital signs).
    prompt: Select 2.
    feedback: A and B.
    options:
      - {{id: a, text: Alpha, keyed: true, rationale: Yes., cite: [nursing]}}
      - {{id: b, text: Beta, keyed: true, rationale: Yes., cite: [nursing]}}
      - {{id: c, text: Gamma, rationale: No., cite: [nursing]}}
      - {{id: d, text: Delta, rationale: No., cite: [nursing]}}
  - id: mark
    skill: recognize_cues
    type: highlight
    passage: She is thirsty and sleepy but walking well.
    prompt: Highlight the cues.
    feedback: Thirst and sleepiness.
    options:
      - {{id: thirsty, text: thirsty, keyed: true, rationale: Yes., cite: [nursing]}}
      - {{id: sleepy, text: sleepy, keyed: true, rationale: Yes., cite: [nursing]}}
      - {{id: walking, text: walking well, rationale: No., cite: [nursing]}}
  - id: order
    skill: take_action
    type: ordering
    prompt: Put in order.
    feedback: First, second, third.
    correct_order: [first, second, third]
    options:
      - {{id: first, text: Do first, rationale: First., cite: [nursing]}}
      - {{id: second, text: Do second, rationale: Second., cite: [nursing]}}
      - {{id: third, text: Do third, rationale: Third., cite: [nursing]}}
  - id: grid
    skill: analyze_cues
    type: matrix_choice
    prompt: One per row.
    feedback: Rows.
    columns: [{{id: yes, text: Indicated}}, {{id: no, text: Not indicated}}]
    rows:
      - {{id: r1, text: Fluids, keyed: "yes", rationale: Yes., cite: [nursing]}}
      - id: r2
        text: Restrict
        keyed: "no"
        rationale: No.
        cite: [nursing]
        must_avoid: ["yes"]
  - id: cells
    skill: generate_solutions
    type: matrix_response
    prompt: Any per row.
    feedback: Cells.
    columns: [{{id: early, text: Early}}, {{id: late, text: Late}}]
    rows:
      - {{id: r1, text: Thirst, keyed: [early], rationale: Early., cite: [nursing]}}
      - {{id: r2, text: Weakness, keyed: [early, late], rationale: Both., cite: [nursing]}}
  - id: cloze
    skill: analyze_cues
    type: dropdown_cloze
    text: "The client is at risk for {{{{risk}}}} because of {{{{cause}}}}."
    prompt: Complete the sentence.
    feedback: Risk and cause.
    blanks:
      - id: risk
        options:
          - {{id: falls, text: falls, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: sepsis, text: sepsis, rationale: No., cite: [nursing]}}
          - {{id: bleeding, text: bleeding, rationale: No., cite: [nursing]}}
      - id: cause
        options:
          - {{id: weakness, text: weakness, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: fever, text: fever, rationale: No., cite: [nursing]}}
          - {{id: rash, text: rash, rationale: No., cite: [nursing]}}
  - id: table
    skill: evaluate_outcomes
    type: dropdown_table
    prompt: For each finding choose.
    feedback: Table.
    blanks:
      - id: pain
        label: Pain 2/10
        options:
          - {{id: better, text: Improved, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: same, text: No change, rationale: No., cite: [nursing]}}
          - {{id: worse, text: Declined, rationale: No., cite: [nursing]}}
      - id: walk
        label: Walks 10 m
        options:
          - {{id: better, text: Improved, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: same, text: No change, rationale: No., cite: [nursing]}}
          - {{id: worse, text: Declined, rationale: No., cite: [nursing]}}
  - id: dyad
    skill: analyze_cues
    type: rationale_dyad
    text: "The client needs {{{{act}}}} because of {{{{why}}}}."
    prompt: Cause and effect.
    feedback: Dyad.
    blanks:
      - id: act
        options:
          - {{id: fluids, text: IV fluids, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: walk, text: a walk, rationale: No., cite: [nursing]}}
          - {{id: nap, text: a nap, rationale: No., cite: [nursing]}}
      - id: why
        options:
          - {{id: dry, text: dehydration, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: bored, text: boredom, rationale: No., cite: [nursing]}}
          - {{id: cold, text: the cold, rationale: No., cite: [nursing]}}
  - id: triad
    skill: take_action
    type: rationale_triad
    text: "Give {{{{drug}}}} to prevent {{{{e1}}}} and {{{{e2}}}}."
    prompt: Cause and two effects.
    feedback: Triad.
    blanks:
      - id: drug
        options:
          - {{id: steroid, text: the corticosteroid, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: sugar, text: sugar, rationale: No., cite: [nursing]}}
          - {{id: salt, text: salt, rationale: No., cite: [nursing]}}
      - id: e1
        options:
          - {{id: swelling, text: swelling, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: hunger, text: hunger, rationale: No., cite: [nursing]}}
          - {{id: thirst, text: thirst, rationale: No., cite: [nursing]}}
      - id: e2
        options:
          - {{id: paralysis, text: paralysis, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: sleep, text: sleep, rationale: No., cite: [nursing]}}
          - {{id: cough, text: cough, rationale: No., cite: [nursing]}}
  - id: tie
    skill: prioritize_hypotheses
    type: bow_tie
    prompt: Complete the bow-tie.
    feedback: Bow-tie.
    end: true
    condition:
      options:
        - {{id: scc, text: Cord compression, keyed: true, rationale: Yes., cite: [nursing]}}
        - {{id: flu, text: Flu, rationale: No., cite: [nursing]}}
    actions:
      options:
        - {{id: call, text: Call the provider, keyed: true, rationale: Yes., cite: [nursing]}}
        - {{id: steroid, text: Give the steroid, keyed: true, rationale: Yes., cite: [nursing]}}
        - {{id: walk, text: Walk her, rationale: No., cite: [nursing], must_avoid: true}}
    parameters:
      options:
        - {{id: legs, text: Leg strength, keyed: true, rationale: Yes., cite: [nursing]}}
        - {{id: bladder, text: Bladder, keyed: true, rationale: Yes., cite: [nursing]}}
        - {{id: hair, text: Hair, rationale: No., cite: [nursing]}}
"""


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

        st.session_state["k.ngn"] = {"value": st.session_state["sent"]}
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
