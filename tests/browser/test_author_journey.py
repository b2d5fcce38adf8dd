"""An educator authors a case in Chromium: sign in, paste a broken case, read the problems by
line, fix it, play the preview, publish, find it in the library, upload a new version, restore
the old one; hostile uploads (50 MB, binary) are refused and change nothing on disk.

Waits are for content only the new run produces, never for the status widget to vanish.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.appserver import ROOT, app_servers, browser_page, call_failed

ARTIFACTS = ROOT / "test-artifacts"
PASSCODE = "correct-horse-42"
CASE = (ROOT / "tests" / "fixtures" / "minimal_case.yaml").read_text(encoding="utf-8")
AUTHORED = CASE.replace("id: minimal", "id: browser-case").replace(
    "title: Minimal case", "title: Authored in the browser"
)
BROKEN = AUTHORED.replace("prompt:", "promt:", 1)
# Where the misspelt key is, counted from the text (so a fixture edit cannot stale it).
BROKEN_LINE = next(n for n, t in enumerate(BROKEN.splitlines(), 1) if "promt:" in t)
BROKEN_COLUMN = BROKEN.splitlines()[BROKEN_LINE - 1].index("promt:") + 1


@pytest.fixture(scope="module")
def author_server(browser, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A server (the repository's .streamlit/config.toml) on a copy of the shipped cases."""
    tmp = tmp_path_factory.mktemp("author")
    cases = tmp / "cases"
    shutil.copytree(ROOT / "cases", cases)
    env = {
        "CASEBOOK_DATABASE_URL": f"sqlite:///{tmp / 'casebook.db'}",
        "CASEBOOK_CASES_DIR": str(cases),
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_PASSCODE_FILE": str(tmp / "passcode.hash"),
    }
    with app_servers(1, env, tmp) as (url,):
        yield url, cases


@pytest.fixture
def educator(browser, author_server, request) -> Iterator[Page]:
    """A browser signed in on the Author page; a screenshot is kept if the test fails."""
    url, _ = author_server
    shot = f"failed-{request.node.name}"
    with browser_page(browser, shot, ARTIFACTS, failed=lambda: call_failed(request)) as page:
        page.goto(f"{url}/author")
        page.get_by_label("Educator passcode").fill(PASSCODE)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Author a case")).to_be_visible()
        yield page


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder``, hidden ones included."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in folder.rglob("*")
    }


def type_case(page: Page, text: str) -> None:
    """Replace the editor's text and commit it (Ctrl+Enter), as an educator pasting."""
    box = page.get_by_role("textbox", name="Case YAML")
    box.fill(text)
    box.press("Control+Enter")


def upload(page: Page, path: Path) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))


def test_author_fix_preview_publish_and_restore(educator: Page, author_server, tmp_path):
    page, (_, cases) = educator, author_server
    type_case(page, BROKEN)
    expect(page.get_by_text("2 problems", exact=False)).to_be_visible()
    expect(page.get_by_text(f"Line {BROKEN_LINE}, column {BROKEN_COLUMN}:")).to_be_visible()
    marked = f"> {BROKEN_LINE} | {' ' * (BROKEN_COLUMN - 1)}promt:"
    expect(page.get_by_test_id("stCode").filter(has_text=marked)).to_be_visible()

    type_case(page, AUTHORED)
    expect(page.get_by_text(re.compile(r"^No problems\. "))).to_be_visible()
    # The preview: the trainee's radio, submit, feedback and debrief.
    page.get_by_test_id("stRadio").get_by_text("Diarrhea").click()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text("0 of 1 point", exact=True)).to_be_visible()
    page.get_by_role("button", name="See your debrief").click()
    expect(page.get_by_text("Debrief")).to_be_visible()

    page.get_by_role("tab", name="Publish").click()
    page.get_by_role("button", name="Publish to the library").click()
    expect(page.get_by_text("It is in the case library now", exact=False)).to_be_visible()
    first = (cases / "browser-case.yaml").read_bytes()

    page.get_by_test_id("stTopNav").get_by_role("link", name="Case library").click()
    expect(page.get_by_role("heading", name="Authored in the browser")).to_be_visible()

    page.get_by_test_id("stTopNav").get_by_role("link", name="Author a case").click()
    second = tmp_path / "browser-case.yaml"
    second.write_text(AUTHORED.replace("in the browser", "twice"), encoding="utf-8")
    upload(page, second)
    expect(page.get_by_text("Loaded browser-case.yaml into the editor.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^No problems\. "))).to_be_visible()
    page.get_by_role("tab", name="Publish").click()
    page.get_by_role("button", name="Publish to the library").click()
    expect(page.get_by_text("is kept and can be restored", exact=False)).to_be_visible()
    assert b"Authored twice" in (cases / "browser-case.yaml").read_bytes()

    page.get_by_role("tab", name="Earlier versions").click()
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored version", exact=False)).to_be_visible()
    assert (cases / "browser-case.yaml").read_bytes() == first


def test_hostile_uploads_are_refused_and_change_nothing(educator: Page, author_server, tmp_path):
    page, (_, cases) = educator, author_server
    before = snapshot(cases)
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:  # 50 MB: the server's 1 MB limit refuses it in the browser
        f.truncate(50 * 1024 * 1024)
    upload(page, huge)
    expect(page.get_by_test_id("stFileUploader")).to_contain_text("File must be 1.0MB or smaller.")
    binary = tmp_path / "photo.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4096))
    upload(page, binary)
    expect(page.get_by_text("photo.yaml was not loaded", exact=False)).to_be_visible()
    expect(page.get_by_role("textbox", name="Case YAML")).to_have_value("")
    assert snapshot(cases) == before
