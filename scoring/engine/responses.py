"""Check a trainee's raw answer against an item and put it in one canonical shape.

Shapes (also what ``casebook score`` reads from JSON):
- multiple_choice: an option id (or a one-element list)
- select_all, select_n, highlight, highlight_table: a list of option ids (phrases)
- ordering: the list of every option id, in the trainee's order
- matrix_choice: {row id: column id}; matrix_response: {row id: [column ids]}
- multiple_response_grouping: {group id: [option ids]}
- dropdown_cloze, dropdown_table, rationale_dyad/triad: {blank id: option id}
- drag_drop_cloze, drag_drop_rationale: {target id: token id}; a token fills one target only
- bow_tie: {condition: id, actions: [id, id], parameters: [id, id]}
Unanswered rows, groups, blanks or targets are allowed and score nothing.
"""

from __future__ import annotations

from typing import Any

from scoring.errors import ResponseError

Response = list[str] | dict[str, Any]
FLAT_TYPES = frozenset(
    {"multiple_choice", "select_all", "select_n", "highlight", "highlight_table", "ordering"}
)
BLANK_TYPES = frozenset({"dropdown_cloze", "dropdown_table", "rationale_dyad", "rationale_triad"})
TOKEN_TYPES = frozenset({"drag_drop_cloze", "drag_drop_rationale"})
WING_PICKS = {"condition": 1, "actions": 2, "parameters": 2}


def _ids(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ResponseError(f"{where}: expected a list of option ids")
    return list(dict.fromkeys(value))


def _known(ids: list[str], allowed: list[str], where: str) -> None:
    for x in ids:
        if x not in allowed:
            raise ResponseError(f"{where}: unknown option '{x}' (options: {', '.join(allowed)})")


def _mapping(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ResponseError(f"{where}: expected a mapping of row or blank id to answer")
    return raw


def normalize_response(step: Any, raw: Any) -> Response:
    """Validate ``raw`` for ``step``; raise ResponseError naming the step and the problem."""
    where = f"step '{step.id}'"
    kind = step.type
    if kind in FLAT_TYPES:
        return _flat(step, kind, raw, where)
    if kind == "bow_tie":
        data = _mapping(raw, where)
        out: dict[str, list[str]] = {}
        for wing, cap in WING_PICKS.items():
            ids = _ids(data.get(wing, []), f"{where} {wing}")
            _known(ids, [o.id for o in getattr(step, wing).options], f"{where} {wing}")
            if len(ids) > cap:
                raise ResponseError(f"{where}: choose at most {cap} for {wing}")
            out[wing] = ids
        extra = set(data) - set(WING_PICKS)
        if extra:
            raise ResponseError(f"{where}: unknown part '{sorted(extra)[0]}' of the bow-tie")
        return out
    if kind in ("matrix_choice", "matrix_response"):
        data = _mapping(raw, where)
        rows, cols = [r.id for r in step.rows], [c.id for c in step.columns]
        out = {}
        for row, value in data.items():
            if row not in rows:
                raise ResponseError(f"{where}: unknown row '{row}' (rows: {', '.join(rows)})")
            ids = _ids(value, f"{where} row '{row}'")
            _known(ids, cols, f"{where} row '{row}'")
            if kind == "matrix_choice":
                if len(ids) > 1:
                    raise ResponseError(f"{where}: row '{row}' takes one column")
                out[row] = ids[0] if ids else None
            else:
                out[row] = ids
        return {k: v for k, v in out.items() if v is not None}
    if kind == "multiple_response_grouping":
        data = _mapping(raw, where)
        groups = {g.id: g for g in step.groups}
        out = {}
        for group, value in data.items():
            if group not in groups:
                raise ResponseError(
                    f"{where}: unknown group '{group}' (groups: {', '.join(groups)})"
                )
            ids = _ids(value or [], f"{where} group '{group}'")
            _known(ids, [o.id for o in groups[group].options], f"{where} group '{group}'")
            out[group] = ids
        return out
    if kind in TOKEN_TYPES:
        bank = [t.id for t in step.tokens]
        out = _one_each(
            _mapping(raw, where), {t.id: bank for t in step.targets}, where, "target", "token"
        )
        placed = list(out.values())
        for token in placed:
            if placed.count(token) > 1:
                raise ResponseError(f"{where}: token '{token}' is placed in more than one target")
        return out
    if kind in BLANK_TYPES:
        choices = {b.id: [o.id for o in b.options] for b in step.blanks}
        return _one_each(_mapping(raw, where), choices, where, "blank", "option")
    raise ResponseError(f"{where}: unknown item type '{kind}'")


def _one_each(
    data: dict[str, Any], choices: dict[str, list[str]], where: str, slot: str, unit: str
) -> dict[str, str]:
    """{blank or target id: one option or token id}; unanswered (None) slots left out."""
    out: dict[str, str] = {}
    for sid, value in data.items():
        if sid not in choices:
            raise ResponseError(f"{where}: unknown {slot} '{sid}' ({slot}s: {', '.join(choices)})")
        if value is None:
            continue
        if not isinstance(value, str):
            raise ResponseError(f"{where}: {slot} '{sid}' takes one {unit} id")
        _known([value], choices[sid], f"{where} {slot} '{sid}'")
        out[sid] = value
    return out


def _flat(step: Any, kind: str, raw: Any, where: str) -> list[str]:
    ids = _ids(raw, where)
    allowed = [o.id for o in step.options]
    _known(ids, allowed, where)
    if kind == "multiple_choice" and len(ids) > 1:
        raise ResponseError(f"{where}: a multiple-choice item takes one option")
    if kind == "select_n" and len(ids) > step.select:
        raise ResponseError(f"{where}: choose no more than {step.select} options")
    if kind == "ordering" and sorted(ids) != sorted(allowed):
        raise ResponseError(f"{where}: an ordering answer lists every option exactly once")
    return ids
