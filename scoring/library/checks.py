"""Rules that span fields of a case: keyed counts, citations, quotes, branches, reachability."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scoring.engine.items import PLACEHOLDER
from scoring.format.models import (
    NURSING,
    BowTie,
    Case,
    Choice,
    Consequence,
    DragDropCloze,
    DragDropRationale,
    DropdownCloze,
    DropdownTable,
    Exhibit,
    Highlight,
    HighlightTable,
    ItemSet,
    MatrixChoice,
    MatrixResponse,
    MultipleChoice,
    MultipleResponseGrouping,
    Option,
    Ordering,
    Quote,
    RationaleDyad,
    RationaleTriad,
    SelectAll,
    SelectN,
)
from scoring.format.problems import did_you_mean
from scoring.format.tags import DECISION_POINTS_GUIDANCE
from scoring.format.yaml_reader import Loc
from scoring.guidance.passages import GuidanceLibrary

DROPDOWN_OPTIONS = (3, 5)
MATRIX_COLUMNS = (2, 3)
DRAG_TOKENS = (4, 10)  # NGN item writers' limits for drag-and-drop (Elsevier)
WHY_WORDS = 5  # a lint suppression's reason: a sentence, not a word


@dataclass(frozen=True)
class Finding:
    """A rule broken at a data path; ``key`` points at the key rather than its value."""

    loc: Loc
    message: str
    key: bool = False


def _dupes(ids: list[str], loc: Loc, what: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield Finding((*loc, i, "id"), f"duplicate {what} id '{ident}'")
        seen.add(ident)


def _keyed_count(options: list[Option], loc: Loc, need: int | None, what: str) -> Iterator[Finding]:
    keyed = sum(o.keyed for o in options)
    if need is not None and keyed != need:
        yield Finding(
            loc,
            f"{what} needs exactly {need} keyed option{'s' * (need != 1)} "
            f"(keyed: true); it has {keyed}",
        )
    for i, o in enumerate(options):
        if o.keyed and o.must_avoid:
            yield Finding((*loc, i, "must_avoid"), "a keyed option cannot also be must_avoid")


def _options(step, loc: Loc) -> Iterator[Finding]:
    """Item-type constraints; ``loc`` is the step's path."""
    if isinstance(step, MultipleChoice):
        yield from _count(step.options, loc, 2, None, "a multiple-choice item")
        yield from _keyed_count(step.options, (*loc, "options"), 1, "a multiple-choice item")
    elif isinstance(step, SelectAll | Highlight):
        what = "a select-all item" if isinstance(step, SelectAll) else "a highlight item"
        yield from _count(step.options, loc, 2, None, what)
        if not any(o.keyed for o in step.options):
            yield Finding((*loc, "options"), f"{what} needs at least one keyed option")
        yield from _keyed_count(step.options, (*loc, "options"), None, what)
        if isinstance(step, Highlight):
            for i, o in enumerate(step.options):
                if o.text not in step.passage:
                    yield Finding(
                        (*loc, "options", i, "text"),
                        f"phrase '{o.text}' is not found word for word in the passage",
                    )
    elif isinstance(step, HighlightTable):
        yield from _highlight_table(step, loc)
    elif isinstance(step, MultipleResponseGrouping):
        yield from _grouping(step, loc)
    elif isinstance(step, DragDropCloze | DragDropRationale):
        yield from _drag_drop(step, loc)
    elif isinstance(step, SelectN):
        yield from _count(step.options, loc, step.select + 1, None, f"a select-{step.select} item")
        yield from _keyed_count(
            step.options, (*loc, "options"), step.select, f"a select-{step.select} item"
        )
    elif isinstance(step, Ordering):
        yield from _ordering(step, loc)
    elif isinstance(step, MatrixChoice | MatrixResponse):
        yield from _matrix(step, loc)
    elif isinstance(step, DropdownCloze | DropdownTable | RationaleDyad | RationaleTriad):
        yield from _dropdowns(step, loc)
    elif isinstance(step, BowTie):
        for wing, need in (("condition", 1), ("actions", 2), ("parameters", 2)):
            opts = getattr(step, wing).options
            yield from _count(opts, (*loc, wing), need + 1, None, f"the bow-tie {wing}")
            yield from _keyed_count(opts, (*loc, wing, "options"), need, f"the bow-tie {wing}")
            yield from _dupes([o.id for o in opts], (*loc, wing, "options"), "option")


