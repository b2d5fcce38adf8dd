"""The JSON Schema of a case file, generated from the case models for editors.

``Case.model_json_schema()`` gives the structure; this module adds what an editor shows an
educator: a title and a description on every field (the models' own descriptions first, the
table below where they have none), the item types and CJMM skills as enums with a line about
each value, and ``$schema``/``$id``. The committed copy is ``cases/case.schema.json``; case
files point at it with the yaml-language-server modeline (a comment, so not part of the data).
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from scoring.format.models import ITEM_TYPES, Case, ItemSet, Skill
from scoring.format.tags import ClientNeed, DecisionPoint

SCHEMA_FILE = "case.schema.json"
ITEM_SET_SCHEMA_FILE = "item-set.schema.json"
MODELINE = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
ITEM_SET_MODELINE = f"# yaml-language-server: $schema=../{ITEM_SET_SCHEMA_FILE}"  # cases/items/
SCHEMA_ID = "urn:casebook:case.schema.json"
ITEM_SET_SCHEMA_ID = "urn:casebook:item-set.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

SKILL_DOCS = {
    Skill.recognize_cues: "Recognize cues: notice what in the chart matters.",
    Skill.analyze_cues: "Analyze cues: link the cues to what they may mean.",
    Skill.prioritize_hypotheses: "Prioritize hypotheses: rank what is most likely and urgent.",
    Skill.generate_solutions: "Generate solutions: choose what should be done.",
    Skill.take_action: "Take action: do the right thing, now.",
    Skill.evaluate_outcomes: "Evaluate outcomes: judge whether the care worked.",
}

ITEM_TYPE_DOCS = {
    "multiple_choice": "Pick one option; exactly one option is keyed. 0/1 rule.",
    "select_all": "Select all that apply; at least one keyed. +/- rule.",
    "select_n": "Select exactly N (`select:`); exactly N keyed. 0/1 rule.",
    "highlight": "Highlight phrases of `passage:`; each option is a phrase of it. +/- rule.",
    "highlight_table": "Highlight phrases in a table's cells; each option names its `row:`. +/-.",
    "multiple_response_grouping": "Groups of options, any chosen per group. +/- per group.",
    "ordering": "Put options in order (`correct_order:`). Adjacent pairs, or all or nothing.",
    "matrix_choice": "A grid: one column per row (`keyed:` a column id). 0/1 per row.",
    "matrix_response": "A grid: any columns per row (`keyed:` a list). +/- per column.",
    "dropdown_cloze": "Sentences with {{blank}} drop-downs (3–5 options each). 0/1 per blank.",
    "dropdown_table": "A table whose rows each hold a drop-down. 0/1 per row.",
    "rationale_dyad": "Cause and effect drop-downs in a sentence: 1 point only if both are right.",
    "rationale_triad": "Cause and two effects: 1 point per right effect, if the cause is right.",
    "drag_drop_cloze": "Drag tokens (4–10) into {{target}}s of the text. 0/1 per target.",
    "drag_drop_rationale": "Drag tokens into a cause and 1 or 2 effects (dyad/triad). Rationale.",
    "bow_tie": "Condition (1), actions (2), parameters to monitor (2): 0/1 per target, max 5.",
}

_STEP_DOCS = {
    "skill": "The CJMM clinical-judgment skill this step measures.",
    "prompt": "The question the trainee answers.",
    "type": "The item type (see docs/authoring.md, 'Item types and how they are scored').",
}

# Descriptions for fields whose model gives none; keyed by model, then field.
FIELD_DOCS: dict[str, dict[str, str]] = {
    "Case": {
        "id": "The case id; the published file is named <id>.yaml.",
        "title": "The case title shown in the library.",
        "summary": "Two or three sentences shown on the library card.",
        "topics": "Topics the library can filter by, e.g. [hypercalcemia, escalation].",
        "difficulty": "introductory, intermediate or advanced.",
        "objectives": "What the trainee should be able to do after the case.",
        "patient": "The patient banner shown above the chart.",
        "clock": "A case clock; consequences can move it forward.",
        "exhibits": "Chart entries (notes, vital signs, labs, orders…), revealed along the path.",
        "steps": "The steps of the case, in order; each is one item.",
    },
    "Patient": {
        "name": "The patient's name.",
        "age": "Age in years.",
        "sex": "Sex, as it should appear in the banner.",
        "setting": "Where the care happens, e.g. 'Inpatient oncology unit, night shift'.",
        "background": "One line of history under the banner.",
    },
    "Clock": {},
    "Exhibit": {
        "tab": "The chart tab this entry appears under.",
        "title": "Heading of the chart entry.",
        "from_step": "Reveal this entry when the trainee reaches this step (default: at start).",
        "text": "The entry as text (Markdown allowed).",
        "table": "The entry as a table (vital signs, labs).",
    },
    "Table": {
        "columns": "Column headings.",
        "rows": "Rows of cells; each row has one cell per column.",
    },
    "Quote": {},
    "ItemSet": {
        "id": "The item set's id; unique across cases and item sets.",
        "title": "The set's title, shown with each item in a quiz.",
        "topics": "Topics the quiz can filter by, e.g. [hypercalcemia].",
        "items": "The standalone items; each is a step that never branches.",
    },
    "Group": {"id": "Group id, unique in the item.", "options": "The group's options."},
    "HighlightRow": {"id": "Row id, named by each phrase's row:."},
    "TableOption": {
        "text": "The phrase, copied word for word from a cell of its row.",
        "keyed": "true for a phrase that should be highlighted.",
        "consequence": "What happens to the patient when this phrase is highlighted.",
    },
    "Token": {"text": "The word or phrase on the token."},
    "Target": {"id": "Target id; the text holds it once as {{id}}."},
    "Consequence": {"cite": "Passage ids behind the consequence, or 'nursing'."},
    "Choice": {"text": "The option as the trainee sees it."},
    "Option": {
        "text": "The option as the trainee sees it.",
        "keyed": "true for a correct (keyed) option.",
        "consequence": "What happens to the patient when this option is chosen.",
    },
    "Column": {"text": "The column heading."},
    "Row": {
        "text": "The row as the trainee sees it.",
        "keyed": "matrix_choice: one column id; matrix_response: a list of column ids.",
        "rationale": "Why the row is keyed as it is, for the trainee.",
        "cite": "Passage ids, or 'nursing'.",
    },
    "Blank": {"options": "The drop-down's 3–5 options; exactly one keyed."},
    "Wing": {
        "prompt": "Heading of this part of the bow-tie (a default heading is shown otherwise).",
        "options": "The choices of this part.",
    },
    "SelectN": {},
    "Highlight": {
        "passage": "The text the trainee highlights in; each option's text is a phrase of it.",
        "options": "The phrases; each option's text must appear word for word in the passage.",
    },
    "Ordering": {
        "options": "The things to put in order (no keyed flag: the order is the key).",
        "correct_order": "Option ids in the right order; a list inside it is a tie.",
        "rule": "adjacent_pairs (default, partial credit) or all_or_nothing.",
    },
    "HighlightTable": {
        "columns": "Column headings of the table.",
        "rows": "At least 2 rows; each has one cell per column.",
        "options": "The phrases; each names its row and appears word for word in one of its cells.",
    },
    "MultipleResponseGrouping": {
        "groups": "At least 2 groups, each with at least 2 options and at least 1 keyed.",
    },
    "DragDropCloze": {
        "text": "The sentences, with a {{target-id}} placeholder for each target.",
        "tokens": "4–10 tokens, more than there are targets; each fills one target at most.",
        "targets": "The targets; each names the token that belongs in it.",
    },
    "DragDropRationale": {
        "text": "The sentence with a cause placeholder and one or two effect placeholders.",
        "tokens": "4–10 tokens, more than there are targets; each fills one target at most.",
    },
    "MatrixChoice": {
        "columns": "2–3 columns.",
        "rows": "At least 2 rows; each keyed to one column id.",
    },
    "MatrixResponse": {
        "columns": "2–3 columns.",
        "rows": "At least 2 rows; each keyed to a list of column ids.",
    },
    "DropdownCloze": {
        "text": "The sentences, with a {{blank-id}} placeholder for each drop-down.",
        "blanks": "The drop-downs; each appears once in the text as {{id}}.",
    },
    "DropdownTable": {
        "columns": "The two column headings (default: Finding, Choice).",
        "blanks": "One drop-down per row; its label is the row text.",
    },
    "RationaleDyad": {
        "text": "The sentence with {{cause}} and {{effect}} placeholders (any ids).",
        "blanks": "Exactly 2 drop-downs: the cause first, then the effect.",
    },
    "RationaleTriad": {
        "text": "The sentence with a cause and two effect placeholders.",
        "blanks": "Exactly 3 drop-downs: the cause first, then the two effects.",
    },
    "BowTie": {
        "condition": "The condition most likely: 1 keyed of at least 2 options.",
        "actions": "Actions to take: 2 keyed of at least 3 options.",
        "parameters": "Parameters to monitor: 2 keyed of at least 3 options.",
    },
}

_STEP_MODELS = {
    "multiple_choice": "MultipleChoice",
    "select_all": "SelectAll",
    "select_n": "SelectN",
    "highlight": "Highlight",
    "highlight_table": "HighlightTable",
    "multiple_response_grouping": "MultipleResponseGrouping",
    "ordering": "Ordering",
    "matrix_choice": "MatrixChoice",
    "matrix_response": "MatrixResponse",
    "dropdown_cloze": "DropdownCloze",
    "dropdown_table": "DropdownTable",
    "rationale_dyad": "RationaleDyad",
    "rationale_triad": "RationaleTriad",
    "drag_drop_cloze": "DragDropCloze",
    "drag_drop_rationale": "DragDropRationale",
    "bow_tie": "BowTie",
}
_STEP_OPTIONS_DOC = "The options; each explains itself with a rationale and citations."


def _title(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _describe(model: str, field: str, prop: dict[str, Any]) -> None:
    """Give a property a title and a description (model's own, else the table's)."""
    prop.setdefault("title", _title(field))
    if "description" in prop:
        return
    doc = FIELD_DOCS.get(model, {}).get(field)
    if doc is None and model in _STEP_MODELS.values():
        doc = _STEP_DOCS.get(field) or (_STEP_OPTIONS_DOC if field == "options" else None)
    if doc is None:
        raise KeyError(f"no description for {model}.{field}: add one to scoring/format/schema.py")
    prop["description"] = doc


def case_schema() -> dict[str, Any]:
    """The JSON Schema of a case file, with titles and descriptions on every field."""
    return _decorated(
        Case,
        SCHEMA_ID,
        "Casebook case",
        "An unfolding case vignette for Casebook. Guide: docs/authoring.md; "
        "check a file with: casebook validate FILE.",
    )


def item_set_schema() -> dict[str, Any]:
    """The JSON Schema of an item-set file (standalone quiz items), described like a case's."""
    return _decorated(
        ItemSet,
        ITEM_SET_SCHEMA_ID,
        "Casebook item set",
        "Standalone items (trend items, bow-ties…) that quick quizzes draw without a case. "
        "Guide: docs/authoring.md, 'Standalone items'; check with: casebook validate FILE.",
    )


