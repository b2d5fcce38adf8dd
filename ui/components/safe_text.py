"""Make author text safe to render as Markdown: no raw HTML, no script-bearing links.

Every piece of case text goes through ``safe_md`` before ``st.markdown`` (or a widget label,
or an ``st.table`` cell, which Streamlit also renders as Markdown). Links are checked against
an allow-list of schemes rather than a deny-list, because browsers accept many spellings of
``javascript:`` (mixed case, embedded tabs, HTML entities, backslash escapes).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

SAFE_SCHEMES = ("http", "https", "mailto")
BLOCKED = "#blocked-link"

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]*:[^<>\s]*)>")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060\ufeff]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def url_is_safe(url: str) -> bool:
    """True when a link destination has no scheme, or an allowed one."""
    # Backslashes go entirely (not just escapes): a scheme spelled with one is never wanted.
    plain = html.unescape(url).replace("\\", "")
    plain = _INVISIBLE.sub("", plain).lower().lstrip("<")
    match = _SCHEME.match(plain)
    return match is None or match.group(1) in SAFE_SCHEMES


def _destination_end(text: str, start: int) -> int:
    """Index just past a CommonMark link destination starting at ``start``."""
    if start < len(text) and text[start] == "<":
        end = text.find(">", start)
        return len(text) if end == -1 else end + 1
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            i += 2
            continue
        if ch.isspace() or ord(ch) < 0x20:
            break
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return i


def _neutralize_destinations(text: str) -> str:
    """Replace unsafe destinations after ``](`` (inline links) and ``]:`` (definitions)."""
    out, i = [], 0
    for match in re.finditer(r"\]\(|\]:", text):
        if match.start() < i:
            continue
        j = match.end()
        while j < len(text) and text[j] in " \t\r\n":
            j += 1
        end = _destination_end(text, j)
        out.append(text[i:j])
        dest = text[j:end]
        out.append(dest if url_is_safe(dest) else BLOCKED)
        i = end
    out.append(text[i:])
    return "".join(out)


def _autolink(match: re.Match[str]) -> str:
    url = match.group(1)
    if url_is_safe(url):
        return f"[{url}]({url})"
    return url.replace(":", "\\:")


def safe_md(text: str | None) -> str:
    """Author Markdown with raw HTML shown as text and unsafe link targets replaced."""
    if not text:
        return ""
    # Decode entities first so that encoded tags and schemes are seen, then show '&' and '<'
    # literally: the output carries no entity an author wrote.
    text = html.unescape(str(text))
    text = _AUTOLINK.sub(_autolink, text)
    text = _neutralize_destinations(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    # '$' starts LaTeX and '~' strikethrough in Streamlit Markdown; nursing text means neither.
    return text.replace("$", "\\$").replace("~", "\\~")


def directive_text(text: str | None) -> str:
    """``safe_md`` text that can sit inside a Streamlit directive such as ``:red-badge[…]``."""
    return safe_md(text).replace("[", "\\[").replace("]", "\\]")


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _lines(escaped: str) -> str:
    # Leading spaces would make Markdown code blocks; hard breaks keep the author's lines.
    return "  \n".join(line.lstrip() for line in escaped.splitlines())


def plain_md(text: str | None) -> str:
    """Text shown exactly as written (a verbatim quote): every Markdown character escaped."""
    if not text:
        return ""
    return _lines(_escape(str(text)))


def quote_md(text: str, highlight: str | Sequence[str] | None = None) -> str:
    """A verbatim passage as a Markdown block quote, with the cited words in bold.

    ``highlight`` is one quote or several (each bolded where it first appears; overlapping
    quotes are merged).
    """
    quotes = [highlight] if isinstance(highlight, str) else list(highlight or [])
    spans: list[tuple[int, int]] = []
    for q in (q.strip() for q in quotes if q):
        at = text.find(q)
        if q and at >= 0:
            spans.append((at, at + len(q)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, pos = [], 0
    for start, end in merged:
        parts += [_escape(text[pos:start]), "**", _escape(text[start:end]), "**"]
        pos = end
    body = "".join([*parts, _escape(text[pos:])])
    return "\n".join("> " + line for line in _lines(body).split("\n"))


def table_cell(text: object) -> str:
    """Author text as one Markdown table cell: safe, on one line, pipes escaped."""
    flat = "" if text is None else " ".join(str(text).split())
    return safe_md(flat).replace("|", "\\|") or " "
