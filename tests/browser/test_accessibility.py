"""axe-core (WCAG 2.0/2.1/2.2, A and AA) on every page a student or an educator opens: the
library, the quiz (question, feedback, results), My results, Join a class and My term at a
laptop's and a phone's size, and the educator's sign-in, class sessions, live dashboard,
authoring, courses, course gradebook and LMS (LTI) pages at a laptop's. The player's steps
and feedback are covered in test_item_types.py.

The target is no violation. Violations that come from Streamlit itself are listed in
players.STREAMLIT_OWN (and the README, with the upstream issue); anything else fails.
"""

from __future__ import annotations

import re

import pytest

from scoring.guidance.passages import load_guidance
from scoring.library.loader import load_library
from tests.browser.conftest import EDUCATOR_PASSCODE, NGN_CASES, ROOT
from tests.browser.players import answer_by_pointer, axe_violations, wait_idle

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
LIBRARY = load_library([ROOT / "cases" / name for name in NGN_CASES], load_guidance())


def quiz_step(page):
    """The step behind the quiz question on screen (its Submit key ends in case/step)."""
    classes = page.locator('[class*="st-key-submit-q"]').first.get_attribute("class")
    found = re.search(r"st-key-submit-q\d+-(\S+)", classes).group(1)
    for loaded in LIBRARY.cases.values():
        for step in loaded.case.steps:
            if found == f"{loaded.case.id}-{step.id}":
                return step
    raise AssertionError(f"no step for {found}")


def check(page, width: int, found: dict, where: str, shot=None, size: str = "") -> None:
    """Wait for the page to settle, then record axe's findings for ``where``."""
    wait_idle(page)
    page.wait_for_timeout(300)  # charts and lazy parts paint after the script
    found[where] = axe_violations(page, width)
    if shot is not None:
        shot(page, f"pages/{size}/{where.replace(' ', '-')}")


@pytest.mark.parametrize("size", SIZES)
def test_every_page_has_no_wcag_violation(sized_page, ngn_server, shot, size):
    width, height = SIZES[size]
    page = sized_page(width, height)
    found: dict[str, list] = {}
    page.goto(ngn_server)
    page.get_by_role("heading", name="Case library").wait_for()
    check(page, width, found, "library", shot, size)

    page.goto(f"{ngn_server}/quiz")
    page.get_by_role("heading", name="Quick quiz").wait_for()
    check(page, width, found, "quiz setup")
    page.get_by_test_id("stMultiSelect").nth(1).click()  # CJMM skills: one question left
    page.get_by_role("option", name="Evaluate outcomes").click()
    page.keyboard.press("Escape")
    page.get_by_text("All 1", exact=True).wait_for()
    page.get_by_role("button", name="Start quiz").click()
    page.get_by_text(re.compile(r"^Question 1 of 1")).wait_for()
    check(page, width, found, "quiz question", shot, size)
    answer_by_pointer(page, quiz_step(page), None)
    check(page, width, found, "quiz feedback", shot, size)
    page.get_by_role("button", name="See your quiz results").first.click()
    page.get_by_role("heading", name="Quiz results").wait_for()
    check(page, width, found, "quiz results", shot, size)

    page.goto(f"{ngn_server}/results")
    page.get_by_role("heading", name="My results").wait_for()
    check(page, width, found, "my results", shot, size)
    page.goto(f"{ngn_server}/join")
    page.get_by_role("button", name="Join").wait_for()
    check(page, width, found, "join a class")
    page.goto(f"{ngn_server}/term")
    page.get_by_role("heading", name="My term").wait_for()
    check(page, width, found, "my term")

    if width < 640:  # educators work on a laptop or the classroom's computer
        assert {where: v for where, v in found.items() if v} == {}
        return
    page.goto(f"{ngn_server}/sessions")
    page.get_by_role("textbox", name="Educator passcode").wait_for()
    check(page, width, found, "educator sign-in")
    page.get_by_role("textbox", name="Educator passcode").fill(EDUCATOR_PASSCODE)
    page.get_by_role("button", name="Sign in", exact=True).first.click()
    page.get_by_role("textbox", name="Title").fill("NUR 301")
    page.get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name="Thirsty and sleepy").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Create session").click()
    page.get_by_text("Scan to join").wait_for()
    check(page, width, found, "class sessions", shot, size)
    page.get_by_role("button", name="Open live dashboard").first.click()
    page.get_by_test_id("stMetric").first.wait_for()
    check(page, width, found, "live dashboard", shot, size)
    page.goto(f"{ngn_server}/author")  # signed in still: the sign-in is a cookie
    page.get_by_role("heading", name=re.compile("Author")).first.wait_for()
    check(page, width, found, "author a case", shot, size)
    page.goto(f"{ngn_server}/courses")
    page.get_by_role("textbox", name="Title").fill("Adult health")
    page.get_by_role("button", name="Create course").click()
    page.get_by_role("button", name="Import").wait_for()
    check(page, width, found, "courses", shot, size)
    page.goto(f"{ngn_server}/lti")
    page.get_by_role("heading", name="Registered LMSs").wait_for()
    check(page, width, found, "LMS (LTI)", shot, size)
    page.goto(f"{ngn_server}/gradebook")
    page.get_by_role("heading", name="Course gradebook").wait_for()
    check(page, width, found, "course gradebook", shot, size)
    assert {where: v for where, v in found.items() if v} == {}
