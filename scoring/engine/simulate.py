"""Synthetic trainee answers, for load tests, benchmarks and property tests."""

from __future__ import annotations

import random
from typing import Any

from scoring.format.models import Option


def _pick(options: list[Option], n: int, ability: float, rng: random.Random) -> list[str]:
    """Choose n options, preferring keyed ones with probability ``ability``."""
    keyed = [o.id for o in options if o.keyed]
    other = [o.id for o in options if not o.keyed]
    out: list[str] = []
    for _ in range(n):
        pool = keyed if (keyed and (rng.random() < ability or not other)) else other
        pool = [x for x in pool if x not in out] or [x for x in keyed + other if x not in out]
        if not pool:
            break
        out.append(rng.choice(pool))
    return out


def random_response(step: Any, rng: random.Random, ability: float = 0.7) -> Any:
    """A valid response to ``step``: right more often the higher ``ability`` (0..1) is."""
    kind = step.type
    if kind == "multiple_choice":
        return _pick(step.options, 1, ability, rng)[0]
    if kind == "select_n":
        return _pick(step.options, step.select, ability, rng)
    if kind in ("select_all", "highlight", "highlight_table"):
        n = sum(o.keyed for o in step.options) + rng.choice((-1, 0, 0, 1))
        return _pick(step.options, max(0, min(n, len(step.options))), ability, rng)
    if kind == "ordering":
        key = [x for g in step.correct_order for x in (g if isinstance(g, list) else [g])]
        order = list(key)
        for i in range(len(order) - 1):
            if rng.random() > ability:
                order[i], order[i + 1] = order[i + 1], order[i]
        return order
    if kind in ("matrix_choice", "matrix_response"):
        cols = [c.id for c in step.columns]
        out: dict[str, Any] = {}
        for r in step.rows:
            keyed = [r.keyed] if isinstance(r.keyed, str) else list(r.keyed)
            right = rng.random() < ability
            if kind == "matrix_choice":
                out[r.id] = r.keyed if right else rng.choice(cols)
            else:
                out[r.id] = keyed if right else rng.sample(cols, rng.randint(0, len(cols)))
        return out
    if kind == "bow_tie":
        return {
            w: _pick(getattr(step, w).options, n, ability, rng)
            for w, n in (("condition", 1), ("actions", 2), ("parameters", 2))
        }
    if kind == "multiple_response_grouping":
        out = {}
        for g in step.groups:
            n = sum(o.keyed for o in g.options) + rng.choice((-1, 0, 0, 1))
            out[g.id] = _pick(g.options, max(0, min(n, len(g.options))), ability, rng)
        return out
    if kind in ("drag_drop_cloze", "drag_drop_rationale"):
        free = [t.id for t in step.tokens]
        placed: dict[str, str] = {}
        for target in step.targets:
            choice = target.keyed if rng.random() < ability and target.keyed in free else None
            choice = choice or rng.choice(free)
            placed[target.id] = choice
            free.remove(choice)
        return placed
    return {b.id: _pick(b.options, 1, ability, rng)[0] for b in step.blanks}
