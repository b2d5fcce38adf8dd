"""Run the item-writing rules on a loaded case: option groups, paths through the case, the
guidance's policy, suppressions, and findings with ``path:line:col``.

A rule is a function of a ``LintContext`` that yields ``Hit``s; ``lint_case`` turns hits into
``LintFinding``s at the source position of their data path, and marks those a step's
``lint: {allow: [...], why: ...}`` covers as suppressed (kept, with the reason, so a reviewer
can list them with ``casebook lint --suppressed``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from scoring.errors import CaseError, Problem
from scoring.format.models import (
    BowTie,
    DragDropCloze,
    DragDropRationale,
    DropdownCloze,
    DropdownTable,
    MultipleChoice,
    MultipleResponseGrouping,
    Option,
    Quote,
    RationaleDyad,
    RationaleTriad,
    Source,
)
from scoring.format.yaml_reader import Loc
from scoring.guidance.passages import GuidanceLibrary
from scoring.library.loader import LoadedCase, LoadedItemSet, case_files, load_source
from scoring.lint import RULES

MAX_PATH_STATES = 5000  # paths through a case are enumerated; a case this tangled is cut off


@dataclass(frozen=True, order=True)
class LintFinding:
    """One item-writing finding at a place in a case file."""

    path: str
    line: int
    col: int
    rule: str
    message: str
    fix: str = field(compare=False)
    step: str | None = field(default=None, compare=False)
    suppressed: str | None = field(default=None, compare=False)  # the reason, when allowed

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.rule}: {self.message}. Fix: {self.fix}."


@dataclass(frozen=True)
class Hit:
    """What a rule found: where (a data path), why, and what to do; the step it belongs to."""

    rule: str
    loc: Loc
    message: str
    fix: str
    step: int | None = None


@dataclass(frozen=True)
class Group:
    """Options the trainee chooses among: a step's options, a drop-down, a bow-tie part."""

    step_index: int
    step: Any
    loc: Loc  # the data path of the option list
    options: tuple[Option, ...]
    stem: str = ""  # what the trainee reads for this group besides the prompt

    @property
    def keyed(self) -> list[Option]:
        """The keyed options."""
        return [o for o in self.options if o.keyed]

    @property
    def distractors(self) -> list[Option]:
        """The options not keyed."""
        return [o for o in self.options if not o.keyed]

    def option_loc(self, option: Option, *rest: str) -> Loc:
        """The data path of one of its options (and a key inside it)."""
        return (*self.loc, self.options.index(option), *rest)


@dataclass(frozen=True)
class Arrival:
    """One way of arriving at a step: the clock then, and what happened on the way."""

    minutes: int  # case-clock minutes passed on arrival
    moved: int  # minutes the last answer moved the clock
    worse: bool  # the patient deteriorated on the way (or in this step's narrative)
    lead_in: tuple[str, ...]  # consequence narratives shown just before this step
    via: str | None  # 'step-id/option-id' (or 'step-id') of the answer that led here


@dataclass(frozen=True)
class Policy:
    """The guidance's lint vocabulary for a case, compiled (all its documents merged)."""

    must_avoid: list[tuple[str, Any, list[re.Pattern], list[re.Pattern]]]
    improvement: list[re.Pattern]
    deterioration: list[re.Pattern]
    intact_function: list[re.Pattern]


def _compile(patterns: list[str]) -> list[re.Pattern]:
    return [re.compile(p, re.I) for p in patterns]


def matches(patterns: list[re.Pattern], text: str) -> re.Match | None:
    """The first match of any pattern in the text."""
    for p in patterns:
        found = p.search(" ".join(text.split()))
        if found:
            return found
    return None


def cited_ids(cites: list) -> set[str]:
    """Passage ids a citation list names (document prefixes dropped)."""
    refs = (c.passage if isinstance(c, Quote) else c for c in cites)
    return {r.split(":", 1)[-1] for r in refs}


def in_scope(scope: list[str], ids: set[str]) -> bool:
    """True when a passage id matches a scope entry (a trailing '*' matches a prefix)."""
    for entry in scope:
        if entry.endswith("*"):
            if any(i.startswith(entry[:-1]) for i in ids):
                return True
        elif entry in ids:
            return True
    return False


