"""Read YAML safely into plain data, remembering where every value came from.

The reader walks libyaml's event stream itself instead of using PyYAML's constructor, so it
can (a) record the line and column of every key and value, (b) refuse hostile input early
(aliases, tags, deep nesting, oversized or binary files) without recursion, and (c) type
scalars explicitly: only ``true``/``false``, ``null``/``~``, integers and decimals are typed;
everything else (``12:30``, ``yes``, ``no``, ``2014-02-07``) stays text, as an author wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import Problem
from scoring.format.text import control_character

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
# The largest shipped case holds 771 values; a file with 25 times that is not a case, and
# refusing it early keeps any 1 MiB file's check well under a second.
MAX_VALUES = 20_000
Loc = tuple[str | int, ...]

try:  # libyaml: an order of magnitude faster than PyYAML's pure-Python parser
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml.loader import SafeLoader as _Parser  # type: ignore[assignment]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass
class Document:
    """Plain data read from one YAML file plus the source position of each value."""

    path: str
    data: Any
    text: str
    value_pos: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_pos: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at loc, or of its nearest ancestor."""
        loc = tuple(loc)
        while True:
            if key and loc in self.key_pos:
                return self.key_pos[loc]
            if loc in self.value_pos:
                return self.value_pos[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]


class YamlError(Exception):
    """A file that cannot be read as YAML at all; carries one Problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _fail(path: str, line: int, col: int, message: str) -> None:
    raise YamlError(Problem(path, line, col, message))


def decode_yaml_bytes(raw: bytes, path: str) -> str:
    """Check size, binary content and encoding of a file's bytes and return its text."""
    if len(raw) > MAX_BYTES:
        _fail(path, 1, 1, f"file is {len(raw) / 1048576:.1f} MiB; case files must be under 1 MiB")
    if b"\x00" in raw[:8192] or b"\x00" in raw:
        _fail(path, 1, 1, "this looks like a binary file, not YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        _fail(path, line, col, "the file is not UTF-8 text (save it as UTF-8 in your editor)")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        _fail(path, 1, 1, "the file is empty")
    return text


def _scalar(event: yaml.ScalarEvent) -> Any:
    if event.style:  # quoted or block scalar: always text
        return event.value
    value = event.value
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def read_yaml_text(text: str, path: str) -> Document:
    """Parse YAML text into a Document; raise YamlError with a position on any refusal."""
    doc = Document(path=path, data=None, text=text)
    parser = _Parser(text)
    # Each frame: [container, loc, pending_key or _NO_KEY, key_mark]
    stack: list[list[Any]] = []
    root_set = False
    documents = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    _fail(
                        path,
                        *_pos(event.start_mark),
                        "a case file holds one document; remove the second '---'",
                    )
                continue
            if isinstance(event, yaml.AliasEvent):
                _fail(
                    path,
                    *_pos(event.start_mark),
                    f"anchors and aliases (*{event.anchor}) are not allowed in case files; "
                    "write the text out in full",
                )
            if isinstance(event, yaml.NodeEvent) and getattr(event, "anchor", None):
                _fail(
                    path,
                    *_pos(event.start_mark),
                    f"anchors (&{event.anchor}) are not allowed in case files",
                )
            tag = getattr(event, "tag", None)
            if tag not in (None, "!") and isinstance(event, yaml.NodeEvent):
                _fail(
                    path,
                    *_pos(event.start_mark),
                    f"YAML tags such as '{tag.replace('tag:yaml.org,2002:', '!!')}' are not "
                    "allowed in case files",
                )
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                stack.pop()
                continue
            # A value (scalar or the start of a collection) at the current position.
            if isinstance(event, yaml.ScalarEvent):
                hidden = control_character(event.value, multiline=True)
                if hidden:  # only an escape such as "\x01" can put one here
                    _fail(
                        path,
                        *_pos(event.start_mark),
                        f"this text contains a control character ({hidden}), written as an "
                        "escape; remove it",
                    )
                value: Any = _scalar(event)
            elif isinstance(event, yaml.MappingStartEvent):
                value = {}
            elif isinstance(event, yaml.SequenceStartEvent):
                value = []
            else:  # pragma: no cover - no other node events exist
                continue
            if not stack:
                if root_set:  # pragma: no cover - guarded by the document count
                    continue
                doc.data, root_set, loc = value, True, ()
            else:
                frame = stack[-1]
                container, parent_loc = frame[0], frame[1]
                if isinstance(container, list):
                    loc = (*parent_loc, len(container))
                    container.append(value)
                elif frame[2] is _NO_KEY:  # this value is a key
                    if not isinstance(event, yaml.ScalarEvent):
                        _fail(
                            path,
                            *_pos(event.start_mark),
                            "a key must be plain text, not a list or mapping",
                        )
                    key = event.value
                    if key == "<<":
                        _fail(path, *_pos(event.start_mark), "merge keys ('<<') are not allowed")
                    if key in container:
                        first = doc.key_pos.get((*parent_loc, key), (0, 0))[0]
                        _fail(
                            path,
                            *_pos(event.start_mark),
                            f"duplicate key '{key}' (first given on line {first})",
                        )
                    frame[2], frame[3] = key, _pos(event.start_mark)
                    continue
                else:
                    key = frame[2]
                    loc = (*parent_loc, key)
                    container[key] = value
                    doc.key_pos[loc] = frame[3]
                    frame[2] = _NO_KEY
            doc.value_pos[loc] = _pos(event.start_mark)
            if len(doc.value_pos) > MAX_VALUES:
                _fail(
                    path,
                    *_pos(event.start_mark),
                    f"the file holds more than {MAX_VALUES:,} values; a case needs far fewer",
                )
            if isinstance(value, dict | list):
                if len(stack) >= MAX_DEPTH:
                    _fail(
                        path,
                        *_pos(event.start_mark),
                        f"the file is nested more than {MAX_DEPTH} levels deep",
                    )
                stack.append([value, loc, _NO_KEY, None])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        problem = str(exc.problem or exc.context)
        if "nesting depth" in problem:
            _fail(path, line, col, f"the file is nested more than {MAX_DEPTH} levels deep")
        _fail(path, line, col, f"YAML syntax error: {problem}{_hint(problem)}")
    except yaml.reader.ReaderError as exc:  # control characters YAML does not allow
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        _fail(
            path,
            line,
            col,
            f"the file contains a control character (#x{exc.character:04x})"
            " that YAML does not allow; delete it or retype the line",
        )
    except yaml.YAMLError as exc:
        _fail(path, 1, 1, f"YAML error: {' '.join(str(exc).split())}")
    finally:
        parser.dispose()
    if not root_set or doc.data is None:
        _fail(path, 1, 1, "the file is empty")
    if not isinstance(doc.data, dict):
        _fail(
            path,
            1,
            1,
            "a case file must be a mapping of keys (id:, title:, steps: ...), "
            f"not a {'list' if isinstance(doc.data, list) else 'single value'}",
        )
    return doc


def _hint(problem: str) -> str:
    """A plain-words hint for the syntax errors authors meet most."""
    if "expected key" in problem or "block end" in problem or "not allowed here" in problem:
        return " (check this line's indentation, and put text containing ': ' in quotes)"
    if "mapping values are not allowed" in problem:
        return (
            " (text that contains ': ' must be in quotes, e.g. prompt: \"Ask: why now?\";"
            " see 'YAML traps' in docs/authoring.md)"
        )
    if "found character" in problem and "\\t" in problem:
        return " (use spaces, not tabs, to indent)"
    return ""


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()


def read_yaml_bytes(raw: bytes, path: str) -> Document:
    """Decode and parse a file's bytes."""
    return read_yaml_text(decode_yaml_bytes(raw, path), path)


def read_yaml_file(path: str | Path) -> Document:
    """Read and parse a YAML file, refusing oversized files before reading them whole."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            _fail(
                str(path), 1, 1, f"file is {size / 1048576:.1f} MiB; case files must be under 1 MiB"
            )
        raw = p.read_bytes()
    except OSError as exc:
        _fail(str(path), 1, 1, f"cannot read the file: {exc.strerror or exc}")
    return read_yaml_bytes(raw, str(path))
