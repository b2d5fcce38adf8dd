"""The JSON Schema editors use: generated from the models, committed, and true to the cases."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from casebook.cli import cli
from scoring.format.models import ITEM_TYPES, Skill, Tab
from scoring.format.schema import MODELINE, SCHEMA_FILE, case_schema, schema_text
from scoring.format.yaml_reader import read_yaml_bytes, read_yaml_file

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))
BAD = Path(__file__).resolve().parent / "bad_cases"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = case_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_the_generated_one():
    committed = (ROOT / "cases" / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(), "regenerate: casebook schema > cases/case.schema.json"


def test_casebook_schema_prints_it():
    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.output) == case_schema()


def test_schema_names_its_draft_and_id():
    schema = case_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(SCHEMA_FILE)
    assert schema["title"] == "Casebook case"


def test_every_field_has_a_title_and_a_description():
    schema = case_schema()
    models = {"Case": schema, **schema["$defs"]}
    fields = 0
    for name, model in models.items():
        for field, prop in model.get("properties", {}).items():
            assert prop.get("title"), f"{name}.{field} has no title"
            assert prop.get("description"), f"{name}.{field} has no description"
            fields += 1
    assert fields > 100


def test_item_types_skills_and_tabs_are_enums():
    defs = case_schema()["$defs"]
    assert defs["ItemType"]["enum"] == list(ITEM_TYPES)
    assert len(defs["ItemType"]["enumDescriptions"]) == len(ITEM_TYPES)
    assert defs["Skill"]["enum"] == [s.value for s in Skill]
    assert len(defs["Skill"]["enumDescriptions"]) == len(Skill)
    assert defs["Tab"]["enum"] == [t.value for t in Tab]
    steps = case_schema()["properties"]["steps"]["items"]["oneOf"]
    assert len(steps) == len(ITEM_TYPES)
    for ref in steps:
        step = defs[ref["$ref"].rsplit("/", 1)[1]]
        assert step["properties"]["type"]["$ref"] == "#/$defs/ItemType"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_shipped_case_starts_with_the_modeline_and_fits_the_schema(path, validator):
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    errors = [e.message for e in validator.iter_errors(read_yaml_file(path).data)]
    assert errors == []


def test_the_schema_rejects_what_the_loader_rejects(validator, minimal_yaml):
    assert not list(validator.iter_errors(read_yaml_bytes(minimal_yaml.encode(), "m").data))
    for name in ("unknown_key", "unknown_item_type", "missing_field", "wrong_type"):
        data = read_yaml_file(BAD / f"{name}.yaml").data
        assert list(validator.iter_errors(data)), name


ITEM_SETS = sorted((ROOT / "cases" / "items").glob("*.yaml"))


def test_committed_item_set_schema_is_the_generated_one():
    from scoring.format.schema import ITEM_SET_SCHEMA_FILE

    committed = (ROOT / "cases" / ITEM_SET_SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(item_set=True), (
        "regenerate: casebook schema --item-set > cases/item-set.schema.json"
    )
    result = CliRunner().invoke(cli, ["schema", "--item-set"], catch_exceptions=False)
    assert result.output == committed


@pytest.mark.parametrize("path", ITEM_SETS, ids=[p.stem for p in ITEM_SETS])
def test_shipped_item_set_starts_with_its_modeline_and_fits_its_schema(path):
    from scoring.format.schema import ITEM_SET_MODELINE, item_set_schema

    schema = item_set_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert path.read_text(encoding="utf-8").splitlines()[0] == ITEM_SET_MODELINE
    errors = [
        e.message
        for e in jsonschema.Draft202012Validator(schema).iter_errors(read_yaml_file(path).data)
    ]
    assert errors == []
    models = {"ItemSet": schema, **schema["$defs"]}
    for name, model in models.items():
        for field, prop in model.get("properties", {}).items():
            assert prop.get("title") and prop.get("description"), f"{name}.{field}"
