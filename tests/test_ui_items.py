"""Every NGN item type in the player: a widget, a full-marks path, feedback, and hostile
author text that never becomes a live link or raw HTML on screen."""

from __future__ import annotations

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
  - id: htable
    skill: recognize_cues
    type: highlight_table
    prompt: Highlight the findings that need follow-up.
    feedback: Heavy legs and hesitancy.
    columns: [System, Findings]
    rows:
      - {{id: neuro, cells: [Neurological, "Alert; legs feel heavy"]}}
      - {{id: renal, cells: [Renal, "Hesitancy; clear urine"]}}
    options:
      - {{id: heavy, row: neuro, text: legs feel heavy, keyed: true, rationale: Y, cite: [nursing]}}
      - {{id: alert, row: neuro, text: Alert, rationale: No., cite: [nursing]}}
      - {{id: hesitancy, row: renal, text: Hesitancy, keyed: true, rationale: Y., cite: [nursing]}}
      - {{id: clear, row: renal, text: clear urine, rationale: No., cite: [nursing]}}
  - id: groups
    skill: analyze_cues
    type: multiple_response_grouping
    trend: true
    exhibits:
      - id: own-vitals
        tab: vital_signs
        title: Vital signs over the shift
        table:
          columns: [Time, HR, BP]
          rows:
            - ["08:00", 80, "120/80"]
            - ["12:00", 104, "98/60"]
    prompt: For each system, select the findings that need follow-up.
    feedback: Groups.
    groups:
      - id: cv
        label: Cardiovascular
        options:
          - {{id: tachy, text: Heart rate rising, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: warm, text: Warm hands, rationale: No., cite: [nursing]}}
      - id: neuro
        label: Neurological
        options:
          - {{id: heavy, text: Heavy legs, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: numb, text: Numb band, keyed: true, rationale: Yes., cite: [nursing]}}
          - {{id: alert, text: Alert, rationale: No., cite: [nursing]}}
  - id: drag
    skill: analyze_cues
    type: drag_drop_cloze
    text: "High calcium makes her pass too much {{{{loss}}}}, so she becomes {{{{state}}}}."
    prompt: Drag a word into each space.
    feedback: Drag.
    tokens:
      - {{id: urine, text: urine, rationale: Yes., cite: [nursing]}}
      - {{id: dry, text: dehydrated, rationale: Yes., cite: [nursing]}}
      - {{id: stool, text: stool, rationale: No., cite: [nursing]}}
      - {{id: wet, text: "overloaded <b>x</b>", rationale: No., cite: [nursing], must_avoid: true}}
    targets:
      - {{id: loss, keyed: urine}}
      - {{id: state, keyed: dry}}
  - id: dragwhy
    skill: take_action
    type: drag_drop_rationale
    text: "Give {{{{act}}}} because of {{{{why}}}} and to prevent {{{{then}}}}."
    prompt: Cause and two effects.
    feedback: Drag triad.
    tokens:
      - {{id: fluids, text: IV fluids, rationale: Yes., cite: [nursing]}}
      - {{id: dry, text: dehydration, rationale: Yes., cite: [nursing]}}
      - {{id: kidney, text: kidney failure, rationale: Yes., cite: [nursing]}}
      - {{id: walk, text: a walk, rationale: No., cite: [nursing]}}
      - {{id: cold, text: the cold, rationale: No., cite: [nursing]}}
    targets:
      - {{id: act, keyed: fluids}}
      - {{id: why, keyed: dry}}
      - {{id: then, keyed: kidney}}
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


def test_widgets_show_the_answer_being_built(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    for sid in ("one", "all", "choose-n"):
        d.answer(steps[sid]).onward()
    key = d.widget_key()
    d.at.button_group(key=f"{key}.phrases").set_value(["thirsty"])
    d.run()
    assert any(":orange-background[**thirsty**]" in t for t in rendered(d))
    d.answer(steps["mark"]).onward()
    key = d.widget_key()
    before = list(d.at.session_state[f"{key}.order"])
    d.at.button(key=f"{key}.down.{before[0]}").click()
    d.run()
    after = list(d.at.session_state[f"{key}.order"])
    assert after == [before[1], before[0], *before[2:]]
    assert before != ["first", "second", "third"]  # never starts on the key


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
    assert "##### Blank 1" in shown and "##### Blank 2" in shown
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
    assert any("Word bank: **urine** · **dehydrated**" in t for t in rendered(d))
    d.at.selectbox(key=f"{key}.loss").set_value("urine")
    d.at.selectbox(key=f"{key}.state").set_value("urine")
    d.run()
    assert "“urine” is in two spaces: each word fills one space only." in d.texts()
    assert d.at.button(key=f"submit.{key}").disabled
    assert any("~~urine~~" in t for t in rendered(d))  # a used token is struck in the bank
    d.answer(steps["drag"], {"loss": "dry", "state": "wet"})
    shown = d.texts()
    assert "1 point for each target filled right: 0 of 2" in shown
    assert "you put it in space 1; it belongs in space 2" in shown  # 'dehydrated'
    assert "you left it out; it belongs in space 1" in shown  # 'urine'
    assert any(e.value.startswith("**Safety:**") for e in d.at.error)  # the must-avoid token


def test_highlight_table_and_grouping_show_rows_and_groups(app, all_types):
    d = app({"case": "every-item-type"})
    steps = {s.id: s for s in all_types.steps}
    key = _reach(d, steps, "htable")
    d.at.button_group(key=f"{key}.row.neuro").set_value(["heavy", "alert"])
    d.run()
    table = next(t for t in rendered(d) if t.startswith("| System | Findings |"))
    assert ":orange-background[**Alert**]; :orange-background[**legs feel heavy**]" in table
    d.answer(steps["htable"], ["heavy", "alert"])
    shown = d.texts()
    assert "+1 for each of 1 keyed choice, −1 for 1 non-keyed choice = 0 of 2" in shown
    assert "##### Neurological" in shown and "##### Renal" in shown
    d.onward()
    key = d.widget_key()
    assert "Vital signs over the shift" in d.texts()  # the trend item's own exhibit
    d.answer(steps["groups"], {"cv": ["warm"], "neuro": ["heavy", "numb"]})
    shown = d.texts()
    assert "(Cardiovascular: +0 −1 → 0; Neurological: +2 −0 → 2) = 2 of 3" in shown
    assert "##### Cardiovascular" in shown
