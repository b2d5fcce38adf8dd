"""Small domain errors that carry where a problem is and what it is, in an educator's words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a line and column."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


MAX_PROBLEMS = 200  # per file: enough to fix in one sitting, cheap to compute for any file


def more_problems(first_left_out: Problem, more: int) -> Problem:
    """The line that stands for ``more`` problems left out, at the first of them.

    Its text starts with '…', which sorts after the messages at the same place.
    """
    note = f"… and {more:,} more problem{'s' * (more != 1)} (fix the ones above first)"
    return Problem(first_left_out.path, first_left_out.line, first_left_out.col, note)


def first_problems(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems by position, then one line saying how many more there are."""
    ordered = sorted(problems)
    if len(ordered) <= limit:
        return ordered
    return [*ordered[:limit], more_problems(ordered[limit], len(ordered) - limit)]


class CaseError(Exception):
    """A case file (or text) has problems; all of them are in ``problems``, at most
    ``MAX_PROBLEMS`` per file plus a line saying how many more there are."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ResponseError(ValueError):
    """A trainee response does not fit the item (unknown option, wrong shape, too many picks)."""
