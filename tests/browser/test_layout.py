"""The player's layout at the commonest screen sizes, measured in Chromium: nothing in the
client record overlaps the item column, no page scrolls sideways, every record tab is in
sight, and tables and charts stay inside the record column (scrolling there if they must).

One attempt is played to its last step (every record tab and table revealed) and then opened
at each size through its page address, as a trainee switching devices would.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from scoring.guidance.passages import load_guidance
from scoring.library.loader import load_case
from tests.browser.conftest import ROOT
from tests.browser.players import answer_by_pointer, wait_idle
from tests.conftest import keyed_response

pytestmark = pytest.mark.browser

SIZES = [(1280, 720), (1366, 768), (1440, 900), (1920, 1080), (390, 844)]
CASE = load_case(ROOT / "cases" / "hypercalcemia-thirsty-and-sleepy.yaml", load_guidance()).case

MEASURE = """() => {
  const box = (e) => e.getBoundingClientRect();
  const item = box(document.querySelector('.st-key-cb-item'));
  const pane = document.querySelector('.st-key-cb-record');
  const record = box(pane);
  const meets = (b) => b.width > 0 && b.height > 0 && b.left < item.right - 1
    && b.right > item.left + 1 && b.top < item.bottom - 1 && b.bottom > item.top + 1;
  const blocks = [...pane.querySelectorAll('[data-testid=stElementContainer]')].map(box);
  const spills = [...pane.querySelectorAll('table, [data-testid=stVegaLiteChart] canvas,'
    + ' [data-testid=stVegaLiteChart] svg')].filter((e) => {
      const scroller = e.closest('[data-testid=stMarkdownContainer]');
      const scrolls = scroller && scroller.scrollWidth > scroller.clientWidth
        && getComputedStyle(scroller).overflowX === 'auto';
      return !scrolls && box(e).right > record.right + 1;
    }).length;
  const list = pane.querySelector('[role=tablist]');
  const tabs = [...pane.querySelectorAll('[role=tab]')];
  const hidden = tabs.filter((t) => box(t).right > box(list).right + 1
    || box(t).left < box(list).left - 1).map((t) => t.textContent);
  const root = document.documentElement;
  const main = document.querySelector('[data-testid=stMain]');
  return {
    overlaps: blocks.filter(meets).length,
    spills,
    hiddenTabs: hidden,
    tabs: tabs.map((t) => t.textContent),
    pageScrollsSideways: root.scrollWidth > root.clientWidth + 1
      || main.scrollWidth > main.clientWidth + 1,
    recordLeftOfItem: record.right <= item.left + 1,
    itemAboveRecord: item.bottom <= record.top + 1,
  };
}"""


WIDE = """() => [...document.querySelectorAll('body *')].filter((e) => {
  const b = e.getBoundingClientRect(); return b.right > document.documentElement.clientWidth + 1;
}).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + (e.dataset.testid || ''))"""


def settled_measure(page, timeout_ms: int = 5000) -> dict:
    """MEASURE once the tab's charts have taken their column's width.

    A Vega chart paints first at its own default width and then fits its container (a resize
    observer), so on a busy machine the first frames may overflow for a moment. The layout is
    judged once it holds: a real spill stays, and is reported after ``timeout_ms``.
    """
    with contextlib.suppress(PlaywrightTimeout):  # still spilling: measured and reported below
        page.wait_for_function(
            f"() => {{ const m = ({MEASURE})(); return m.spills === 0 && m.overlaps === 0; }}",
            timeout=timeout_ms,
        )
    return page.evaluate(MEASURE)


@pytest.fixture(scope="module")
def last_step_url(browser, ngn_server):
    """The address of an attempt at its last step, every record entry revealed."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{ngn_server}/player?case={CASE.id}")
    for step in CASE.steps[:-1]:
        answer_by_pointer(page, step, keyed_response(step))
        page.get_by_role("button", name=re.compile("^Continue to step")).first.click()
    page.get_by_role("button", name="Submit answer").wait_for()
    url = page.url
    context.close()
    return url


@pytest.mark.parametrize("width,height", SIZES, ids=lambda v: str(v))
def test_the_record_and_the_item_never_overlap(sized_page, last_step_url, width, height):
    page = sized_page(width, height)
    page.goto(last_step_url)
    page.get_by_role("button", name="Submit answer").wait_for()
    tabs = page.locator(".st-key-cb-record").get_by_role("tab")
    names = tabs.all_inner_texts()
    assert len(names) == 6, names  # history, notes, vitals, labs, orders, MAR
    for name in names:  # each tab's entries, tables and charts in turn
        page.locator(".st-key-cb-record").get_by_role("tab", name=name, exact=True).click()
        wait_idle(page)  # the lazy tab's rerun
        m = settled_measure(page)
        where = f"{width}×{height}, tab {name}"
        assert m["overlaps"] == 0 and m["spills"] == 0, (where, m)
        assert not m["hiddenTabs"], (where, m)
        assert not m["pageScrollsSideways"], (where, m, page.evaluate(WIDE))
        if width >= 640:
            assert m["recordLeftOfItem"], (where, m)
        else:
            assert m["itemAboveRecord"], (where, m)
