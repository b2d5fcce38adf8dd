"""Drawing quick quizzes: seeded, filtered, and shuffled without changing what is scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.engine.items import score_response
from scoring.engine.quiz import (
    draw_quiz,
    item_key,
    items_from_keys,
    matches,
    quiz_bank,
    quiz_lengths,
    quiz_pool,
    quiz_texts,
    shuffle_options,
    starting_order,
)
from scoring.format.models import BowTie, Highlight, HighlightTable, ItemSet, Ordering
from scoring.library.loader import load_case


@pytest.fixture(scope="module")
def bank(shipped):
    """The quiz bank of the shipped cases and item sets."""
    items = quiz_bank(shipped.sources())
    assert len(items) >= 4, "the shipped cases should offer a few quiz items"
    return items


def keys(items):
    return [i.key for i in items]


def option_ids(step):
    if isinstance(step, BowTie):
        return [o.id for w in (step.condition, step.actions, step.parameters) for o in w.options]
    for part in ("blanks", "groups"):
        if hasattr(step, part):
            return [o.id for b in getattr(step, part) for o in b.options]
    if hasattr(step, "tokens"):
        return [t.id for t in step.tokens]
    if hasattr(step, "options"):
        return [o.id for o in step.options]
    return [r.id for r in step.rows]


def test_bank_holds_quiz_steps_and_every_standalone_item_in_id_then_step_order(shipped, bank):
    assert all(i.step.quiz or isinstance(i.case, ItemSet) for i in bank)
    expected = [
        item_key(c.id, s.id)
        for c in sorted(shipped.sources(), key=lambda c: c.id)
        for s in c.steps
        if s.quiz or isinstance(c, ItemSet)
    ]
    assert keys(bank) == expected
    standalone = [i for i in bank if isinstance(i.case, ItemSet)]
    assert any(i.step.trend for i in standalone) and not any(i.step.quiz for i in standalone)


def test_same_seed_same_items_order_and_options(bank):
    one, two = draw_quiz(bank, 3, seed=42), draw_quiz(bank, 3, seed=42)
    assert keys(one) == keys(two)
    assert [option_ids(i.step) for i in one] == [option_ids(i.step) for i in two]


def test_different_seeds_differ(bank):
    draws = {tuple(keys(draw_quiz(bank, len(bank), seed=s))) for s in range(8)}
    assert len(draws) > 1


def test_filters_are_respected(bank):
    topic = bank[0].case.topics[0]
    skill = bank[0].step.skill.value
    drawn = draw_quiz(bank, 100, seed=1, topics=[topic], skills=[skill])
    assert drawn
    assert all(topic in i.case.topics and i.step.skill.value == skill for i in drawn)
    pool = [i for i in bank if topic in i.case.topics and i.step.skill.value == skill]
    assert sorted(keys(drawn)) == sorted(keys(pool))
    assert draw_quiz(bank, 5, seed=1, topics=["no-such-topic"]) == []
    assert matches(bank[0]) and not matches(bank[0], skills=["no-such-skill"])


def test_n_larger_than_the_bank_draws_all(bank):
    assert sorted(keys(draw_quiz(bank, len(bank) + 50, seed=3))) == sorted(keys(bank))
    assert draw_quiz(bank, 0, seed=3) == []


def test_shuffling_keeps_every_option_and_the_score(bank, guidance_lib, keyed):
    for item in bank:
        shuffled = shuffle_options(item.step, 7, item.key)
        assert sorted(option_ids(shuffled)) == sorted(option_ids(item.step))
        if isinstance(item.step, Highlight | HighlightTable):
            assert option_ids(shuffled) == option_ids(item.step)
        within = tuple(item.case.guidance)
        for step in (item.step, shuffled):
            result = score_response(step, keyed(item.step), guidance_lib, within)
            assert result.full_marks, item.key


def test_rebuild_from_keys_matches_the_draw(shipped, bank):
    drawn = draw_quiz(bank, len(bank), seed=99)
    cases = {s.id: s for s in shipped.sources()}
    rebuilt, missing = items_from_keys(cases, keys(drawn), 99)
    assert missing == []
    assert keys(rebuilt) == keys(drawn)
    assert [option_ids(i.step) for i in rebuilt] == [option_ids(i.step) for i in drawn]
    _, gone = items_from_keys(cases, ["no-case/x", f"{drawn[0].case.id}/no-step"], 99)
    assert gone == ["no-case/x", f"{drawn[0].case.id}/no-step"]


def test_ordering_never_starts_on_the_key(shipped):
    import random

    orderings = [s for c in shipped.cases.values() for s in c.case.steps if isinstance(s, Ordering)]
    assert orderings
    for step in orderings:
        flat = [x for g in step.correct_order for x in (g if isinstance(g, list) else [g])]
        for seed in range(30):
            assert [o.id for o in starting_order(step, random.Random(seed))] != flat


def test_the_library_finds_an_item_set_as_a_source_but_never_as_a_case(shipped):
    assert shipped.item_sets
    for loaded in shipped.item_sets.values():  # the library ships several item sets
        assert shipped.source(loaded.item_set.id) is loaded.item_set
        assert shipped.get(loaded.item_set.id) is None  # never played as a case
        assert shipped.versions()[loaded.item_set.id] == loaded.version
    assert (
        shipped.source("scc-back-pain-could-not-wait")
        is shipped.get("scc-back-pain-could-not-wait").case
    )


def test_quiz_texts_reads_every_item_type_as_a_standalone_item(guidance_lib):
    """Lint checks what a quiz shows of every item; a drop-down table's plain column headings
    once crashed it (it read them as objects with a text)."""
    path = Path(__file__).parent / "fixtures" / "every-item-type.yaml"
    case = load_case(path, guidance_lib).case
    for step in case.steps:
        texts = quiz_texts(step, standalone=True)
        assert texts[0] == (("prompt",), step.prompt)
        assert all(isinstance(text, str) for _, text in texts), step.type
    table = next(s for s in case.steps if s.type == "dropdown_table")
    assert [t for loc, t in quiz_texts(table) if loc[0] == "columns"] == table.columns


def _filters():
    from hypothesis import strategies as st

    from scoring.format.models import Skill
    from scoring.format.tags import ClientNeed

    topics = ["spinal cord compression", "hypercalcemia", "bone pain", "no-such-topic"]
    return st.fixed_dictionaries(
        {
            "topics": st.lists(st.sampled_from(topics), max_size=2, unique=True),
            "skills": st.lists(st.sampled_from([s.value for s in Skill]), max_size=3, unique=True),
            "client_needs": st.lists(
                st.sampled_from([c.value for c in ClientNeed]), max_size=3, unique=True
            ),
        }
    )


def test_quiz_draws_never_repeat_respect_filters_and_are_a_function_of_seed_and_filters(
    shipped, bank
):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    cases = {s.id: s for s in shipped.sources()}
    doubled = [*bank, *reversed(bank)]  # a bank listing each item twice still draws each once

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**31 - 1), n=st.integers(0, 40), filters=_filters())
    def check(seed, n, filters):
        pool = quiz_pool(bank, **filters)
        drawn = draw_quiz(doubled, n, seed, **filters)
        assert len(keys(drawn)) == len(set(keys(drawn))) == min(n, len(pool))
        assert set(keys(drawn)) <= set(keys(pool))
        for item in drawn:
            assert matches(item, **filters)
            assert not filters["client_needs"] or item.step.client_needs in filters["client_needs"]
        again = draw_quiz(doubled, n, seed, **filters)
        assert keys(again) == keys(drawn)
        assert [option_ids(i.step) for i in again] == [option_ids(i.step) for i in drawn]
        rebuilt, missing = items_from_keys(cases, keys(drawn), seed)
        assert missing == [] and keys(rebuilt) == keys(drawn)
        assert [option_ids(i.step) for i in rebuilt] == [option_ids(i.step) for i in drawn]

    check()


def test_client_needs_filter_and_the_lengths_offered(bank):
    need = bank[0].step.client_needs.value
    pool = quiz_pool(bank, client_needs=[need])
    assert pool and all(i.step.client_needs == need for i in pool)
    assert len(pool) == sum(i.step.client_needs == need for i in bank)
    assert quiz_pool(bank, topics=["no-such-topic"], client_needs=[need]) == []
    assert quiz_lengths(0) == []
    assert quiz_lengths(1) == [1] and quiz_lengths(5) == [5] and quiz_lengths(7) == [5, 7]
    assert quiz_lengths(20) == [5, 10, 20] and quiz_lengths(64) == [5, 10, 20]
