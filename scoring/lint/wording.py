"""Rules on how options and stems are worded (NBME item-writing guide, Haladyna's guidelines):
cues that let a test-wise student find the key without the knowledge the item tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from difflib import SequenceMatcher
from itertools import combinations

from scoring.format.models import BowTie, Highlight, MatrixChoice, MatrixResponse
from scoring.lint.engine import Group, Hit, LintContext, rule
from scoring.lint.text import content_stems, normalized, question_part, visible

LONGEST_RATIO = 1.25  # the shortest keyed option is at least 25% longer than any distractor…
LONGEST_MARGIN = 12  # …and at least 12 characters longer
NEAR_DUPLICATE = 0.9  # difflib ratio of two normalized option texts
CUE_SHARE = 0.4  # share of the key's distinctive words found in the text above the item
CUE_LEAD = 0.3  # …ahead of the best distractor's share

ABSOLUTE = re.compile(
    r"\b(always|never|only|alone|all|none|nothing|everyone|everything|ever|completely|"
    r"entirely|absolutely|totally|guaranteed?)\b",
    re.I,
)
NEGATIVE = re.compile(
    r"\b(not|except|least|never|cannot|incorrect|false|untrue|wrong|unsafe|inappropriate|"
    r"contraindicated)\b|n['’]t\b|\bneeds? (correction|further teaching|more teaching)\b|"
    r"\bneed for (further|more) teaching\b",
    re.I,
)
ALL_NONE = re.compile(
    r"\b(all|none|both|neither) of (the )?(above|these|them|the options|the answers)\b|"
    r"\ball (the )?above\b",
    re.I,
)


@rule("longest-keyed")
def longest_keyed(ctx: LintContext) -> Iterator[Hit]:
    """The keyed option is clearly the longest of its group.

    Test-wise students pick the longest option, because a key is often the one an author
    qualified most. Fires when every keyed option is longer than every distractor, the
    shortest key by at least 25% and 12 characters (visible text: whitespace collapsed, outer
    quotes dropped). Highlight phrases are left out: they are cut from a passage.
    """
    for g in ctx.groups:
        if isinstance(g.step, Highlight) or not g.keyed or not g.distractors:
            continue
        short = min(len(visible(o.text)) for o in g.keyed)
        long = max(len(visible(o.text)) for o in g.distractors)
        if short >= LONGEST_RATIO * long and short - long >= LONGEST_MARGIN:
            what = "keyed option is" if len(g.keyed) == 1 else "keyed options are"
            yield Hit(
                "longest-keyed",
                g.option_loc(g.keyed[0], "text"),
                f"the {what} clearly the longest ({short} characters against at most {long} "
                "for a distractor)",
                "cut the key to what it must say, or give the distractors the same detail",
                g.step_index,
            )


def _wording_hits(
    rule_id: str,
    pattern: re.Pattern,
    g: Group,
    options: list,
    message: Callable[[str, re.Match], str],
    fix: str,
) -> Iterator[Hit]:
    """A hit for each option of ``options`` whose text matches ``pattern``."""
    for o in options:
        found = pattern.search(o.text)
        if found:
            text = visible(o.text)
            yield Hit(rule_id, g.option_loc(o, "text"), message(text, found), fix, g.step_index)


@rule("absolute-words")
def absolute_words(ctx: LintContext) -> Iterator[Hit]:
    """A distractor carries an absolute word (always, never, only, alone, all, none, nothing,
    everyone, everything, ever, completely, entirely, absolutely, totally, guarantee) that no
    keyed option of its group carries: students learn that absolutes are rarely true."""
    for g in ctx.groups:
        if g.keyed and not any(ABSOLUTE.search(o.text) for o in g.keyed):
            yield from _wording_hits(
                "absolute-words",
                ABSOLUTE,
                g,
                g.distractors,
                lambda text, found: f"distractor '{text}' says '{found.group(0)}' and no key does",
                "make the distractor wrong for a clinical reason, not by overstating it",
            )


@rule("negative-stem")
def negative_stem(ctx: LintContext) -> Iterator[Hit]:
    """The question is worded negatively (not, except, least, cannot, false, wrong, unsafe,
    'needs correction', 'needs further teaching'): students miss the negative, and the item
    then tests reading, not judgement. Only the sentence that asks (ending in '?', else the
    last one) of an item whose options are picked (multiple choice, select all, select N,
    highlight, bow-tie) is read; matrix, drop-down and ordering prompts introduce, not ask."""
    for n, step in enumerate(ctx.case.steps):
        if step.type == "ordering" or not (hasattr(step, "options") or isinstance(step, BowTie)):
            continue  # matrices, drop-downs, ordering: the prompt introduces, it picks nothing
        asked = question_part(step.prompt)
        found = NEGATIVE.search(asked)
        if found:
            yield Hit(
                "negative-stem",
                ("steps", n, "prompt"),
                f"the question is negative ('{found.group(0)}'): “{asked}”",
                "ask for the right answer (which statement is accurate, which action is best), "
                "or judge each statement in a matrix",
                n,
            )


@rule("all-none-above")
def all_none_above(ctx: LintContext) -> Iterator[Hit]:
    """An option is 'all of the above', 'none of the above' or 'both of these': it can be
    answered by spotting two right (or one wrong) options, and it breaks when options shuffle."""
    for g in ctx.groups:
        yield from _wording_hits(
            "all-none-above",
            ALL_NONE,
            g,
            g.options,
            lambda text, found: f"option '{text}' is an '{found.group(0).lower()}' option",
            "replace it with a plausible option of its own, or make the item select-all",
        )


@rule("select-all-count")
def select_all_count(ctx: LintContext) -> Iterator[Hit]:
    """A select-all (or highlight) item keys every option, which rewards ticking everything,
    or only one, which makes it a multiple-choice item scored with the +/- rule."""
    for n, step in enumerate(ctx.case.steps):
        if step.type not in ("select_all", "highlight"):
            continue
        keyed, total = sum(o.keyed for o in step.options), len(step.options)
        if keyed in (1, total):
            what = "every option" if keyed == total else "only one option"
            yield Hit(
                "select-all-count",
                ("steps", n, "options"),
                f"{what} of {total} is keyed",
                "key at least two options and leave at least one distractor"
                if keyed == total
                else "key more than one option, or make it a multiple-choice item",
                n,
            )


def _texts(ctx: LintContext) -> Iterator[tuple[int, tuple, list[tuple[str, str]]]]:
    """(step, data path of the list, [(id, text)]) for every list of choices a trainee reads."""
    for g in ctx.groups:
        yield g.step_index, g.loc, [(o.id, o.text) for o in g.options]
    for n, step in enumerate(ctx.case.steps):
        if step.type == "ordering":
            yield n, ("steps", n, "options"), [(o.id, o.text) for o in step.options]
        if isinstance(step, MatrixChoice | MatrixResponse):
            yield n, ("steps", n, "rows"), [(r.id, r.text) for r in step.rows]
            yield n, ("steps", n, "columns"), [(c.id, c.text) for c in step.columns]


def _near(a: str, b: str) -> bool:
    """Equal, or a difflib ratio of at least NEAR_DUPLICATE (cheap upper bounds first)."""
    if a == b:
        return True
    m = SequenceMatcher(None, a, b, autojunk=False)
    return (
        m.real_quick_ratio() >= NEAR_DUPLICATE
        and m.quick_ratio() >= NEAR_DUPLICATE
        and m.ratio() >= NEAR_DUPLICATE
    )


@rule("duplicate-options")
def duplicate_options(ctx: LintContext) -> Iterator[Hit]:
    """Two options (or matrix rows, or columns) of one list are the same once case and
    punctuation are ignored, or nearly so (difflib ratio of at least 0.9): one of them is a
    free elimination, or two keys say one thing."""
    for n, loc, items in _texts(ctx):
        for (_, (a_id, a)), (j, (b_id, b)) in combinations(enumerate(items), 2):
            if _near(normalized(a), normalized(b)):
                yield Hit(
                    "duplicate-options",
                    (*loc, j, "text"),
                    f"'{b_id}' says nearly the same as '{a_id}': '{visible(b)}'",
                    "make each option a different idea, or drop one",
                    n,
                )


def _share(option, group: Group, context: set[str]) -> tuple[float, set[str], int]:
    """(share of the option's distinctive words in the context, those words, how many it has)."""
    others = set().union(*(content_stems(o.text) for o in group.options if o is not option))
    own = content_stems(option.text) - others
    shared = own & context
    return (len(shared) / len(own) if own else 0.0), shared, len(own)


@rule("answer-in-stem")
def answer_in_stem(ctx: LintContext) -> Iterator[Hit]:
    """The text just above an item names its key: the step's title, narrative and prompt, the
    drop-down's sentence or row label, and the consequence narrative shown just before the
    step. A key's distinctive words are its content words (4+ letters, not stopwords, crudely
    stemmed) that no other option of its group uses. Fires when at least 40% of them (and at
    least two, unless the key has only one) appear above the item, 30 points ahead of
    the best distractor's share. Groups with more than two keys, and highlight items (whose
    phrases come from the passage by design), are left out."""
    for g in ctx.groups:
        if isinstance(g.step, Highlight) or not g.keyed or len(g.keyed) > 2 or not g.distractors:
            continue
        lead_ins = [t for a in ctx.arrivals.get(g.step.id, []) for t in a.lead_in]
        context = content_stems(" ".join([ctx.step_texts(g.step_index), g.stem, *lead_ins]))
        best = max(_share(o, g, context)[0] for o in g.distractors)
        for key in g.keyed:
            share, shared, own = _share(key, g, context)
            enough = len(shared) >= 2 or (len(shared) == 1 and own == 1)
            if enough and share >= CUE_SHARE and share - best >= CUE_LEAD:
                yield Hit(
                    "answer-in-stem",
                    g.option_loc(key, "text"),
                    f"the text above the item already says '{', '.join(sorted(shared))}', "
                    f"the words that single out the key '{visible(key.text)}'",
                    "let the chart's findings lead to the answer: take the key's words out of "
                    "the title, narrative and prompt (and the 'what happened' just before)",
                    g.step_index,
                )
