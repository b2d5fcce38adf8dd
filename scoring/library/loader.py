"""Load and check case files and item sets: one bad file never hides the good ones.

A file whose top level has ``items:`` (and no ``steps:``) is an item set: standalone items
that quick quizzes draw without a case (``scoring.format.models.ItemSet``). Cases and item sets
share one folder, one loader, one set of checks and one id space.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from scoring.errors import CaseError, Problem, first_problems
from scoring.format.models import Case, ItemSet, Source
from scoring.format.problems import validation_problems
from scoring.format.yaml_reader import Document, YamlError, read_yaml_bytes, read_yaml_file
from scoring.guidance.passages import PROJECT_ROOT, GuidanceLibrary, load_guidance
from scoring.library.checks import Finding, check_case, check_item_set


def cases_dir() -> Path:
    """Folder of case files (``CASEBOOK_CASES_DIR`` or the shipped ``cases/``)."""
    return Path(os.environ.get("CASEBOOK_CASES_DIR", PROJECT_ROOT / "cases"))


@dataclass(frozen=True)
class LoadedCase:
    """A valid case with where it came from and a version fingerprint of its text."""

    case: Case
    path: str
    version: str
    doc: Document = field(repr=False, compare=False)


@dataclass(frozen=True)
class LoadedItemSet:
    """A valid item set with where it came from and a version fingerprint of its text."""

    item_set: ItemSet
    path: str
    version: str
    doc: Document = field(repr=False, compare=False)


@dataclass
class CaseLibrary:
    """The valid cases and item sets of a folder and the problems of the files left out."""

    cases: dict[str, LoadedCase]
    problems: list[Problem]
    guidance: GuidanceLibrary
    item_sets: dict[str, LoadedItemSet] = field(default_factory=dict)

    def get(self, case_id: str) -> LoadedCase | None:
        """A case by id (item sets are not cases: see ``source``)."""
        return self.cases.get(case_id)

    def source(self, source_id: str) -> Source | None:
        """The case or item set with this id: what a quiz item or a stored answer came from."""
        loaded = self.cases.get(source_id) or self.item_sets.get(source_id)
        if loaded is None:
            return None
        return loaded.case if isinstance(loaded, LoadedCase) else loaded.item_set

    def sources(self) -> list[Source]:
        """Every case and item set, for the quiz bank."""
        return [c.case for c in self.cases.values()] + [s.item_set for s in self.item_sets.values()]

    def versions(self) -> dict[str, str]:
        """Version of every case and item set, by id."""
        return {k: v.version for k, v in (*self.cases.items(), *self.item_sets.items())}


def version_of(raw: bytes) -> str:
    """Short content fingerprint: attempts record it so a case never changes under a trainee."""
    return hashlib.sha256(raw).hexdigest()[:12]


def is_item_set(doc: Document) -> bool:
    """True when the parsed file is an item set (``items:`` at the top, no ``steps:``)."""
    return isinstance(doc.data, dict) and "items" in doc.data and "steps" not in doc.data


def _checked(doc: Document, model: type, findings: object) -> object:
    try:
        value = model.model_validate(doc.data)
    except ValidationError as exc:
        raise CaseError(validation_problems(exc, doc)) from None
    found: list[Finding] = findings(value)
    if found:
        raise CaseError(
            first_problems(
                [Problem(doc.path, *doc.position(f.loc, key=f.key), f.message) for f in found]
            )
        )
    return value


def check_document(doc: Document, lib: GuidanceLibrary) -> Case:
    """Validate parsed YAML as a case; raise CaseError listing every problem."""
    if is_item_set(doc):
        line, col = doc.position(("items",), key=True)
        raise CaseError(
            [
                Problem(
                    doc.path,
                    line,
                    col,
                    "this is an item set (it has items:), not a case: save it in the library "
                    "folder (e.g. cases/items/) and check it with casebook validate",
                )
            ]
        )
    return _checked(doc, Case, lambda case: check_case(case, lib))


def check_item_set_document(doc: Document, lib: GuidanceLibrary) -> ItemSet:
    """Validate parsed YAML as an item set; raise CaseError listing every problem."""
    return _checked(doc, ItemSet, lambda items: check_item_set(items, lib))


def load_case_bytes(raw: bytes, path: str, lib: GuidanceLibrary) -> LoadedCase:
    """Load a case from bytes (an upload, a paste)."""
    try:
        doc = read_yaml_bytes(raw, path)
    except YamlError as exc:
        raise CaseError([exc.problem]) from None
    # Hash the decoded text (byte-order mark dropped) so a file and its upload agree.
    return LoadedCase(check_document(doc, lib), path, version_of(doc.text.encode("utf-8")), doc)


def _read(path: str | Path) -> Document:
    try:
        return read_yaml_file(path)
    except YamlError as exc:
        raise CaseError([exc.problem]) from None


def load_case(path: str | Path, lib: GuidanceLibrary | None = None) -> LoadedCase:
    """Load and check one case file."""
    doc = _read(path)
    return LoadedCase(check_document(doc, lib or load_guidance()), str(path), _version(doc), doc)


def _version(doc: Document) -> str:
    return version_of(doc.text.encode("utf-8"))


def load_source(path: str | Path, lib: GuidanceLibrary | None = None) -> LoadedCase | LoadedItemSet:
    """Load and check one file of the library: a case, or an item set."""
    doc, lib = _read(path), lib or load_guidance()
    if is_item_set(doc):
        return LoadedItemSet(check_item_set_document(doc, lib), str(path), _version(doc), doc)
    return LoadedCase(check_document(doc, lib), str(path), _version(doc), doc)


def case_files(paths: list[Path]) -> list[Path]:
    """The YAML files named, or found (recursively) under the folders named."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml") and x.is_file())
        else:
            out.append(p)
    return out


def load_library(
    paths: list[Path] | Path | None = None, lib: GuidanceLibrary | None = None
) -> CaseLibrary:
    """Load every case under the given files/folders; collect problems instead of stopping."""
    lib = lib or load_guidance()
    if paths is None:
        paths = [cases_dir()]
    elif isinstance(paths, Path | str):
        paths = [Path(paths)]
    cases: dict[str, LoadedCase] = {}
    item_sets: dict[str, LoadedItemSet] = {}
    problems: list[Problem] = []
    for path in case_files([Path(p) for p in paths]):
        try:
            loaded = load_source(path, lib)
        except CaseError as exc:
            problems += exc.problems
            continue
        ident = loaded.case.id if isinstance(loaded, LoadedCase) else loaded.item_set.id
        other = cases.get(ident) or item_sets.get(ident)
        if other is not None:
            line, col = loaded.doc.position(("id",))
            what = "case" if isinstance(loaded, LoadedCase) else "item set"
            problems.append(
                Problem(
                    str(path),
                    line,
                    col,
                    f"duplicate {what} id '{ident}' (also used by {other.path})",
                )
            )
            continue
        if isinstance(loaded, LoadedCase):
            cases[ident] = loaded
        else:
            item_sets[ident] = loaded
    return CaseLibrary(cases, problems, lib, item_sets)
