"""Author text rendered as Markdown: no raw HTML, no script-bearing links, quotes verbatim."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.components.safe_text import BLOCKED, plain_md, quote_md, safe_md, url_is_safe

DESTINATION = re.compile(r"\]\(\s*<?([^)\s>]*)")


@pytest.mark.parametrize(
    "hostile",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) 'title')",
        "[x](<javascript:alert(1)>)",
        "[x](java\tscript:alert(1))",
        "[x](java\\script:alert(1))",
        "[x](javascript\\:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](javascript:alert((1)))",
        "[x](vbscript:msgbox(1))",
        "![img](data:image/svg+xml;base64,PHN2Zz4=)",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](\u200bjavascript:alert(1))",
        "[x]\n(javascript:alert(1))",
    ],
)
def test_unsafe_inline_links_are_neutralized(hostile):
    out = safe_md(hostile)
    for dest in DESTINATION.findall(out):
        assert url_is_safe(dest), out
    if "\t" not in hostile and "]\n(" not in hostile:  # those two are not links at all
        assert BLOCKED in out


@pytest.mark.parametrize(
    "hostile",
    [
        "[x][1]\n\n[1]: javascript:alert(1)",
        "[x][ref]\n\n   [ref]:\n  <javascript:alert(1)> 'title'",
        "> [x][q]\n>\n> [q]: vbscript:msgbox(1)",
        "[x]\n\n[x]: data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_unsafe_reference_definitions_are_neutralized(hostile):
    out = safe_md(hostile).lower()
    assert "javascript:" not in out and "vbscript:" not in out and "data:" not in out
    assert BLOCKED in out


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<a href='javascript:alert(1)'>x</a>",
        "<!-- comment -->",
    ],
)
def test_raw_html_is_shown_as_text(html):
    out = safe_md(html)
    assert "<" not in out
    assert "&lt;" in out


def test_autolinks_keep_safe_schemes_and_drop_others():
    assert safe_md("<https://example.org/a>") == "[https://example.org/a](https://example.org/a)"
    assert safe_md("<mailto:nurse@example.org>").startswith("[mailto:nurse@example.org](")
    out = safe_md("<javascript:alert(1)>")
    assert "](" not in out and "<" not in out


def test_ordinary_text_and_safe_links_survive():
    text = (
        "Give **1 L** of fluid; see [the page](https://example.org/x?a=1&b=2) or [Orders](#orders)."
    )
    out = safe_md(text)
    assert "**1 L**" in out
    assert "[the page](https://example.org/x?a=1&amp;b=2)" in out
    assert "[Orders](#orders)" in out
    assert safe_md("Numbers: 3 > 2, costs $5 ~ $6") == "Numbers: 3 > 2, costs \\$5 \\~ \\$6"
    assert safe_md(None) == ""


def test_url_allow_list():
    assert url_is_safe("https://example.org")
    assert url_is_safe("#anchor") and url_is_safe("relative/page")
    for bad in ("javascript:x", " JAVASCRIPT:x", "jav&#x09;ascript:x", "tel:123", "file:///etc"):
        assert not url_is_safe(bad), bad


@given(st.text(alphabet=st.sampled_from(list("[]()<>:!\\ \n&#;jJavscriptdt1x")), max_size=60))
def test_no_output_has_a_tag_or_an_unsafe_destination(text):
    out = safe_md(text)
    assert "<" not in out
    for dest in DESTINATION.findall(out):
        assert url_is_safe(dest), (text, out)


def test_plain_md_escapes_markdown_and_keeps_line_breaks():
    out = plain_md("*not bold* [x](javascript:y) <b>\n  • Constipation")
    assert out == ("\\*not bold\\* \\[x\\]\\(javascript\\:y\\) \\<b\\>  \n• Constipation")


def test_quote_md_bolds_the_cited_words_verbatim():
    out = quote_md("Back pain (with pain that may go down one or both legs)", "pain that may go")
    assert out == "> Back pain \\(with **pain that may go** down one or both legs\\)"
    assert quote_md("a\nb") == "> a  \n> b"
