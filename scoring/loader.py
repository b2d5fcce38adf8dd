"""Load and check case files: one bad file never hides the good ones."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from scoring.checks import check_case
from scoring.errors import CaseError, Problem, first_problems
from scoring.guidance import PROJECT_ROOT, GuidanceLibrary, load_guidance
from scoring.models import Case
from scoring.problems import validation_problems
from scoring.yaml_reader import Document, YamlError, read_yaml_bytes, read_yaml_file


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


@dataclass
class CaseLibrary:
    """The valid cases of a folder and the problems of the files left out."""

    cases: dict[str, LoadedCase]
    problems: list[Problem]
    guidance: GuidanceLibrary

    def get(self, case_id: str) -> LoadedCase | None:
        """A case by id."""
        return self.cases.get(case_id)


def version_of(raw: bytes) -> str:
    """Short content fingerprint: attempts record it so a case never changes under a trainee."""
    return hashlib.sha256(raw).hexdigest()[:12]


def check_document(doc: Document, lib: GuidanceLibrary) -> Case:
    """Validate parsed YAML as a case; raise CaseError listing every problem."""
    try:
        case = Case.model_validate(doc.data)
    except ValidationError as exc:
        raise CaseError(validation_problems(exc, doc)) from None
    findings = check_case(case, lib)
    if findings:
        raise CaseError(
            first_problems(
                [Problem(doc.path, *doc.position(f.loc, key=f.key), f.message) for f in findings]
            )
        )
    return case


def load_case_bytes(raw: bytes, path: str, lib: GuidanceLibrary) -> LoadedCase:
    """Load a case from bytes (an upload, a paste)."""
    try:
        doc = read_yaml_bytes(raw, path)
    except YamlError as exc:
        raise CaseError([exc.problem]) from None
    # Hash the decoded text (byte-order mark dropped) so a file and its upload agree.
    return LoadedCase(check_document(doc, lib), path, version_of(doc.text.encode("utf-8")), doc)


def load_case(path: str | Path, lib: GuidanceLibrary | None = None) -> LoadedCase:
    """Load and check one case file."""
    lib = lib or load_guidance()
    try:
        doc = read_yaml_file(path)
    except YamlError as exc:
        raise CaseError([exc.problem]) from None
    raw = doc.text.encode("utf-8")
    return LoadedCase(check_document(doc, lib), str(path), version_of(raw), doc)


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
    problems: list[Problem] = []
    for path in case_files([Path(p) for p in paths]):
        try:
            loaded = load_case(path, lib)
        except CaseError as exc:
            problems += exc.problems
            continue
        other = cases.get(loaded.case.id)
        if other:
            line, col = loaded.doc.position(("id",))
            problems.append(
                Problem(
                    str(path),
                    line,
                    col,
                    f"duplicate case id '{loaded.case.id}' (also used by {other.path})",
                )
            )
            continue
        cases[loaded.case.id] = loaded
    return CaseLibrary(cases, problems, lib)