def _highlight_table(step: HighlightTable, loc: Loc) -> Iterator[Finding]:
    what = "a highlight table"
    yield from _count(step.options, loc, 2, None, what)
    if not any(o.keyed for o in step.options):
        yield Finding((*loc, "options"), f"{what} needs at least one keyed phrase")
    yield from _keyed_count(step.options, (*loc, "options"), None, what)
    if len(step.rows) < 2:
        yield Finding((*loc, "rows"), f"{what} needs at least 2 rows")
    yield from _dupes([r.id for r in step.rows], (*loc, "rows"), "row")
    for i, row in enumerate(step.rows):
        if len(row.cells) != len(step.columns):
            yield Finding(
                (*loc, "rows", i, "cells"),
                f"row '{row.id}' has {len(row.cells)} cells but the table has "
                f"{len(step.columns)} columns",
            )
    rows = {r.id: r for r in step.rows}
    for i, o in enumerate(step.options):
        row = rows.get(o.row)
        if row is None:
            yield Finding(
                (*loc, "options", i, "row"),
                f"row '{o.row}' is not a row of this table" + did_you_mean(o.row, list(rows)),
            )
        elif not any(o.text in cell for cell in row.cells):
            yield Finding(
                (*loc, "options", i, "text"),
                f"phrase '{o.text}' is not found word for word in a cell of row '{o.row}'",
            )


def _grouping(step: MultipleResponseGrouping, loc: Loc) -> Iterator[Finding]:
    if len(step.groups) < 2:
        yield Finding((*loc, "groups"), "a grouping item needs at least 2 groups")
    yield from _dupes([g.id for g in step.groups], (*loc, "groups"), "group")
    for i, g in enumerate(step.groups):
        gloc = (*loc, "groups", i)
        what = f"group '{g.id}'"
        yield from _count(g.options, gloc, 2, None, what)
        if not any(o.keyed for o in g.options):
            yield Finding((*gloc, "options"), f"{what} needs at least one keyed option")
        yield from _keyed_count(g.options, (*gloc, "options"), None, what)
        yield from _dupes([o.id for o in g.options], (*gloc, "options"), "option")


def _drag_drop(step: DragDropCloze | DragDropRationale, loc: Loc) -> Iterator[Finding]:
    tokens = [t.id for t in step.tokens]
    targets = [t.id for t in step.targets]
    low, high = DRAG_TOKENS
    if not low <= len(tokens) <= high:
        yield Finding(
            (*loc, "tokens"),
            f"a drag-and-drop item needs {low}–{high} tokens; it has {len(tokens)}",
        )
    elif len(tokens) <= len(targets):
        yield Finding(
            (*loc, "tokens"),
            f"needs more tokens than targets (it has {len(tokens)} tokens for "
            f"{len(targets)} targets): add a token that belongs nowhere",
        )
    if isinstance(step, DragDropRationale) and len(targets) not in (2, 3):
        yield Finding(
            (*loc, "targets"),
            "a drag-and-drop rationale item is a dyad (cause, effect: 2 targets) or a triad "
            f"(cause, effect, effect: 3 targets); it has {len(targets)}",
        )
    if not targets:
        yield Finding((*loc, "targets"), "needs at least one target")
    yield from _dupes(tokens, (*loc, "tokens"), "token")
    yield from _dupes(targets, (*loc, "targets"), "target")
    keyed: dict[str, str] = {}
    for i, t in enumerate(step.targets):
        if t.keyed not in tokens:
            yield Finding(
                (*loc, "targets", i, "keyed"),
                f"token '{t.keyed}' does not exist" + did_you_mean(t.keyed, tokens),
            )
        elif t.keyed in keyed:
            yield Finding(
                (*loc, "targets", i, "keyed"),
                f"token '{t.keyed}' is already keyed to target '{keyed[t.keyed]}'; a token "
                "fills one target only (add a second token with the same text)",
            )
        keyed.setdefault(t.keyed, t.id)
    for i, t in enumerate(step.tokens):
        if t.must_avoid and t.id in keyed:
            yield Finding(
                (*loc, "tokens", i, "must_avoid"),
                f"token '{t.id}' is keyed to target '{keyed[t.id]}', so it cannot be must_avoid",
            )
    yield from _placeholders(step, targets, (*loc, "targets"), "target")


