"""`casebook lint`: item-writing checks drawn from the NBME item-writing guide and Haladyna's
guidelines, plus the library's must-avoid policy.

``casebook validate`` checks that a case is well formed; these rules check that its items are
well written: no cue that lets a test-wise student find the key without the knowledge, no
contradiction between the clock, the chart and the prompt, and every unsafe option flagged
the same way in every case. Each rule has an id (below), reports ``path:line:col``, one line
of reason and a suggested fix. An author may exempt one step from a rule, with a reason, in the
YAML (``lint: {allow: [rule-id], why: "…"}``).

This module holds only the rule ids and their one-line summaries, so that the case format can
name them without importing the rules; the checks themselves are in ``scoring.lint.engine``
and the modules beside it.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    "longest-keyed": "the keyed option is clearly the longest of its group",
    "absolute-words": "absolute words (always, never, only, all…) in distractors but not in keys",
    "negative-stem": "the question is worded negatively (not, except, least, needs correction)",
    "all-none-above": "an option is 'all of the above' or 'none of the above'",
    "select-all-count": "a select-all item keys every option, or only one",
    "duplicate-options": "two options of a group are the same or nearly the same",
    "answer-in-stem": "the stem or the narrative just above it names the keyed option",
    "quiz-chart-reference": "a quiz-drawn item points to a chart the quiz does not show",
    "clock-badge": "a time in the prompt disagrees with the case clock shown beside it",
    "path-state": "a step reached after a deterioration still assumes the undamaged state",
    "must-avoid-policy": "an option the guidance's must-avoid policy names is not flagged",
    "must-avoid-cap": "a case with must-avoid options does not set must_avoid_cap",
    "unused-allow": "a lint suppression that no longer suppresses anything",
}
RULE_IDS: tuple[str, ...] = tuple(RULES)
