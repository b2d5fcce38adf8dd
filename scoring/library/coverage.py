"""The blueprint of a case library: which passages each case (or item set) cites, which are
cited nowhere, and the CJMM skills, NCLEX client needs, item types, trend items and grounding
decision points each one exercises.

Counts are of steps (skills, client needs, item types, decision points: a step naming two
decision points counts once for each) and of citations (passages: option, row and
consequence citations, quoted or not). ``nursing`` citations are counted apart. Whether the
bank meets issue 12's targets is ``scoring.library.targets``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scoring.format.models import ITEM_TYPES, NURSING, ItemSet, Quote, Skill, Source
from scoring.format.tags import ClientNeed, DecisionPoint
from scoring.guidance.passages import GuidanceLibrary

PassageKey = tuple[str, str]  # (guidance document id, passage id)
SKILL_CODES = {
    Skill.recognize_cues: "RC",
    Skill.analyze_cues: "AC",
    Skill.prioritize_hypotheses: "PH",
    Skill.generate_solutions: "GS",
    Skill.take_action: "TA",
    Skill.evaluate_outcomes: "EO",
}
TYPE_CODES = {
    "multiple_choice": "MC",
    "select_all": "SA",
    "select_n": "SN",
    "highlight": "HL",
    "highlight_table": "HT",
    "multiple_response_grouping": "MG",
    "ordering": "OR",
    "matrix_choice": "MX",
    "matrix_response": "MR",
    "dropdown_cloze": "DC",
    "dropdown_table": "DT",
    "rationale_dyad": "RD",
    "rationale_triad": "RT",
    "drag_drop_cloze": "DD",
    "drag_drop_rationale": "DR",
    "bow_tie": "BT",
}
TREND_CODE = "TR"  # steps with trend: true, counted beside the item types
NEED_CODES = {
    ClientNeed.management_of_care: "MoC",
    ClientNeed.safety_and_infection_control: "SIC",
    ClientNeed.health_promotion_and_maintenance: "HPM",
    ClientNeed.psychosocial_integrity: "PSY",
    ClientNeed.basic_care_and_comfort: "BCC",
    ClientNeed.pharmacological_and_parenteral_therapies: "PPT",
    ClientNeed.reduction_of_risk_potential: "RRP",
    ClientNeed.physiological_adaptation: "PA",
}


@dataclass
class CaseCoverage:
    """What one case exercises and cites."""

    case_id: str
    title: str
    standalone: bool = False  # an item set: every item is drawn into quizzes on its own
    skills: Counter[str] = field(default_factory=Counter)
    client_needs: Counter[str] = field(default_factory=Counter)
    item_types: Counter[str] = field(default_factory=Counter)
    decision_points: Counter[str] = field(default_factory=Counter)
    passages: Counter[PassageKey] = field(default_factory=Counter)
    nursing: int = 0
    trends: int = 0
    steps: int = 0
    quiz_steps: int = 0  # case steps marked quiz: true (an item set's items are all drawn)
    quiz_decision_points: Counter[str] = field(default_factory=Counter)  # of those steps


@dataclass
class Coverage:
    """Per-case coverage plus every citable passage of the guidance, in document order."""

    cases: list[CaseCoverage]
    passages: list[PassageKey]
    passage_text: dict[PassageKey, str]

    def cited_by(self, key: PassageKey) -> list[str]:
        """Ids of the cases citing a passage."""
        return [c.case_id for c in self.cases if c.passages[key]]

    @property
    def uncited(self) -> list[PassageKey]:
        """Citable passages no case cites."""
        return [k for k in self.passages if not self.cited_by(k)]


def _citations(step: object) -> Iterator[str | Quote]:
    """Every citation of a step: options, blanks, bow-tie wings, matrix rows, consequences."""
    options = list(getattr(step, "options", [])) + list(getattr(step, "tokens", []))
    for part in (*getattr(step, "blanks", []), *getattr(step, "groups", [])):
        options += part.options
    for wing in ("condition", "actions", "parameters"):
        if hasattr(step, wing):
            options += getattr(step, wing).options
    for o in options:
        yield from o.cite
        consequence = getattr(o, "consequence", None)
        if consequence is not None:
            yield from consequence.cite
    for row in getattr(step, "rows", []):  # matrix rows cite; highlight-table rows do not
        yield from getattr(row, "cite", ())


def case_coverage(case: Source, lib: GuidanceLibrary) -> CaseCoverage:
    """Skills, client needs, item types, trends, decision points and passages of one source."""
    out = CaseCoverage(case.id, case.title, standalone=isinstance(case, ItemSet))
    for step in case.steps:
        out.skills[str(step.skill)] += 1
        out.client_needs[str(step.client_needs)] += 1
        out.item_types[step.type] += 1
        out.decision_points.update(str(p) for p in step.decision_points)
        out.trends += step.trend
        out.steps += 1
        if step.quiz and not out.standalone:
            out.quiz_steps += 1
            out.quiz_decision_points.update(str(p) for p in step.decision_points)
        for cite in _citations(step):
            ref = cite.passage if isinstance(cite, Quote) else cite
            if ref == NURSING:
                out.nursing += 1
                continue
            found = lib.passage(ref, case.guidance)
            if found is not None:
                out.passages[(found.guidance.id, found.passage.id)] += 1
    return out


def coverage(cases: Iterable[Source], lib: GuidanceLibrary) -> Coverage:
    """Coverage of cases and item sets (by id) against every citable passage of the guidance."""
    per_case = [case_coverage(c, lib) for c in sorted(cases, key=lambda c: c.id)]
    keys, text = [], {}
    for doc in lib.documents.values():
        for p in doc.passages:
            if p.citable:
                keys.append((doc.id, p.id))
                text[(doc.id, p.id)] = " ".join(p.text.split())
    return Coverage(per_case, keys, text)


def passage_label(key: PassageKey, cov: Coverage) -> str:
    """'passage-id' when one document is in play, else 'document:passage-id'."""
    docs = {k[0] for k in cov.passages}
    return key[1] if len(docs) <= 1 else f"{key[0]}:{key[1]}"


def grid_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    """Rows under a header, in columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w)
        for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    out = [line.rstrip()]
    for r in rows:
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    return out