def _placeholders(step, ids: list[str], loc: Loc, what: str) -> Iterator[Finding]:
    """Each blank or target once in the text as {{id}}, and every placeholder one of them."""
    used = PLACEHOLDER.findall(step.text)
    for name in used:
        if name not in ids:
            yield Finding(
                (*loc[:-1], "text"),
                f"placeholder {{{{{name}}}}} has no {what} with that id" + did_you_mean(name, ids),
            )
    for i, ident in enumerate(ids):
        if used.count(ident) != 1:
            yield Finding(
                (*loc, i, "id"),
                f"{what} '{ident}' must appear exactly once in the text as "
                f"{{{{{ident}}}}} (found {used.count(ident)})",
            )


def _count(items: list, loc: Loc, low: int, high: int | None, what: str) -> Iterator[Finding]:
    n = len(items)
    if n < low or (high is not None and n > high):
        span = f"{low}–{high}" if high is not None else f"at least {low}"
        yield Finding(loc, f"{what} needs {span} options; it has {n}")


def _ordering(step: Ordering, loc: Loc) -> Iterator[Finding]:
    ids = [o.id for o in step.options]
    if len(ids) < 2:
        yield Finding((*loc, "options"), "an ordering item needs at least 2 options")
    flat = [x for g in step.correct_order for x in (g if isinstance(g, list) else [g])]
    for i, g in enumerate(step.correct_order):
        for x in g if isinstance(g, list) else [g]:
            if x not in ids:
                yield Finding(
                    (*loc, "correct_order", i),
                    f"correct_order names '{x}', which is not an option" + did_you_mean(x, ids),
                )
    for x in ids:
        if flat.count(x) != 1:
            yield Finding(
                (*loc, "correct_order"),
                f"option '{x}' must appear exactly once in correct_order "
                f"(it appears {flat.count(x)} times)",
            )


def _matrix(step: MatrixChoice | MatrixResponse, loc: Loc) -> Iterator[Finding]:
    cols = [c.id for c in step.columns]
    low, high = MATRIX_COLUMNS
    if not low <= len(cols) <= high:
        yield Finding(
            (*loc, "columns"), f"a matrix item needs {low}–{high} columns; it has {len(cols)}"
        )
    if len(step.rows) < 2:
        yield Finding((*loc, "rows"), "a matrix item needs at least 2 rows")
    yield from _dupes(cols, (*loc, "columns"), "column")
    yield from _dupes([r.id for r in step.rows], (*loc, "rows"), "row")
    single = isinstance(step, MatrixChoice)
    for i, row in enumerate(step.rows):
        rloc = (*loc, "rows", i, "keyed")
        if single and not isinstance(row.keyed, str):
            yield Finding(rloc, "in a matrix_choice item each row is keyed to one column id")
            continue
        if not single and not isinstance(row.keyed, list):
            yield Finding(rloc, "in a matrix_response item keyed is a list of column ids")
            continue
        keyed = [row.keyed] if isinstance(row.keyed, str) else row.keyed
        for c in [*keyed, *row.must_avoid]:
            if c not in cols:
                yield Finding(rloc, f"'{c}' is not a column of this matrix" + did_you_mean(c, cols))
        for c in row.must_avoid:
            if c in keyed:
                yield Finding(
                    (*loc, "rows", i, "must_avoid"),
                    f"column '{c}' is keyed for this row, so it cannot be must_avoid",
                )
    if not single and not any(r.keyed for r in step.rows):
        yield Finding((*loc, "rows"), "a matrix_response item needs at least one keyed cell")


