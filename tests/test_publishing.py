"""Publishing cases: atomic, validated byte for byte, versions kept and restorable, hostile
uploads refused without touching the disk."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from classroom import publishing
from classroom.publishing import PublishError, load_version, publish_case
from scoring.format.schema import MODELINE
from scoring.library.loader import load_library

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the shipped cases."""
    target = tmp_path / "cases"
    shutil.copytree(ROOT / "cases", target)
    return target


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under ``folder``, hidden ones included."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in folder.rglob("*")
    }


def _case(minimal_yaml: str, case_id: str = "fresh", feedback: str = "First.") -> bytes:
    text = minimal_yaml.replace("id: minimal", f"id: {case_id}")
    return text.replace("feedback: Constipation", f"feedback: {feedback} Constipation").encode()


def test_publish_a_new_case_named_by_its_id(folder, guidance_lib, minimal_yaml):
    done = publish_case(_case(minimal_yaml), folder, guidance_lib)
    assert done.path == folder / "fresh.yaml"
    assert done.changed and done.previous_version is None and done.archived is None
    written = done.path.read_bytes()
    assert written.decode().splitlines()[0] == MODELINE  # added, then validated as written
    library = load_library(folder, guidance_lib)
    assert library.problems == []
    assert library.get("fresh").version == done.version
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_republish_keeps_the_previous_version_and_restores_it(folder, guidance_lib, minimal_yaml):
    first = publish_case(_case(minimal_yaml), folder, guidance_lib)
    first_bytes = first.path.read_bytes()
    second = publish_case(_case(minimal_yaml, feedback="Second."), folder, guidance_lib)
    assert second.previous_version == first.version
    assert second.archived.name.endswith(f"-{first.version}.yaml.bak")
    assert second.archived.read_bytes() == first_bytes
    kept = publishing.list_versions("fresh", folder)
    assert [v.version for v in kept] == [first.version]
    # the archive is invisible to the library
    library = load_library(folder, guidance_lib)
    assert library.problems == [] and library.get("fresh").version == second.version
    # both versions are readable by version, for replaying attempts
    assert (
        "First."
        in load_version("fresh", first.version, guidance_lib, folder).case.steps[0].feedback
    )
    assert load_version("fresh", second.version, guidance_lib, folder).version == second.version
    restored = publishing.restore_version("fresh", first.version, folder, guidance_lib)
    assert restored.path.read_bytes() == first_bytes and restored.version == first.version
    assert {v.version for v in publishing.list_versions("fresh", folder)} == {
        first.version,
        second.version,
    }


def test_publishing_the_same_text_again_changes_nothing(folder, guidance_lib, minimal_yaml):
    publish_case(_case(minimal_yaml), folder, guidance_lib)
    before = snapshot(folder)
    again = publish_case(_case(minimal_yaml), folder, guidance_lib)
    assert not again.changed
    assert snapshot(folder) == before


def test_a_shipped_case_can_be_republished_and_restored(folder, guidance_lib):
    path = folder / "scc-back-pain-could-not-wait.yaml"
    original = path.read_bytes()
    edited = original.replace(b'title: "The back pain that couldn\'t wait"', b"title: Edited")
    done = publish_case(edited, folder, guidance_lib)
    assert done.path == path and load_library(folder, guidance_lib).problems == []
    publishing.restore_version(done.case_id, done.previous_version, folder, guidance_lib)
    assert path.read_bytes() == original


def test_refuses_an_id_used_by_a_different_file(folder, guidance_lib, minimal_yaml):
    (folder / "someone-elses.yaml").write_bytes(_case(minimal_yaml, "taken"))
    before = snapshot(folder)
    with pytest.raises(PublishError, match=r"already exists in someone-elses\.yaml"):
        publish_case(_case(minimal_yaml, "taken"), folder, guidance_lib)
    assert snapshot(folder) == before


def test_refuses_to_overwrite_a_file_holding_another_case(folder, guidance_lib, minimal_yaml):
    (folder / "fresh.yaml").write_bytes(b"id: other\n")  # broken, but it is someone's
    before = snapshot(folder)
    with pytest.raises(PublishError, match="holds the case 'other'"):
        publish_case(_case(minimal_yaml), folder, guidance_lib)
    assert snapshot(folder) == before


