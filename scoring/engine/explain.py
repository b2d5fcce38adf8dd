"""Result types of scoring, and the evidence (verbatim passages) behind each option."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from scoring.format.models import NURSING, Quote, Skill
from scoring.guidance.passages import GuidanceLibrary, PracticeNote

NURSING_TEXT = "General nursing knowledge (fundamentals, safety, pharmacology), not the guidance."


@dataclass(frozen=True)
class Evidence:
    """A cited passage quoted verbatim, or the general-nursing basis."""

    passage_id: str | None
    text: str
    source: str
    quote: str | None = None

    @property
    def nursing(self) -> bool:
        """True when the basis is general nursing knowledge rather than the guidance."""
        return self.passage_id is None


@dataclass(frozen=True)
class OptionResult:
    """One option (or matrix cell) with its verdict and explanation."""

    id: str
    text: str
    chosen: bool
    keyed: bool
    verdict: str  # "correct", "incorrect", "missed" or "not chosen"
    rationale: str
    evidence: tuple[Evidence, ...]
    must_avoid: bool = False
    group_id: str | None = None  # row, group, blank or bow-tie wing
    group: str | None = None
    # Ordering: the place given and the keyed place. Drag-and-drop: the number of the space the
    # token was put in (None: left out) and of the space it belongs in (None: it fits none).
    your_position: int | None = None
    correct_position: str | None = None


@dataclass(frozen=True)
class PairResult:
    """One neighbouring pair of an ordering answer, in the trainee's order, and its point.

    ``follows`` lists the options that would have scored after ``first`` (the next place in
    the key, or ``first``'s tied partners); empty when ``first`` is last in the key.
    """

    position: int  # 1-based place of ``first`` in the trainee's order
    first: str
    second: str
    first_text: str
    second_text: str
    scored: bool
    tie: bool  # first and second are tied in the key (either order scores)
    reversed: bool  # second comes before first in the key
    follows: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemResult:
    """A scored response: points, the rule and its arithmetic, and every option explained."""

    step_id: str
    item_type: str
    skill: Skill
    points: int
    max_points: int
    rule: str
    arithmetic: str
    options: tuple[OptionResult, ...]
    feedback: str
    practice_notes: tuple[PracticeNote, ...] = ()
    must_avoid_chosen: tuple[str, ...] = ()
    response: object = field(default=None, compare=False)
    pairs: tuple[PairResult, ...] = ()  # ordering items: every neighbouring pair, scored or not

    @property
    def full_marks(self) -> bool:
        """True when every point was earned."""
        return self.points == self.max_points

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Distinct cited passages of this item, in order."""
        seen: dict[str | None, Evidence] = {}
        for o in self.options:
            for e in o.evidence:
                if not e.nursing:
                    seen.setdefault(e.passage_id, e)
        return tuple(seen.values())


def verdict(chosen: bool, keyed: bool) -> str:
    """Correct, incorrect, missed or not chosen."""
    if chosen:
        return "correct" if keyed else "incorrect"
    return "missed" if keyed else "not chosen"


def resolve_evidence(
    cites: list, lib: GuidanceLibrary, within: tuple[str, ...]
) -> tuple[Evidence, ...]:
    """Quote each citation verbatim from the guidance."""
    return _resolve(tuple(cites), lib, tuple(within))


@lru_cache(maxsize=8192)
def _resolve(cites: tuple, lib: GuidanceLibrary, within: tuple[str, ...]) -> tuple[Evidence, ...]:
    # Citations and guidance never change once loaded, so each list is resolved once.
    out = []
    for c in cites:
        ref = c.passage if isinstance(c, Quote) else c
        if ref == NURSING:
            out.append(Evidence(None, NURSING_TEXT, "General nursing knowledge"))
            continue
        found = lib.passage(ref, within)
        if found is None:  # loader forbids this; keep scoring total rather than crash
            continue
        out.append(
            Evidence(
                found.passage.id,
                found.passage.text,
                found.guidance.source_date,
                c.quote if isinstance(c, Quote) else None,
            )
        )
    return tuple(out)
