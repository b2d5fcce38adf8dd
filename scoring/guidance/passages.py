"""Guidance documents as data: citable passages with stable ids, and practice notes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, ValidationError

from scoring.errors import CaseError, Problem
from scoring.format.models import Id, Strict, Text
from scoring.format.yaml_reader import YamlError, read_yaml_file

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def guidance_dir() -> Path:
    """Folder of guidance documents (``CASEBOOK_GUIDANCE_DIR`` or the shipped ``guidance/``)."""
    return Path(os.environ.get("CASEBOOK_GUIDANCE_DIR", PROJECT_ROOT / "guidance"))


class Passage(Strict):
    """A sentence or a few sentences of the source, quoted verbatim."""

    id: Id
    section: str
    citable: StrictBool = True
    text: Text


class PracticeNote(Strict):
    """Current guidance that goes beyond the source; shown beside a rationale, never a key."""

    id: str = Field(pattern=r"^PN-[A-Z]+-\d+$")
    title: Text
    relation: Text
    passages: list[Id] = Field(default_factory=list)
    text: Text
    reference: Text


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"'{pattern}' is not a valid regular expression ({exc})") from None
    return pattern


Pattern = Annotated[
    str,
    AfterValidator(_compiles),
    Field(description="A regular expression (Python syntax), matched case-insensitively."),
]


class UnsafeAction(Strict):
    """Options that must be flagged must_avoid wherever they appear (the must-avoid policy).

    An unkeyed option (or matrix column) matching one of ``patterns`` must be must_avoid when
    its item is in scope: the option, or a keyed option of its group (for a matrix: the row),
    cites a passage in ``scope`` (a trailing ``*`` matches a prefix), or a keyed option's
    text matches one of ``when_keyed``. An entry with neither applies everywhere.
    """

    id: Id
    title: Text = Field(description="What the unsafe choice does, e.g. 'delays escalation'.")
    scope: list[str] = Field(default_factory=list, description="Passage ids; 'scc-*' a prefix.")
    when_keyed: list[Pattern] = Field(
        default_factory=list, description="Applies where the key's text matches one of these."
    )
    patterns: list[Pattern] = Field(min_length=1)


class GuidanceLint(Strict):
    """The clinical vocabulary `casebook lint` needs, kept with the document it comes from."""

    must_avoid: list[UnsafeAction] = Field(default_factory=list)
    improving: list[Pattern] = Field(
        default_factory=list, description="Wording that claims the patient is improving."
    )
    deterioration: list[Pattern] = Field(
        default_factory=list, description="Wording that means the patient got worse."
    )
    intact_function: list[Pattern] = Field(
        default_factory=list,
        description="Wording that assumes function not yet lost (checked after a deterioration).",
    )


class Guidance(Strict):
    """A source document split into passages."""

    id: Id
    title: Text
    publisher: Text
    url: str | None = None
    last_medical_review: str
    last_revised: str
    source_file: str | None = None
    passages: list[Passage] = Field(min_length=1)
    practice_notes: list[PracticeNote] = Field(default_factory=list)
    lint: GuidanceLint | None = None

    @property
    def source_date(self) -> str:
        """One line naming the source and its dates, for quote captions."""
        return (
            f"{self.publisher}, “{self.title}”, last medical review "
            f"{self.last_medical_review}, revised {self.last_revised}"
        )

    @property
    def key_notice(self) -> str:
        """What a trainee reads before the first item: which document the keys follow, and when."""
        return (
            f"Answer keys follow {self.publisher}, “{self.title}”, last medical review "
            f"{readable_date(self.last_medical_review)}."
        )


PRACTICE_NOTES_NOTICE = (
    "Practice notes beside the feedback show newer guidance; they never change a key."
)


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def readable_date(iso: str) -> str:
    """'2014-02-07' as '7 February 2014' (unambiguous in every country); other text as is."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def source_notice(documents: list[Guidance]) -> str:
    """The answer-key notice for the documents an item set follows, and the practice notes."""
    return " ".join([*(d.key_notice for d in documents), PRACTICE_NOTES_NOTICE])


@dataclass(frozen=True)
class CitedPassage:
    """A resolved citation: the document and the passage it names."""

    guidance: Guidance
    passage: Passage


class GuidanceLibrary:
    """All guidance documents, with passage and practice-note lookup."""

    def __init__(self, documents: list[Guidance]):
        self.documents = {g.id: g for g in documents}
        self._passages = {(g.id, p.id): CitedPassage(g, p) for g in documents for p in g.passages}
        self._notes = {n.id: (g, n) for g in documents for n in g.practice_notes}

    def passage(self, ref: str, within: list[str] | tuple[str, ...] = ()) -> CitedPassage | None:
        """Resolve 'passage-id' (searched in ``within``) or 'document-id:passage-id'."""
        if ":" in ref:
            doc, pid = ref.split(":", 1)
            return self._passages.get((doc, pid))
        for doc in within or self.documents:
            found = self._passages.get((doc, ref))
            if found:
                return found
        return None

    def passage_ids(self, within: list[str] | tuple[str, ...] = ()) -> list[str]:
        """Ids of citable passages in the given documents (all when empty)."""
        docs = within or list(self.documents)
        return [
            p.id
            for d in docs
            if d in self.documents
            for p in self.documents[d].passages
            if p.citable
        ]

    def practice_note(self, note_id: str) -> PracticeNote | None:
        """A practice note by id."""
        found = self._notes.get(note_id)
        return found[1] if found else None

    def practice_note_ids(self) -> list[str]:
        """All practice-note ids."""
        return list(self._notes)

    def notice(self, document_ids: list[str] | tuple[str, ...]) -> str:
        """The answer-key notice (source, last medical review, practice notes) for documents."""
        docs = [self.documents[d] for d in dict.fromkeys(document_ids) if d in self.documents]
        return source_notice(docs)


def load_guidance_file(path: Path) -> Guidance:
    """Load one guidance YAML file; raise CaseError with positions on problems."""
    from scoring.format.problems import validation_problems  # local: avoids an import cycle

    try:
        doc = read_yaml_file(path)
    except YamlError as exc:
        raise CaseError([exc.problem]) from None
    try:
        return Guidance.model_validate(doc.data)
    except ValidationError as exc:
        raise CaseError(validation_problems(exc, doc)) from None


def load_guidance(folder: Path | None = None) -> GuidanceLibrary:
    """Load every ``*.yaml`` guidance document in a folder."""
    folder = folder or guidance_dir()
    docs, problems = [], []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            docs.append(load_guidance_file(path))
        except CaseError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CaseError(problems)
    if not docs:
        raise CaseError([Problem(str(folder), 1, 1, "no guidance documents (*.yaml) found here")])
    return GuidanceLibrary(docs)
