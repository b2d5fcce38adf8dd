"""The must-avoid policy, made checkable: the same unsafe choice is flagged in every case.

The unsafe-action wording lives in the guidance file (``lint:`` in e.g.
``guidance/bone-metastasis.yaml``), next to the passages it is about, not in code: a second
guidance document brings its own policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from scoring.format.models import MatrixChoice, MatrixResponse, Option
from scoring.lint.engine import Group, Hit, LintContext, cited_ids, in_scope, matches, rule
from scoring.lint.text import visible

FIX_OPTION = "add must_avoid: true to the option (the case then needs must_avoid_cap)"


def _applies(entry, when_keyed, cites: set[str], keyed_texts: list[str]) -> bool:
    if not entry.scope and not when_keyed:
        return True
    if entry.scope and in_scope(entry.scope, cites):
        return True
    return any(matches(when_keyed, t) for t in keyed_texts)


def _policy_hits(ctx: LintContext, g: Group, option: Option) -> Iterator[str]:
    """Why the policy says this unkeyed option is unsafe (one reason per matching entry)."""
    keyed_cites = set().union(*(cited_ids(k.cite) for k in g.keyed))
    cites = cited_ids(option.cite) | keyed_cites
    keyed_texts = [k.text for k in g.keyed]
    for doc, entry, when_keyed, patterns in ctx.policy.must_avoid:
        if _applies(entry, when_keyed, cites, keyed_texts) and matches(patterns, option.text):
            yield f"{entry.title} (policy '{entry.id}' of {doc})"
    asks_improvement = matches(ctx.policy.improvement, g.step.prompt)
    if asks_improvement and matches(ctx.policy.deterioration, option.text):
        yield "choosing it calls a deterioration an improvement"
    cons = option.consequence
    if cons and matches(ctx.policy.deterioration, cons.narrative):
        yield "its consequence is that the patient deteriorates"


@rule("must-avoid-policy")
def must_avoid_policy(ctx: LintContext) -> Iterator[Hit]:
    """An unkeyed option the must-avoid policy names is not flagged ``must_avoid``.

    The policy (grounding §0.6) is library-wide: an option that delays escalation or treatment
    of suspected cord compression, a fluid restriction or calcium supplement in hypercalcemia,
    a routine or same-day slot where the key is emergency care, and calling a deterioration an
    improvement are must-avoid in every case. Three checks: the guidance's ``must_avoid``
    entries (wording, with the passages or keys they apply to); in an item whose prompt asks
    about improvement, an option worded as a deterioration; and any option whose consequence
    narrative is a deterioration (it harmed the patient). For a matrix the columns are the
    options and each row is checked on its own.
    """
    for g in ctx.groups:
        for option in g.distractors:
            if option.must_avoid:
                continue
            reasons = list(dict.fromkeys(_policy_hits(ctx, g, option)))
            if reasons:
                yield Hit(
                    "must-avoid-policy",
                    g.option_loc(option, "text"),
                    f"'{visible(option.text)}' is must-avoid by the policy: {'; '.join(reasons)}",
                    FIX_OPTION,
                    g.step_index,
                )
    for n, step in enumerate(ctx.case.steps):
        if isinstance(step, MatrixChoice | MatrixResponse):
            yield from _matrix(ctx, n, step)


def _matrix(ctx: LintContext, n: int, step) -> Iterator[Hit]:
    columns = {c.id: c for c in step.columns}
    for r, row in enumerate(step.rows):
        keyed = [row.keyed] if isinstance(row.keyed, str) else list(row.keyed)
        keyed_texts = [columns[c].text for c in keyed if c in columns]
        cites = cited_ids(row.cite)
        worse_row = bool(matches(ctx.policy.deterioration, row.text))
        for col in step.columns:
            if col.id in keyed or col.id in row.must_avoid:
                continue
            reasons = [
                f"{entry.title} (policy '{entry.id}' of {doc})"
                for doc, entry, when_keyed, patterns in ctx.policy.must_avoid
                if _applies(entry, when_keyed, cites, keyed_texts) and matches(patterns, col.text)
            ]
            if worse_row and matches(ctx.policy.improvement, col.text):
                reasons.append("choosing it calls a deterioration an improvement")
            if reasons:
                yield Hit(
                    "must-avoid-policy",
                    ("steps", n, "rows", r, "text"),
                    f"for '{visible(row.text)}', column '{visible(col.text)}' is must-avoid by "
                    f"the policy: {'; '.join(dict.fromkeys(reasons))}",
                    f"add must_avoid: [{col.id}] to this row (the case then needs must_avoid_cap)",
                    n,
                )


@rule("must-avoid-cap")
def must_avoid_cap(ctx: LintContext) -> Iterator[Hit]:
    """A case has must-avoid options but no ``must_avoid_cap``: a trainee who makes an unsafe
    choice could still score highly, unlike in the cases that set it. The library caps at 50.
    An item set has no cap (a quiz draws from many sources): its must-avoid choices are flagged
    in the quiz, and the rule does not apply."""
    if ctx.standalone:
        return
    case = ctx.case
    flagged = any(o.must_avoid for g in ctx.groups for o in g.options) or any(
        row.must_avoid for s in case.steps for row in getattr(s, "rows", [])
    )
    if flagged and case.must_avoid_cap is None:
        yield Hit(
            "must-avoid-cap",
            ("id",),
            "the case has must-avoid options but sets no must_avoid_cap",
            "add must_avoid_cap: 50 under the case's guidance: line, as every library case does",
        )
