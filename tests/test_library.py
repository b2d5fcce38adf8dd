"""The shipped case library: valid, grounded in the guidance, and covering the blueprint."""

from __future__ import annotations

import re

from scoring.engine.case_path import score_case
from scoring.engine.items import max_points
from scoring.format.models import ITEM_TYPES, NURSING, Option, Quote, Skill
from scoring.library.checks import _all_choices
from scoring.lint.engine import lint_case
from scoring.lint.text import visible

# Grounding section 0 item 4: currently recommended treatments are never wrong answers.
RECOMMENDED = re.compile(
    r"denosumab|calcitonin|dexamethasone|kyphoplasty|single[- ]fraction|"
    r"single (radiation )?treatment|8 ?Gy",
    re.I,
)


def _choices(shipped):
    for source in shipped.sources():  # cases and item sets alike
        for step in source.steps:
            for choice, _ in _all_choices(step, ()):
                yield source, step, choice


def _cites(shipped):
    for _case, _step, choice in _choices(shipped):
        yield from choice.cite
        if isinstance(choice, Option) and choice.consequence:
            yield from choice.consequence.cite
    for source in shipped.sources():
        for step in source.steps:
            for row in getattr(step, "rows", []):
                yield from getattr(row, "cite", [])


def _ref(c) -> str:
    return c.passage if isinstance(c, Quote) else c


def test_every_shipped_case_is_valid(shipped):
    assert shipped.problems == []
    assert len(shipped.cases) >= 9


def test_every_citable_passage_is_cited(shipped):
    cited = {_ref(c) for c in _cites(shipped)}
    assert set(shipped.guidance.passage_ids()) - cited == set()


def test_every_quote_is_verbatim_in_its_passage(shipped):
    quotes = [c for c in _cites(shipped) if isinstance(c, Quote)]
    assert len(quotes) >= 20
    for q in quotes:
        text = shipped.guidance.passage(q.passage).passage.text
        assert " ".join(q.quote.split()) in " ".join(text.split()), q


def test_every_skill_and_item_type_is_covered(shipped):
    steps = [s for source in shipped.sources() for s in source.steps]
    assert {s.skill for s in steps} == set(Skill)
    assert {s.type for s in steps} == set(ITEM_TYPES)
    assert any(s.trend and s.exhibits for s in steps)


def test_every_standalone_item_scores_full_marks_on_its_key(shipped, keyed):
    from scoring.engine.items import score_response

    assert shipped.item_sets, "the library ships an item set"
    for loaded in shipped.item_sets.values():
        for item in loaded.item_set.items:
            r = score_response(item, keyed(item), shipped.guidance, tuple(loaded.item_set.guidance))
            assert r.full_marks and r.max_points == max_points(item), item.id


def test_branching_with_deterioration_and_must_avoid_exist(shipped):
    branching = [
        c.id
        for c, s, o in _choices(shipped)
        if isinstance(o, Option) and o.goto and o.consequence and o.consequence.cite
    ]
    assert "scc-back-pain-could-not-wait" in branching
    assert any(o.must_avoid for _, _, o in _choices(shipped))
    assert any(lc.case.must_avoid_cap is not None for lc in shipped.cases.values())


def test_no_currently_recommended_treatment_is_a_distractor(shipped):
    for case, step, choice in _choices(shipped):
        if not getattr(choice, "keyed", True):
            assert not RECOMMENDED.search(choice.text), (case.id, step.id, choice.text)


def test_rationales_explain_why(shipped):
    for case, step, choice in _choices(shipped):
        words = choice.rationale.split()
        assert len(words) >= 6, (case.id, step.id, choice.id, choice.rationale)
        assert choice.rationale.strip().lower() not in ("correct.", "incorrect.")


def test_every_option_rests_on_a_passage_or_says_nursing(shipped):
    for case, step, choice in _choices(shipped):
        refs = [_ref(c) for c in choice.cite]
        assert refs, (case.id, step.id)
        assert all(r == NURSING or shipped.guidance.passage(r) for r in refs)


def test_keyed_answers_score_full_marks_on_every_branch(shipped):
    """Answering every step with its key reaches the end with full marks."""
    for loaded in shipped.cases.values():
        case = loaded.case
        keys = {s.id: _key(s) for s in case.steps}
        result = score_case(case, keys, shipped.guidance)
        assert result.finished, case.id
        assert (
            result.points
            == result.max_points
            == sum(max_points(s) for s in case.steps if s.id in result.path)
        ), case.id


def test_quiz_bank_is_stocked(shipped):
    quiz = [s for lc in shipped.cases.values() for s in lc.case.steps if s.quiz]
    assert len(quiz) >= 15
    assert {s.skill for s in quiz} >= {Skill.recognize_cues, Skill.take_action}


