"""Every NGN item type played in Chromium at a laptop's and a phone's size, by pointer: each
step and its feedback screenshotted (test-artifacts/items/) and checked by axe-core.

The every-item-type case (tests/fixtures) also carries hostile author text: none of it may
run or become a live link.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from scoring.guidance.passages import load_guidance
from scoring.library.loader import load_case
from tests.browser.conftest import ROOT
from tests.browser.players import POINTS, answer_by_pointer, axe_violations
from tests.conftest import keyed_response

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
CASE = load_case(ROOT / "tests" / "fixtures" / "every-item-type.yaml", load_guidance()).case
STEPS = {s.id: s for s in CASE.steps}
# Not the key on some steps, so the feedback shows wrong, missed and partly right rows too.
WRONG = {
    "grid": {"r1": "yes", "r2": "yes"},
    "cells": {"r1": ["early", "late"], "r2": ["early"]},
    "cloze": {"risk": "falls", "cause": "fever"},
    "tie": {"condition": ["scc"], "actions": ["call", "walk"], "parameters": ["legs", "hair"]},
}


def step_id(page: Page) -> str:
    """The id of the step on screen, from its Submit button's widget key."""
    classes = page.locator('[class*="st-key-submit-"]').first.get_attribute("class").split()
    key = next(c for c in classes if c.startswith("st-key-submit-"))
    return max((s for s in STEPS if key.endswith(f"-{s}")), key=len)


@pytest.mark.parametrize("size", SIZES)
def test_every_item_type_by_pointer_with_screenshots_and_axe(sized_page, ngn_server, shot, size):
    width, height = SIZES[size]
    page = sized_page(width, height)
    alerts = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    page.goto(f"{ngn_server}/player?case={CASE.id}")
    findings: dict[str, list] = {}
    seen = []
    for n in range(1, len(CASE.steps) + 1):
        page.get_by_role("button", name="Submit answer").wait_for()
        sid = step_id(page)
        step = STEPS[sid]
        seen.append(step.type)
        shot(page, f"items/{size}/{n:02d}-{step.type}")
        findings[f"{step.type} step"] = axe_violations(page, width)
        answer_by_pointer(page, step, WRONG.get(sid, keyed_response(step)))
        shot(page, f"items/{size}/{n:02d}-{step.type}-feedback")
        findings[f"{step.type} feedback"] = axe_violations(page, width)
        onward = page.get_by_role("button", name=re.compile(r"^(Continue to step|See your)"))
        onward.first.click()
    expect(page.get_by_role("heading", name="Debrief")).to_be_visible()
    shot(page, f"items/{size}/debrief")
    findings["debrief"] = axe_violations(page, width)
    assert sorted(seen) == sorted({s.type for s in CASE.steps})
    assert not alerts, alerts  # no author text ran as script
    assert {where: found for where, found in findings.items() if found} == {}


def test_the_question_comes_first_on_a_phone_with_the_record_one_tap_away(sized_page, ngn_server):
    page = sized_page(*SIZES["phone"])
    page.goto(f"{ngn_server}/player?case=hypercalcemia-thirsty-and-sleepy")
    question = page.get_by_role("heading", name="Listen to the message")
    record = page.get_by_role("heading", name="Client record")
    question.wait_for()
    assert question.bounding_box()["y"] < page.viewport_size["height"]  # on the first screen
    assert question.bounding_box()["y"] < record.bounding_box()["y"]
    page.get_by_role("link", name="Client record ↓").click()  # one tap
    page.wait_for_timeout(600)  # the smooth scroll
    box = record.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]


def test_the_feedback_tables_show_answer_key_and_verdict(page, ngn_server):
    page.goto(f"{ngn_server}/player?case={CASE.id}")
    for sid in ("one", "all", "choose-n", "mark", "order"):
        answer_by_pointer(page, STEPS[sid], keyed_response(STEPS[sid]))
        page.get_by_role("button", name=re.compile("^Continue to step")).first.click()
    answer_by_pointer(page, STEPS["grid"], WRONG["grid"])
    table = page.get_by_role("table").filter(has_text="Your answer")
    expect(table.get_by_role("row").nth(2)).to_contain_text("Restrict")
    expect(table.get_by_role("row").nth(2)).to_contain_text("✗ Wrong")
    expect(table.get_by_role("row").nth(2)).to_contain_text("unsafe")
    expect(page.get_by_role("heading", name=POINTS)).to_have_text("1 of 2 points")
