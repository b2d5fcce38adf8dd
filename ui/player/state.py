"""A trainee's run through a case or a quiz, rebuilt from stored answers by re-scoring them.

No Streamlit here: the pages keep one run per attempt in ``st.session_state`` and rebuild it
from the database when a new session (a refresh, a restart) opens the attempt.

Progress (decided): a step shows "Step k of n", where n = steps answered + the longest path
still possible from the current step. With branching, n is an upper bound that can only
shrink; the progress bar is steps answered / n.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring.engine.case_path import (
    CaseResult,
    Transition,
    path_bounds,
    steps_by_id,
    summarize,
    transition,
)
from scoring.engine.explain import ItemResult
from scoring.engine.items import max_points, score_response
from scoring.engine.quiz import QUIZ_ID, QuizItem
from scoring.format.models import Case
from scoring.guidance.passages import GuidanceLibrary


@dataclass
class Answered:
    """A step answered on the path, with its scored result and what followed."""

    step: Any
    result: ItemResult
    transition: Transition
    minutes_before: int


@dataclass
class CaseRun:
    """The path a trainee has taken through one case attempt.

    ``key`` names the run's widgets: it stays the same when the attempt is stored at its first
    answer (and gets an id), so a refused first answer keeps the trainee's selection.
    """

    case: Case
    answered: list[Answered] = field(default_factory=list)
    current: str | None = None
    key: str = field(default_factory=lambda: secrets.token_hex(4))

    @property
    def finished(self) -> bool:
        """True when the path has reached its end."""
        return self.current is None

    @property
    def minutes(self) -> int:
        """Case-clock minutes passed so far."""
        return sum(a.transition.minutes for a in self.answered)

    @property
    def path(self) -> list[str]:
        """Step ids answered, then the current one."""
        ids = [a.step.id for a in self.answered]
        return [*ids, self.current] if self.current else ids

    def get(self, step_id: str) -> Answered | None:
        """The answered step with this id, if on the path."""
        return next((a for a in self.answered if a.step.id == step_id), None)

    def step(self, step_id: str) -> Any:
        """A step of the case by id."""
        return steps_by_id(self.case)[step_id]

    def add(self, step: Any, result: ItemResult, move: Transition) -> Answered:
        """Record an answer to the current step and move along the path."""
        answered = Answered(step, result, move, self.minutes)
        self.answered.append(answered)
        self.current = move.next_step
        return answered

    def result(self) -> CaseResult:
        """Totals of the path so far."""
        return summarize(
            self.case,
            [a.result for a in self.answered],
            self.path,
            [a.transition for a in self.answered],
            finished=self.finished,
        )

    def progress(self) -> tuple[int, int]:
        """(number of the current step, steps answered + longest remaining path)."""
        done = len(self.answered)
        if self.current is None:
            return done, done
        return done + 1, done + path_bounds(self.case)[self.current][0]


def rebuild_case(case: Case, lib: GuidanceLibrary, responses: Mapping[str, Any]) -> CaseRun:
    """Replay stored responses along the path; raise ResponseError if one no longer fits."""
    run = CaseRun(case, current=case.steps[0].id)
    by_id = steps_by_id(case)
    while run.current is not None and run.current in responses:
        step = by_id[run.current]
        result = score_response(step, responses[step.id], lib, tuple(case.guidance))
        run.add(step, result, transition(case, step, result.response, lib))
    return run


@dataclass
class QuizRun:
    """A quick quiz: drawn items and the results of those answered, by item key."""

    items: list[QuizItem]
    results: dict[str, ItemResult] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def current(self) -> QuizItem | None:
        """The first item not yet answered."""
        return next((i for i in self.items if i.key not in self.results), None)

    @property
    def finished(self) -> bool:
        """True when every item is answered."""
        return self.current is None

    def get(self, key: str) -> QuizItem | None:
        """A drawn item by key."""
        return next((i for i in self.items if i.key == key), None)

    def result(self) -> CaseResult:
        """Quiz totals in the same shape as a case debrief (no cap: see scoring.engine.grades)."""
        answered = [i for i in self.items if i.key in self.results]
        return CaseResult(
            case_id=QUIZ_ID,
            items=[self.results[i.key] for i in answered],
            path=[i.key for i in answered],
            finished=self.finished,
            points_left=sum(max_points(i.step) for i in self.items if i.key not in self.results),
        )


def rebuild_quiz(
    items: list[QuizItem], lib: GuidanceLibrary, responses: Mapping[str, Any]
) -> QuizRun:
    """Re-score the stored responses of a quiz; raise ResponseError if one no longer fits."""
    run = QuizRun(items)
    for item in items:
        if item.key in responses:
            run.results[item.key] = score_response(
                item.step, responses[item.key], lib, tuple(item.case.guidance)
            )
    return run
