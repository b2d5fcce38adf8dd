"""Turn a plain-text guidance document into a passage file (``casebook guidance import``).

The rules, in order (docs/authoring.md, "Importing a guidance document", says the same):

1. **Text.** UTF-8; a byte-order mark is dropped and line endings become ``\\n``. That text is
   saved beside the passage file (``<id>.source.txt``) and every passage is an exact slice of
   it, so the passages rebuild it (``rebuild``; the importer refuses to write otherwise).
2. **Blocks** are runs of non-blank lines; a blank line ends a paragraph.
3. **Furniture.** A line that ends no sentence (its last character is not ``. ! ? …``, a
   closing quote or bracket after one aside) is a heading or page furniture when its block
   has no sentence-ending line: a passage of its own, ``citable: false``. The last such line
   before a passage is its ``section``.
4. **Lists.** Lines starting with a bullet (``• - * – ·``) or a number (``1.``, ``2)``) make
   a list block. A list joins the passage before it when that passage ends with ``:`` (the
   sentence that introduces it); otherwise the list is one passage.
5. **Sentences** are found by sentencex (Wikimedia's rule-based segmenter; abbreviations such
   as "Dr." or "e.g." and decimals do not end a sentence). A passage is one sentence, except
   that a sentence opening with a word that points back (This, These, That, Those, It, They,
   Such) joins the passage before it in the same paragraph, up to ``max_sentences``: quoted
   alone it would not say what it is about.
6. **Ids** come from the passage's own first words: lowercase ASCII, stop-words dropped, the
   first five words joined by ``-`` (at most 48 characters); a repeat gets ``-2``, ``-3`` in
   document order. An id depends on its passage's text, never on its position, so editing one
   paragraph leaves every other id alone; re-importing over an earlier file (``previous``)
   also keeps the id, section and ``citable`` flag of every passage whose text is unchanged,
   and the practice notes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import sentencex

from scoring.guidance.passages import Guidance

BULLET = re.compile(r"^\s*(?:[•\-*–·]|\d{1,3}[.)])\s+")
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$|:$")
POINTS_BACK = frozenset({"this", "these", "that", "those", "it", "they", "such"})
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "of",
        "on",
        "or",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "when",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
    ]
)
ID_WORDS, ID_LENGTH = 5, 48
DEFAULT_SECTION = "Text"


class ImportProblem(ValueError):
    """The text cannot be made into passages (empty, not text, or does not round-trip)."""


@dataclass(frozen=True)
class Span:
    """A passage as found: where it is in the text, and whether it may be cited."""

    start: int
    end: int
    citable: bool
    section: str


def normalize(raw: bytes) -> str:
    """The text as the importer reads and saves it: UTF-8, no BOM, ``\\n`` line endings."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            f"not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8 plain text"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ImportProblem("not plain text (it holds NUL bytes): export it as .txt")
    if not text.strip():
        raise ImportProblem("the file has no text")
    return text


def _blocks(text: str) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """(start, [(line start, line end)]) per block of non-blank lines, ends without spaces."""
    lines, at = [], 0
    for line in text.split("\n"):
        start, end = at, at + len(line)
        at = end + 1
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            lines.append((start + lead, start + lead + len(stripped)))
        elif lines:
            yield lines[0][0], lines
            lines = []
    if lines:
        yield lines[0][0], lines


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans of text[start:end], without surrounding whitespace."""
    chunk, pos = text[start:end], 0
    for sentence in sentencex.segment("en", chunk):
        s = sentence.strip()
        if not s:
            continue
        at = chunk.find(s, pos)
        if at < 0:  # the segmenter changed the text: keep the rest as one sentence
            rest = chunk[pos:].strip()
            if rest:
                yield start + chunk.index(rest, pos), end
            return
        yield start + at, start + at + len(s)
        pos = at + len(s)


def _first_word(text: str) -> str:
    match = re.match(r"\W*(\w+)", text)
    return match.group(1).lower() if match else ""


def find_spans(text: str, max_sentences: int = 3) -> list[Span]:
    """Passage spans of a normalized text, by the rules in the module docstring."""
    spans: list[Span] = []
    section = DEFAULT_SECTION
    for _, lines in _blocks(text):
        if all(BULLET.match(text[a:b]) for a, b in lines):
            prev = spans[-1] if spans else None
            if prev and prev.citable and text[prev.start : prev.end].endswith(":"):
                spans[-1] = Span(prev.start, lines[-1][1], True, prev.section)
            else:
                spans.append(Span(lines[0][0], lines[-1][1], True, section))
            continue
        if not any(SENTENCE_END.search(text[a:b]) for a, b in lines):
            for a, b in lines:
                section = text[a:b]
                spans.append(Span(a, b, False, section))
            continue
        count = 0
        for a, b in _sentences(text, lines[0][0], lines[-1][1]):
            joins = count and count < max_sentences and _first_word(text[a:b]) in POINTS_BACK
            if joins:
                prev = spans[-1]
                spans[-1] = Span(prev.start, b, True, prev.section)
                count += 1
            else:
                spans.append(Span(a, b, True, section))
                count = 1
    return spans


def slug(text: str) -> str:
    """An id from a passage's first words (rule 6); 'passage' when it has no words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower()) if w not in STOP_WORDS]
    out = ""
    for word in words[:ID_WORDS]:
        if len(out) + len(word) + 1 > ID_LENGTH:
            break
        out = f"{out}-{word}" if out else word
    return out or "passage"


