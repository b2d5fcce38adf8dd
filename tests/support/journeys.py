"""Steps of the browser journeys that several tests take the same way (Playwright pages)."""

from __future__ import annotations


def create_class_session(page, base: str, passcode: str, title: str, case_title: str) -> str:
    """Sign in on the sessions page, create a session with one case; return its join link."""
    page.goto(f"{base}/sessions")
    page.get_by_role("textbox", name="Educator passcode").fill(passcode)
    page.get_by_role("button", name="Sign in", exact=True).first.click()
    page.get_by_role("textbox", name="Title").fill(title)
    page.get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name=case_title).click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Create session", exact=True).first.click()
    page.get_by_text("Scan to join").wait_for()
    return page.get_by_test_id("stCode").inner_text().strip()
