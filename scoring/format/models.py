"""The case format: pydantic models for a YAML vignette, with unknown keys forbidden.

Structure and types are checked here; rules that span fields (keyed counts, citations,
branch targets) are checked in ``scoring.library.checks`` so every problem is reported at once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from scoring.format.tags import ClientNeed, DecisionPoint
from scoring.lint import RULE_IDS

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80),
    Field(description="Identifier: lowercase letters, digits, '-' and '_'."),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
CITE_HELP = "Evidence: passage ids ('id' or 'document:id'), {passage, quote}, or 'nursing'."
NURSING = "nursing"  # reserved citation meaning "general nursing knowledge", not the guidance


class Strict(BaseModel):
    """Base for every case-format model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Skill(StrEnum):
    """NCSBN Clinical Judgment Measurement Model, layer 3."""

    recognize_cues = "recognize_cues"
    analyze_cues = "analyze_cues"
    prioritize_hypotheses = "prioritize_hypotheses"
    generate_solutions = "generate_solutions"
    take_action = "take_action"
    evaluate_outcomes = "evaluate_outcomes"

    @property
    def label(self) -> str:
        """Human label, e.g. 'Prioritize hypotheses'."""
        return self.value.replace("_", " ").capitalize()


class Tab(StrEnum):
    """Chart tabs of the client record."""

    history = "history"
    nurses_notes = "nurses_notes"
    vital_signs = "vital_signs"
    labs = "labs"
    orders = "orders"
    imaging = "imaging"
    mar = "mar"

    @property
    def label(self) -> str:
        """Tab heading shown to the trainee."""
        return _TAB_LABELS[self]


_TAB_LABELS = {
    Tab.history: "History & physical",
    Tab.nurses_notes: "Nurses' notes",
    Tab.vital_signs: "Vital signs",
    Tab.labs: "Laboratory results",
    Tab.orders: "Orders",
    Tab.imaging: "Imaging",
    Tab.mar: "Medications (MAR)",
}


class Quote(Strict):
    """A citation that also quotes the passage; the quote must appear in it verbatim."""

    passage: str = Field(description="Passage id, or 'document-id:passage-id'.")
    quote: Text = Field(description="Words copied exactly from the passage.")


Citation = Annotated[
    str | Quote,
    Field(description="A passage id (see `casebook guidance`), 'nursing', or {passage, quote}."),
]


class Consequence(Strict):
    """What happens to the patient when an option is chosen (shown after feedback)."""

    narrative: Text = Field(description="What happened, in the chart's voice.")
    minutes: int = Field(0, ge=0, le=10080, description="Minutes the case clock moves on.")
    cite: list[Citation] = Field(default_factory=list)


class Choice(Strict):
    """An answer choice with its explanation and the evidence it rests on."""

    id: Id
    text: Text
    rationale: Text = Field(description="Why this choice is right or wrong, for the trainee.")
    cite: list[Citation] = Field(
        min_length=1,
        description=CITE_HELP,
    )
    must_avoid: StrictBool = Field(False, description="A safety-critical wrong choice; flagged.")


class Option(Choice):
    """A choice that is keyed (correct) or not; may branch and have consequences."""

    keyed: StrictBool = False
    goto: Id | None = Field(None, description="Step to go to when this option is chosen.")
    consequence: Consequence | None = None


class Column(Strict):
    """A matrix column."""

    id: Id
    text: Text


class Row(Strict):
    """A matrix row: keyed is one column id (matrix_choice) or a list (matrix_response)."""

    id: Id
    text: Text
    keyed: Id | list[Id]
    rationale: Text = Field(description="Why this row's answer is right, for the trainee.")
    cite: list[Citation] = Field(
        min_length=1,
        description=CITE_HELP,
    )
    must_avoid: list[Id] = Field(default_factory=list, description="Column ids unsafe here.")


class Blank(Strict):
    """A drop-down: one blank of a cloze, a table row, or a part of a rationale item."""

    id: Id
    label: str | None = Field(None, description="Row text (drop-down table).")
    options: list[Option]


class Wing(Strict):
    """One part of a bow-tie: the condition, the actions or the parameters to monitor."""

    prompt: str | None = None
    options: list[Option]


class Group(Strict):
    """One group of a multiple-response grouping item: a heading and its options (+/- each)."""

    id: Id
    label: Text = Field(description="The group's heading, e.g. 'Neurological'.")
    options: list[Option]


class HighlightRow(Strict):
    """A row of a highlight table: its cells, the phrases of which the trainee may highlight."""

    id: Id
    cells: list[str] = Field(min_length=1, description="One text per column.")


