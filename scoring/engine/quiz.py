"""Quick quizzes: draw stand-alone items from cases and item sets and shuffle their options.

Everything here is a pure function of (cases, seed, filters), so a quiz attempt stores only
``{seed, items, filters}`` and is rebuilt identically after a restart.

What a quiz may draw (``quiz_bank``): every item of an item set, and a case step only when its
author marks it ``quiz: true`` — a case step is written inside a story (its narrative and the
chart come before it), so only its author can say that its prompt stands on its own, and
``casebook lint`` then checks that it names no chart tab a quiz does not show. The bank's
targets count the item-set items alone (``scoring.library.targets``).

The filters (topics, CJMM skills, NCLEX client needs) each narrow the pool when given; within
a filter any listed value matches. A quiz never repeats an item: each key is drawn at most
once, and the length is capped by what the filters leave (``quiz_lengths``).
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scoring.format.models import (
    BowTie,
    Highlight,
    HighlightTable,
    ItemSet,
    Ordering,
    Skill,
    Source,
)

DEFAULT_ITEMS = 10
QUIZ_LENGTHS = (5, 10, 20)  # the lengths a student picks from, capped by what the filters leave
QUIZ_ID = "quick-quiz"  # the case id under which quick-quiz attempts are stored


@dataclass(frozen=True)
class QuizItem:
    """One quiz-bank step with the case or item set it comes from (``case``, either way)."""

    case: Source
    step: Any

    @property
    def key(self) -> str:
        """Stable id across the library: 'case-id/step-id'."""
        return item_key(self.case.id, self.step.id)


def item_key(case_id: str, step_id: str) -> str:
    """'case-id/step-id', the step id under which quiz answers are stored."""
    return f"{case_id}/{step_id}"


def quiz_version(versions: Mapping[str, str], items: Iterable[QuizItem]) -> str:
    """Fingerprint of the case versions (case id → version) a quiz draws on."""
    stamp = ",".join(sorted({f"{i.case.id}@{versions[i.case.id]}" for i in items}))
    return hashlib.sha256(stamp.encode()).hexdigest()[:12]


def quiz_bank(sources: Iterable[Source]) -> list[QuizItem]:
    """Every case step marked ``quiz: true`` and every item of an item set, by id then order."""
    return [
        QuizItem(source, step)
        for source in sorted(sources, key=lambda c: c.id)
        for step in source.steps
        if step.quiz or isinstance(source, ItemSet)
    ]


def matches(
    item: QuizItem,
    topics: Sequence[str] = (),
    skills: Sequence[str] = (),
    client_needs: Sequence[str] = (),
) -> bool:
    """True when the item fits every filter given: one of ``topics`` (its case's or set's), one
    of ``skills``, one of ``client_needs``; an empty filter lets everything through."""
    topic_ok = not topics or bool(set(topics) & set(item.case.topics))
    skill_ok = not skills or Skill(item.step.skill).value in set(skills)
    need_ok = not client_needs or str(item.step.client_needs) in set(client_needs)
    return topic_ok and skill_ok and need_ok


def quiz_pool(
    bank: Sequence[QuizItem],
    topics: Sequence[str] = (),
    skills: Sequence[str] = (),
    client_needs: Sequence[str] = (),
) -> list[QuizItem]:
    """The items the filters leave, each key once, in bank order."""
    pool: dict[str, QuizItem] = {}
    for item in bank:
        if item.key not in pool and matches(item, topics, skills, client_needs):
            pool[item.key] = item
    return list(pool.values())


def quiz_lengths(available: int) -> list[int]:
    """The lengths to offer when ``available`` items match: 5, 10, 20 below it, and all of them
    when that is 20 or fewer (none when nothing matches)."""
    lengths = [n for n in QUIZ_LENGTHS if n < available]
    if 0 < available <= QUIZ_LENGTHS[-1]:
        lengths.append(available)
    return lengths


def draw_quiz(
    bank: Sequence[QuizItem],
    n: int = DEFAULT_ITEMS,
    seed: int = 0,
    topics: Sequence[str] = (),
    skills: Sequence[str] = (),
    client_needs: Sequence[str] = (),
) -> list[QuizItem]:
    """Up to ``n`` distinct items matching the filters, in an order fixed by ``seed``, options
    shuffled."""
    pool = quiz_pool(bank, topics, skills, client_needs)
    picked = random.Random(seed).sample(pool, min(max(n, 0), len(pool)))
    return [QuizItem(item.case, shuffle_options(item.step, seed, item.key)) for item in picked]


def items_from_keys(
    cases: Mapping[str, Source], keys: Sequence[str], seed: int
) -> tuple[list[QuizItem], list[str]]:
    """Rebuild a drawn quiz from its stored keys; also return the keys no longer found."""
    items, missing = [], []
    for key in keys:
        case_id, _, step_id = key.partition("/")
        case = cases.get(case_id)
        step = next((s for s in case.steps if s.id == step_id), None) if case else None
        if case is None or step is None:
            missing.append(key)
        else:
            items.append(QuizItem(case, shuffle_options(step, seed, key)))
    return items, missing


def quiz_texts(step: Any, standalone: bool = False) -> list[tuple[tuple, str]]:
    """What a quick quiz shows of a step, as (data path within the step, text) pairs.

    A quiz shows the prompt and the item's own texts, but not the case's chart and not the
    step's ``narrative`` (which belongs to the case's story: "Day 3. She is alert…"), so the
    prompt of a ``quiz: true`` step must carry everything the question needs. A standalone
    item (of an item set) has no case: its ``narrative`` is its own and is shown.
    """
    out: list[tuple[tuple, str]] = [(("prompt",), step.prompt)]
    if standalone and step.narrative:
        out.append((("narrative",), step.narrative))
    for key in ("passage", "text"):
        if isinstance(getattr(step, key, None), str):
            out.append(((key,), getattr(step, key)))
    for i, o in enumerate(getattr(step, "options", [])):
        out.append((("options", i, "text"), o.text))
    for i, b in enumerate(getattr(step, "blanks", [])):
        if b.label:
            out.append((("blanks", i, "label"), b.label))
        out += [(("blanks", i, "options", j, "text"), o.text) for j, o in enumerate(b.options)]
    for i, t in enumerate(getattr(step, "tokens", [])):
        out.append((("tokens", i, "text"), t.text))
    for i, g in enumerate(getattr(step, "groups", [])):
        out.append((("groups", i, "label"), g.label))
        out += [(("groups", i, "options", j, "text"), o.text) for j, o in enumerate(g.options)]
    if isinstance(step, HighlightTable):  # cells are the table's own text; columns are plain
        out += [(("columns", i), c) for i, c in enumerate(step.columns)]
        for i, row in enumerate(step.rows):
            out += [(("rows", i, "cells", j), c) for j, c in enumerate(row.cells)]
    else:
        for kind in ("rows", "columns"):  # a drop-down table's columns are plain headings
            out += [
                ((kind, i), x) if isinstance(x, str) else ((kind, i, "text"), x.text)
                for i, x in enumerate(getattr(step, kind, []))
            ]
    if isinstance(step, BowTie):
        for wing in ("condition", "actions", "parameters"):
            part = getattr(step, wing)
            if part.prompt:
                out.append(((wing, "prompt"), part.prompt))
            out += [((wing, "options", i, "text"), o.text) for i, o in enumerate(part.options)]
    return out


def _shuffled(seq: Sequence[Any], rng: random.Random) -> list[Any]:
    out = list(seq)
    rng.shuffle(out)
    return out


def shuffle_options(step: Any, seed: int, key: str) -> Any:
    """A copy of ``step`` with its options in a seeded order (ids, and so scoring, unchanged).

    Highlight phrases keep passage (or table) order and matrix rows and columns keep their
    order: their order carries meaning. Drop-down, grouping and bow-tie options are shuffled
    within their group, drag-and-drop tokens in their pool (targets stay in the text).
    """
    rng = random.Random(f"{seed}/{key}")
    if isinstance(step, Highlight | HighlightTable):
        return step
    if isinstance(step, Ordering):
        return step.model_copy(update={"options": starting_order(step, rng)})
    if isinstance(step, BowTie):
        wings = {
            w: getattr(step, w).model_copy(
                update={"options": _shuffled(getattr(step, w).options, rng)}
            )
            for w in ("condition", "actions", "parameters")
        }
        return step.model_copy(update=wings)
    for part in ("blanks", "groups"):
        if hasattr(step, part):
            parts = [
                p.model_copy(update={"options": _shuffled(p.options, rng)})
                for p in getattr(step, part)
            ]
            return step.model_copy(update={part: parts})
    if hasattr(step, "tokens"):
        return step.model_copy(update={"tokens": _shuffled(step.tokens, rng)})
    if hasattr(step, "options"):
        return step.model_copy(update={"options": _shuffled(step.options, rng)})
    return step


def _in_key_order(step: Ordering, ids: list[str]) -> bool:
    groups = [g if isinstance(g, list) else [g] for g in step.correct_order]
    rank = {x: i for i, g in enumerate(groups) for x in g}
    return all(rank[a] <= rank[b] for a, b in itertools.pairwise(ids))


def starting_order(step: Ordering, rng: random.Random) -> list[Any]:
    """Ordering options in a seeded order that never already shows the key."""
    options = _shuffled(step.options, rng)
    for _ in range(len(options)):
        if not _in_key_order(step, [o.id for o in options]):
            break
        options = options[1:] + options[:1]
    return options
