"""The Author page (AppTest): the gate, line-numbered problems, the preview, publishing,
restoring, uploads, and hostile input that changes nothing on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring.library.loader import load_case_bytes
from tests.support.educator import finish_sign_in

ROOT = Path(__file__).resolve().parent.parent
AUTHOR, LIBRARY = "ui/pages/author.py", "ui/pages/library.py"
PASSCODE = "correct-horse-42"
MiB = 1024 * 1024


@pytest.fixture
def author_env(app_env, tmp_path, monkeypatch):
    """A copy of the shipped cases and a known passcode (app_env: the database, the caches)."""
    cases = tmp_path / "library"
    shutil.copytree(ROOT / "cases", cases)
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(cases))
    monkeypatch.setenv("CASEBOOK_EDUCATOR_PASSCODE", PASSCODE)
    monkeypatch.setenv("CASEBOOK_PASSCODE_FILE", str(tmp_path / "passcode.hash"))
    return cases


@pytest.fixture
def author(author_env, app, browser_cookies):
    """The Author page, signed in."""
    d = app(page=AUTHOR)
    assert "Educator sign-in" in [t.value for t in d.at.title]
    assert not [t for t in d.at.text_area if t.key == "author.text"]
    next(t for t in d.at.text_input if t.label == "Educator passcode").input(PASSCODE)
    next(b for b in d.at.button if b.label == "Sign in").click()
    d.run()
    finish_sign_in(d.at, browser_cookies)
    d.assert_ok()
    assert "Author a case" in [t.value for t in d.at.title]
    return d


def _rows(_cases: Path, table: str) -> int:
    """Rows in a table of the test database."""
    import os

    import sqlalchemy as sa

    engine = sa.create_engine(os.environ["CASEBOOK_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder``, hidden ones included."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in folder.rglob("*")
    }


def paste(d, text: str):
    d.at.text_area(key="author.text").input(text)
    return d.run()


def click(d, label: str, index: int = 0):
    [b for b in d.at.button if b.label == label][index].click()
    return d.run()


def _authored(minimal_yaml: str, title: str = "Minimal case") -> str:
    return minimal_yaml.replace("id: minimal", "id: authored-case").replace(
        "title: Minimal case", f"title: {title}"
    )


def test_broken_case_fixed_previewed_published_and_restored(
    author, author_env, minimal_yaml, guidance_lib
):
    d = author
    broken = _authored(minimal_yaml).replace("prompt:", "promt:", 1)
    broken = broken.replace("keyed: true", "keyed: yes please")
    paste(d, broken)
    text = d.texts()
    assert "**3 problems**" in text
    assert "**Line 13, column 5:** missing required field 'prompt'" in text
    assert "**Line 18, column 5:** unknown key 'promt'" in text
    assert "**Line 23, column 16:**" in text
    snippets = [c.value for c in d.at.code]
    assert (
        "  17 |     type: multiple_choice\n"
        "> 18 |     promt: Which is an early sign of high calcium?\n"
        "           ^\n"
        "  19 |     feedback: Constipation is listed among the early symptoms."
    ) in snippets
    assert any("> 23 |         keyed: yes please\n" in s for s in snippets)
    assert not [b for b in d.at.button if b.label == "Publish to the library"]

    fixed = _authored(minimal_yaml)
    paste(d, fixed)
    assert "**No problems.**" in d.texts() and not d.at.code
    step = load_case_bytes(fixed.encode(), "x", guidance_lib).case.steps[0]
    d.answer(step, ["diarrhea"])  # the preview: the trainee player's widgets and feedback
    assert "### 0 of 1 point" in d.texts()
    assert "Incorrect" in d.texts() and "Missed" in d.texts()
    d.onward()
    assert [m.value for m in d.at.metric if m.label == "Points"] == ["0 of 1"]
    assert _rows(author_env, "attempt") == _rows(author_env, "answer") == 0  # nothing saved

    click(d, "Publish to the library")
    assert "It is in the case library now" in d.texts()
    published = author_env / "authored-case.yaml"
    first = published.read_bytes()
    assert first.startswith(b"# yaml-language-server: $schema=./case.schema.json\n")
    assert d.at.text_area(key="author.text").value == first.decode()
    assert "the library has this version" in d.texts()  # not "will be published"
    assert next(b for b in d.at.button if b.label == "Publish to the library").disabled

    paste(d, d.at.text_area(key="author.text").value.replace("Minimal case", "Renamed case"))
    click(d, "Publish to the library")
    assert "is kept and can be restored" in d.texts()
    assert b"Renamed case" in published.read_bytes()

    click(d, "Restore")  # the only earlier version of this case
    assert "Restored version" in d.texts()
    assert published.read_bytes() == first

    d.at.switch_page(LIBRARY)
    d.run()
    assert "#### Minimal case" in d.texts()  # in the library without a restart


def test_uploads_load_into_the_editor_or_are_refused(author, author_env, minimal_yaml):
    d = author
    before = snapshot(author_env)
    uploader = d.at.file_uploader(key="author.upload")
    uploader.upload("mine.yaml", _authored(minimal_yaml).encode(), "application/yaml")
    d.run()
    assert "Loaded mine.yaml into the editor." in d.texts().replace("\\", "")
    assert "id: authored-case" in d.at.text_area(key="author.text").value
    refused = {
        "big.yaml": (b"# " + b"x" * MiB, "is 1.0 MiB; case files are under 1 MiB"),
        "photo.yaml": (b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(64), "looks like a binary file"),
        "latin.yml": ("id: caf\u00e9\n".encode("latin-1"), "not UTF-8"),
        "empty.yaml": (b"", "the file is empty"),
    }
    for name, (raw, message) in refused.items():
        d.at.file_uploader(key="author.upload").set_value((name, raw, "application/yaml"))
        d.run()
        errors = " ".join(e.value for e in d.at.error)
        assert f"{name} was not loaded" in errors.replace("\\", ""), name
        assert message in errors.replace("\\", ""), name
        assert "id: authored-case" in d.at.text_area(key="author.text").value  # unchanged
    assert snapshot(author_env) == before


HOSTILE_PASTES = {
    "alias bomb": ('a: &a ["lol","lol"]\nb: [*a,*a]\n', "anchors (&a) are not allowed"),
    "python tag": ("id: !!python/object/apply:os.system ['ls']\n", "YAML tags such as"),
    "deep nesting": ("x: " + "[" * 100 + "]" * 100 + "\n", "nested more than 64 levels"),
    "a list": ("- id: x\n- id: y\n", "must be a mapping of keys"),
    "unknown guidance": (None, "unknown guidance document 'no-such-doc'"),
}


def test_hostile_pastes_show_problems_and_change_nothing(author, author_env, minimal_yaml):
    d = author
    before = snapshot(author_env)
    for name, (text, message) in HOSTILE_PASTES.items():
        if text is None:
            text = _authored(minimal_yaml).replace("[bone-metastasis]", "[no-such-doc]")
        paste(d, text)
        assert message in d.texts().replace("\\", ""), name
        assert not [b for b in d.at.button if b.label == "Publish to the library"], name
    assert snapshot(author_env) == before


def test_an_id_held_by_another_file_is_refused(author, author_env, minimal_yaml):
    d = author
    (author_env / "someone-elses.yaml").write_text(_authored(minimal_yaml), encoding="utf-8")
    paste(d, _authored(minimal_yaml, title="Mine"))
    assert "already has a case with the id `authored-case` in `someone-elses.yaml`" in d.texts()
    before = snapshot(author_env)
    click(d, "Publish to the library")
    assert "already exists in someone-elses.yaml" in d.texts().replace("\\", "")
    assert snapshot(author_env) == before


def test_start_from_a_skeleton_or_a_library_case(author, author_env):
    d = author
    click(d, "New case from a skeleton")
    assert "id: new-case" in d.at.text_area(key="author.text").value
    assert "**No problems.**" in d.texts()
    d.at.selectbox(key="author.open").set_value("scc-back-pain-could-not-wait")
    d.run()
    shipped = (author_env / "scc-back-pain-could-not-wait.yaml").read_text(encoding="utf-8")
    assert d.at.text_area(key="author.text").value == shipped
    assert "the library has this version" in d.texts()
    assert "Edit the case to publish a new version" in d.texts()
    assert "No earlier versions are kept for this case yet." in d.texts()
    paste(d, shipped.replace("The back pain that couldn't wait", "The back pain, edited"))
    assert "will be published as `scc-back-pain-could-not-wait.yaml`" in d.texts()
    assert "Publishing replaces `scc-back-pain-could-not-wait.yaml`" in d.texts()


def test_item_writing_findings_show_beside_the_problems(author):
    """A valid case with a lint finding: the rule, its line, the fix and the line itself."""
    flawed = (ROOT / "tests" / "lint_corpus" / "longest-keyed" / "flawed.yaml").read_text()
    d = paste(author, flawed)
    text = d.texts()
    assert "**No problems.**" in text
    assert "**1 item-writing finding** (`casebook lint`)" in text
    assert "**Line 23, column 15 · `longest-keyed`:**" in text
    assert "*Fix:* cut the key to what it must say" in text
    assert any("> 23 |         text:" in c.value for c in d.at.code)
    assert [b for b in d.at.button if b.label == "Publish to the library"]  # still publishable

    clean = (ROOT / "tests" / "lint_corpus" / "longest-keyed" / "clean.yaml").read_text()
    d = paste(d, clean)
    assert "Item-writing checks (`casebook lint`): no findings." in d.texts()
