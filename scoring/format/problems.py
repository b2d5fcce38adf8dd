"""Turn pydantic validation errors into ``path:line:col: message`` problems an educator reads."""

from __future__ import annotations

import difflib
import functools
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from scoring.errors import MAX_PROBLEMS, Problem, more_problems
from scoring.format.yaml_reader import Document, Loc

_TYPE_WORDS = {
    "string_type": "should be text",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "int_from_float": "should be a whole number",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "list_type": "should be a list (lines starting with '- ')",
    "dict_type": "should be a mapping of keys (key: value lines)",
    "model_type": "should be a mapping of keys (key: value lines)",
    "model_attributes_type": "should be a mapping of keys (key: value lines)",
    "string_too_short": "should not be empty",
}


def _field_vocabulary() -> tuple[str, ...]:
    """Every field name of Casebook's file formats (cases, item sets, guidance documents).

    Read from the pydantic models defined so far, so this module need not import the rooms
    that define them; the set is computed once per number of models (a file with 70,000
    unknown keys must not pay for it 70,000 times).
    """
    models = [m for m in _models(BaseModel) if m.__module__.startswith("scoring.")]
    return _vocabulary(tuple(models))


def _models(base: type[BaseModel]) -> list[type[BaseModel]]:
    found = []
    for sub in base.__subclasses__():
        found += [sub, *_models(sub)]
    return found


@functools.cache
def _vocabulary(models: tuple[type[BaseModel], ...]) -> tuple[str, ...]:
    return tuple(sorted({name for m in models for name in m.model_fields}))


def did_you_mean(word: str, candidates: list[str] | set[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' when a close candidate exists, else ''."""
    ordered = candidates if isinstance(candidates, tuple) else sorted(candidates)
    close = difflib.get_close_matches(str(word)[:200], ordered, n=2, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def data_path(loc: tuple[Any, ...], data: Any) -> Loc:
    """Keep the parts of a pydantic loc that exist in the data (drop union tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict | list):
            # Either a union tag (skipped) or a key that is missing/extra (kept, last).
            if part == loc[-1] and isinstance(part, str) and isinstance(node, dict):
                path.append(part)
            continue
    return tuple(path)


def describe(loc: Loc) -> str:
    """'steps[2].options[0].text' for a data path."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: dict[str, Any], where: str) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    field = err["loc"][-1] if err["loc"] else ""
    if kind == "missing":
        return f"missing required field '{field}'" + (f" in {where}" if where else "")
    if kind == "extra_forbidden":
        return f"unknown key '{field}'" + did_you_mean(str(field), _field_vocabulary())
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        return (
            f"unknown item type '{ctx.get('tag')}'"
            + did_you_mean(str(ctx.get("tag")), tags)
            + f"; use one of: {', '.join(tags)}"
        )
    if kind == "union_tag_not_found":
        return "missing required field 'type' (the item type, e.g. multiple_choice)"
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return (
            f"'{err.get('input')}' is not allowed here"
            + did_you_mean(str(err.get("input")), allowed)
            + f"; use one of: {ctx.get('expected')}"
        )
    if kind == "string_pattern_mismatch":
        if "0-5" in str(ctx.get("pattern", "")):
            return f"'{err.get('input')}' should be a time like 22:00"
        if "PN-" in str(ctx.get("pattern", "")):
            return f"'{err.get('input')}' should be a practice-note id like PN-SCC-01"
        return (
            f"'{err.get('input')}' is not a valid id: use lowercase letters, digits, "
            "'-' and '_' (no spaces)"
        )
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length", ctx.get("max_length"))
        word = "at least" if kind == "too_short" else "at most"
        return f"needs {word} {n} entr{'y' if n == 1 else 'ies'}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"should be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"should be at most {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind in _TYPE_WORDS:
        got = type(err.get("input")).__name__
        got = {
            "dict": "a mapping",
            "list": "a list",
            "NoneType": "empty",
            "str": "text",
            "int": "a number",
            "float": "a number",
            "bool": "true/false",
        }.get(got, got)
        return f"{_TYPE_WORDS[kind]}, not {got}"
    return err.get("msg", "is not valid")


def validation_problems(
    exc: ValidationError, doc: Document, limit: int = MAX_PROBLEMS
) -> list[Problem]:
    """One Problem per distinct place, with the line and column from the source.

    Only the first ``limit`` errors by position get a message (a did-you-mean is costly); the
    rest are counted in one last "and N more" line.
    """
    located = [(_located(err, doc), err) for err in exc.errors(include_url=False)]
    located.sort(key=lambda item: item[0][1])  # by line and column; stable
    problems: dict[tuple[Loc, str], Problem] = {}
    seen_paths: set[Loc] = set()
    for n, ((path, (line, col), where), err) in enumerate(located):
        if len(problems) >= limit:
            left_out = Problem(doc.path, line, col, "")
            return [*sorted(problems.values()), more_problems(left_out, len(located) - n)]
        kind = err["type"]
        # Union members each report a failure at the same place: keep the first only.
        if kind not in ("missing", "extra_forbidden") and path in seen_paths:
            continue
        seen_paths.add(path)
        text = _message(err, where)
        if kind not in ("missing", "extra_forbidden") and where:
            joined = text.split(" ", 1)[0] in ("should", "is", "needs")
            text = f"{where} {text}" if joined else f"{where}: {text}"
        problems[(path, text)] = Problem(doc.path, line, col, text)
    return sorted(problems.values())


def _located(err: dict[str, Any], doc: Document) -> tuple[Loc, tuple[int, int], str]:
    """The data path of an error, its line and column, and the place in words."""
    path = data_path(err["loc"], doc.data)
    kind = err["type"]
    if kind == "missing":
        parent = path[:-1] if path and path[-1] == err["loc"][-1] else path
        return path, doc.position(parent), describe(parent)
    if kind == "extra_forbidden":
        return path, doc.position(path, key=True), describe(path[:-1])
    return path, doc.position(path), describe(path)
