"""Headless Chromium against `streamlit run`: first render, and submit → feedback with five
trainees clicking at once, with the server's memory before and after 500 submits.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_browser [--submits N]``.
Both ``runner.postScriptGC`` settings are measured, each on a fresh server and database.
Times are taken in the page (``performance.now()`` and a MutationObserver): first render is
navigation start → the first step's Submit button; submit → feedback is the click → the score
heading of the feedback view. Targets: first render ≤ 2.5 s; submit → feedback median ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.support.appserver import CHROMIUM, CHROMIUM_ARGS, ROOT, launch, stop, wait_healthy

SCC = "scc-back-pain-could-not-wait"
TRAINEES = 5
WARMUP_SUBMITS = 50

# Records when the first Submit button appears (ms since navigation start).
FIRST_RENDER = """
new MutationObserver((_, obs) => {
  const b = [...document.querySelectorAll('button')]
    .find(b => b.innerText.includes('Submit answer'));
  if (b && window.__firstRender === undefined) {
    window.__firstRender = performance.now();
    obs.disconnect();
  }
}).observe(document, {subtree: true, childList: true});
"""
# Clicks Submit and resolves with the ms until the feedback's score heading is in the page.
SUBMIT = """
() => new Promise((resolve, reject) => {
  const score = () => [...document.querySelectorAll('h3')]
    .some(h => /^\\d+ of \\d+ points?$/.test(h.innerText.trim()));
  const button = [...document.querySelectorAll('button')]
    .find(b => b.innerText.includes('Submit answer'));
  if (!button || button.disabled) { reject(new Error('no enabled Submit button')); return; }
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    if (score()) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { obs.disconnect(); reject(new Error('no feedback within 15 s')); }, 15000);
  button.click();
})
"""


def start_server(gc: bool, tmp: Path):
    """`streamlit run app.py` with its own SQLite file and the SCC case; (process, url)."""
    cases = tmp / "cases"
    cases.mkdir(exist_ok=True)
    shutil.copy(ROOT / "cases" / f"{SCC}.yaml", cases)
    env = {
        "CASEBOOK_DATABASE_URL": f"sqlite:///{tmp / f'bench-{gc}.db'}",
        "CASEBOOK_CASES_DIR": str(cases),
    }
    log = tmp / f"server-{gc}.log"
    proc, url = launch(env, log, ("--runner.postScriptGC", str(gc).lower()))
    try:
        wait_healthy(url, proc, log)
    except RuntimeError:
        stop(proc)
        raise
    return proc, url


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# What the server last said about the answer being built: captions and the Submit state.
SERVER_VIEW = """() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
  .map(e => e.innerText).join('|') + '|' + [...document.querySelectorAll('button')]
  .filter(b => b.innerText.includes('Submit answer')).map(b => b.disabled).join()"""


async def click_and_wait(page, target) -> None:
    """Click, then wait until the server's answer to the click has arrived."""
    before = await page.evaluate(SERVER_VIEW)
    await target.click()
    with contextlib.suppress(Exception):  # nothing visible changed: the loop looks again
        await page.wait_for_function(f"(b) => ({SERVER_VIEW})() !== b", arg=before, timeout=10_000)


async def make_ready(page) -> None:
    """Answer whatever step is shown (any valid answer) until Submit is enabled."""
    submit = page.get_by_role("button", name="Submit answer")
    await submit.wait_for()
    loading = page.locator('[data-testid="stSkeleton"]')  # a widget's code still loading
    for _ in range(15):
        if await loading.count():
            await loading.first.wait_for(state="detached", timeout=30_000)
        if await submit.is_enabled():
            return
        for group in await page.get_by_test_id("stRadio").all():
            if not await group.locator("input:checked").count():
                await click_and_wait(page, group.locator("label:has(input[type=radio])").first)
        if await submit.is_enabled():
            return
        if "untick" in await page.evaluate(SERVER_VIEW):  # two of our clicks crossed: undo one
            ticked = page.locator('[data-testid="stCheckbox"]:has(input:checked:not(:disabled))')
            await click_and_wait(page, ticked.last.locator("label"))
            continue
        box = page.locator('[data-testid="stCheckbox"]:has(input:not(:checked):not(:disabled))')
        if await box.count():
            await click_and_wait(page, box.first.locator("label"))
    if os.environ.get("BENCH_DEBUG"):
        await page.screenshot(path=f"/tmp/bench-fail-{id(page)}.png", full_page=True)
    raise RuntimeError("could not make the step ready to submit")


async def onward(page) -> None:
    """Continue to the next step, or from the debrief start the case again."""
    way_on = page.get_by_role("button", name=re.compile("^(Continue to step|See your debrief)"))
    await way_on.first.wait_for()
    if "debrief" in await way_on.first.inner_text():
        await way_on.first.click()
        await page.get_by_role("button", name="Try again").click()
    else:
        await way_on.first.click()
    await page.get_by_role("button", name="Submit answer").wait_for()


