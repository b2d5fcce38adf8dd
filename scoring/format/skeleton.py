"""A commented skeleton of a new case that validates as is: the starting point of ``casebook new``.

Every item type has a template step; the texts are placeholders to replace, the shape is right.
Citations point at one real passage (the caller passes it), so the skeleton loads unchanged.
"""

from __future__ import annotations

import re

from scoring.format.models import ITEM_TYPES
from scoring.format.schema import ITEM_SET_SCHEMA_FILE, SCHEMA_FILE
from scoring.format.tags import DECISION_POINTS_GUIDANCE

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

HEADER = """\
# yaml-language-server: $schema=<<SCHEMA>>
# A new Casebook case. Replace every text; keep the shape. Guide: docs/authoring.md
# Check it:  casebook validate <file>   (or paste it into the app's Author page)
id: <<ID>>
title: A short, specific title
summary: >-
  Two or three sentences for the library card: who the patient is and what the trainee decides.
topics: [replace-me]
minutes: 10                     # estimated minutes to complete (1-240)
difficulty: introductory        # introductory, intermediate or advanced
objectives:
  - What the trainee should be able to do after this case.
# guidance: the documents this case cites (list them with: casebook guidance)
guidance: [<<DOC>>]
# must_avoid_cap: 50            # optional: cap the case percent when a must-avoid choice is made
# clock:                        # optional case clock that consequences move forward
#   start: "22:00"              # quote times
patient:
  name: Patient Name
  age: 60
  sex: female                   # optional
  setting: Inpatient oncology unit
  alerts: [Falls risk]          # optional: allergies, codes, key risks
  background: One line of history shown under the banner.   # optional
exhibits:                       # the chart; tabs: history, nurses_notes, vital_signs, labs,
  - id: note-1                  #   orders, imaging, mar
    tab: nurses_notes
    title: Nurse's note
    time: "08:00"               # quote times
    text: |
      What the nurse found at the bedside.
  - id: vitals-1
    tab: vital_signs
    title: Vital signs
    # from_step: step-2         # optional: reveal this entry only when that step is reached
    table:
      columns: [Time, HR, BP]
      rows:
        - ["08:00", 88, "128/76"]
steps:
"""

_OPTION_TAIL = """\
        # must_avoid: true      # optional: a choice that could harm the patient (flagged)
        # goto: step-3          # optional: branch to this step when chosen
        # consequence:          # optional: what happens to the patient when chosen
        #   narrative: What happened next, in the chart's voice.
        #   minutes: 30         # moves the case clock (needs clock: at the top)
"""

