"""Keyboard only: a whole case (highlight, matrix, dyad, bow-tie, cloze, ordering and multiple
choice) played with Tab, Shift+Tab, arrows, Space and Enter, counting every key pressed, at
a laptop's size. The counts are printed for the issue's closing note.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from scoring.guidance.passages import load_guidance
from scoring.library.loader import load_case
from tests.browser.conftest import ROOT
from tests.browser.players import POINTS, Keyboard, answer_by_keyboard, current_order
from tests.conftest import keyed_response

pytestmark = pytest.mark.browser

CASE = load_case(ROOT / "cases" / "hypercalcemia-thirsty-and-sleepy.yaml", load_guidance()).case


def test_a_whole_case_by_keyboard_only(sized_page, ngn_server, capsys):
    page = sized_page(1366, 768)
    page.goto(f"{ngn_server}/player?case={CASE.id}")
    keys = Keyboard(page)
    per_step: dict[str, int] = {}
    for step in CASE.steps:
        page.get_by_role("button", name="Submit answer").wait_for()
        before = keys.presses
        answer_by_keyboard(keys, step, keyed_response(step))
        points = page.get_by_role("heading", name=POINTS).first.inner_text()
        earned, possible = re.match(r"(\d+) of (\d+)", points).groups()
        assert earned == possible, (step.id, step.type, points)  # the keyed answer arrived
        label = "See your debrief" if step is CASE.steps[-1] else re.compile("Continue to step .*")
        keys.button(label)
        per_step[f"{step.type} ({step.id})"] = keys.presses - before
    expect(page.get_by_role("heading", name="Debrief")).to_be_visible()
    assert page.get_by_test_id("stMetric").filter(has_text="Score").inner_text().endswith("100%")
    with capsys.disabled():
        print(f"\nkeyboard only, {CASE.id}: {keys.presses} key presses; per step: {per_step}")
    ordering = next(v for k, v in per_step.items() if k.startswith("ordering"))
    assert ordering < 60, per_step  # focus stays on the moved item: no Tab after each move


def test_ordering_moves_keep_focus_and_say_where_the_item_went(sized_page, ngn_server):
    page = sized_page(1366, 768)
    page.goto(f"{ngn_server}/player?case=every-item-type")
    keys = Keyboard(page)
    for step in CASE_STEPS_BEFORE_ORDER:
        answer_by_keyboard(keys, step, keyed_response(step))
        keys.button(re.compile("Continue to step .*"))
    page.locator(".cb-order").wait_for()
    first = current_order(page)[-1]
    keys.named(f"Move ‘{first}’ up")
    keys.press("Enter", 2)
    assert current_order(page)[0] == first
    assert keys.active()["name"] == f"Move ‘{first}’ up"  # still on the moved item
    status = page.locator(".cb-ngn [role=status]")
    expect(status).to_have_text(f"‘{first}’ moved to position 1 of 3.")
    keys.press("Alt+ArrowDown")
    assert current_order(page)[1] == first
    assert keys.active()["name"] == f"Move ‘{first}’ down"


EVERY = load_case(ROOT / "tests" / "fixtures" / "every-item-type.yaml", load_guidance()).case
CASE_STEPS_BEFORE_ORDER = [s for s in EVERY.steps[: [s.id for s in EVERY.steps].index("order")]]
