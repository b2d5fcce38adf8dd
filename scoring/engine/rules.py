"""The three NCSBN Next Generation NCLEX scoring rules, as public functions.

Each takes option ids (any iterable); repeated ids in ``chosen`` count once; a score is never
below zero (NCSBN, "NGN: Item Types and Scoring", 2022).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

__all__ = ["plus_minus", "rationale", "zero_one"]


def zero_one(chosen: Iterable[Hashable], keyed: Iterable[Hashable]) -> int:
    """0/1 rule: one point for each keyed response chosen, no penalty for others."""
    return len(set(chosen) & set(keyed))


def plus_minus(chosen: Iterable[Hashable], keyed: Iterable[Hashable]) -> int:
    """+/- rule: keyed chosen minus non-keyed chosen, floored at zero."""
    picked, key = set(chosen), set(keyed)
    return max(0, len(picked & key) - len(picked - key))


def rationale(chosen: Sequence[Hashable], keyed: Sequence[Hashable]) -> int:
    """Rationale rule: cause first; a dyad scores 1 only if both parts are right, a triad 1 per
    correct effect when the cause is right (max 2). Effects are matched in any order."""
    chosen, keyed = list(chosen), list(keyed)
    if len(keyed) not in (2, 3):
        raise ValueError("a rationale item is a dyad (cause, effect) or a triad (cause, 2 effects)")
    if not chosen or chosen[0] != keyed[0]:
        return 0
    return len(set(chosen[1:]) & set(keyed[1:]))