def _dropdowns(step, loc: Loc) -> Iterator[Finding]:
    ids = [b.id for b in step.blanks]
    yield from _dupes(ids, (*loc, "blanks"), "blank")
    need = {RationaleDyad: 2, RationaleTriad: 3}.get(type(step))
    if need and len(ids) != need:
        kind = "dyad (cause, effect)" if need == 2 else "triad (cause, effect, effect)"
        yield Finding(
            (*loc, "blanks"),
            f"a rationale {kind} needs exactly {need} drop-downs; it has {len(ids)}",
        )
    if not ids:
        yield Finding((*loc, "blanks"), "needs at least one drop-down")
    if hasattr(step, "text"):
        yield from _placeholders(step, ids, (*loc, "blanks"), "blank")
    low, high = DROPDOWN_OPTIONS
    for i, b in enumerate(step.blanks):
        bloc = (*loc, "blanks", i)
        if not low <= len(b.options) <= high:
            yield Finding(
                (*bloc, "options"),
                f"a drop-down needs {low}–{high} options; blank '{b.id}' has {len(b.options)}",
            )
        yield from _keyed_count(b.options, (*bloc, "options"), 1, f"drop-down '{b.id}'")
        yield from _dupes([o.id for o in b.options], (*bloc, "options"), "option")


def _citations(cites: list, loc: Loc, docs: list[str], lib: GuidanceLibrary) -> Iterator[Finding]:
    for i, c in enumerate(cites):
        ref = c.passage if isinstance(c, Quote) else c
        cloc = (*loc, i, "passage") if isinstance(c, Quote) else (*loc, i)
        if ref == NURSING:
            if isinstance(c, Quote):
                yield Finding(cloc, "'nursing' has no text to quote; cite it without a quote")
            continue
        found = lib.passage(ref, docs)
        if found is None:
            yield Finding(
                cloc,
                f"unknown passage id '{ref}'"
                + did_you_mean(ref, [*lib.passage_ids(docs), NURSING])
                + " (list them with: casebook guidance)",
            )
            continue
        if not found.passage.citable:
            yield Finding(
                cloc,
                f"passage '{ref}' is a heading or page furniture and cannot be "
                "cited; cite the sentence instead",
            )
        if isinstance(c, Quote):
            mismatch = quote_mismatch(c.quote, found.passage.text)
            if mismatch:
                yield Finding(
                    (*loc, i, "quote"),
                    f"the quote is not word for word in passage '{ref}': {mismatch}",
                )


def quote_mismatch(quote: str, passage: str) -> str | None:
    """Where a quote stops following the passage, in words (None when it is verbatim)."""
    words, text = quote.split(), " ".join(passage.split())
    if " ".join(words) in text:
        return None
    agreed = 0  # the most leading words of the quote that appear together in the passage
    while agreed < len(words) and " ".join(words[: agreed + 1]) in text:
        agreed += 1
    if agreed == 0:
        return f"the passage has no '{words[0]}' where the quote starts (is it the right id?)"
    head = " ".join(words[:agreed])
    after = text[text.index(head) + len(head) :].split()[:4]
    said = " ".join(words[max(0, agreed - 4) : agreed])
    passage_next = f"'{' '.join(after)}'" if after else "the end of the passage"
    return f"after '…{said}' the quote has '{words[agreed]}' where the passage has {passage_next}"


def _all_choices(step, loc: Loc) -> Iterator[tuple[Choice, Loc]]:
    if hasattr(step, "options"):
        for i, o in enumerate(step.options):
            yield o, (*loc, "options", i)
    for i, b in enumerate(getattr(step, "blanks", [])):
        for j, o in enumerate(b.options):
            yield o, (*loc, "blanks", i, "options", j)
    for i, g in enumerate(getattr(step, "groups", [])):
        for j, o in enumerate(g.options):
            yield o, (*loc, "groups", i, "options", j)
    for i, t in enumerate(getattr(step, "tokens", [])):
        yield t, (*loc, "tokens", i)
    if isinstance(step, BowTie):
        for wing in ("condition", "actions", "parameters"):
            for i, o in enumerate(getattr(step, wing).options):
                yield o, (*loc, wing, "options", i)


