"""What a trainee does end to end in Chromium: open the library, play the spinal cord
compression case on both paths, refresh mid-case, and take a quick quiz.

Waits are for content that only the new run produces (the next step's heading, a score), never
for the status widget to vanish.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SCC = "scc-back-pain-could-not-wait"
POINTS = re.compile(r"^\d+ of \d+ points?$")

# The keyed choices of each SCC step, as the trainee sees them.
KEYS = {
    "Notice the cues": [
        "Back pain now shooting down both legs",
        "A numb band across her belly",
        "Legs feel heavy; needed help to walk",
        "Small voids with hesitancy",
    ],
    "Act": ["Call the provider now: her findings suggest cord compression"],
    "Make sense of it (22:20)": {
        "condition": "Cord compression just starting, with no deficit on examination",
        "boxes": [
            "Give the corticosteroid as prescribed",
            "Prepare her for urgent radiation",
            "Leg strength and sensation",
            "Bladder and bowel control",
        ],
    },
    "Check the plan": ["Clarify the booking with the provider now"],
    "Is it working?": [
        "Back pain much less",
        "Walks to the bathroom with help, as before",
        "Voids normally, with no hesitancy",
    ],
    "Match plan to status": {
        "Cancer just starting to press on the cord": "Radiation with a corticosteroid",
        "Leg weakness; otherwise fit": "Immediate surgery, then radiation",
        "Leg weakness with very advanced cancer": "Radiation with a corticosteroid",
    },
    "Make sense of it (06:00)": {
        "condition": "Cord compression already showing signs of cord damage",
        "boxes": [
            "Give the corticosteroid as prescribed",
            "Prepare her for immediate surgery followed by radiation",
            "Leg strength and sensation",
            "Bladder and bowel control",
        ],
    },
    "Anticipate the plan": ["Immediate surgery followed by radiation"],
    "Is it helping?": [
        "Back pain much less",
        "Leg strength a little better each day",
        "Bladder control starting to come back",
    ],
}


ONE_CHOICE = {"Act", "Check the plan", "Anticipate the plan"}


def see(locator) -> None:
    """Wait until the locator shows (animation-frame polling: quicker than expect())."""
    locator.first.wait_for(state="visible")


def heading(page: Page) -> str:
    """Title of the step or question on screen."""
    return page.locator("h3").filter(has_not_text=POINTS).first.inner_text().strip()


def tick(page: Page, text: str) -> None:
    page.get_by_test_id("stCheckbox").filter(has_text=text).first.locator("label").click()


def pick(page: Page, text: str, within: str | None = None) -> None:
    radios = page.get_by_test_id("stRadio")
    if within:
        radios = radios.filter(has_text=within)
    radios.first.get_by_text(text, exact=False).first.click()


def answer(page: Page, title: str, override: list[str] | None = None) -> None:
    """Choose the key (or ``override``) for the step titled ``title`` and submit it."""
    choice = override or KEYS[title]
    if isinstance(choice, dict) and "condition" in choice:  # the bow-tie: tap to place
        for text in [choice["condition"], *choice["boxes"]]:
            page.locator(".cb-token").filter(has_text=text).first.click()
    elif isinstance(choice, dict):  # the matrix grid: row and column texts as they begin
        for row, col in choice.items():
            name = re.compile(f"^{re.escape(row)}.*: {re.escape(col)}")
            page.get_by_role("radio", name=name).first.check()
    elif title in ONE_CHOICE:
        pick(page, choice[0])
    else:
        for text in choice:
            tick(page, text)
    submit = page.get_by_role("button", name="Submit answer")
    expect(submit).to_be_enabled()
    submit.click()
    see(page.get_by_role("heading", name=POINTS))


def onward(page: Page) -> None:
    """Press Continue (or See your debrief) and wait for what it shows."""
    button = page.get_by_role("button", name=re.compile(r"^(Continue to step|See your)")).first
    label = button.inner_text()
    button.click()
    if "debrief" in label:
        see(page.get_by_role("heading", name="Debrief"))
    else:
        number = label.rsplit(" ", 1)[-1]
        see(page.get_by_text(re.compile(rf"^Step {number} of \d+")))
        see(page.get_by_role("button", name="Submit answer"))


def play_to_debrief(page: Page, overrides: dict[str, list[str]] | None = None) -> list[str]:
    """Answer every step shown until the debrief; return the step titles in order."""
    titles = []
    submit = page.get_by_role("button", name="Submit answer")
    see(submit.or_(page.get_by_role("heading", name="Debrief")))
    while submit.count():
        title = heading(page)
        titles.append(title)
        answer(page, title, (overrides or {}).get(title))
        onward(page)
    return titles


def metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text().strip()


def test_library_then_the_prompt_escalation_path(page: Page, server, shot):
    page.goto(server)
    expect(page.get_by_role("heading", name="Case library")).to_be_visible()
    expect(page.get_by_text("The back pain that couldn't wait")).to_be_visible()
    page.get_by_role("button", name="Start case").click()
    expect(page.get_by_text(re.compile(r"^Step 1 of 6"))).to_be_visible()
    assert "t=" not in page.url and "a=" not in page.url  # opening a case stores nothing
    shot(page, "player")
    answer(page, "Notice the cues", ["Back pain now shooting down both legs", "Vital signs"])
    expect(page.get_by_text("✗ Incorrect").first).to_be_visible()
    page.wait_for_url(re.compile(r"[?&]a=\d+"))  # the first answer stored the attempt
    assert re.search(r"[?&]t=[\w-]{20,}", page.url)
    shot(page, "feedback")
    onward(page)
    answer(page, "Act")
    expect(page.get_by_text("The provider comes to the bedside within 15 minutes")).to_be_visible()
    onward(page)
    rest = play_to_debrief(page)
    assert rest == [
        "Make sense of it (22:20)",
        "Check the plan",
        "Is it working?",
        "Match plan to status",
    ]
    assert metric(page, "Points") == "13 of 17"
    expect(page.get_by_text("Passages to review")).to_be_visible()
    shot(page, "debrief-early")


def test_the_delay_path_shows_the_deterioration(page: Page, server, shot):
    page.goto(f"{server}/player?case={SCC}")
    expect(page.get_by_text(re.compile(r"^Step 1 of 6"))).to_be_visible()
    answer(page, "Notice the cues")
    # A submit redraws the path and the item only (fragments): both must show the answer,
    # and the client record beside them stays.
    expect(page.get_by_role("button", name="Notice the cues · 4/4")).to_be_visible()
    expect(page.get_by_text("Mid-back pain for 2 days").first).to_be_visible()
    onward(page)
    answer(page, "Act", ["Give the PRN opioid and reassess at 06:00"])
    expect(page.get_by_text("Eight hours later Ms. Chen cannot lift her legs")).to_be_visible()
    see(page.get_by_text("Clock 06:00"))
    shot(page, "consequence")
    onward(page)  # Continue redraws the record with the new step's entries
    expect(page.get_by_text("Cannot lift either leg off the bed")).to_be_visible()
    expect(page.get_by_text("It is 06:00. Read the 06:00 nurse's note")).to_be_visible()
    rest = play_to_debrief(page)
    assert rest == [
        "Make sense of it (06:00)",
        "Anticipate the plan",
        "Is it helping?",
        "Match plan to status",
    ]
    assert metric(page, "Points") == "16 of 17"
    assert metric(page, "Score") == "50%"  # delaying escalation is must-avoid: capped
    expect(page.get_by_text("What happened on your path")).to_be_visible()
    expect(page.get_by_text(re.compile("^06:00 — Eight hours later"))).to_be_visible()
    shot(page, "debrief-delay")


def test_a_refresh_mid_case_resumes_with_feedback(page: Page, server):
    page.goto(f"{server}/player?case={SCC}")
    answer(page, "Notice the cues")
    url = page.url
    page.reload()
    expect(page.get_by_role("heading", name="4 of 4 points")).to_be_visible()
    expect(page.get_by_text("✓ Correct").first).to_be_visible()
    assert page.url == url
    onward(page)
    pick(page, KEYS["Act"][0])
    page.reload()
    expect(page.get_by_text(re.compile(r"^Step 2 of 6"))).to_be_visible()
    expect(page.get_by_role("button", name="Notice the cues · 4/4")).to_be_visible()
    answer(page, "Act")
    expect(page.get_by_role("heading", name="1 of 1 point")).to_be_visible()


def test_a_quick_quiz(page: Page, server, shot):
    page.goto(f"{server}/quiz")
    expect(page.get_by_role("heading", name="Quick quiz")).to_be_visible()
    expect(page.get_by_role("radio", name="All 2")).to_be_checked()  # the SCC case's two
    page.get_by_role("button", name="Start quiz").click()
    for n in (1, 2):
        expect(page.get_by_text(re.compile(rf"^Question {n} of 2"))).to_be_visible()
        answer(page, heading(page))
        button = page.get_by_role("button", name=re.compile("^(Next question|See your quiz)")).first
        button.click()
    expect(page.get_by_role("heading", name="Quiz results")).to_be_visible()
    assert metric(page, "Score") == "100%"
    shot(page, "quiz-results")