def rebuild(text: str, passages: list[str]) -> str:
    """The text rebuilt from its passages and the whitespace between them; raise if any
    passage is not the next verbatim slice (so nothing was dropped, changed or repeated)."""
    out, at = [], 0
    for i, passage in enumerate(passages):
        found = text.find(passage, at)
        if found < 0 or text[at:found].strip():
            raise ImportProblem(f"passage {i + 1} does not follow the text verbatim")
        out += [text[at:found], passage]
        at = found + len(passage)
    if text[at:].strip():
        raise ImportProblem("text after the last passage is missing")
    return "".join([*out, text[at:]])


@dataclass(frozen=True)
class Imported:
    """The passage file's text, and counts for the summary line."""

    yaml: str
    passages: int
    citable: int
    kept_ids: int


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's; non-ASCII kept as is)."""
    return json.dumps(value, ensure_ascii=False)


def import_text(
    text: str,
    *,
    doc_id: str,
    title: str,
    publisher: str,
    reviewed: str,
    revised: str | None = None,
    url: str | None = None,
    source_file: str | None = None,
    previous: Guidance | None = None,
    max_sentences: int = 3,
) -> Imported:
    """The passage file (YAML text) for a normalized guidance text."""
    spans = find_spans(text, max_sentences)
    old = {" ".join(p.text.split()): p for p in previous.passages} if previous else {}
    ids: set[str] = set()
    rows, kept = [], 0
    for span in spans:
        body = text[span.start : span.end]
        before = old.get(" ".join(body.split()))
        if before is not None and before.id not in ids:
            ident, citable, section = before.id, before.citable, before.section
            kept += 1
        else:
            base, n = slug(body), 1
            ident = base
            while ident in ids:
                n += 1
                ident = f"{base}-{n}"
            citable, section = span.citable, span.section
        ids.add(ident)
        rows.append((ident, section, citable, body))
    rebuild(text, [r[3] for r in rows])
    lines = [
        "# Guidance document made by `casebook guidance import`: passages are exact slices of",
        f"# {source_file or 'the source text'}, in order. Review headings (citable: false) and",
        "# ids before cases cite them; re-import with --update to keep ids of unchanged text.",
        f"id: {doc_id}",
        f"title: {_q(title)}",
        f"publisher: {_q(publisher)}",
    ]
    url = url or (previous.url if previous else None)
    if url:
        lines.append(f"url: {_q(url)}")
    lines += [
        f"last_medical_review: {_q(reviewed)}",
        f"last_revised: {_q(revised or reviewed)}",
    ]
    if source_file:
        lines.append(f"source_file: {_q(source_file)}")
    lines.append("passages:")
    for ident, section, citable, body in rows:
        lines += [f"  - id: {ident}", f"    section: {_q(section)}"]
        if not citable:
            lines.append("    citable: false")
        lines.append(f"    text: {_q(body)}")
    notes = previous.practice_notes if previous else []
    if notes:
        lines.append("practice_notes:")
        for note in notes:
            data = note.model_dump()
            lines.append(f"  - id: {data.pop('id')}")
            for key, value in data.items():
                shown = "[" + ", ".join(value) + "]" if isinstance(value, list) else _q(value)
                lines.append(f"    {key}: {shown}")
    else:
        lines.append("practice_notes: []")
    return Imported("\n".join(lines) + "\n", len(rows), sum(r[2] for r in rows), kept)