@dataclass
class LintContext:
    """A case (or an item set) under lint, with the derived views the rules share.

    An item set's items are ``case.steps`` too, but each stands alone: ``standalone`` makes
    every item a quiz item, arriving fresh (no path, no clock, no case cap); the rules read it.
    """

    case: Source
    lib: GuidanceLibrary
    standalone: bool = False

    @cached_property
    def policy(self) -> Policy:
        """The lint vocabulary of every guidance document the case cites."""
        docs = [
            self.lib.documents[d]
            for d in self.case.guidance
            if d in self.lib.documents and self.lib.documents[d].lint is not None
        ]
        lints = [d.lint for d in docs]
        return Policy(
            must_avoid=[
                (doc.id, a, _compile(a.when_keyed), _compile(a.patterns))
                for doc in docs
                for a in doc.lint.must_avoid
            ],
            improvement=_compile([p for d in lints for p in d.improving]),
            deterioration=_compile([p for d in lints for p in d.deterioration]),
            intact_function=_compile([p for d in lints for p in d.intact_function]),
        )

    @cached_property
    def groups(self) -> list[Group]:
        """Every option group of every step, in file order."""
        out: list[Group] = []
        for n, step in enumerate(self.case.steps):
            loc: Loc = ("steps", n)
            if isinstance(step, BowTie):
                for wing in ("condition", "actions", "parameters"):
                    part = getattr(step, wing)
                    opts = tuple(part.options)
                    out.append(Group(n, step, (*loc, wing, "options"), opts, part.prompt or ""))
            elif isinstance(step, DropdownCloze | DropdownTable | RationaleDyad | RationaleTriad):
                sentence = getattr(step, "text", "")
                for i, blank in enumerate(step.blanks):
                    stem = (blank.label if isinstance(step, DropdownTable) else sentence) or ""
                    opts = tuple(blank.options)
                    out.append(Group(n, step, (*loc, "blanks", i, "options"), opts, stem))
            elif isinstance(step, MultipleResponseGrouping):
                for i, g in enumerate(step.groups):
                    opts = tuple(g.options)
                    out.append(Group(n, step, (*loc, "groups", i, "options"), opts, g.label))
            elif isinstance(step, DragDropCloze | DragDropRationale):
                out.append(Group(n, step, (*loc, "tokens"), _token_options(step), step.text))
            elif step.type != "ordering" and hasattr(step, "options"):
                out.append(Group(n, step, (*loc, "options"), tuple(step.options)))
        return out

    def default_next(self, step: Any) -> str | None:
        """The step after ``step`` when no chosen option branches (none for an item)."""
        if self.standalone:
            return None
        return self._next(step)

    def _next(self, step: Any) -> str | None:
        """The step after ``step`` when no chosen option branches."""
        if step.next:
            return step.next
        ids = [s.id for s in self.case.steps]
        i = ids.index(step.id)
        return None if step.end or i + 1 == len(ids) else ids[i + 1]

    def _moves(self, step: Any) -> list[tuple[str | None, Option | None]]:
        options = [o for o in getattr(step, "options", []) if isinstance(o, Option)]
        default = self.default_next(step)
        if isinstance(step, MultipleChoice):
            return [(o.goto or default, o) for o in options]
        moves: list[tuple[str | None, Option | None]] = [(default, None)]
        moves += [(o.goto or default, o) for o in options if o.goto or o.consequence]
        return moves

    @cached_property
    def arrivals(self) -> dict[str, list[Arrival]]:
        """Every distinct way of arriving at each step, walking every answer from the start."""
        by_id = {s.id: s for s in self.case.steps}
        worse_here = {
            s.id: bool(s.narrative and matches(self.policy.deterioration, s.narrative))
            for s in self.case.steps
        }
        out: dict[str, list[Arrival]] = {s.id: [] for s in self.case.steps}
        starts = [s.id for s in self.case.steps] if self.standalone else [self.case.steps[0].id]
        todo = [(first, Arrival(0, 0, worse_here[first], (), None)) for first in starts]
        seen: set[tuple] = set()
        while todo and len(seen) < MAX_PATH_STATES:
            step_id, arrival = todo.pop()
            state = (step_id, arrival.minutes, arrival.worse, arrival.lead_in)
            if state in seen:
                continue
            seen.add(state)
            out[step_id].append(arrival)
            step = by_id[step_id]
            for target, option in self._moves(step):
                if target not in by_id:
                    continue
                cons = option.consequence if option else None
                moved = cons.minutes if cons else 0
                worse = (
                    arrival.worse
                    or worse_here[target]
                    or bool(cons and matches(self.policy.deterioration, cons.narrative))
                )
                via = f"{step_id}/{option.id}" if option else step_id
                lead = (cons.narrative,) if cons else ()
                todo.append((target, Arrival(arrival.minutes + moved, moved, worse, lead, via)))
        return out

    def step_texts(self, n: int) -> str:
        """Title, narrative and prompt of step ``n``: what the trainee reads above the item."""
        step = self.case.steps[n]
        return " ".join(t for t in (step.title, step.narrative, step.prompt) if t)


