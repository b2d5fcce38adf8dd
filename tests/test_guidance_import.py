"""`casebook guidance import`: plain text → passage file. The rules one by one, the round trip
on both documents, stable ids, and a second document whose case validates, plays and scores
with no code change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from casebook.cli import cli
from scoring.guidance.importer import (
    ImportProblem,
    find_spans,
    import_text,
    normalize,
    rebuild,
    slug,
)
from scoring.guidance.passages import load_guidance, load_guidance_file
from scoring.library.loader import load_library

ROOT = Path(__file__).resolve().parent.parent
SECOND = ROOT / "tests" / "fixtures" / "second-guidance"
IV_TEXT = SECOND / "iv-cannula-care.txt"
IV_ARGS = [
    "--id",
    "iv-cannula-care",
    "--title",
    "Caring for a peripheral intravenous cannula",
    "--publisher",
    "Casebook test fixtures",
    "--reviewed",
    "2026-01-15",
]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def passages(text: str, **kw) -> list[tuple[str, bool]]:
    return [(text[s.start : s.end], s.citable) for s in find_spans(normalize(text.encode()), **kw)]


def test_headings_and_furniture_are_not_citable_and_name_the_section():
    text = "Falls policy\n\nAssessment\n\nAssess every patient. Record it.\n\nPage 2 of 9\n"
    spans = find_spans(text)
    got = [(text[s.start : s.end], s.citable, s.section) for s in spans]
    assert got == [
        ("Falls policy", False, "Falls policy"),
        ("Assessment", False, "Assessment"),
        ("Assess every patient.", True, "Assessment"),
        ("Record it.", True, "Assessment"),
        ("Page 2 of 9", False, "Page 2 of 9"),
    ]


def test_a_list_joins_the_sentence_that_introduces_it_and_stands_alone_otherwise():
    text = "Early signs include:\n\n  • Thirst\n  • Constipation\n\n- Walkers\n- Handrails\n"
    assert passages(text) == [
        ("Early signs include:\n\n  • Thirst\n  • Constipation", True),
        ("- Walkers\n- Handrails", True),
    ]


def test_a_sentence_that_points_back_joins_the_one_before_up_to_the_limit():
    text = (
        "Give the drug. It lowers calcium. This takes days. That is expected.\n\nThis starts anew."
    )
    assert [p for p, _ in passages(text)] == [
        "Give the drug. It lowers calcium. This takes days.",
        "That is expected.",
        "This starts anew.",  # a new paragraph never joins the last one
    ]
    assert len(passages(text, max_sentences=1)) == 5


def test_abbreviations_decimals_and_wrapped_lines_do_not_end_a_sentence():
    text = "Dr. Shah gives 0.5 mg at 10 a.m. daily (e.g. with food).\nCheck the site every\nshift."
    assert [p for p, _ in passages(text)] == [
        "Dr. Shah gives 0.5 mg at 10 a.m. daily (e.g. with food).",
        "Check the site every\nshift.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("If you notice symptoms like these, call your doctor", "notice-symptoms-like-call-doctor"),
        ("Café au lait – naïve résumé", "cafe-au-lait-naive-resume"),
        ("+ -", "passage"),
        ("Last Medical Review: 02/07/2014", "last-medical-review-02-07"),
    ],
)
def test_ids_come_from_the_first_words(text, expected):
    assert slug(text) == expected


def _ids(text: str) -> dict[str, str]:
    data = yaml.safe_load(
        import_text(text, doc_id="d", title="T", publisher="P", reviewed="x").yaml
    )
    return {p["text"]: p["id"] for p in data["passages"]}


def test_ids_are_stable_when_another_paragraph_changes_and_repeats_are_numbered():
    text = "Check the site.\n\nCheck the site.\n\nAsk about pain.\n"
    made = yaml.safe_load(
        import_text(text, doc_id="d", title="T", publisher="P", reviewed="x").yaml
    )
    assert [p["id"] for p in made["passages"]] == ["check-site", "check-site-2", "ask-about-pain"]
    edited = _ids("A new opening sentence.\n\nCheck the site.\n\nAsk about pain, every shift.\n")
    assert edited["Check the site."] == "check-site"  # unmoved by edits around it


@pytest.mark.parametrize(
    "source", [ROOT / "guidance" / "bone-metastasis.source.txt", IV_TEXT], ids=["acs", "iv"]
)
def test_the_passages_rebuild_the_text_exactly(source):
    text = normalize(source.read_bytes())
    made = import_text(text, doc_id="d", title="T", publisher="P", reviewed="2020-01-01")
    data = yaml.safe_load(made.yaml)
    assert rebuild(text, [p["text"] for p in data["passages"]]) == text
    assert len({p["id"] for p in data["passages"]}) == len(data["passages"])


def test_rebuild_refuses_a_dropped_changed_or_repeated_passage():
    text = "One. Two. Three."
    assert rebuild(text, ["One.", "Two.", "Three."]) == text
    for wrong in (["One.", "Three."], ["One.", "Two!", "Three."], ["One.", "One.", "Two."]):
        with pytest.raises(ImportProblem):
            rebuild(text, wrong)


def test_sentences_never_cross_a_boundary_of_the_checked_passage_map(guidance_lib):
    """On the shipped source, one sentence per passage splits wherever the hand-checked map
    does (grounding.md §1): the splitter merges nothing the reviewers kept apart."""
    doc = guidance_lib.documents["bone-metastasis"]
    text = normalize((ROOT / "guidance" / doc.source_file).read_bytes())
    ends, at = set(), 0
    for p in doc.passages:
        at = text.index(p.text, at) + len(p.text)
        ends.add(at)
    assert ends <= {s.end for s in find_spans(text, max_sentences=1)}


def test_normalize_refuses_what_is_not_text():
    with pytest.raises(ImportProblem, match="not UTF-8"):
        normalize(b"caf\xe9")
    with pytest.raises(ImportProblem, match="no text"):
        normalize(b"\xef\xbb\xbf \n\n")
    assert normalize(b"\xef\xbb\xbfA.\r\nB.\r") == "A.\nB.\n"


@pytest.fixture
def guidance_dir(tmp_path, monkeypatch):
    """A guidance folder holding the shipped document, used by every command below."""
    folder = tmp_path / "guidance"
    folder.mkdir()
    for f in (ROOT / "guidance").glob("bone-metastasis.*"):
        shutil.copy(f, folder)
    monkeypatch.setenv("CASEBOOK_GUIDANCE_DIR", str(folder))
    return folder


def test_import_writes_the_passage_file_and_the_text_beside_it(guidance_dir):
    result = run("guidance", "import", str(IV_TEXT), *IV_ARGS)
    assert result.exit_code == 0, result.output
    assert "20 passages (14 citable, 6 headings or furniture)" in result.stderr
    doc = load_guidance_file(guidance_dir / "iv-cannula-care.yaml")
    assert (doc.last_medical_review, doc.last_revised) == ("2026-01-15", "2026-01-15")
    saved = (guidance_dir / doc.source_file).read_text(encoding="utf-8")
    assert saved == IV_TEXT.read_text(encoding="utf-8")
    assert rebuild(saved, [p.text for p in doc.passages]) == saved
    listed = run("guidance")
    assert "# iv-cannula-care: Casebook test fixtures" in listed.output
    assert "new-cannula-placed-other-arm\tA new cannula is placed" in listed.output
    shown = run("guidance", "new-cannula-placed-other-arm")
    assert shown.exit_code == 0 and "(iv-cannula-care; Signs that need action)" in shown.output


def test_import_never_overwrites_and_update_keeps_ids_and_notes(guidance_dir, tmp_path):
    assert run("guidance", "import", str(IV_TEXT), *IV_ARGS).exit_code == 0
    target = guidance_dir / "iv-cannula-care.yaml"
    again = run("guidance", "import", str(IV_TEXT), *IV_ARGS)
    assert again.exit_code == 1 and "already exists; add --update" in again.stderr
    # The educator renames a passage, adds a practice note, and revises the text.
    text = target.read_text(encoding="utf-8").replace(
        "id: new-cannula-placed-other-arm", "id: new-cannula-other-arm"
    )
    text = text.replace(
        "practice_notes: []",
        "practice_notes:\n  - id: PN-IV-01\n    title: Note\n    relation: adds detail\n"
        "    passages: [new-cannula-other-arm]\n    text: Newer advice.\n    reference: Ref.\n",
    )
    target.write_text(text, encoding="utf-8")
    revised = tmp_path / "revised.txt"
    revised.write_text(
        IV_TEXT.read_text(encoding="utf-8").replace("Ask the patient whether it hurts.", "Ask."),
        encoding="utf-8",
    )
    result = run("guidance", "import", str(revised), *IV_ARGS, "--update")
    assert result.exit_code == 0, result.output
    assert "19 ids kept from the earlier import" in result.stderr
    doc = load_guidance_file(target)
    ids = [p.id for p in doc.passages]
    assert (
        "new-cannula-other-arm" in ids and "ask" in ids and "ask-patient-whether-hurts" not in ids
    )
    assert [n.id for n in doc.practice_notes] == ["PN-IV-01"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--reviewed", "15/01/2026"], 2, "is not a date like"),
        (["--id", "Bad Id"], 2, "is not a valid id"),
    ],
)
def test_import_usage_errors(guidance_dir, args, code, message):
    merged = dict(zip(IV_ARGS[::2], IV_ARGS[1::2], strict=True)) | dict(
        zip(args[::2], args[1::2], strict=True)
    )
    flat = [x for pair in merged.items() for x in pair]
    result = run("guidance", "import", str(IV_TEXT), *flat)
    assert result.exit_code == code and message in result.output


def test_import_of_a_file_that_is_not_text_exits_1(guidance_dir, tmp_path):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run("guidance", "import", str(binary), *IV_ARGS)
    assert result.exit_code == 1 and "not UTF-8 text" in result.stderr
    assert not (guidance_dir / "iv-cannula-care.yaml").exists()


@pytest.fixture
def second_document(guidance_dir, tmp_path, monkeypatch):
    """The second document imported by the command line, and a cases folder with its case."""
    assert run("guidance", "import", str(IV_TEXT), *IV_ARGS).exit_code == 0
    cases = tmp_path / "second-cases"
    cases.mkdir()
    shutil.copy(SECOND / "iv-site-check.yaml", cases)
    return cases


def test_a_second_documents_case_validates_and_scores(second_document):
    result = run("validate", str(second_document))
    assert result.exit_code == 0, result.output
    library = load_library(second_document, load_guidance())
    case = library.get("iv-site-check").case
    from tests.conftest import keyed_response

    answers = {s.id: keyed_response(s) for s in case.steps}
    answers["first-actions"] = {"first": "stop", "second": "flush", "third": "raise"}
    responses = second_document.parent / "answers.json"
    responses.write_text(json.dumps(answers), encoding="utf-8")
    scored = json.loads(
        run("score", str(second_document / "iv-site-check.yaml"), str(responses)).output
    )
    assert (scored["points"], scored["max_points"]) == (5, 6)
    assert scored["must_avoid"] == [
        {"step": "first-actions", "choice": "flush the cannula to test it"}
    ]
    assert scored["percent"] == 50.0  # the case's must-avoid cap


def test_a_second_documents_case_plays_in_the_app(second_document, app, monkeypatch):
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(second_document))
    case = load_library(second_document, load_guidance()).get("iv-site-check").case
    steps = {s.id: s for s in case.steps}
    d = app({"case": "iv-site-check"})
    quoted = []
    while (key := d.widget_key()) is not None:
        d.answer(steps[key.split(".", 1)[1]])
        quoted.append(d.texts())  # every passage is quoted on screen with its id
        d.onward()
    assert {m.label: m.value for m in d.at.metric}["Score"] == "100%"
    assert any("Passage `new-cannula-placed-other-arm`" in q for q in quoted)


def test_a_second_documents_case_names_no_decision_points(second_document):
    """The decision points DP-01…DP-19 are the bone-metastasis document's; another has none."""
    path = second_document / "iv-site-check.yaml"
    text = path.read_text(encoding="utf-8")
    assert "decision_points" not in text
    tagged = text.replace(
        "client_needs: physiological-adaptation\n",
        "client_needs: physiological-adaptation\n    decision_points: [DP-13]\n",
        1,
    )
    path.write_text(tagged, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "decision points DP-01…DP-19 are those of the 'bone-metastasis' guidance" in (
        result.output
    )