def _count(n: int) -> str:
    return str(n) if n else "."


def coverage_table(cov: Coverage) -> str:
    """The blueprint as plain-text tables for the terminal."""
    lines = [
        f"Coverage of {len(cov.cases)} case(s) against {len(cov.passages)} citable passages",
        "",
    ]
    skills = list(SKILL_CODES)
    lines.append(
        "CJMM skills (steps per case): " + ", ".join(f"{SKILL_CODES[s]} {s.label}" for s in skills)
    )
    rows = [[c.case_id, *(_count(c.skills[s.value]) for s in skills)] for c in cov.cases]
    lines += grid_lines(["case", *SKILL_CODES.values()], rows)
    lines.append("")
    lines.append(
        "NCLEX-RN client needs (steps per case): "
        + ", ".join(f"{NEED_CODES[n]} {n.label}" for n in ClientNeed)
    )
    rows = [[c.case_id, *(_count(c.client_needs[n.value]) for n in ClientNeed)] for c in cov.cases]
    lines += grid_lines(["case", *NEED_CODES.values()], rows)
    lines.append("")
    lines.append(
        "Item types (steps per case): "
        + ", ".join(f"{TYPE_CODES[t]} {t}" for t in ITEM_TYPES)
        + f"; {TREND_CODE} trend items (any type)"
    )
    rows = [
        [c.case_id, *(_count(c.item_types[t]) for t in ITEM_TYPES), _count(c.trends)]
        for c in cov.cases
    ]
    lines += grid_lines(["case", *TYPE_CODES.values(), TREND_CODE], rows)
    lines.append("")
    lines.append("Passages cited per case (citations; 'nursing' counted apart)")
    for c in cov.cases:
        cited = [k for k in cov.passages if c.passages[k]]
        lines.append(f"{c.case_id}: {len(cited)} passages, {c.nursing} nursing")
        lines += [f"  {passage_label(k, cov)} ({c.passages[k]})" for k in cited]
    lines.append("")
    uncited = cov.uncited
    lines.append(f"Passages cited nowhere: {len(uncited)} of {len(cov.passages)}")
    for k in uncited:
        text = cov.passage_text[k]
        lines.append(f"  {passage_label(k, cov)}  {text[:70]}{'…' if len(text) > 70 else ''}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def coverage_csv(cov: Coverage) -> str:
    """The blueprint as one CSV grid: a row per skill, item type and passage; a column per case."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    ids = [c.case_id for c in cov.cases]
    writer.writerow(["kind", "id", "label", *ids, "total"])
    for s in SKILL_CODES:
        counts = [c.skills[s.value] for c in cov.cases]
        writer.writerow(["skill", s.value, s.label, *counts, sum(counts)])
    for n in ClientNeed:
        counts = [c.client_needs[n.value] for c in cov.cases]
        writer.writerow(["client_need", n.value, n.label, *counts, sum(counts)])
    for t in ITEM_TYPES:
        counts = [c.item_types[t] for c in cov.cases]
        writer.writerow(["item_type", t, t.replace("_", " ").capitalize(), *counts, sum(counts)])
    counts = [c.trends for c in cov.cases]
    writer.writerow(["trend", "trend", "Trend items (any item type)", *counts, sum(counts)])
    for p in DecisionPoint:
        counts = [c.decision_points[p.value] for c in cov.cases]
        writer.writerow(["decision_point", p.value, p.label, *counts, sum(counts)])
    for k in cov.passages:
        counts = [c.passages[k] for c in cov.cases]
        writer.writerow(
            ["passage", passage_label(k, cov), _cell(cov.passage_text[k]), *counts, sum(counts)]
        )
    counts = [c.nursing for c in cov.cases]
    writer.writerow(["basis", NURSING, "General nursing knowledge", *counts, sum(counts)])
    return buf.getvalue()
