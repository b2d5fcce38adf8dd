"""`casebook new`: a commented skeleton that validates as written, for any item type."""

from __future__ import annotations

import jsonschema
import pytest
from click.testing import CliRunner

from casebook.cli import cli
from scoring.loader import load_case, load_case_bytes
from scoring.models import ITEM_TYPES
from scoring.schema import case_schema
from scoring.skeleton import SkeletonError, skeleton


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(case_schema())


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("kind", [*ITEM_TYPES, "all"])
def test_skeleton_of_each_type_validates_as_is(kind, guidance_lib, validator):
    text = skeleton("my-case", [kind])
    loaded = load_case_bytes(text.encode(), "new.yaml", guidance_lib)
    assert loaded.case.id == "my-case"
    expected = list(ITEM_TYPES) if kind == "all" else [kind]
    assert [s.type for s in loaded.case.steps] == expected
    assert not list(validator.iter_errors(loaded.doc.data))


def test_skeleton_is_commented_and_starts_with_the_modeline():
    lines = skeleton("my-case").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=./case.schema.json"
    assert sum("#" in line for line in lines) > 20
    assert "# must_avoid: true" in "\n".join(lines)


def test_skeleton_refuses_bad_ids_and_types():
    with pytest.raises(SkeletonError, match="not a valid case id"):
        skeleton("My Case")
    with pytest.raises(SkeletonError, match="unknown item type 'essay'"):
        skeleton("ok", ["essay"])


def test_new_prints_a_skeleton_with_the_types_asked_for(guidance_lib):
    result = run("new", "two-steps", "--type", "bow_tie", "--type", "ordering")
    assert result.exit_code == 0
    case = load_case_bytes(result.stdout.encode(), "x", guidance_lib).case
    assert [s.type for s in case.steps] == ["bow_tie", "ordering"]


def test_new_writes_a_file_and_never_overwrites_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(tmp_path / "cases"))
    (tmp_path / "cases").mkdir()
    target = tmp_path / "cases" / "fresh.yaml"
    result = run("new", "fresh", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("# yaml-language-server: $schema=./case.schema.json\n")
    assert load_case(target).case.id == "fresh"
    target.write_text("mine", encoding="utf-8")
    again = run("new", "fresh", "-o", str(target))
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert target.read_text() == "mine"


def test_new_points_the_modeline_at_the_cases_schema_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(tmp_path / "cases"))
    (tmp_path / "drafts").mkdir()
    run("new", "draft", "-o", str(tmp_path / "drafts" / "draft.yaml"))
    first = (tmp_path / "drafts" / "draft.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../cases/case.schema.json"


def test_new_with_a_bad_id_is_a_usage_error():
    result = run("new", "Bad Id")
    assert result.exit_code == 2
    assert "not a valid case id" in result.output