TEMPLATES: dict[str, str] = {
    "multiple_choice": """\
  - id: <<STEP>>
    type: multiple_choice       # pick one; exactly one option is keyed (0/1)
    skill: recognize_cues       # CJMM skill (see docs/authoring.md)
    client_needs: physiological-adaptation  # NCLEX-RN client need (docs/authoring.md, 'Tags')
    decision_points: [DP-01]    # grounding decision points it exercises, DP-01 … DP-19
    title: Notice the cue       # optional short heading
    prompt: Which finding needs follow-up first?
    feedback: >-
      General feedback shown after the answer, to every trainee.
    # practice_notes: [PN-SCC-07]   # optional practice-note ids (see docs/authoring.md)
    options:
      - id: right
        text: The keyed (correct) option
        keyed: true
        rationale: Why this option is right, in words a trainee understands.
        # cite: passage ids from `casebook guidance`, or nursing; replace this placeholder
        cite: [<<CITE>>]
      - id: wrong
        text: A plausible wrong option
        rationale: Why this option is wrong.
        cite: [nursing]         # general nursing knowledge, not the guidance
"""
    + _OPTION_TAIL,
    "select_all": """\
  - id: <<STEP>>
    type: select_all            # select all that apply; at least one keyed (+/-)
    skill: recognize_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Which findings need follow-up? Select all that apply.
    feedback: General feedback shown after the answer.
    options:
      - id: cue-a
        text: A finding that matters
        keyed: true
        rationale: Why it matters.
        cite: [<<CITE>>]
      - id: cue-b
        text: Another finding that matters
        keyed: true
        rationale: Why it matters.
        cite: [<<CITE>>]
      - id: distractor
        text: A finding that does not matter here
        rationale: Why it does not.
        cite: [nursing]
""",
    "select_n": """\
  - id: <<STEP>>
    type: select_n              # select exactly N; exactly N keyed (0/1)
    skill: generate_solutions
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    select: 2                   # how many the trainee picks
    prompt: Which two actions should the nurse plan? Select 2.
    feedback: General feedback shown after the answer.
    options:
      - id: action-a
        text: A keyed action
        keyed: true
        rationale: Why it belongs in the plan.
        cite: [<<CITE>>]
      - id: action-b
        text: Another keyed action
        keyed: true
        rationale: Why it belongs in the plan.
        cite: [<<CITE>>]
      - id: action-c
        text: An action that does not belong
        rationale: Why not.
        cite: [nursing]
""",
    "highlight": """\
  - id: <<STEP>>
    type: highlight             # tap the phrases that matter (+/-)
    skill: recognize_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Highlight the findings that need follow-up.
    passage: >-
      The patient reports new back pain. She ate a full breakfast. Her legs feel heavy.
    feedback: General feedback shown after the answer.
    options:                    # each text must appear word for word in the passage
      - id: back-pain
        text: new back pain
        keyed: true
        rationale: Why this phrase matters.
        cite: [<<CITE>>]
      - id: breakfast
        text: ate a full breakfast
        rationale: Why this phrase does not.
        cite: [nursing]
      - id: heavy-legs
        text: legs feel heavy
        keyed: true
        rationale: Why this phrase matters.
        cite: [<<CITE>>]
""",
    "highlight_table": """\
  - id: <<STEP>>
    type: highlight_table       # tap the phrases in the table's cells that matter (+/-)
    skill: recognize_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Highlight the findings in the assessment that need follow-up.
    feedback: General feedback shown after the answer.
    columns: [System, Findings]
    rows:                       # at least 2 rows, one cell per column
      - id: neuro
        cells: [Neurological, "Alert; reports legs feel heavy"]
      - id: gi
        cells: [Gastrointestinal, "Ate a full breakfast; bowels open today"]
    options:                    # each text appears word for word in a cell of its row
      - id: heavy-legs
        row: neuro
        text: legs feel heavy
        keyed: true
        rationale: Why this phrase matters.
        cite: [<<CITE>>]
      - id: alert
        row: neuro
        text: Alert
        rationale: Why this phrase does not.
        cite: [nursing]
      - id: breakfast
        row: gi
        text: Ate a full breakfast
        rationale: Why this phrase does not.
        cite: [nursing]
""",
    "multiple_response_grouping": """\
  - id: <<STEP>>
    type: multiple_response_grouping   # any options per group (+/- per group, floor 0 each)
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: For each body system, select the findings that need follow-up.
    feedback: General feedback shown after the answer.
    groups:                     # at least 2 groups; each 2+ options, 1+ keyed
      - id: neuro
        label: Neurological
        options:
          - {id: heavy-legs, text: Legs feel heavy, keyed: true, rationale: Why., cite: [<<CITE>>]}
          - {id: alert, text: Alert and oriented, rationale: Why not., cite: [nursing]}
      - id: renal
        label: Renal
        options:
          - id: hesitancy
            text: Hesitancy passing urine
            keyed: true
            rationale: Why.
            cite: [<<CITE>>]
          - {id: clear, text: Clear yellow urine, rationale: Why not., cite: [nursing]}
""",
    "ordering": """\
  - id: <<STEP>>
    type: ordering              # put in priority order (adjacent pairs: partial credit)
    skill: prioritize_hypotheses
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Put these actions in the order the nurse should take them.
    feedback: General feedback shown after the answer.
    options:                    # no keyed flags: correct_order is the key
      - id: first
        text: What comes first
        rationale: Why it comes first.
        cite: [<<CITE>>]
      - id: second
        text: What comes next
        rationale: Why it comes next.
        cite: [nursing]
      - id: third
        text: What comes last
        rationale: Why it comes last.
        cite: [nursing]
    correct_order: [first, second, third]   # a list inside, e.g. [first, [second, third]], is a tie
    # rule: all_or_nothing      # optional: the legacy NCLEX rule instead of adjacent pairs
""",
    "matrix_choice": """\
  - id: <<STEP>>
    type: matrix_choice         # one column per row (0/1 per row)
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: For each finding, choose what it most likely means.
    feedback: General feedback shown after the answer.
    columns:                    # 2-3 columns
      - id: expected
        text: Expected
      - id: concerning
        text: Needs follow-up
    rows:                       # at least 2 rows; keyed is one column id
      - id: finding-a
        text: A finding that needs follow-up
        keyed: concerning
        rationale: Why.
        cite: [<<CITE>>]
        # must_avoid: [expected]    # optional: columns that would be unsafe for this row
      - id: finding-b
        text: An expected finding
        keyed: expected
        rationale: Why.
        cite: [nursing]
""",
    "matrix_response": """\
  - id: <<STEP>>
    type: matrix_response       # any columns per row (+/- per column)
    skill: generate_solutions
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: For each action, tick the patients it suits.
    feedback: General feedback shown after the answer.
    columns:
      - id: patient-a
        text: Patient A
      - id: patient-b
        text: Patient B
    rows:                       # keyed is a list of column ids (may be empty: [])
      - id: action-a
        text: An action for both patients
        keyed: [patient-a, patient-b]
        rationale: Why.
        cite: [<<CITE>>]
      - id: action-b
        text: An action for patient A only
        keyed: [patient-a]
        rationale: Why.
        cite: [nursing]
""",
    "dropdown_cloze": """\
  - id: <<STEP>>
    type: dropdown_cloze        # drop-downs inside sentences (0/1 per blank)
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Complete the sentence.
    text: The finding that matters most is {{finding}}.   # one {{id}} per blank
    feedback: General feedback shown after the answer.
    blanks:
      - id: finding
        options:                # 3-5 options, exactly one keyed
          - id: right
            text: the keyed choice
            keyed: true
            rationale: Why.
            cite: [<<CITE>>]
          - id: wrong-a
            text: a wrong choice
            rationale: Why not.
            cite: [nursing]
          - id: wrong-b
            text: another wrong choice
            rationale: Why not.
            cite: [nursing]
""",
    "dropdown_table": """\
  - id: <<STEP>>
    type: dropdown_table        # a table with a drop-down per row (0/1 per row)
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: For each finding, choose what it suggests.
    feedback: General feedback shown after the answer.
    columns: [Finding, Suggests]
    blanks:
      - id: row-1
        label: The first finding
        options:                # 3-5 options, exactly one keyed
          - id: right
            text: The keyed choice
            keyed: true
            rationale: Why.
            cite: [<<CITE>>]
          - id: wrong-a
            text: A wrong choice
            rationale: Why not.
            cite: [nursing]
          - id: wrong-b
            text: Another wrong choice
            rationale: Why not.
            cite: [nursing]
""",
    "rationale_dyad": """\
  - id: <<STEP>>
    type: rationale_dyad        # cause then effect: 1 point only when both are right
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Complete the sentence.
    text: The patient is at risk of {{cause}} as evidenced by {{effect}}.
    feedback: General feedback shown after the answer.
    blanks:                     # exactly 2, the cause first
      - id: cause
        options:
          - {id: right, text: the keyed cause, keyed: true, rationale: Why., cite: [<<CITE>>]}
          - {id: wrong-a, text: a wrong cause, rationale: Why not., cite: [nursing]}
          - {id: wrong-b, text: another wrong cause, rationale: Why not., cite: [nursing]}
      - id: effect
        options:
          - {id: right, text: the keyed effect, keyed: true, rationale: Why., cite: [<<CITE>>]}
          - {id: wrong-a, text: a wrong effect, rationale: Why not., cite: [nursing]}
          - {id: wrong-b, text: another wrong effect, rationale: Why not., cite: [nursing]}
""",
    "rationale_triad": """\
  - id: <<STEP>>
    type: rationale_triad       # cause then two effects: 1 point per right effect
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Complete the sentence.
    text: Because of {{cause}}, the patient shows {{effect-1}} and {{effect-2}}.
    feedback: General feedback shown after the answer.
    blanks:                     # exactly 3, the cause first
      - id: cause
        options:
          - {id: right, text: the keyed cause, keyed: true, rationale: Why., cite: [<<CITE>>]}
          - {id: wrong-a, text: a wrong cause, rationale: Why not., cite: [nursing]}
          - {id: wrong-b, text: another wrong cause, rationale: Why not., cite: [nursing]}
      - id: effect-1
        options:
          - {id: right, text: a keyed effect, keyed: true, rationale: Why., cite: [<<CITE>>]}
          - {id: wrong-a, text: a wrong effect, rationale: Why not., cite: [nursing]}
          - {id: wrong-b, text: another wrong effect, rationale: Why not., cite: [nursing]}
      - id: effect-2
        options:
          - {id: right, text: another keyed effect, keyed: true, rationale: Why., cite: [<<CITE>>]}
          - {id: wrong-a, text: a wrong effect, rationale: Why not., cite: [nursing]}
          - {id: wrong-b, text: another wrong effect, rationale: Why not., cite: [nursing]}
""",
    "drag_drop_cloze": """\
  - id: <<STEP>>
    type: drag_drop_cloze       # drag tokens into the text's targets (0/1 per target)
    skill: analyze_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Drag a word into each space.
    text: The finding that matters most is {{finding}}, and the nurse should {{action}}.
    feedback: General feedback shown after the answer.
    tokens:                     # 4-10 tokens, more than targets; each fills one target at most
      - {id: right-finding, text: the keyed finding, rationale: Why., cite: [<<CITE>>]}
      - {id: right-action, text: the keyed action, rationale: Why., cite: [<<CITE>>]}
      - {id: wrong-finding, text: a distracting finding, rationale: Why not., cite: [nursing]}
      - {id: wrong-action, text: a distracting action, rationale: Why not., cite: [nursing]}
    targets:                    # one per {{id}} in the text, keyed to its token
      - {id: finding, keyed: right-finding}
      - {id: action, keyed: right-action}
""",
    "drag_drop_rationale": """\
  - id: <<STEP>>
    type: drag_drop_rationale   # cause then one effect (dyad: 1 point only if both right)
    skill: analyze_cues         # ...or two effects (triad: 1 point per right effect)
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Drag a word into each space.
    text: The patient is at risk of {{cause}} as evidenced by {{effect}}.
    feedback: General feedback shown after the answer.
    tokens:                     # 4-10 tokens, more than targets
      - {id: right-cause, text: the keyed cause, rationale: Why., cite: [<<CITE>>]}
      - {id: right-effect, text: the keyed effect, rationale: Why., cite: [<<CITE>>]}
      - {id: wrong-cause, text: a wrong cause, rationale: Why not., cite: [nursing]}
      - {id: wrong-effect, text: a wrong effect, rationale: Why not., cite: [nursing]}
    targets:                    # the cause first, then 1 or 2 effects
      - {id: cause, keyed: right-cause}
      - {id: effect, keyed: right-effect}
""",
    "bow_tie": """\
  - id: <<STEP>>
    type: bow_tie               # condition 1, actions 2, parameters 2: 0/1 per target, max 5
    skill: prioritize_hypotheses
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    prompt: Complete the bow-tie.
    feedback: General feedback shown after the answer.
    condition:                  # 1 keyed, at least 2 options
      options:
        - {id: right, text: The keyed condition, keyed: true, rationale: Why., cite: [<<CITE>>]}
        - {id: wrong, text: A wrong condition, rationale: Why not., cite: [nursing]}
    actions:                    # 2 keyed, at least 3 options
      options:
        - {id: act-a, text: A keyed action, keyed: true, rationale: Why., cite: [<<CITE>>]}
        - {id: act-b, text: Another keyed action, keyed: true, rationale: Why., cite: [nursing]}
        - {id: act-c, text: A wrong action, rationale: Why not., cite: [nursing]}
    parameters:                 # 2 keyed, at least 3 options
      options:
        - {id: par-a, text: A keyed parameter, keyed: true, rationale: Why., cite: [<<CITE>>]}
        - {id: par-b, text: Another keyed parameter, keyed: true, rationale: Why., cite: [nursing]}
        - {id: par-c, text: A parameter that does not help, rationale: Why not., cite: [nursing]}
""",
}