def _graph(case: Case) -> dict[str, list[str]]:
    """Each step's possible successors (option gotos, branches, next or the following step)."""
    ids = [s.id for s in case.steps]
    graph: dict[str, list[str]] = {}
    for n, step in enumerate(case.steps):
        succ: list[str] = []
        for choice, _ in _all_choices(step, ()):
            if isinstance(choice, Option) and choice.goto:
                succ.append(choice.goto)
        if step.next:
            succ.append(step.next)
        elif not step.end and n + 1 < len(ids):
            succ.append(ids[n + 1])
        graph[step.id] = [s for s in dict.fromkeys(succ) if s in ids]
    return graph


def _flow(case: Case) -> Iterator[Finding]:
    ids = [s.id for s in case.steps]
    for n, step in enumerate(case.steps):
        loc: Loc = ("steps", n)
        if step.next and step.next not in ids:
            yield Finding(
                (*loc, "next"),
                f"next step '{step.next}' does not exist" + did_you_mean(step.next, ids),
            )
        if step.next and step.end:
            yield Finding((*loc, "end"), "a step cannot both end the case and name a next step")
        for choice, cloc in _all_choices(step, loc):
            if isinstance(choice, Option) and choice.goto and choice.goto not in ids:
                yield Finding(
                    (*cloc, "goto"),
                    f"branch target '{choice.goto}' does not exist"
                    + did_you_mean(choice.goto, ids),
                )
            if isinstance(choice, Option) and choice.goto == step.id:
                yield Finding(
                    (*cloc, "goto"), "an option cannot send the trainee back to the same step"
                )
    graph = _graph(case)
    reached, todo = {ids[0]}, [ids[0]]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    for n, sid in enumerate(ids):
        if sid not in reached:
            yield Finding(
                ("steps", n, "id"),
                f"step '{sid}' can never be reached: no step, option or branch leads to it",
            )
    # A cycle means a path that never ends (every step has a successor or ends the case).
    state: dict[str, int] = {}
    for start in ids:
        if state.get(start):
            continue
        stack = [(start, iter(graph[start]))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                yield Finding(
                    ("steps", ids.index(node), "id"),
                    f"the path from step '{node}' loops back to '{nxt}' and never ends",
                )
                state[nxt] = 2
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(graph[nxt])))


def _documents(docs: list[str], lib: GuidanceLibrary) -> list[Finding]:
    return [
        Finding(
            ("guidance", i),
            f"unknown guidance document '{doc}'" + did_you_mean(doc, list(lib.documents)),
        )
        for i, doc in enumerate(docs)
        if doc not in lib.documents
    ]


def _exhibits(exhibits: list[Exhibit], loc: Loc, step_ids: list[str] | None) -> Iterator[Finding]:
    """Exhibit rules; ``step_ids`` None means an item's own exhibits (no ``from_step``)."""
    yield from _dupes([e.id for e in exhibits], loc, "exhibit")
    for i, ex in enumerate(exhibits):
        if ex.from_step and step_ids is None:
            yield Finding(
                (*loc, i, "from_step"),
                "an item's own exhibit is shown with the item: remove from_step",
            )
        elif ex.from_step and ex.from_step not in step_ids:
            yield Finding(
                (*loc, i, "from_step"),
                f"step '{ex.from_step}' does not exist" + did_you_mean(ex.from_step, step_ids),
            )
        if ex.text is None and ex.table is None:
            yield Finding((*loc, i), "an exhibit needs text, a table or both")
        if ex.table:
            for r, row in enumerate(ex.table.rows):
                if len(row) != len(ex.table.columns):
                    yield Finding(
                        (*loc, i, "table", "rows", r),
                        f"row has {len(row)} cells but the table has "
                        f"{len(ex.table.columns)} columns",
                    )