def _nested(depth: int) -> bytes:
    return ("id: x\nsteps: " + "[" * depth + "]" * depth + "\n").encode()


BILLION_LAUGHS = b"""id: x
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
"""
HOSTILE = {
    "over 1 MiB": b"id: big\n# " + b"x" * MiB,
    "50 MB": b"a" * 50 * MiB,
    "alias bomb": BILLION_LAUGHS,
    "deep nesting": _nested(500),
    "not UTF-8": "id: caf\u00e9\ntitle: x\n".encode("latin-1"),
    "binary": bytes(range(256)) * 64,
    "binary named .yaml (PNG)": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
    "python tag": b"id: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
    "empty": b"",
    "only spaces": b"   \n\n",
    "a list": b"- id: x\n- id: y\n",
    "a single value": b"just text\n",
}


@pytest.mark.parametrize("raw", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_input_is_refused_and_changes_nothing(raw, folder, guidance_lib):
    before = snapshot(folder)
    with pytest.raises(PublishError) as caught:
        publish_case(raw, folder, guidance_lib)
    assert caught.value.message.startswith("Not published")
    assert caught.value.problems and all(p.message for p in caught.value.problems)
    assert snapshot(folder) == before


def test_citing_a_guidance_document_that_does_not_exist_is_refused(
    folder, guidance_lib, minimal_yaml
):
    raw = _case(minimal_yaml).replace(b"guidance: [bone-metastasis]", b"guidance: [no-such-doc]")
    before = snapshot(folder)
    with pytest.raises(PublishError) as caught:
        publish_case(raw, folder, guidance_lib)
    assert "unknown guidance document 'no-such-doc'" in caught.value.problems[0].message
    assert snapshot(folder) == before


def test_a_failed_write_leaves_the_old_case_and_no_temporary_file(
    folder, guidance_lib, minimal_yaml, monkeypatch
):
    first = publish_case(_case(minimal_yaml), folder, guidance_lib)
    before = first.path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        publish_case(_case(minimal_yaml, feedback="Second."), folder, guidance_lib)
    assert first.path.read_bytes() == before
    assert not [p for p in folder.rglob("*.tmp")]


def test_temporary_files_are_never_read_as_cases(folder):
    publishing.atomic_write(folder / "x.yaml", b"id: x\n")
    fd_name = ".x.yaml.abc.tmp"
    (folder / fd_name).write_bytes(b"half a case")
    assert not any(p.name == fd_name for p in publishing.case_files([folder]))


@pytest.mark.parametrize(
    ("case_id", "version"),
    [("../../etc", "0123456789ab"), ("fresh", "../../passwd"), ("fresh", "0123456789ab")],
)
def test_load_version_of_unknown_or_hostile_names_is_none(case_id, version, folder, guidance_lib):
    assert load_version(case_id, version, guidance_lib, folder) is None


def test_a_drafts_modeline_is_pointed_at_the_cases_schema(folder, guidance_lib, minimal_yaml):
    draft = "# yaml-language-server: $schema=../cases/case.schema.json\n" + minimal_yaml
    done = publish_case(draft.replace("id: minimal", "id: drafted").encode(), folder, guidance_lib)
    lines = done.path.read_text().splitlines()
    assert lines[0] == MODELINE and lines[1] == "id: drafted"


def test_a_published_case_is_readable_like_any_file_and_keeps_its_mode(
    folder, guidance_lib, minimal_yaml
):
    old = os.umask(0o022)
    try:
        live = publish_case(_case(minimal_yaml), folder, guidance_lib).path
    finally:
        os.umask(old)
    assert stat.S_IMODE(live.stat().st_mode) == 0o644  # not mkstemp's private 0600
    live.chmod(0o664)
    publish_case(_case(minimal_yaml, feedback="Second."), folder, guidance_lib)
    assert stat.S_IMODE(live.stat().st_mode) == 0o664