def test_exhibits_unfold(shipped):
    unfolding = [
        lc.case.id for lc in shipped.cases.values() if any(e.from_step for e in lc.case.exhibits)
    ]
    assert len(unfolding) >= 7


def _key(step):
    kind = step.type
    if kind == "ordering":
        return [x for g in step.correct_order for x in (g if isinstance(g, list) else [g])]
    if kind in ("matrix_choice", "matrix_response"):
        return {r.id: r.keyed for r in step.rows}
    if kind == "bow_tie":
        return {
            w: [o.id for o in getattr(step, w).options if o.keyed]
            for w in ("condition", "actions", "parameters")
        }
    if kind == "multiple_response_grouping":
        return {g.id: [o.id for o in g.options if o.keyed] for g in step.groups}
    if hasattr(step, "targets"):  # drag-and-drop: each target takes its keyed token
        return {t.id: t.keyed for t in step.targets}
    if hasattr(step, "blanks"):
        return {b.id: next(o.id for o in b.options if o.keyed) for b in step.blanks}
    keyed = [o.id for o in step.options if o.keyed]
    return keyed[0] if kind == "multiple_choice" else keyed


def test_the_library_is_lint_clean_and_every_suppression_says_why(shipped):
    findings = [f for lc in shipped.cases.values() for f in lint_case(lc, shipped.guidance)]
    assert [str(f) for f in findings if f.suppressed is None] == []
    assert all(len(f.suppressed.split()) >= 5 for f in findings if f.suppressed)


def test_must_avoid_is_one_policy_every_case_that_uses_it_caps_at_50(shipped):
    for loaded in shipped.cases.values():
        case = loaded.case
        flagged = any(o.must_avoid for _, s, o in _choices_of(case)) or any(
            row.must_avoid for s in case.steps for row in getattr(s, "rows", [])
        )
        assert case.must_avoid_cap == (50 if flagged else None), case.id


def _choices_of(case):
    for step in case.steps:
        for choice, _ in _all_choices(step, ()):
            yield case, step, choice


def test_the_key_is_not_systematically_the_longest_option(shipped):
    """Grounding 0.9: the review found the key longest in 11 of 20 multiple-choice items."""
    items = [s for lc in shipped.cases.values() for s in lc.case.steps]
    mc = [s for s in items if s.type == "multiple_choice"]
    longest = [
        s.id
        for s in mc
        if max(len(visible(o.text)) for o in s.options if o.keyed)
        > max(len(visible(o.text)) for o in s.options if not o.keyed)
    ]
    assert len(longest) <= len(mc) / 3, longest


DAY = re.compile(r"^Day (\d+)")


def test_no_calcium_trend_normalises_sooner_than_the_trials_say(shipped):
    """Grounding 0.7: calcium is normal in about half of patients by day 4 after a
    bisphosphonate, so a trend that is normal within two days teaches an optimistic course."""
    checked = 0
    for loaded in shipped.cases.values():
        for ex in loaded.case.exhibits:
            cols = ex.table.columns if ex.table else []
            if not any("calcium" in c.lower() for c in cols) or len(ex.table.rows) < 3:
                continue
            ca = next(i for i, c in enumerate(cols) if "calcium" in c.lower())
            days = [(int(DAY.match(str(r[0])).group(1)), r[ca]) for r in ex.table.rows]
            if days[0][1] <= 10.5:
                continue
            first_normal = next(day for day, value in days if value <= 10.5)
            assert first_normal >= 4, (loaded.case.id, ex.id)
            checked += 1
    assert checked >= 2


def test_no_order_adjusts_zoledronic_acid_for_the_kidneys_in_hypercalcemia(shipped):
    """Grounding 0.7: no dose change for creatinine below 4.5 mg/dL in this indication."""
    orders = [
        (lc.case.id, " ".join((ex.text or "").lower().split()))
        for lc in shipped.cases.values()
        if "hypercalcemia" in lc.case.topics
        for ex in lc.case.exhibits
        if ex.tab == "orders" and "zoledronic acid" in (ex.text or "").lower()
    ]
    assert len(orders) >= 2
    for case_id, text in orders:
        assert "adjust the dose" not in text, case_id
        assert "15 minutes" in text and "4.5 mg/dl" in text, case_id


def test_practice_notes_cite_primary_current_sources(guidance_lib):
    for doc in guidance_lib.documents.values():
        for note in doc.practice_notes:
            ref = note.reference
            assert "via" not in ref.split() and "AAFP" not in ref and "CG75" not in ref, note.id