ITEM_SET_HEADER = """\
# yaml-language-server: $schema=<<SCHEMA>>
# A Casebook item set: standalone items that quick quizzes draw without a case around them.
# Keep it in the library folder (e.g. cases/items/). Guide: docs/authoring.md, "Standalone items"
# Check it:  casebook validate <file>
id: <<ID>>
title: A short title for the set
summary: One or two sentences on what the items practise.   # optional
topics: [replace-me]
guidance: [<<DOC>>]
items:                          # each item is a step that stands alone: no next, end or goto
"""

TREND = """\
    trend: true                 # a trend item: its own exhibit shows data over time
    exhibits:                   # the item's own chart entries, shown with it wherever it is played
      - id: vitals
        tab: vital_signs        # vital_signs or labs tables of 2+ rows get a trend chart
        title: Vital signs
        table:
          columns: [Time, HR, BP]
          rows:
            - ["08:00", 88, "128/76"]
            - ["12:00", 104, "102/60"]
"""


class SkeletonError(ValueError):
    """A skeleton cannot be made (bad case id, unknown item type)."""


def _types(case_id: str, item_types: list[str] | tuple[str, ...], what: str) -> list[str]:
    if not ID_PATTERN.match(case_id) or len(case_id) > 80:
        raise SkeletonError(
            f"'{case_id}' is not a valid {what}: use lowercase letters, digits, '-' and '_' "
            "(no spaces), starting with a letter or digit"
        )
    types = list(ITEM_TYPES) if "all" in item_types else list(item_types) or ["multiple_choice"]
    for kind in types:
        if kind not in TEMPLATES:
            raise SkeletonError(
                f"unknown item type '{kind}'; use one of: {', '.join(ITEM_TYPES)}, or all"
            )
    return types