class TableOption(Option):
    """A phrase of a highlight table: ``text`` is copied word for word from a cell of ``row``."""

    row: Id = Field(description="Id of the table row whose cells hold this phrase.")


class Token(Choice):
    """A drag-and-drop token: a word or phrase dragged into one target (never into two)."""


class Target(Strict):
    """A drag-and-drop target: a {{placeholder}} in the text, keyed to the token that fills it."""

    id: Id
    keyed: Id = Field(description="Id of the token that belongs in this target.")


class Table(Strict):
    """A small table (vital signs, labs)."""

    columns: list[str] = Field(min_length=1)
    rows: list[list[str | int | float | None]]


class Exhibit(Strict):
    """A chart entry, revealed when the trainee reaches ``from_step`` (default: the start)."""

    id: Id
    tab: Tab
    title: Text
    time: str | None = Field(None, description="Clock time or day, as text, e.g. '22:00'.")
    from_step: Id | None = None
    text: str | None = None
    table: Table | None = None


RuleId = Literal[RULE_IDS]  # type: ignore[valid-type]  # the ids of `casebook lint`


class LintAllow(Strict):
    """Item-writing checks this step is exempt from, and why (see `casebook lint`)."""

    allow: list[RuleId] = Field(
        min_length=1, description="Ids of the `casebook lint` rules not applied to this step."
    )
    why: Text = Field(description="Why the rule does not apply here, in words a reviewer judges.")


class StepBase(Strict):
    """Fields every step shares."""

    id: Id
    skill: Skill
    title: str | None = Field(None, description="Short heading, e.g. 'Escalate'.")
    narrative: str | None = Field(None, description="What the trainee learns on arriving here.")
    prompt: Text
    feedback: Text = Field(description="General feedback shown after the answer.")
    next: Id | None = Field(None, description="Step after this one (default: the next listed).")
    end: StrictBool = Field(False, description="The case ends after this step.")
    quiz: StrictBool = Field(
        False, description="Stands on its own: may be drawn into quick quizzes."
    )
    practice_notes: list[str] = Field(default_factory=list, description="Practice-note ids.")
    exhibits: list[Exhibit] = Field(
        default_factory=list,
        description="The item's own exhibits (vital signs, labs…), shown with the item wherever "
        "it is played, in a case or a quiz.",
    )
    trend: StrictBool = Field(
        False,
        description="A trend item: its own exhibits show data over time (a table of at least "
        "two time points) and the question asks what the trend means.",
    )
    lint: LintAllow | None = Field(
        None, description="Exempt this step from named `casebook lint` rules, with the reason."
    )
    client_needs: ClientNeed = Field(
        description="The NCLEX-RN Client Needs subcategory the step tests (one of eight, "
        "NCSBN test plan), e.g. physiological-adaptation.",
    )
    decision_points: list[DecisionPoint] = Field(
        default_factory=list,
        min_length=1,
        description="The decision points (grounding pack §2) the step exercises, e.g. "
        "[DP-01, DP-03]; required when the file cites the bone-metastasis guidance, whose "
        "decision points they are.",
    )


class MultipleChoice(StepBase):
    """Pick one option (0/1)."""

    type: Literal["multiple_choice"]
    options: list[Option]


class SelectAll(StepBase):
    """Select all that apply (+/-)."""

    type: Literal["select_all"]
    options: list[Option]


class SelectN(StepBase):
    """Select exactly N (0/1, no more than N picks)."""

    type: Literal["select_n"]
    select: int = Field(ge=1, description="How many options the trainee picks.")
    options: list[Option]


class Highlight(StepBase):
    """Highlight the phrases of a passage that matter (+/-); each option is a phrase of it."""

    type: Literal["highlight"]
    passage: Text
    options: list[Option]


class HighlightTable(StepBase):
    """Highlight the phrases of a table's cells that matter (+/-); each option names its row."""

    type: Literal["highlight_table"]
    columns: list[str] = Field(min_length=1, description="Column headings.")
    rows: list[HighlightRow]
    options: list[TableOption]


class MultipleResponseGrouping(StepBase):
    """Groups of options, any number chosen per group (+/- per group, each floored at 0)."""

    type: Literal["multiple_response_grouping"]
    groups: list[Group]


class Ordering(StepBase):
    """Put options in priority order; a list inside correct_order is a tie."""

    type: Literal["ordering"]
    options: list[Choice]
    correct_order: list[Id | list[Id]]
    rule: Literal["adjacent_pairs", "all_or_nothing"] = "adjacent_pairs"


class MatrixChoice(StepBase):
    """One column per row (0/1 per row)."""

    type: Literal["matrix_choice"]
    columns: list[Column]
    rows: list[Row]


