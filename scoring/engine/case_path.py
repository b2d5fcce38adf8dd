"""Play a case: which step follows an answer, what happens to the patient, and the totals.

Branching: the first chosen option (in listed order) that has ``goto`` decides the next step;
otherwise the step's ``next``; otherwise the following listed step, unless ``end`` is set.

Must-avoid rule: every must-avoid choice is flagged in the item result and the debrief. When
a case sets ``must_avoid_cap`` (a percent) and any must-avoid choice was made, the reported
case percent is ``min(raw percent, cap)``; the points themselves are not changed, so item
statistics stay comparable across classes. The reported score is defined in
``scoring.engine.grades``; ``CaseResult.score`` is that score for the path taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scoring.engine.explain import Evidence, ItemResult, resolve_evidence
from scoring.engine.grades import ReportedScore, reported_score
from scoring.engine.items import max_points, score_response
from scoring.format.models import Case, Option, Skill
from scoring.guidance.passages import GuidanceLibrary


@dataclass(frozen=True)
class Transition:
    """What follows an answered step."""

    next_step: str | None
    narratives: tuple[str, ...] = ()
    minutes: int = 0
    evidence: tuple[Evidence, ...] = ()


@dataclass
class CaseResult:
    """Totals of one path through a case."""

    case_id: str
    items: list[ItemResult]
    path: list[str]
    minutes_elapsed: int = 0
    consequences: list[str] = field(default_factory=list)
    consequence_evidence: list[Evidence] = field(default_factory=list)
    must_avoid_cap: int | None = None
    finished: bool = True
    points_left: int = 0  # unfinished: the most points on any path still open

    @property
    def points(self) -> int:
        """Points earned."""
        return sum(i.points for i in self.items)

    @property
    def max_points(self) -> int:
        """Points available on the path taken so far."""
        return sum(i.max_points for i in self.items)

    @property
    def must_avoid(self) -> list[tuple[str, str]]:
        """(step id, choice) for every must-avoid choice made."""
        return [(i.step_id, c) for i in self.items for c in i.must_avoid_chosen]

    @property
    def score(self) -> ReportedScore:
        """The reported score (``scoring.engine.grades``): work not done counts 0 until finished."""
        return reported_score(
            self.points,
            self.max_points + self.points_left,
            len(self.must_avoid),
            self.must_avoid_cap,
            finished=self.finished,
        )

    @property
    def raw_percent(self) -> float:
        """Points as a percentage of the points possible (before the cap)."""
        return self.score.raw_percent

    @property
    def capped(self) -> bool:
        """True when the must-avoid cap lowered the percent."""
        return self.score.capped

    @property
    def percent(self) -> float:
        """Reported percent, after the must-avoid cap."""
        return self.score.percent

    @property
    def by_skill(self) -> dict[Skill, tuple[int, int]]:
        """Points and maximum per CJMM skill, in the model's order."""
        out: dict[Skill, tuple[int, int]] = {}
        for skill in Skill:
            its = [i for i in self.items if i.skill == skill]
            if its:
                out[skill] = (sum(i.points for i in its), sum(i.max_points for i in its))
        return out

    @property
    def review(self) -> list[Evidence]:
        """Passages behind the choices got wrong or missed, and behind consequences."""
        seen: dict[str, Evidence] = {}
        for item in self.items:
            for o in item.options:
                if o.verdict in ("incorrect", "missed"):
                    for e in o.evidence:
                        if not e.nursing:
                            seen.setdefault(e.passage_id or "", e)
        for e in self.consequence_evidence:
            if not e.nursing:
                seen.setdefault(e.passage_id or "", e)
        return list(seen.values())


def steps_by_id(case: Case) -> dict[str, Any]:
    """Steps keyed by id."""
    return {s.id: s for s in case.steps}


def successors(case: Case, step: Any) -> list[str]:
    """Steps that can follow ``step`` on some answer (the targets ``transition`` can return)."""
    options = [o for o in getattr(step, "options", []) if isinstance(o, Option)]
    out = [o.goto for o in options if o.goto]
    if not options or not all(o.goto for o in options):
        ids = [s.id for s in case.steps]
        i = ids.index(step.id)
        default = step.next or (None if step.end or i + 1 == len(ids) else ids[i + 1])
        if default:
            out.append(default)
    return list(dict.fromkeys(out))