def _tagged(text: str, guidance_id: str) -> str:
    """The skeleton as is, or without decision points for another document (they are the
    bone-metastasis guidance's own)."""
    if guidance_id == DECISION_POINTS_GUIDANCE:
        return text
    return re.sub(r"(?m)^ +decision_points: .*\n", "", text)


def _header(template: str, schema_path: str, ident: str, guidance_id: str) -> str:
    return (
        template.replace("<<SCHEMA>>", schema_path)
        .replace("<<ID>>", ident)
        .replace("<<DOC>>", guidance_id)
    )


def item_set_skeleton(
    set_id: str,
    item_types: list[str] | tuple[str, ...] = ("multiple_choice",),
    *,
    guidance_id: str = "bone-metastasis",
    passage_id: str = "scc-symptoms",
    schema_path: str = f"../{ITEM_SET_SCHEMA_FILE}",
) -> str:
    """YAML text of a new item set, one item per type (the first a trend item), valid as is."""
    types = _types(set_id, item_types, "item-set id")
    out = _header(ITEM_SET_HEADER, schema_path, set_id, guidance_id)
    for n, kind in enumerate(types, start=1):
        item = TEMPLATES[kind].replace(_OPTION_TAIL, "")
        if n == 1:  # the trend block goes under the prompt, which it is read with
            head, prompt, rest = item.partition("\n    prompt:")
            line, _, rest = rest.partition("\n")
            item = head + prompt + line + "\n" + TREND + rest
        out += item.replace("<<STEP>>", f"item-{n}").replace("<<CITE>>", passage_id)
    return _tagged(out, guidance_id)


def skeleton(
    case_id: str,
    item_types: list[str] | tuple[str, ...] = ("multiple_choice",),
    *,
    guidance_id: str = "bone-metastasis",
    passage_id: str = "scc-symptoms",
    schema_path: str = f"./{SCHEMA_FILE}",
) -> str:
    """YAML text of a new case with one template step per item type, valid as written."""
    types = _types(case_id, item_types, "case id")
    out = _header(HEADER, schema_path, case_id, guidance_id)
    for n, kind in enumerate(types, start=1):
        out += TEMPLATES[kind].replace("<<STEP>>", f"step-{n}").replace("<<CITE>>", passage_id)
    return _tagged(out, guidance_id)