def _step(step, loc: Loc, docs: list[str], lib: GuidanceLibrary, clock: bool) -> Iterator[Finding]:
    """Every rule of one step or item: its type's rules, citations, notes, own exhibits."""
    yield from _options(step, loc)
    if hasattr(step, "options"):
        yield from _dupes([o.id for o in step.options], (*loc, "options"), "option")
    for choice, cloc in _all_choices(step, loc):
        yield from _citations(choice.cite, (*cloc, "cite"), docs, lib)
        cons = getattr(choice, "consequence", None)
        if isinstance(cons, Consequence):
            yield from _citations(cons.cite, (*cloc, "consequence", "cite"), docs, lib)
            if cons.minutes and not clock:
                yield Finding(
                    (*cloc, "consequence", "minutes"),
                    "this moves the clock, but the case has no clock: add clock: {start: 'HH:MM'}",
                )
    if isinstance(step, MatrixChoice | MatrixResponse):
        for r, row in enumerate(step.rows):
            yield from _citations(row.cite, (*loc, "rows", r, "cite"), docs, lib)
    if step.lint is not None and len(step.lint.why.split()) < WHY_WORDS:
        yield Finding(
            (*loc, "lint", "why"),
            f"lint: why needs a reason a reviewer can judge (a sentence of at least "
            f"{WHY_WORDS} words, e.g. 'the absolute is the misconception under test')",
        )
    for i, note in enumerate(step.practice_notes):
        if lib.practice_note(note) is None:
            yield Finding(
                (*loc, "practice_notes", i),
                f"unknown practice note '{note}'" + did_you_mean(note, lib.practice_note_ids()),
            )
    yield from _exhibits(step.exhibits, (*loc, "exhibits"), None)
    yield from _decision_points(step, loc, docs)
    if step.trend and not any(e.table and len(e.table.rows) >= 2 for e in step.exhibits):
        yield Finding(
            (*loc, "trend"),
            "a trend item needs its own exhibit with a table of at least two time points "
            "(exhibits: [{id, tab: vital_signs, title, table: {columns, rows}}])",
        )


def _decision_points(step, loc: Loc, docs: list[str]) -> Iterator[Finding]:
    """Decision points are required by, and only meaningful with, the document they come from."""
    points = [str(p) for p in step.decision_points]
    if DECISION_POINTS_GUIDANCE in docs and not points:
        yield Finding(
            (*loc, "decision_points"),
            "missing required field 'decision_points': the grounding decision points this "
            "step exercises, e.g. decision_points: [DP-13] (docs/authoring.md, 'Tags')",
        )
    elif points and DECISION_POINTS_GUIDANCE not in docs:
        yield Finding(
            (*loc, "decision_points"),
            f"decision points DP-01…DP-19 are those of the '{DECISION_POINTS_GUIDANCE}' "
            "guidance, which this file does not cite: remove decision_points",
            key=True,
        )
    yield from _dupes_plain(points, (*loc, "decision_points"), "decision point")


def _dupes_plain(values: list[str], loc: Loc, what: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield Finding((*loc, i), f"{what} '{value}' is listed twice")
        seen.add(value)


def check_case(case: Case, lib: GuidanceLibrary) -> list[Finding]:
    """Every cross-field rule the case breaks."""
    found = _documents(case.guidance, lib)
    if found:
        return found  # citations cannot be checked against a missing document
    found += _dupes([s.id for s in case.steps], ("steps",), "step")
    found += _exhibits(case.exhibits, ("exhibits",), [s.id for s in case.steps])
    for n, step in enumerate(case.steps):
        found += _step(step, ("steps", n), case.guidance, lib, case.clock is not None)
    found += _flow(case)
    return found


def check_item_set(items: ItemSet, lib: GuidanceLibrary) -> list[Finding]:
    """Every cross-field rule an item set breaks; its items stand alone, so none branches."""
    found = _documents(items.guidance, lib)
    if found:
        return found
    found += _dupes([s.id for s in items.items], ("items",), "item")
    for n, item in enumerate(items.items):
        loc: Loc = ("items", n)
        found += _step(item, loc, items.guidance, lib, clock=False)
        for key in ("next", "end"):
            if getattr(item, key):
                found.append(Finding((*loc, key), f"an item stands alone: remove '{key}'"))
        for choice, cloc in _all_choices(item, loc):
            if isinstance(choice, Option) and choice.goto:
                found.append(
                    Finding((*cloc, "goto"), "an item stands alone and cannot branch: remove goto")
                )
    return found