def path_bounds(case: Case) -> dict[str, tuple[int, int]]:
    """Per step: the most steps and the most points on any path from it to an end.

    The progress bar's "Step 3 of 6" and the dashboard's progress both use the longest
    path, so a branch never makes the count go down. Cycles are cut where they close.
    """
    by_id = steps_by_id(case)
    memo: dict[str, tuple[int, int]] = {}

    def walk(step_id: str, seen: frozenset[str]) -> tuple[int, int]:
        if step_id not in memo:
            step = by_id[step_id]
            nexts = [s for s in successors(case, step) if s in by_id and s not in seen]
            tails = [walk(s, seen | {step_id}) for s in nexts]
            memo[step_id] = (
                1 + max((t[0] for t in tails), default=0),
                max_points(step) + max((t[1] for t in tails), default=0),
            )
        return memo[step_id]

    for step in case.steps:
        walk(step.id, frozenset())
    return memo


def _chosen_options(step: Any, response: Any) -> list[Option]:
    """Options chosen, in listed order (for branching and consequences)."""
    if hasattr(step, "options") and isinstance(response, list):
        return [o for o in step.options if isinstance(o, Option) and o.id in response]
    return []


def transition(case: Case, step: Any, response: Any, lib: GuidanceLibrary) -> Transition:
    """The next step and the consequences of a normalized response to ``step``."""
    chosen = _chosen_options(step, response)
    narratives, minutes, evidence = [], 0, []
    for o in chosen:
        if o.consequence:
            narratives.append(o.consequence.narrative)
            minutes += o.consequence.minutes
            evidence += resolve_evidence(o.consequence.cite, lib, tuple(case.guidance))
    goto = next((o.goto for o in chosen if o.goto), None)
    if goto is None:
        if step.next:
            goto = step.next
        elif not step.end:
            ids = [s.id for s in case.steps]
            i = ids.index(step.id)
            goto = ids[i + 1] if i + 1 < len(ids) else None
    return Transition(goto, tuple(narratives), minutes, tuple(evidence))


def clock_time(case: Case, minutes: int) -> str | None:
    """The case clock after ``minutes`` have passed, as HH:MM, noting a later day."""
    if case.clock is None:
        return None
    h, m = (int(x) for x in case.clock.start.split(":"))
    total = h * 60 + m + minutes
    days, rest = divmod(total, 24 * 60)
    later = {0: "", 1: " (next day)"}.get(days, f" (day +{days})")
    return f"{rest // 60:02d}:{rest % 60:02d}{later}"


def summarize(
    case: Case,
    items: list[ItemResult],
    path: list[str],
    transitions: list[Transition],
    finished: bool = True,
) -> CaseResult:
    """Build a CaseResult from items already scored (the app scores as the trainee goes).

    Unfinished, ``path`` ends with the step the trainee is on; its best remaining path counts.
    """
    left = 0 if finished or not path else path_bounds(case)[path[-1]][1]
    return CaseResult(
        case_id=case.id,
        items=items,
        path=path,
        minutes_elapsed=sum(t.minutes for t in transitions),
        consequences=[n for t in transitions for n in t.narratives],
        consequence_evidence=[e for t in transitions for e in t.evidence],
        must_avoid_cap=case.must_avoid_cap,
        finished=finished,
        points_left=left,
    )


def score_case(case: Case, responses: dict[str, Any], lib: GuidanceLibrary) -> CaseResult:
    """Walk the path the responses take from the first step; unanswered steps end the walk."""
    by_id = steps_by_id(case)
    items, path, transitions = [], [], []
    current: str | None = case.steps[0].id
    finished = True
    while current is not None:
        step = by_id[current]
        path.append(current)
        if current not in responses:
            finished = False
            break
        result = score_response(step, responses[current], lib, tuple(case.guidance))
        items.append(result)
        t = transition(case, step, result.response, lib)
        transitions.append(t)
        current = t.next_step
    return summarize(case, items, path, transitions, finished)
