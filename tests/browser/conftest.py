"""A real `streamlit run` server on a free port with its own database, and Debian's Chromium.

Skipped with a reason when /usr/bin/chromium is missing, unless CASEBOOK_REQUIRE_BROWSER=1.
A failing test leaves a full-page screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.appserver import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    app_servers,
    browser_page,
    call_failed,
)

ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 1000}


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test, and all of them run in one worker.

    Under ``pytest -n 2 --dist loadgroup`` (``make test``) one worker plays the browser
    journeys, one after another on servers it starts once, while the other runs the rest:
    two Chromium journeys at once on two cores would only race each other's timeouts.
    """
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if os.environ.get("CASEBOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " and CASEBOOK_REQUIRE_BROWSER=1")
    pytest.skip(reason)


EDUCATOR_PASSCODE = "correct-horse-42"
NGN_CASES = ("hypercalcemia-thirsty-and-sleepy.yaml", "triage-monday-morning-queue.yaml")


@contextmanager
def serving(tmp: Path, case_files: list[Path], **env: str) -> Iterator[str]:
    """A Casebook server on its own SQLite file whose library holds ``case_files``."""
    _require_chromium()
    cases = tmp / "cases"
    cases.mkdir()
    for path in case_files:
        shutil.copy(path, cases)
    env = {
        "CASEBOOK_DATABASE_URL": f"sqlite:///{tmp / 'casebook.db'}",
        "CASEBOOK_CASES_DIR": str(cases),
        **env,
    }
    with app_servers(1, env, tmp) as (url,):
        yield url


@pytest.fixture(scope="session")
def server_folder(tmp_path_factory) -> Path:
    """The folder of ``server``'s database and cases."""
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def server(server_folder) -> Iterator[str]:
    """Base URL of a Casebook server with its own SQLite file and the SCC case only."""
    scc = ROOT / "cases" / "scc-back-pain-could-not-wait.yaml"
    with serving(server_folder, [scc]) as url:
        yield url


@pytest.fixture(scope="session")
def server_database(server, server_folder) -> str:
    """The database URL of ``server`` (to set up what a test needs, as a CLI command would)."""
    return f"sqlite:///{server_folder / 'casebook.db'}"


@pytest.fixture(scope="session")
def ngn_server(tmp_path_factory) -> Iterator[str]:
    """A server with the every-item-type case, two shipped NGN cases and a known educator
    passcode."""
    tmp = tmp_path_factory.mktemp("ngn")
    files = [ROOT / "tests" / "fixtures" / "every-item-type.yaml"]
    files += [ROOT / "cases" / name for name in NGN_CASES]
    passcode = {"CASEBOOK_EDUCATOR_PASSCODE": EDUCATOR_PASSCODE}
    with serving(tmp, files, CASEBOOK_PASSCODE_FILE=str(tmp / "passcode.hash"), **passcode) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server, request):
    """A fresh browser context (a new trainee); screenshot on failure."""
    shot = f"failed-{request.node.name}"
    with browser_page(
        browser, shot, ARTIFACTS, 15_000, lambda: call_failed(request), viewport=VIEWPORT
    ) as pg:
        yield pg


@pytest.fixture
def sized_page(browser, request):
    """A fresh context at ``width``×``height`` (a laptop, a phone); screenshot on failure."""
    opened = []

    def make(width: int, height: int):
        shot = f"failed-{request.node.name}"
        cm = browser_page(
            browser,
            shot,
            ARTIFACTS,
            15_000,
            lambda: call_failed(request),
            viewport={"width": width, "height": height},
            is_mobile=width < 600,
            has_touch=width < 600,
        )
        opened.append(cm)
        return cm.__enter__()

    yield make
    for cm in reversed(opened):
        cm.__exit__(None, None, None)


# Resolves after two animation frames: the layout of a resize has been computed and painted.
SETTLED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture
def shot():
    """Save a screenshot of the whole app (tall viewport: Streamlit scrolls inside)."""

    def save(pg, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        viewport = pg.viewport_size or VIEWPORT
        height = pg.evaluate(
            "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
            "section.main, [data-testid=stAppScrollToBottomContainer]')]"
            ".map(e => e.scrollHeight), document.body.scrollHeight)"
        )
        pg.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 40, 6000)})
        pg.evaluate(SETTLED)  # the resized layout painted
        path = ARTIFACTS / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(path), full_page=True)
        pg.set_viewport_size(viewport)
        return path

    return save