async def trainee(browser, url: str, submits: int, times: list[float], failures: list[str]) -> None:
    """One trainee playing the case over and over, timing each submit → feedback."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(f"{url}/player?case={SCC}")
    done = 0
    submit = page.get_by_role("button", name="Submit answer")
    way_on = page.get_by_role("button", name=re.compile("^(Continue to step|See your debrief)"))
    while done < submits:
        try:
            await submit.or_(way_on).first.wait_for()
            if not await submit.count():  # reloaded onto a feedback view: move on first
                await onward(page)
            await make_ready(page)
            await page.locator(IDLE).wait_for()  # a click during a rerun may land on stale UI
            times.append(await page.evaluate(SUBMIT))
            done += 1
            await onward(page)
        except Exception as exc:  # counted and shown: a benchmark must not hide a fault
            failures.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
            if os.environ.get("BENCH_DEBUG"):
                await page.screenshot(path=f"/tmp/bench-fail-{len(failures)}.png", full_page=True)
            if len(failures) > 10:
                print("\n".join(failures), file=sys.stderr)
                raise
            await page.reload()
    await context.close()


async def first_render(browser, url: str) -> float:
    """ms from navigation start to the first step's Submit button, for a new trainee."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.add_init_script(FIRST_RENDER)
    page = await context.new_page()
    await page.goto(f"{url}/player?case={SCC}")
    await page.wait_for_function("window.__firstRender !== undefined", timeout=30_000)
    value = await page.evaluate("window.__firstRender")
    await context.close()
    return value


async def run_config(gc: bool, submits: int) -> dict[str, float]:
    """Measure one postScriptGC setting on a fresh server."""
    from playwright.async_api import async_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    proc, url = start_server(gc, tmp)
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            cold = await first_render(browser, url)
            warm = statistics.median([await first_render(browser, url) for _ in range(3)])
            failures: list[str] = []
            per = max(1, WARMUP_SUBMITS // TRAINEES)
            await asyncio.gather(
                *(trainee(browser, url, per, [], failures) for _ in range(TRAINEES))
            )
            before, cpu_before = rss_mb(proc.pid), cpu_seconds(proc.pid)
            times: list[float] = []
            per = max(1, submits // TRAINEES)
            start = time.perf_counter()
            await asyncio.gather(
                *(trainee(browser, url, per, times, failures) for _ in range(TRAINEES))
            )
            elapsed = time.perf_counter() - start
            after, cpu = rss_mb(proc.pid), cpu_seconds(proc.pid) - cpu_before
            await browser.close()
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    times.sort()
    return {
        "cold": cold,
        "warm": warm,
        "median": statistics.median(times),
        "p90": times[int(0.9 * (len(times) - 1))],
        "n": len(times),
        "before": before,
        "server_cpu": cpu,
        "after": after,
        "seconds": elapsed,
        "failures": failures,
    }


def main() -> int:
    """Print first render, submit → feedback and server RSS for both GC settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=500, help="timed submits per setting")
    parser.add_argument(
        "--gc", choices=("both", "true", "false"), default="both", help="postScriptGC settings"
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"skipped: {CHROMIUM} is missing")
        return 0
    print(
        f"{TRAINEES} trainees, {args.submits} timed submits per setting, after "
        f"{WARMUP_SUBMITS} warm-up submits; times in the page"
    )
    results = {}
    settings = {"both": (True, False), "true": (True,), "false": (False,)}[args.gc]
    for gc in settings:
        load = os.getloadavg()[0]
        r = results[gc] = asyncio.run(run_config(gc, args.submits))
        print(
            f"postScriptGC={str(gc).lower():<5}  first render cold {r['cold']:.0f} ms, "
            f"warm {r['warm']:.0f} ms (target ≤ 2500)  |  submit→feedback median "
            f"{r['median']:.0f} ms, p90 {r['p90']:.0f} ms over {r['n']} (target ≤ 300)  |  "
            f"server RSS {r['before']:.0f} → {r['after']:.0f} MB "
            f"({r['after'] - r['before']:+.0f} MB) in {r['seconds']:.0f} s, server CPU "
            f"{r['server_cpu']:.0f} s ({100 * r['server_cpu'] / r['seconds']:.0f}% of one core); "
            "machine load "
            f"{load:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        for failure in r["failures"]:
            print(f"    retried after: {failure}")
    if False not in results:
        return 0
    growth = results[False]["after"] - results[False]["before"]
    flat = growth <= max(15.0, 0.1 * results[False]["before"])
    print(
        "runner.postScriptGC=false: memory "
        + ("stays flat" if flat else f"grows by {growth:.0f} MB")
        + f" over {results[False]['n']} submits → "
        + ("keep it in .streamlit/config.toml" if flat else "leave the default (true)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