class MatrixResponse(StepBase):
    """Any columns per row (+/- per column, each column floored at 0)."""

    type: Literal["matrix_response"]
    columns: list[Column]
    rows: list[Row]


class DropdownCloze(StepBase):
    """Sentences with drop-downs; text holds {{blank-id}} placeholders (0/1 per blank)."""

    type: Literal["dropdown_cloze"]
    text: Text
    blanks: list[Blank]


class DropdownTable(StepBase):
    """A table whose rows each hold a drop-down (0/1 per row)."""

    type: Literal["dropdown_table"]
    columns: list[str] = Field(default_factory=lambda: ["Finding", "Choice"])
    blanks: list[Blank]


class RationaleDyad(StepBase):
    """Cause and effect drop-downs in a sentence (1 point only when both are right)."""

    type: Literal["rationale_dyad"]
    text: Text
    blanks: list[Blank]


class RationaleTriad(StepBase):
    """Cause and two effects (1 point per right effect when the cause is right)."""

    type: Literal["rationale_triad"]
    text: Text
    blanks: list[Blank]


class DragDropCloze(StepBase):
    """Tokens dragged into {{target}} placeholders of the text (0/1 per target)."""

    type: Literal["drag_drop_cloze"]
    text: Text
    tokens: list[Token]
    targets: list[Target]


class DragDropRationale(StepBase):
    """Tokens dragged into a cause and one effect (dyad) or two effects (triad): rationale."""

    type: Literal["drag_drop_rationale"]
    text: Text
    tokens: list[Token]
    targets: list[Target] = Field(
        description="The cause first, then one effect (dyad) or two (triad)."
    )


class BowTie(StepBase):
    """Condition (1), actions (2) and parameters to monitor (2): 0/1 per target, max 5."""

    type: Literal["bow_tie"]
    condition: Wing
    actions: Wing
    parameters: Wing


Step = Annotated[
    MultipleChoice
    | SelectAll
    | SelectN
    | Highlight
    | HighlightTable
    | MultipleResponseGrouping
    | Ordering
    | MatrixChoice
    | MatrixResponse
    | DropdownCloze
    | DropdownTable
    | RationaleDyad
    | RationaleTriad
    | DragDropCloze
    | DragDropRationale
    | BowTie,
    Field(discriminator="type"),
]
ITEM_TYPES = (
    "multiple_choice",
    "select_all",
    "select_n",
    "highlight",
    "highlight_table",
    "multiple_response_grouping",
    "ordering",
    "matrix_choice",
    "matrix_response",
    "dropdown_cloze",
    "dropdown_table",
    "rationale_dyad",
    "rationale_triad",
    "drag_drop_cloze",
    "drag_drop_rationale",
    "bow_tie",
)


class Patient(Strict):
    """The patient banner."""

    name: Text
    age: int = Field(ge=0, le=120)
    sex: str | None = None
    setting: Text
    alerts: list[str] = Field(default_factory=list, description="Allergies, codes, key risks.")
    background: str | None = None


class Clock(Strict):
    """A case clock that options can move forward."""

    start: str = Field(
        pattern=r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
        description="Clock time when the case starts, 24-hour HH:MM, e.g. '22:00'.",
    )


class Case(Strict):
    """An unfolding case vignette."""

    id: Id
    title: Text
    summary: Text
    topics: list[str] = Field(min_length=1)
    minutes: int = Field(ge=1, le=240, description="Estimated minutes to complete.")
    difficulty: Literal["introductory", "intermediate", "advanced"] = "intermediate"
    objectives: list[str] = Field(min_length=1)
    guidance: list[Id] = Field(min_length=1, description="Guidance documents this case cites.")
    patient: Patient
    clock: Clock | None = None
    must_avoid_cap: int | None = Field(
        None, ge=0, le=100, description="Case percent cap when any must-avoid choice is made."
    )
    exhibits: list[Exhibit] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)


class ItemSet(Strict):
    """Standalone items (trend items, bow-ties…) that quick quizzes draw without a case.

    An item is a step that stands alone: it carries its own exhibits and never branches.
    ``steps`` is the same list as ``items``, so code that reads a case's steps reads a set's.
    """

    id: Id
    title: Text
    summary: str | None = Field(None, description="One or two sentences on what the set covers.")
    topics: list[str] = Field(min_length=1)
    guidance: list[Id] = Field(min_length=1, description="Guidance documents the items cite.")
    items: list[Step] = Field(min_length=1)

    @property
    def steps(self) -> list[Any]:
        """The items, under the name a case gives its steps."""
        return self.items


Source = Case | ItemSet  # what quiz items are drawn from
