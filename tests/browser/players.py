"""Playing an item in Chromium the way a trainee does: by pointer (clicks and taps), or by
keyboard only, counting every key pressed; and axe-core's verdict on the page.

Shared by the item-type, keyboard and accessibility journeys. Locators pierce the NGN
component's open shadow root, as assistive technology does.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from scoring.format.models import ITEM_TYPES
from tests.conftest import keyed_response
from ui.player.widgets import ordered_blanks

POINTS = re.compile(r"^\d+ of \d+ points?$")
# WCAG 2.0, 2.1 and 2.2, levels A and AA: the target is no violation at all.
AXE_OPTIONS = {
    "resultTypes": ["violations"],  # passes and the rest are not needed: much faster runs
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
}
# Violations that come from Streamlit itself and cannot be fixed from the app, by rule id and
# the page width below which they appear (README "Accessibility" lists them with the
# upstream issue). Anything else fails the test.
STREAMLIT_OWN: dict[str, int] = {}

DEEP_ACTIVE = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a || a === document.body) {
    return {tag: 'body', role: '', name: '', value: null, checked: null, pressed: null};
  }
  const text = (e) => {  // what is read out: icons (aria-hidden ligatures) left out
    const copy = e.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true], [data-testid=stIconMaterial]')
      .forEach((i) => i.remove());
    return copy.textContent;
  };
  const label = a.getAttribute('aria-label') || (a.closest('label') && text(a.closest('label')))
    || text(a) || '';
  return {tag: a.tagName.toLowerCase(), role: a.getAttribute('role') || a.type || '',
          name: label.replace(/\\s+/g, ' ').trim(), value: a.value ?? null,
          checked: a.checked ?? null, pressed: a.getAttribute('aria-pressed')};
}"""


def axe_violations(page: Page, width: int) -> list[tuple[str, str]]:
    """(rule id, first target) of every WCAG A/AA violation not known to be Streamlit's own."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [
        (v["id"], str(v["nodes"][0]["target"]))
        for v in found
        if not (v["id"] in STREAMLIT_OWN and width < STREAMLIT_OWN[v["id"]])
    ]


def option_text(step: Any, option_id: str) -> str:
    """The text of an option of a flat item."""
    return next(o.text for o in step.options if o.id == option_id)


def current_order(page: Page) -> list[str]:
    """The option texts of the ordering widget, top to bottom."""
    return page.locator(".cb-order .cb-text").all_inner_texts()


def wait_idle(page: Page) -> None:
    """Wait until the app has finished the rerun it is doing."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def ready(page: Page, step: Any) -> None:
    """Wait until the item's widgets are drawn (the NGN component paints after its script)."""
    if step.type in ("multiple_choice", "select_all", "select_n"):
        page.get_by_role("button", name="Submit answer").wait_for()
    else:
        page.locator(".cb-ngn").first.wait_for()


def answer_by_pointer(page: Page, step: Any, raw: Any = None) -> None:
    """Set ``raw`` (a response in the scoring.engine.responses shape; default: the key) by clicking,
    then submit."""
    raw = keyed_response(step) if raw is None else raw
    kind = step.type
    assert kind in ITEM_TYPES, kind
    ready(page, step)
    if kind == "multiple_choice":
        radios = page.get_by_test_id("stRadio")
        radios.get_by_text(option_text(step, raw[0]), exact=True).click()
    elif kind in ("select_all", "select_n"):
        for oid in raw:
            box = page.get_by_test_id("stCheckbox").filter(has_text=option_text(step, oid))
            box.first.locator("label").click()
            wait_idle(page)  # a capped box is enabled only after the rerun
    elif kind in ("highlight", "highlight_table"):
        for oid in raw:
            page.get_by_role("button", name=option_text(step, oid), exact=True).click()
    elif kind == "multiple_response_grouping":
        for group in step.groups:
            box = page.get_by_role("group", name=group.label, exact=True)
            for oid in raw.get(group.id, []):
                text = next(o.text for o in group.options if o.id == oid)
                box.get_by_role("checkbox", name=text, exact=True).check()
    elif kind in ("drag_drop_cloze", "drag_drop_rationale"):
        words = page.get_by_role("group", name="Words to place")
        for target in ordered_blanks(step):  # a tap fills the first empty space
            text = next(t.text for t in step.tokens if t.id == raw[target.id])
            words.get_by_role("button", name=text, exact=True).click()
    elif kind == "ordering":
        texts = {o.id: o.text for o in step.options}
        for i, oid in enumerate(raw):
            at = current_order(page).index(texts[oid])
            for _ in range(at - i):
                page.get_by_role("button", name=f"Move ‘{texts[oid]}’ up").click()
        assert current_order(page) == [texts[o] for o in raw]
    elif kind in ("matrix_choice", "matrix_response"):
        role = "radio" if kind == "matrix_choice" else "checkbox"
        cols = {c.id: c.text for c in step.columns}
        for row in step.rows:
            for col in [raw[row.id]] if role == "radio" else raw.get(row.id, []):
                page.get_by_role(role, name=f"{row.text}: {cols[col]}", exact=True).check()
    elif kind == "bow_tie":
        for wing in ("condition", "actions", "parameters"):
            for oid in raw[wing]:
                text = next(o.text for o in getattr(step, wing).options if o.id == oid)
                page.get_by_role("button", name=text, exact=True).click()
    else:
        selects = page.locator("select.cb-select")
        for i, blank in enumerate(ordered_blanks(step)):
            selects.nth(i).select_option(raw[blank.id])
    submit(page)


