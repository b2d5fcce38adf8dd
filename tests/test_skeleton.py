"""`casebook new`: a commented skeleton that validates as written, for any item type."""

from __future__ import annotations

import jsonschema
import pytest
from click.testing import CliRunner

from casebook.cli import cli
from scoring.format.models import ITEM_TYPES
from scoring.format.schema import case_schema
from scoring.format.skeleton import SkeletonError, skeleton
from scoring.library.loader import load_case, load_case_bytes


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


@pytest.mark.parametrize("kind", [*ITEM_TYPES, "all"])
def test_item_set_skeleton_validates_and_starts_with_a_trend_item(kind, guidance_lib):
    from scoring.format.skeleton import item_set_skeleton
    from scoring.format.yaml_reader import read_yaml_text
    from scoring.library.loader import check_item_set_document

    text = item_set_skeleton("my-items", [kind])
    items = check_item_set_document(read_yaml_text(text, "skeleton"), guidance_lib)
    assert items.items[0].trend and items.items[0].exhibits
    assert all(not i.next and not i.end for i in items.items)
    assert len(items.items) == (len(ITEM_TYPES) if kind == "all" else 1)


def test_new_item_set_is_written_where_the_library_finds_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(tmp_path))
    target = tmp_path / "items" / "my-items.yaml"
    result = run("new", "my-items", "--item-set", "--type", "drag_drop_cloze", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../item-set.schema.json"
    )
    assert run("validate", str(tmp_path)).exit_code == 0


def test_skeleton_tags_every_step_and_names_decision_points_only_for_their_document():
    from scoring.format.skeleton import item_set_skeleton

    ours = skeleton("my-case", ["all"])
    assert ours.count("client_needs: ") == ours.count("decision_points: [DP-01]") == len(ITEM_TYPES)
    for other in (
        skeleton("iv-case", ["all"], guidance_id="iv-cannula-care", passage_id="p"),
        item_set_skeleton("iv-items", ["all"], guidance_id="iv-cannula-care", passage_id="p"),
    ):
        assert other.count("client_needs: ") == len(ITEM_TYPES)
        assert "decision_points" not in other
