"""Control characters in what people type: names, titles, case texts.

A control character has no business in a name or a title, shows as nothing (or reorders the
text around it, as the bidi controls do) and has been used to hide a spreadsheet formula from
an export's check. Input is refused with a message naming the character; exports remove any
that older data still holds (``classroom.analytics.exports``).
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls and DEL, and the bidi embedding, override and isolate controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LAYOUT = "\t\n\r"  # allowed in multi-line case texts
# A cell starting with one of these runs as a formula in a spreadsheet: OWASP's list (=, +, -,
# @, tab, carriage return, and since 2025 line feed), and the full-width and small forms some
# spreadsheet programs read as the same signs. Exports neutralise them
# (``classroom.analytics.exports``); a roster refuses them (``classroom.courses.roster_file``).
FORMULA_TRIGGERS = (
    *("=", "+", "-", "@", "\t", "\r", "\n"),
    *("\uff1d", "\uff0b", "\uff0d", "\uff20"),  # ＝ ＋ － ＠
    *("\ufe66", "\ufe62", "\ufe63", "\u2212"),  # ﹦ ﹢ ﹣ − (minus sign)
)


class TextError(ValueError):
    """Typed text that cannot be used; the message says why, in plain words."""


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """'U+0001' for the first control character in ``text`` (tab and line breaks allowed when
    ``multiline``), else None."""
    for match in _CONTROL.finditer(text):
        if not (multiline and match.group() in _LAYOUT):
            return f"U+{ord(match.group()):04X}"
    return None


def clean_line(text: str, what: str, max_length: int) -> str:
    """One line of typed text (a display name, a title): NFC, single spaces, 1–max characters.

    Raises TextError naming ``what`` for a control character or a wrong length.
    """
    found = control_character(str(text))
    if found:
        raise TextError(
            f"{what} contains an invisible control character ({found}); retype it without one"
        )
    line = " ".join(unicodedata.normalize("NFC", str(text)).split())
    if not 1 <= len(line) <= max_length:
        raise TextError(f"{what} needs 1–{max_length} characters")
    return line