def submit(page: Page) -> None:
    """Press Submit once the app has enabled it, and wait for the score."""
    button = page.get_by_role("button", name="Submit answer")
    expect(button).to_be_enabled()
    button.click()
    page.get_by_role("heading", name=POINTS).first.wait_for()


class Keyboard:
    """Keyboard-only play: every key goes through ``press``, which counts it."""

    def __init__(self, page: Page):
        self.page = page
        self.presses = 0

    def press(self, key: str, times: int = 1, settle: bool = False) -> None:
        """Press ``key``; with ``settle``, wait for the rerun each press starts (an answer change).

        A person waits for the page to answer a change before the next one; a robot that
        presses on while the widget is redrawn can lose a key on a busy machine (the journey
        once scored 13 of 14 points under a parallel test run).
        """
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1
            if settle:
                self.settle()

    def settle(self) -> None:
        """Wait for the rerun a change starts, if one starts within 300 ms, to finish."""
        running = self.page.locator('[data-testid="stApp"][data-test-script-state="running"]')
        with contextlib.suppress(PlaywrightTimeout):  # none: the key moved focus only
            running.wait_for(timeout=300)
        wait_idle(self.page)

    def active(self) -> dict:
        """The focused element, looking inside shadow roots."""
        return self.page.evaluate(DEEP_ACTIVE)

    def tab_to(self, wanted: Callable[[dict], bool], back: bool = False, limit: int = 120):
        """Press Tab (Shift+Tab with ``back``) until the focused element is ``wanted``."""
        for _ in range(limit):
            if wanted(self.active()):
                return
            self.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"Tab never reached the control (last: {self.active()})")

    def named(self, name: str, back: bool = False) -> None:
        """Tab to the control whose accessible name is ``name``."""
        self.tab_to(lambda a: a["name"] == name, back)

    def button(self, name: str | re.Pattern) -> None:
        """Tab to a button and press Enter."""
        match = name.fullmatch if isinstance(name, re.Pattern) else name.__eq__
        self.tab_to(lambda a: a["tag"] == "button" and bool(match(a["name"])))
        self.press("Enter")


def answer_by_keyboard(keys: Keyboard, step: Any, raw: Any) -> None:
    """Set ``raw`` with the keyboard only (Tab, arrows, Space, Enter), then submit."""
    page, kind = keys.page, step.type
    ready(page, step)
    if kind == "multiple_choice":
        names = [o.text for o in step.options]
        keys.tab_to(lambda a: a["role"] == "radio" and a["name"] in names)
        start = names.index(keys.active()["name"])
        keys.press(
            "ArrowDown", (names.index(option_text(step, raw[0])) - start) % len(names), settle=True
        )
        if not keys.active()["checked"]:
            keys.press("Space", settle=True)
    elif kind in ("select_all", "select_n", "highlight", "highlight_table"):
        for oid in raw:
            keys.named(option_text(step, oid))
            keys.press("Space", settle=True)
    elif kind == "multiple_response_grouping":
        for group in step.groups:
            for oid in raw.get(group.id, []):
                keys.named(next(o.text for o in group.options if o.id == oid))
                keys.press("Space", settle=True)
    elif kind in ("drag_drop_cloze", "drag_drop_rationale"):
        for target in ordered_blanks(step):
            keys.named(next(t.text for t in step.tokens if t.id == raw[target.id]))
            keys.press("Enter", settle=True)
    elif kind == "ordering":
        texts = {o.id: o.text for o in step.options}
        for i, oid in enumerate(raw):
            at = current_order(page).index(texts[oid])
            if at > i:
                keys.named(f"Move ‘{texts[oid]}’ up")
                keys.press("Enter", at - i, settle=True)  # focus stays on the moved item
        assert current_order(page) == [texts[o] for o in raw]
    elif kind in ("matrix_choice", "matrix_response"):
        cols = [c.id for c in step.columns]
        names = {c.id: c.text for c in step.columns}
        for row in step.rows:
            wanted = [raw[row.id]] if kind == "matrix_choice" else raw.get(row.id, [])
            for col in wanted:
                if kind == "matrix_choice":  # Tab enters the row's radio group at its first
                    keys.tab_to(lambda a, r=row: a["name"].startswith(f"{r.text}: "))
                    keys.press("ArrowRight", cols.index(col), settle=True)
                    if not keys.active()["checked"]:
                        keys.press("Space", settle=True)
                else:
                    keys.named(f"{row.text}: {names[col]}")
                    keys.press("Space", settle=True)
    elif kind == "bow_tie":
        for wing in ("condition", "actions", "parameters"):
            for oid in raw[wing]:
                keys.named(next(o.text for o in getattr(step, wing).options if o.id == oid))
                keys.press("Enter", settle=True)
    else:
        for blank in ordered_blanks(step):
            keys.tab_to(lambda a: a["tag"] == "select")
            keys.press(
                "ArrowDown", [o.id for o in blank.options].index(raw[blank.id]) + 1, settle=True
            )
            keys.press("Tab")
    expect(page.get_by_role("button", name="Submit answer")).to_be_enabled()
    keys.button("Submit answer")
    page.get_by_role("heading", name=POINTS).first.wait_for()
