"""Score one response to any item type with its NGN rule, explaining every option."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from typing import Any

from scoring.engine import rules
from scoring.engine.explain import ItemResult, OptionResult, PairResult, resolve_evidence, verdict
from scoring.engine.responses import TOKEN_TYPES, normalize_response
from scoring.format.models import (
    BowTie,
    DragDropCloze,
    DragDropRationale,
    DropdownCloze,
    DropdownTable,
    Highlight,
    HighlightTable,
    MatrixChoice,
    MatrixResponse,
    MultipleChoice,
    MultipleResponseGrouping,
    Option,
    Ordering,
    RationaleDyad,
    RationaleTriad,
    SelectAll,
    SelectN,
)
from scoring.guidance.passages import GuidanceLibrary

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9][a-z0-9_-]*)\s*\}\}")

RULE_NAMES = {
    "zero_one": "0/1",
    "plus_minus": "+/-",
    "rationale": "rationale",
    "adjacent_pairs": "adjacent pairs",
    "all_or_nothing": "all or nothing",
}


def ordered_slots(step: Any) -> list[Any]:
    """Blanks or drag-and-drop targets in the order their {{id}} appears in the text.

    Slots without a placeholder (a drop-down table's rows) keep their listed order, last.
    """
    slots = list(getattr(step, "blanks", None) or getattr(step, "targets", []))
    order = [m.group(1) for m in PLACEHOLDER.finditer(getattr(step, "text", ""))]
    rank = {sid: i for i, sid in enumerate(dict.fromkeys(order))}
    return sorted(slots, key=lambda s: rank.get(s.id, len(rank)))


def keyed_slots(step: Any) -> list[tuple[str, str]]:
    """(slot id, keyed id) per drop-down blank or drag-and-drop target, in listed order.

    One definition for both families: a drop-down's keyed option and a target's keyed token
    score the same way (0/1 per slot for cloze and table, the rationale rule for dyads/triads).
    """
    if step.type in TOKEN_TYPES:
        return [(t.id, t.keyed) for t in step.targets]
    return [(b.id, next((o.id for o in b.options if o.keyed), "")) for b in step.blanks]


def _slot_points(kind: str, slots: list[tuple[str, str]], answer: dict[str, str]) -> int:
    if kind in RATIONALE_TYPES:
        return rules.rationale([answer.get(s, "") for s, _ in slots], [k for _, k in slots])
    return rules.zero_one([s for s, k in slots if answer.get(s) == k], [s for s, _ in slots])


RATIONALE_TYPES = frozenset({"rationale_dyad", "rationale_triad", "drag_drop_rationale"})
SLOT_TYPES = RATIONALE_TYPES | {"dropdown_cloze", "dropdown_table", "drag_drop_cloze"}


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _plus_minus_words(right: int, wrong: int, points: int, max_points: int) -> str:
    raw = right - wrong
    text = f"+1 for each of {_n(right, 'keyed choice')}, −1 for {_n(wrong, 'non-keyed choice')}"
    if raw < 0:
        return f"{text} = {raw}, floored at 0 → 0 of {max_points}"
    return f"{text} = {points} of {max_points}"


class _Scorer:
    def __init__(self, step: Any, lib: GuidanceLibrary, within: tuple[str, ...]):
        self.step, self.lib, self.within = step, lib, within

    def option(self, o: Any, chosen: bool, keyed: bool, **extra: Any) -> OptionResult:
        return OptionResult(
            id=o.id,
            text=o.text,
            chosen=chosen,
            keyed=keyed,
            verdict=verdict(chosen, keyed),
            rationale=o.rationale,
            evidence=resolve_evidence(o.cite, self.lib, self.within),
            must_avoid=getattr(o, "must_avoid", False),
            **extra,
        )

    def flat(self, picked: list[str], rule: str) -> tuple[int, int, str, list[OptionResult]]:
        opts: list[Option] = self.step.options
        keyed = [o.id for o in opts if o.keyed]
        if isinstance(self.step, HighlightTable):  # phrases grouped by their table row
            rows = {r.id: r.cells[0] for r in self.step.rows}
            results = [
                self.option(o, o.id in picked, o.keyed, group_id=o.row, group=rows.get(o.row))
                for o in opts
            ]
        else:
            results = [self.option(o, o.id in picked, o.keyed) for o in opts]
        right = len(set(picked) & set(keyed))
        if rule == "plus_minus":
            points = rules.plus_minus(picked, keyed)
            words = _plus_minus_words(right, len(set(picked) - set(keyed)), points, len(keyed))
        else:
            points = rules.zero_one(picked, keyed)
            words = (
                f"+1 for each keyed choice made ({right} of {len(keyed)}), "
                f"no penalty for others = {points} of {len(keyed)}"
            )
        return points, len(keyed), words, results

    def choices(self, answer: dict[str, str]) -> list[OptionResult]:
        """Every drop-down option (grouped by blank), or every token with where it went."""
        if self.step.type not in TOKEN_TYPES:
            return [
                self.option(
                    o, answer.get(b.id) == o.id, o.keyed, group_id=b.id, group=b.label or b.id
                )
                for b in self.step.blanks
                for o in b.options
            ]
        number = {t.id: i + 1 for i, t in enumerate(ordered_slots(self.step))}
        placed = {token: target for target, token in answer.items()}
        home = {t.keyed: t.id for t in self.step.targets}
        results = []
        for t in self.step.tokens:
            at, belongs = placed.get(t.id), home.get(t.id)
            r = self.option(
                t,
                at is not None,
                belongs is not None,
                your_position=number.get(at),
                correct_position=str(number[belongs]) if belongs else None,
            )
            if at is not None and at != belongs:
                r = replace(r, verdict="incorrect")
            results.append(r)
        return results

    def blanks(self, answer: dict[str, str]) -> tuple[int, int, str, list[OptionResult]]:
        slots = keyed_slots(self.step)
        right, n = _slot_points(self.step.type, slots, answer), len(slots)
        what = "target filled" if self.step.type in TOKEN_TYPES else "drop-down"
        return right, n, f"1 point for each {what} right: {right} of {n}", self.choices(answer)

    def rationale(self, answer: dict[str, str]) -> tuple[int, int, str, list[OptionResult]]:
        results = self.choices(answer)
        slots = keyed_slots(self.step)
        keyed = [k for _, k in slots]
        chosen = [answer.get(s, "") for s, _ in slots]
        points = _slot_points(self.step.type, slots, answer)
        max_points = 1 if len(keyed) == 2 else 2
        if chosen[0] != keyed[0]:
            words = f"the cause is not right, so the effects earn nothing = 0 of {max_points}"
        elif max_points == 1:
            words = (
                "cause right and effect right = 1 of 1"
                if points
                else "cause right but effect wrong: a dyad needs both = 0 of 1"
            )
        else:
            words = f"cause right, +1 for each right effect ({points} of 2) = {points} of 2"
        return points, max_points, words, results

    def matrix(self, answer: dict[str, Any]) -> tuple[int, int, str, list[OptionResult]]:
        step, results = self.step, []
        single = isinstance(step, MatrixChoice)
        for row in step.rows:
            keyed = [row.keyed] if isinstance(row.keyed, str) else list(row.keyed)
            got = answer.get(row.id)
            got = [got] if isinstance(got, str) else list(got or [])
            for col in step.columns:
                results.append(
                    OptionResult(
                        id=f"{row.id}:{col.id}",
                        text=col.text,
                        chosen=col.id in got,
                        keyed=col.id in keyed,
                        verdict=verdict(col.id in got, col.id in keyed),
                        rationale=row.rationale,
                        evidence=resolve_evidence(row.cite, self.lib, self.within),
                        must_avoid=col.id in row.must_avoid,
                        group_id=row.id,
                        group=row.text,
                    )
                )
        if single:
            right = sum(answer.get(r.id) == r.keyed for r in step.rows)
            n = len(step.rows)
            return right, n, f"1 point for each row answered as keyed: {right} of {n}", results
        parts, total, max_points = [], 0, 0
        for col in step.columns:
            keyed = [r.id for r in step.rows if col.id in r.keyed]
            chosen = [r.id for r in step.rows if col.id in (answer.get(r.id) or [])]
            score = rules.plus_minus(chosen, keyed)
            wrong = len(set(chosen) - set(keyed))
            parts.append(f"{col.text}: +{len(set(chosen) & set(keyed))} −{wrong} → {score}")
            total, max_points = total + score, max_points + len(keyed)
        words = (
            "+/- per column, each column floored at 0 ("
            + "; ".join(parts)
            + f") = {total} of {max_points}"
        )
        return total, max_points, words, results

    def grouping(self, answer: dict[str, list[str]]) -> tuple[int, int, str, list[OptionResult]]:
        results, parts, total, max_points = [], [], 0, 0
        for g in self.step.groups:
            keyed = [o.id for o in g.options if o.keyed]
            picked = answer.get(g.id, [])
            score = rules.plus_minus(picked, keyed)
            wrong = len(set(picked) - set(keyed))
            parts.append(f"{g.label}: +{len(set(picked) & set(keyed))} −{wrong} → {score}")
            total, max_points = total + score, max_points + len(keyed)
            results += [
                self.option(o, o.id in picked, o.keyed, group_id=g.id, group=g.label)
                for o in g.options
            ]
        words = (
            "+/- per group, each group floored at 0 ("
            + "; ".join(parts)
            + f") = {total} of {max_points}"
        )
        return total, max_points, words, results

    def bow_tie(self, answer: dict[str, list[str]]) -> tuple[int, int, str, list[OptionResult]]:
        results, parts, total = [], [], 0
        for wing in ("condition", "actions", "parameters"):
            opts = getattr(self.step, wing).options
            keyed = [o.id for o in opts if o.keyed]
            picked = answer.get(wing, [])
            score = rules.zero_one(picked, keyed)
            total += score
            parts.append(f"{wing} {score} of {len(keyed)}")
            results += [
                self.option(o, o.id in picked, o.keyed, group_id=wing, group=wing.capitalize())
                for o in opts
            ]
        return (
            total,
            5,
            "1 point for each target (" + ", ".join(parts) + f") = {total} of 5",
            results,
        )

    def ordering(
        self, order: list[str]
    ) -> tuple[int, int, str, list[OptionResult], tuple[PairResult, ...]]:
        """Adjacent pairs (default): a point for each neighbouring pair of the trainee's order
        whose second option comes next in the key (tied options, a list inside correct_order,
        count as next to each other in either order). Every pair is returned, so the feedback
        can show which scored."""
        step: Ordering = self.step
        groups = [g if isinstance(g, list) else [g] for g in step.correct_order]
        group_of = {x: i for i, g in enumerate(groups) for x in g}
        first = {}  # 1-based first position of each group
        pos = 1
        for i, g in enumerate(groups):
            first[i] = pos
            pos += len(g)

        def label(x: str) -> str:
            g = group_of[x]
            n = len(groups[g])
            return str(first[g]) if n == 1 else f"{first[g]}–{first[g] + n - 1}"

        def placed(x: str, at: int) -> bool:
            g = group_of[x]
            return first[g] <= at < first[g] + len(groups[g])

        by_id = {o.id: o for o in step.options}

        def pair(at: int, a: str, b: str) -> PairResult:
            step_up = group_of[b] - group_of[a]
            tied = [x for x in groups[group_of[a]] if x != a]
            after = groups[group_of[a] + 1] if group_of[a] + 1 < len(groups) else []
            return PairResult(
                position=at,
                first=a,
                second=b,
                first_text=by_id[a].text,
                second_text=by_id[b].text,
                scored=step_up in (0, 1),
                tie=step_up == 0,
                reversed=step_up < 0,
                follows=(*tied, *after),
            )

        n = len(step.options) - 1
        pairs = tuple(pair(i + 1, a, b) for i, (a, b) in enumerate(itertools.pairwise(order)))
        good = sum(p.scored for p in pairs)
        whole = all(placed(x, i + 1) for i, x in enumerate(order))
        results = []
        for i, x in enumerate(order):
            r = self.option(by_id[x], True, True, your_position=i + 1, correct_position=label(x))
            results.append(replace(r, verdict="correct" if placed(x, i + 1) else "incorrect"))
        if step.rule == "all_or_nothing":
            points = n if whole else 0
            state = "the whole order is right" if whole else "the order is not exactly right"
            return points, n, f"all or nothing: {state} = {points} of {n}", results, ()
        marks = ", ".join(
            f"{p.position}–{p.position + 1} {'✓' if p.scored else '✗'}" for p in pairs
        )
        words = (
            f"1 point for each neighbouring pair whose second option comes next in the key "
            f"(places {marks}): {good} of {n} pairs = {good} of {n}"
        )
        return good, n, words, results, pairs


def rule_of(step: Any) -> str:
    """The NGN scoring rule an item type uses."""
    plus_minus = SelectAll | Highlight | HighlightTable | MatrixResponse | MultipleResponseGrouping
    if isinstance(step, plus_minus):
        return "plus_minus"
    if isinstance(step, RationaleDyad | RationaleTriad | DragDropRationale):
        return "rationale"
    if isinstance(step, Ordering):
        return step.rule
    return "zero_one"


def score_response(
    step: Any, raw: Any, lib: GuidanceLibrary, within: tuple[str, ...] = ()
) -> ItemResult:
    """Score a raw response to ``step``; raise ResponseError if it does not fit the item."""
    answer = normalize_response(step, raw)
    s = _Scorer(step, lib, tuple(within))
    rule = rule_of(step)
    pairs: tuple[PairResult, ...] = ()
    if isinstance(step, MultipleChoice | SelectN | SelectAll | Highlight | HighlightTable):
        points, max_points, words, results = s.flat(answer, rule)
    elif isinstance(step, DropdownCloze | DropdownTable | DragDropCloze):
        points, max_points, words, results = s.blanks(answer)
    elif isinstance(step, RationaleDyad | RationaleTriad | DragDropRationale):
        points, max_points, words, results = s.rationale(answer)
    elif isinstance(step, MultipleResponseGrouping):
        points, max_points, words, results = s.grouping(answer)
    elif isinstance(step, MatrixChoice | MatrixResponse):
        points, max_points, words, results = s.matrix(answer)
    elif isinstance(step, BowTie):
        points, max_points, words, results = s.bow_tie(answer)
    elif isinstance(step, Ordering):
        points, max_points, words, results, pairs = s.ordering(answer)
    else:  # pragma: no cover - the model admits no other types
        raise TypeError(f"unknown item type {type(step).__name__}")
    avoid = tuple(
        r.text if r.group is None else f"{r.group}: {r.text}"
        for r in results
        if r.must_avoid and r.chosen
    )
    notes = tuple(n for n in (lib.practice_note(i) for i in step.practice_notes) if n)
    return ItemResult(
        step_id=step.id,
        item_type=step.type,
        skill=step.skill,
        points=points,
        max_points=max_points,
        rule=RULE_NAMES[rule],
        arithmetic=words,
        options=tuple(results),
        feedback=step.feedback,
        practice_notes=notes,
        must_avoid_chosen=avoid,
        response=answer,
        pairs=pairs,
    )


def max_points(step: Any) -> int:
    """The most points an item can give."""
    if isinstance(step, BowTie):
        return 5
    if step.type in RATIONALE_TYPES:
        return 1 if len(keyed_slots(step)) == 2 else 2
    if isinstance(step, Ordering):
        return len(step.options) - 1
    if isinstance(step, MatrixChoice):
        return len(step.rows)
    if isinstance(step, MatrixResponse):
        return sum(len(r.keyed) for r in step.rows)
    if isinstance(step, MultipleResponseGrouping):
        return sum(o.keyed for g in step.groups for o in g.options)
    if hasattr(step, "blanks") or hasattr(step, "targets"):
        return len(keyed_slots(step))
    return sum(o.keyed for o in step.options)


def score_points(step: Any, raw: Any) -> tuple[int, int]:
    """Points and maximum only (no explanations): the fast path for analytics and load tests.

    Must agree with ``score_response``; a property test holds the two together.
    """
    answer = normalize_response(step, raw)
    kind = step.type
    if kind in ("multiple_choice", "select_n", "select_all", "highlight", "highlight_table"):
        keyed = [o.id for o in step.options if o.keyed]
        plus = kind in ("select_all", "highlight", "highlight_table")
        return (rules.plus_minus if plus else rules.zero_one)(answer, keyed), len(keyed)
    if kind in SLOT_TYPES:
        slots = keyed_slots(step)
        most = (1 if len(slots) == 2 else 2) if kind in RATIONALE_TYPES else len(slots)
        return _slot_points(kind, slots, answer), most
    if kind == "multiple_response_grouping":
        return sum(
            rules.plus_minus(answer.get(g.id, ()), [o.id for o in g.options if o.keyed])
            for g in step.groups
        ), max_points(step)
    if kind == "matrix_choice":
        return sum(answer.get(r.id) == r.keyed for r in step.rows), len(step.rows)
    if kind == "matrix_response":
        total = 0
        for col in step.columns:
            keyed = [r.id for r in step.rows if col.id in r.keyed]
            chosen = [r.id for r in step.rows if col.id in (answer.get(r.id) or ())]
            total += rules.plus_minus(chosen, keyed)
        return total, sum(len(r.keyed) for r in step.rows)
    if kind == "bow_tie":
        return sum(
            rules.zero_one(answer.get(w, ()), [o.id for o in getattr(step, w).options if o.keyed])
            for w in ("condition", "actions", "parameters")
        ), 5
    # ordering: reuse the explained scorer (rare in bulk; keeps one definition of the rule)
    result = score_response(step, answer, _NO_GUIDANCE)
    return result.points, result.max_points


_NO_GUIDANCE = GuidanceLibrary([])
