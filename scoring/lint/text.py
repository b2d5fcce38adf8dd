"""Small text helpers the item-writing rules share: visible length, words, crude stems."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_QUOTES = "\"'“”‘’"
_SUFFIXES = ("ings", "ing", "ies", "ied", "ed", "es", "s", "ly")
PLACEHOLDER = re.compile(r"\{\{\s*[a-z0-9][a-z0-9_-]*\s*\}\}")

# Function words and the words every nursing item uses: they never make an option distinctive.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours
    patient client nurse nurses she's he's it's that's there's don't can't won't isn't
    order orders ordered prescribed provider doctor team
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def visible(text: str) -> str:
    """The text as a trainee sees it for length: whitespace collapsed, outer quotes dropped."""
    return " ".join(text.split()).strip(_QUOTES + " ")


def words(text: str) -> list[str]:
    """Lower-case words of a text (curly apostrophes kept inside words)."""
    return _WORD.findall(text.lower().replace("’", "'"))


def stem(word: str) -> str:
    """A crude stem, enough to match 'damaged' with 'damage' and 'walking' with 'walks'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning: 4+ letters, not a stopword."""
    found = words(PLACEHOLDER.sub(" ", text))
    return {stem(w) for w in found if len(w) >= 4 and w not in STOPWORDS}


def normalized(text: str) -> str:
    """Lower case, punctuation and outer quotes dropped: for near-duplicate comparison."""
    return " ".join(words(text))


def question_part(prompt: str) -> str:
    """The sentence(s) that ask the question: those ending in '?', else the last sentence."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", " ".join(prompt.split())) if s]
    asked = [s for s in sentences if s.rstrip(_QUOTES).endswith("?")]
    return " ".join(asked) if asked else (sentences[-1] if sentences else "")