def _decorated(model: type, schema_id: str, title: str, description: str) -> dict[str, Any]:
    schema = deepcopy(model.model_json_schema())
    top = model.__name__
    defs = schema["$defs"]
    defs["Skill"]["description"] = "A CJMM skill (NCSBN Clinical Judgment Measurement Model)."
    defs["Skill"]["enumDescriptions"] = [SKILL_DOCS[Skill(v)] for v in defs["Skill"]["enum"]]
    defs["ClientNeed"]["description"] = "An NCLEX-RN Client Needs subcategory (NCSBN test plan)."
    defs["ClientNeed"]["enumDescriptions"] = [
        f"{ClientNeed(v).label}: {ClientNeed(v).definition}" for v in defs["ClientNeed"]["enum"]
    ]
    defs["DecisionPoint"]["description"] = "A decision point of the grounding pack, §2."
    defs["DecisionPoint"]["enumDescriptions"] = [
        DecisionPoint(v).label for v in defs["DecisionPoint"]["enum"]
    ]
    defs["ItemType"] = {
        "title": "ItemType",
        "description": "The NGN item type of a step.",
        "type": "string",
        "enum": list(ITEM_TYPES),
        "enumDescriptions": [ITEM_TYPE_DOCS[t] for t in ITEM_TYPES],
    }
    for kind, model in _STEP_MODELS.items():
        defs[model]["properties"]["type"] = {
            "$ref": "#/$defs/ItemType",
            "const": kind,
            "title": "Item type",
            "description": f"{kind}: {ITEM_TYPE_DOCS[kind]}",
        }
    for name, model in defs.items():
        for field, prop in model.get("properties", {}).items():
            _describe(name, field, prop)
    for field, prop in schema["properties"].items():
        _describe(top, field, prop)
    schema["title"] = title
    schema["description"] = description
    return {"$schema": DRAFT, "$id": schema_id, **schema}


def schema_text(item_set: bool = False) -> str:
    """The schema as committed in cases/case.schema.json (or cases/item-set.schema.json)."""
    schema = item_set_schema() if item_set else case_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
