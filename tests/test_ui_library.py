"""Case library in AppTest: cards, search and filters, resume, and broken case files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.library.loader import load_case

pytestmark = pytest.mark.usefixtures("clear_st_caches")  # caches outlive AppTests

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = "ui/pages/library.py"
TITLE = "The back pain that couldn't wait"
BROKEN = """id: broken-case
title: Broken
summary: A case with a typo.
topics: [testing]
minutes: 5
objectives: [Break.]
guidance: [bone-metastasis]
patient: {name: P, age: 50, setting: Ward}
steps:
  - id: only
    skill: recognise_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: Q?
    feedback: F.
    options:
      - {id: a, text: A, keyed: true, rationale: R., cite: [nursing]}
      - {id: b, text: B, rationale: R., cite: [nursing]}
"""


def titles(d) -> list[str]:
    return [m.value.removeprefix("#### ") for m in d.at.markdown if m.value.startswith("#### ")]


def test_library_lists_cases_as_cards(app):
    d = app(page=LIBRARY)
    assert TITLE in titles(d)
    shown = d.texts()
    for part in ("Topics:", "Skills:", "Item types:", "Bow-tie", "Prioritize hypotheses"):
        assert part in shown
    assert ":gray-badge[:material/schedule: 20 min]" in shown  # st.badge is Markdown
    assert "Intermediate]" in shown
    assert not d.at.expander  # no problems to report
    assert "t" not in d.query  # a page view stores nothing (issue 14, finding 6)


def test_search_and_filters(app):
    d = app(page=LIBRARY)
    d.at.text_input[0].set_value("spinal cord").run()
    assert TITLE in titles(d)
    d.at.text_input[0].set_value("appendicitis").run()
    assert TITLE not in titles(d)
    assert "No case matches these filters" in d.texts()
    d.at.text_input[0].set_value("").run()
    d.at.multiselect[1].set_value(["evaluate_outcomes"]).run()  # CJMM skills
    assert TITLE in titles(d)
    d.at.selectbox[0].set_value("advanced").run()
    assert TITLE not in titles(d)


def test_start_button_opens_the_player_and_then_offers_resume(app):
    d = app(page=LIBRARY)
    d.at.button(key="play.scc-back-pain-could-not-wait").click()
    d.run()
    assert d.widget_key().endswith(".cues")
    assert "a" not in d.query  # opening a case stores nothing; its first answer does
    d.answer(load_case(ROOT / "cases" / "scc-back-pain-could-not-wait.yaml").case.steps[0])
    assert d.query.get("a", "").isdigit()
    token = d.query["t"]
    back = app({"t": token}, page=LIBRARY)
    assert back.at.button(key="play.scc-back-pain-could-not-wait").label == "Resume"


def test_a_broken_case_file_is_left_out_and_reported(app, app_env):
    (app_env.cases / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (app_env.cases / "not-yaml.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    d = app(page=LIBRARY)
    assert TITLE in titles(d)
    assert "Broken" not in titles(d)
    assert [e.label for e in d.at.expander] == ["2 case files have problems"]
    report = d.at.code[0].value
    assert re.search(r"broken\.yaml:11:12: .*recognise_cues", report), report
    assert re.search(r"not-yaml\.yaml:\d+:\d+: ", report), report


def test_library_reloads_when_a_case_file_changes(app, app_env):
    d = app(page=LIBRARY)
    assert len(titles(d)) == 1
    case = (app_env.cases / "scc-back-pain-could-not-wait.yaml").read_text(encoding="utf-8")
    copy = case.replace("id: scc-back-pain-could-not-wait", "id: scc-copy", 1)
    copy = copy.replace(f'title: "{TITLE}"', 'title: "A copy"', 1)
    (app_env.cases / "copy.yaml").write_text(copy, encoding="utf-8")
    d.run()
    assert sorted(titles(d)) == ["A copy", TITLE]


def test_cases_load_once_not_on_every_rerun(app, monkeypatch):
    from ui.components import resources

    calls = []
    real = resources.load_library
    monkeypatch.setattr(resources, "load_library", lambda *a, **k: calls.append(1) or real(*a, **k))
    d = app(page=LIBRARY)
    for _ in range(3):
        d.run()
    assert len(calls) == 1


def test_every_item_type_has_a_label_on_the_cards():
    from scoring.format.models import ITEM_TYPES
    from ui.player.catalog import ITEM_LABELS

    assert list(ITEM_LABELS) == list(ITEM_TYPES)


def test_every_card_says_which_document_the_keys_follow_and_its_date(app):
    d = app(page=LIBRARY)
    captions = [c.value for c in d.at.caption if "Answer keys follow" in c.value]
    assert len(captions) == len(titles(d))
    assert all(
        "American Cancer Society" in c and "last medical review 7 February 2014" in c
        for c in captions
    )
    assert all("Practice notes" in c and "newer guidance" in c for c in captions)
