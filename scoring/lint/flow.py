"""Rules on what a trainee sees around an item: the chart a quiz does not show, the case clock,
and the patient's state after a branch."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scoring.engine.quiz import quiz_texts
from scoring.format.models import Tab
from scoring.lint.engine import Hit, LintContext, matches, rule
from scoring.lint.text import visible

CLOCK_TOLERANCE = 15  # minutes a stated time may differ from the clock badge (reading time)

_CHART_WORDS = sorted(
    {
        *(t.label for t in Tab),
        *(t.value.replace("_", " ") for t in Tab),
        "MAR", "chart", "client record", "record", "procedure note", "nurse's note", "notes",
        "labs", "lab results",
    },
    key=len,
    reverse=True,
)  # fmt: skip
CHART_REFERENCE = re.compile(
    r"\bsee\b[^.;:!?]{0,40}?\b(" + "|".join(re.escape(w) for w in _CHART_WORDS) + r")\b"
    r"|\b(in|on|from) the (chart|client record|record|MAR)\b",
    re.I,
)
_HHMM = r"([01]?\d|2[0-3]):([0-5]\d)\b"
NOW_TIME = re.compile(  # a time given as 'now': leading, in brackets, "It is …", "At …" opening
    rf"^\s*{_HHMM}|\({_HHMM}\)|\b[Ii]t(?: is|'s|’s)(?: now)? {_HHMM}|(?:^|[.!?]\s+)At {_HHMM}"
)
_COUNTS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "several": 2,
}  # fmt: skip
_UNITS = {"minute": 1, "hour": 60, "day": 1440, "week": 10080}
LATER = re.compile(
    r"\b(\d+|" + "|".join(_COUNTS) + r")\s+(minute|hour|day|week)s?\s+later\b"
    r"|(?:^|[.!?]\s+)(?:the )?(?:next|following) (?:morning|day)\b",  # opening a sentence
    re.I,
)


@rule("quiz-chart-reference")
def quiz_chart_reference(ctx: LintContext) -> Iterator[Hit]:
    """A step drawn into quick quizzes (``quiz: true``) points to the chart ('see Orders',
    '(see Nurses' notes)', 'in the MAR'). A quiz shows the item without the case's chart and
    without its narrative, so everything the question needs must be in the prompt."""
    for n, step in enumerate(ctx.case.steps):
        if not (step.quiz or ctx.standalone):  # every item of an item set is a quiz item
            continue
        for loc, text in quiz_texts(step, standalone=ctx.standalone):
            found = CHART_REFERENCE.search(" ".join(text.split()))
            if found:
                yield Hit(
                    "quiz-chart-reference",
                    ("steps", n, *loc),
                    f"a quiz shows no chart, but this says '{found.group(0)}'",
                    "put the finding the question needs into the prompt, or drop quiz: true",
                    n,
                )


def _clock(ctx: LintContext, minutes: int) -> tuple[int, str]:
    h, m = (int(x) for x in ctx.case.clock.start.split(":"))
    total = (h * 60 + m + minutes) % 1440
    return total, f"{total // 60:02d}:{total % 60:02d}"


def _route(via: str | None) -> str:
    return f" when reached through {via}" if via else " at the start"


@rule("clock-badge")
def clock_badge(ctx: LintContext) -> Iterator[Hit]:
    """A time the title, narrative or prompt gives as now ('It is 22:05', 'At 23:30', a time in
    brackets or at the start) differs by more than 15 minutes from the clock shown beside the
    step on some path; or the text says time has passed ('two days later', 'the next morning')
    while the clock moved less than half of that since the last answer."""
    if ctx.standalone or ctx.case.clock is None:  # standalone items have no clock
        return
    for n, step in enumerate(ctx.case.steps):
        arrivals = ctx.arrivals.get(step.id, [])
        for key in ("title", "narrative", "prompt"):
            yield from _stated_times(ctx, n, key, getattr(step, key) or "", arrivals)
        yield from _time_passed(ctx, n, arrivals)


def _stated_times(ctx: LintContext, n: int, key: str, text: str, arrivals) -> Iterator[Hit]:
    for found in NOW_TIME.finditer(" ".join(text.split())):
        hour, minute = (g for g in found.groups() if g is not None)
        said = int(hour) * 60 + int(minute)
        for a in arrivals:
            shown, badge = _clock(ctx, a.minutes)
            if min(abs(said - shown), 1440 - abs(said - shown)) > CLOCK_TOLERANCE:
                yield Hit(
                    "clock-badge",
                    ("steps", n, key),
                    f"the {key} gives the time as {hour}:{minute}, but the clock beside it shows "
                    f"{badge}{_route(a.via)}",
                    "move the clock with the consequence minutes of the answer before, or give "
                    "the time the clock shows",
                    n,
                )
                break


def _time_passed(ctx: LintContext, n: int, arrivals) -> Iterator[Hit]:
    step = ctx.case.steps[n]
    for key in ("title", "narrative", "prompt"):
        found = LATER.search(" ".join((getattr(step, key) or "").split()))
        if not found:
            continue
        count, unit = found.group(1), found.group(2)
        if count:
            times = int(count) if count.isdigit() else _COUNTS[count.lower()]
            need = times * _UNITS[unit.lower()]
        else:
            need = 8 * 60  # 'the next morning'
        late = next((a for a in arrivals if a.via is not None and a.moved < need / 2), None)
        if late is not None:
            _, badge = _clock(ctx, late.minutes)
            yield Hit(
                "clock-badge",
                ("steps", n, key),
                f"the {key} says '{found.group(0)}', but the clock has moved {late.moved} "
                f"minutes since the last answer (it shows {badge}){_route(late.via)}",
                "move the clock with the consequence minutes of the answer before, or word the "
                "item as looking ahead ('over the next two days, which findings would show…')",
                n,
            )
        return  # one elapsed-time finding per step


@rule("path-state")
def path_state(ctx: LintContext) -> Iterator[Hit]:
    """Best effort: a step reached after the patient deteriorated (a consequence or narrative
    on the way matches the guidance's deterioration wording) whose title, narrative, prompt or
    keyed options still use the guidance's intact-function wording ('walking better', 'no
    weakness'). Usually the step is shared by both branches and needs one per branch."""
    for n, step in enumerate(ctx.case.steps):
        worse = next((a for a in ctx.arrivals.get(step.id, []) if a.worse), None)
        if worse is None:
            continue
        keyed = [o.text for g in ctx.groups if g.step_index == n for o in g.keyed]
        found = matches(ctx.policy.intact_function, " ".join([ctx.step_texts(n), *keyed]))
        if found:
            yield Hit(
                "path-state",
                ("steps", n, "prompt"),
                f"this step is reached after the patient deteriorated{_route(worse.via)}, "
                f"but it still says '{visible(found.group(0))}'",
                "give each branch its own step (goto: and next:), or word it for both states",
                n,
            )
