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


class CaseError(Exception):
    """A case file (or text) has problems; all of them are in ``problems``."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ResponseError(ValueError):
    """A trainee response does not fit the item (unknown option, wrong shape, too many picks)."""