def _token_options(step: Any) -> tuple[Option, ...]:
    """A drag-and-drop item's tokens as options, keyed when a target is keyed to them, so the
    option rules read a word bank like any other list of choices (same order, same paths)."""
    keyed = {t.keyed for t in step.targets}
    return tuple(
        Option(
            id=t.id,
            text=t.text,
            rationale=t.rationale,
            cite=t.cite,
            must_avoid=t.must_avoid,
            keyed=t.id in keyed,
        )
        for t in step.tokens
    )


Rule = Callable[[LintContext], Iterator[Hit]]
_REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    """Register a rule function under an id of ``scoring.lint.RULES``."""
    if rule_id not in RULES:
        raise ValueError(f"unknown lint rule id {rule_id!r}; add it to scoring.lint.RULES")

    def register(fn: Rule) -> Rule:
        _REGISTRY[rule_id] = fn
        return fn

    return register


def _rules() -> dict[str, Rule]:
    from scoring.lint import flow, safety, wording  # noqa: F401  (registers the rules)

    return _REGISTRY


def lint_case(loaded: LoadedCase | LoadedItemSet, lib: GuidanceLibrary) -> list[LintFinding]:
    """Every item-writing finding of a valid case or item set, suppressed ones included."""
    standalone = isinstance(loaded, LoadedItemSet)
    source = loaded.item_set if standalone else loaded.case
    ctx = LintContext(source, lib, standalone)
    hits = [hit for check in _rules().values() for hit in check(ctx)]
    used: set[tuple[int, str]] = set()
    findings: list[LintFinding] = []
    steps = source.steps
    for hit in hits:
        allowed = steps[hit.step].lint if hit.step is not None else None
        why = allowed.why if allowed and hit.rule in allowed.allow else None
        if why is not None:
            used.add((hit.step, hit.rule))
        findings.append(_finding(loaded, hit, why))
    for n, step in enumerate(steps):
        for i, rule_id in enumerate(step.lint.allow if step.lint else []):
            if (n, rule_id) not in used:
                hit = Hit(
                    "unused-allow",
                    ("steps", n, "lint", "allow", i),
                    f"'{rule_id}' is allowed here, but the rule finds nothing in this step",
                    f"remove '{rule_id}' from lint.allow (and lint: altogether if it is empty)",
                    n,
                )
                findings.append(_finding(loaded, hit, None))
    return sorted(set(findings))


def _finding(loaded: LoadedCase | LoadedItemSet, hit: Hit, why: str | None) -> LintFinding:
    loc = hit.loc
    if isinstance(loaded, LoadedItemSet) and loc[:1] == ("steps",):
        loc = ("items", *loc[1:])  # the rules name steps; an item set's file names items
    line, col = loaded.doc.position(loc)
    steps = loaded.item_set.steps if isinstance(loaded, LoadedItemSet) else loaded.case.steps
    step = steps[hit.step].id if hit.step is not None else None
    return LintFinding(loaded.path, line, col, hit.rule, hit.message, hit.fix, step, why)


@dataclass
class LintReport:
    """Findings of every valid case under some paths, and the problems of the others."""

    files: int
    findings: list[LintFinding]
    problems: list[Problem]

    @property
    def open(self) -> list[LintFinding]:
        """Findings no suppression covers."""
        return [f for f in self.findings if f.suppressed is None]

    @property
    def suppressed(self) -> list[LintFinding]:
        """Findings an author allowed, with their reasons."""
        return [f for f in self.findings if f.suppressed is not None]


def lint_paths(paths: list[Path], lib: GuidanceLibrary) -> LintReport:
    """Lint every case and item-set file under ``paths``; files that do not validate are
    reported instead."""
    files = case_files(paths)
    findings: list[LintFinding] = []
    problems: list[Problem] = []
    for path in files:
        try:
            loaded = load_source(path, lib)
        except CaseError as exc:
            problems += exc.problems
            continue
        findings += lint_case(loaded, lib)
    return LintReport(len(files), sorted(findings), sorted(problems))
