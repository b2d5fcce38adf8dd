"""Check a trainee's raw answer against an item and put it in one canonical shape.

Shapes (also what ``casebook score`` reads from JSON):
- multiple_choice: an option id (or a one-element list)
- select_all, select_n, highlight: a list of option ids
- ordering: the list of every option id, in the trainee's order
- matrix_choice: {row id: column id}; matrix_response: {row id: [column ids]}
- dropdown_cloze, dropdown_table, rationale_dyad/triad: {blank id: option id}
- bow_tie: {condition: id, actions: [id, id], parameters: [id, id]}
Unanswered rows or blanks are allowed and score nothing.
"""

from __future__ import annotations

from typing import Any

from scoring.errors import ResponseError
from scoring.models import (
    BowTie,
    MatrixChoice,
    MatrixResponse,
    MultipleChoice,
    Ordering,
    SelectN,
)

Response = list[str] | dict[str, Any]
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
    if isinstance(step, BowTie):
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
    if isinstance(step, MatrixChoice | MatrixResponse):
        data = _mapping(raw, where)
        rows, cols = [r.id for r in step.rows], [c.id for c in step.columns]
        out = {}
        for row, value in data.items():
            if row not in rows:
                raise ResponseError(f"{where}: unknown row '{row}' (rows: {', '.join(rows)})")
            ids = _ids(value, f"{where} row '{row}'")
            _known(ids, cols, f"{where} row '{row}'")
            if isinstance(step, MatrixChoice):
                if len(ids) > 1:
                    raise ResponseError(f"{where}: row '{row}' takes one column")
                out[row] = ids[0] if ids else None
            else:
                out[row] = ids
        return {k: v for k, v in out.items() if v is not None}
    if hasattr(step, "blanks"):
        data = _mapping(raw, where)
        blanks = {b.id: b for b in step.blanks}
        out = {}
        for blank, value in data.items():
            if blank not in blanks:
                raise ResponseError(
                    f"{where}: unknown blank '{blank}' (blanks: {', '.join(blanks)})"
                )
            if value is None:
                continue
            if not isinstance(value, str):
                raise ResponseError(f"{where}: blank '{blank}' takes one option id")
            _known([value], [o.id for o in blanks[blank].options], f"{where} blank '{blank}'")
            out[blank] = value
        return out
    ids = _ids(raw, where)
    allowed = [o.id for o in step.options]
    _known(ids, allowed, where)
    if isinstance(step, MultipleChoice) and len(ids) > 1:
        raise ResponseError(f"{where}: a multiple-choice item takes one option")
    if isinstance(step, SelectN) and len(ids) > step.select:
        raise ResponseError(f"{where}: choose no more than {step.select} options")
    if isinstance(step, Ordering) and sorted(ids) != sorted(allowed):
        raise ResponseError(f"{where}: an ordering answer lists every option exactly once")
    return ids
