"""The guidance as data: passages reproduce the source exactly; practice notes resolve."""

from __future__ import annotations

import re
from pathlib import Path

from scoring.guidance.passages import Guidance, load_guidance

ROOT = Path(__file__).resolve().parent.parent
SHARED_SOURCE = ROOT.parent / "shared" / "guidance" / "bone-metastasis.txt"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("•", " ")).strip()


def test_passages_joined_in_order_reproduce_the_source(guidance_lib):
    for doc in guidance_lib.documents.values():
        source = (ROOT / "guidance" / doc.source_file).read_text(encoding="utf-8")
        joined = " ".join(p.text for p in doc.passages)
        assert _squash(joined) == _squash(source)


def test_each_passage_is_a_verbatim_slice_of_the_source_in_order(guidance_lib):
    doc = guidance_lib.documents["bone-metastasis"]
    source = (ROOT / "guidance" / doc.source_file).read_text(encoding="utf-8")
    at = 0
    for p in doc.passages:
        found = source.find(p.text, at)
        assert found >= 0, f"{p.id} is not verbatim in the source"
        assert source[at:found].strip() == "", f"text dropped before {p.id}"
        at = found + len(p.text)
    assert source[at:].strip() == ""


def test_shipped_source_matches_the_shared_original():
    if SHARED_SOURCE.exists():  # present in the workspace and in CI beside the clone
        shipped = (ROOT / "guidance" / "bone-metastasis.source.txt").read_bytes()
        assert shipped == SHARED_SOURCE.read_bytes()


def test_metadata_and_furniture(guidance_lib):
    doc: Guidance = guidance_lib.documents["bone-metastasis"]
    assert (doc.last_medical_review, doc.last_revised) == ("2014-02-07", "2014-02-17")
    assert doc.publisher == "American Cancer Society"
    not_citable = {p.id for p in doc.passages if not p.citable}
    assert {"page-chrome-text-size", "page-title", "fracture-heading"} <= not_citable
    assert len({p.id for p in doc.passages}) == len(doc.passages)


def test_practice_notes_point_at_real_passages(guidance_lib):
    doc = guidance_lib.documents["bone-metastasis"]
    ids = {p.id for p in doc.passages}
    assert doc.practice_notes
    for note in doc.practice_notes:
        assert set(note.passages) <= ids, note.id
        assert note.reference.strip()


def test_a_second_guidance_document_loads_beside_the_first(tmp_path):
    for f in (ROOT / "guidance").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "second.yaml").write_text(
        "id: falls-leaflet\ntitle: Falls\npublisher: Test Publisher\n"
        'last_medical_review: "2020-01-01"\nlast_revised: "2020-01-02"\n'
        "passages:\n  - id: falls-intro\n    section: Intro\n    text: Falls happen.\n",
        encoding="utf-8",
    )
    lib = load_guidance(tmp_path)
    assert set(lib.documents) == {"bone-metastasis", "falls-leaflet"}
    assert lib.passage("falls-leaflet:falls-intro").passage.text == "Falls happen."
    assert lib.passage("falls-intro", ["falls-leaflet"]) is not None
    assert lib.passage("falls-intro", ["bone-metastasis"]) is None


def test_the_answer_key_notice_names_the_source_and_its_review_date(guidance_lib):
    from scoring.guidance.passages import readable_date

    notice = guidance_lib.notice(["bone-metastasis", "bone-metastasis", "no-such-document"])
    assert notice.count("Answer keys follow") == 1
    assert "American Cancer Society" in notice and "last medical review 7 February 2014" in notice
    assert notice.endswith(
        "Practice notes beside the feedback show newer guidance; they never change a key."
    )
    assert readable_date("2024-01-15") == "15 January 2024"
    assert readable_date("Spring 2014") == "Spring 2014"
