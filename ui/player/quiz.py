"""Quick quiz pieces: the set-up form, the drawn quiz rebuilt from its spec, one question at a
time with immediate feedback, and a summary with the same explanations."""

from __future__ import annotations

import secrets
from dataclasses import replace

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts
from classroom.attempts import AttemptInfo
from scoring.engine.items import score_response
from scoring.engine.quiz import (
    DEFAULT_ITEMS,
    QUIZ_ID,
    QuizItem,
    draw_quiz,
    items_from_keys,
    quiz_bank,
    quiz_lengths,
    quiz_pool,
    quiz_version,
)
from scoring.errors import ResponseError
from scoring.format.models import ItemSet, Skill
from scoring.format.tags import ClientNeed
from scoring.library.loader import CaseLibrary
from ui.components import session
from ui.components.safe_text import safe_md
from ui.player import answers, in_class
from ui.player.case import step_title
from ui.player.catalog import source_caption
from ui.player.debrief import debrief
from ui.player.exhibits import item_exhibits
from ui.player.feedback import feedback_details, feedback_summary, item_feedback
from ui.player.state import QuizRun
from ui.player.widgets import answer_form, read_response


def setup(engine: Engine, lib: CaseLibrary, token: str) -> None:
    """Filters and length of a new quiz; starts it, or offers to resume an unfinished one.

    The filters are plain widgets, not a form, so the number of questions they leave and the
    lengths on offer follow every change; a filter that leaves nothing says so and offers no
    start.
    """
    st.title("Quick quiz")
    st.caption("Stand-alone questions drawn from the cases, with feedback after each one.")
    unfinished = session.guarded(attempts.open_attempt, engine, token, QUIZ_ID, kind="quiz")
    if unfinished is not None:
        with st.container(border=True):
            st.markdown("You have a quiz in progress.")
            if st.button("Resume it", icon=":material/resume:"):
                st.query_params["a"] = str(unfinished.id)
                st.rerun()
    bank = quiz_bank(lib.sources())
    if not bank:
        st.info("No quiz questions are available yet.", icon=":material/inbox:")
        return
    with st.container(border=True):
        topics = st.multiselect("Topics", sorted({t for i in bank for t in i.case.topics}))
        skills = st.multiselect(
            "CJMM skills",
            [s.value for s in Skill if any(i.step.skill == s for i in bank)],
            format_func=lambda s: Skill(s).label,
        )
        needs = st.multiselect(
            "Client needs (NCLEX-RN)",
            [c.value for c in ClientNeed if any(i.step.client_needs == c for i in bank)],
            format_func=lambda c: ClientNeed(c).label,
        )
        pool = quiz_pool(bank, topics, skills, needs)
        lengths = quiz_lengths(len(pool))
        if not lengths:
            st.warning(
                "No questions match all of these filters together. Remove a filter, or choose "
                "another topic, skill or client need.",
                icon=":material/filter_alt_off:",
            )
            n = 0
        else:
            default = DEFAULT_ITEMS if DEFAULT_ITEMS in lengths else lengths[-1]
            n = st.radio(
                "Number of questions",
                lengths,
                index=lengths.index(default),
                format_func=lambda k: f"All {k}" if k == len(pool) else str(k),
                horizontal=True,
            )
        start = st.button(
            "Start quiz", type="primary", icon=":material/bolt:", disabled=not lengths
        )
    matching = "Leave the filters empty to draw from all."
    if topics or skills or needs:
        matching = f"{len(pool)} match these filters."
    st.caption(f"{len(bank)} questions in the bank. {matching} A quiz never repeats a question.")
    source_caption(lib.guidance.notice([d for i in bank for d in i.case.guidance]))
    if start and n:
        seed = secrets.randbelow(2**31)
        items = draw_quiz(bank, int(n), seed, topics, skills, needs)
        spec = {
            "seed": seed,
            "items": [i.key for i in items],
            "filters": {"topics": topics, "skills": skills, "client_needs": needs, "n": int(n)},
        }
        info = session.guarded(
            attempts.start_attempt,
            engine,
            token,
            QUIZ_ID,
            quiz_version(lib.versions(), items),
            kind="quiz",
            quiz_spec=spec,
            first_step=items[0].key,
        )
        session.stored_learner(token)
        st.query_params["a"] = str(info.id)
        session.set_view(None)
        st.rerun()


def resolve_attempt(engine: Engine, token: str, attempt_id: int) -> AttemptInfo:
    """The quiz attempt in the URL, or a friendly stop."""
    info = session.attempt_info(engine, token, attempt_id)
    if info is None:
        session.not_found(
            "We could not find that quiz in your progress. The link may be mistyped, or it may "
            "belong to someone else."
        )
    if info.kind != "quiz":
        st.switch_page(session.PLAYER_PAGE, query_params=session.params(a=info.id))
    return info


def load_run(engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo) -> QuizRun:
    """The quiz run from this session, or rebuilt from its spec and the stored answers."""
    key = f"quiz:{info.id}"
    if key in st.session_state:
        return st.session_state[key]
    spec = info.quiz_spec or {}
    sources = {s.id: s for s in lib.sources()}
    items, gone = items_from_keys(sources, spec.get("items", []), int(spec.get("seed", 0)))
    run = QuizRun(items, missing=gone)
    stored = session.guarded(attempts.answers, engine, token, info.id)
    for answer in stored:
        item = run.get(answer.step_id)
        if item is None:
            continue
        try:
            run.results[item.key] = _score(item, answer.response, lib)
        except ResponseError:
            run.missing.append(item.key)
    run.items = [i for i in run.items if i.key not in run.missing or i.key in run.results]
    if run.finished and info.status != "finished":
        session.guarded(answers.finish, engine, token, info.id, run.result())
    st.session_state[key] = run
    return run


def _score(item: QuizItem, raw: object, lib: CaseLibrary):
    result = score_response(item.step, raw, lib.guidance, tuple(item.case.guidance))
    return replace(result, step_id=item.key)  # one case's step ids may repeat in another's


def submit(engine: Engine, lib: CaseLibrary, token: str, attempt_id: int, widget_key: str) -> None:
    """Submit callback: score, save at once, show the feedback."""
    ss = st.session_state
    run: QuizRun = ss[f"quiz:{attempt_id}"]
    item = run.current
    if item is None:
        return
    session.forget_attempt(attempt_id)
    try:
        result = _score(item, read_response(item.step, widget_key), lib)
    except ResponseError as exc:  # e.g. more boxes than allowed, ticked faster than a rerun
        ss[f"error:{widget_key}"] = f"This answer cannot be scored yet: {exc}."
        return
    following = next((i.key for i in run.items if i.key not in run.results and i is not item), None)
    fields = attempts.answer_fields(item.step, result, following)
    key = f"quiz:{attempt_id}"
    created = answers.store_answer(engine, token, attempt_id, item.key, fields, widget_key, key)
    if created is None:
        return
    if created:
        run.results[item.key] = result
        if run.finished:
            answers.finish_after_last_answer(engine, token, attempt_id, run.result())
    session.set_view(item.key)


def _header(run: QuizRun, item: QuizItem) -> None:
    number, total = run.items.index(item) + 1, len(run.items)
    st.progress(
        (number - 1) / total,
        text=f"Question {number} of {total} · {Skill(item.step.skill).label}",
    )
    where = "the item set" if isinstance(item.case, ItemSet) else "the case"
    kind = "Trend item · " if item.step.trend else ""
    st.caption(f"{kind}From {where} “{safe_md(item.case.title)}”")
    st.markdown(f"### {safe_md(step_title(item.step))}")
    # A case step's narrative and chart belong to the case's story (scoring.engine.quiz.quiz_texts);
    # a standalone item's narrative and its own exhibits are the item's, shown with it.
    if isinstance(item.case, ItemSet) and item.step.narrative:
        st.info(safe_md(item.step.narrative), icon=":material/campaign:")
    item_exhibits(item.step)
    st.markdown(safe_md(item.step.prompt))


def show_question(engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo, run: QuizRun):
    """The next unanswered question with its widgets and the submit button."""
    item = run.current
    _header(run, item)
    widget_key = f"q{info.id}.{item.key}"
    answer_form(item.step, widget_key, submit, (engine, lib, token, info.id, widget_key))


def show_feedback(run: QuizRun, key: str) -> None:
    """Immediate feedback on an answered question, and the way on."""
    item = run.get(key)
    _header(run, item)
    if run.finished:
        label, icon = "See your quiz results", ":material/flag:"
    else:
        label, icon = "Next question", ":material/arrow_forward:"
    feedback_summary(run.results[key], key=f"evidence.{key}")
    st.button(label, type="primary", icon=icon, on_click=session.set_view, args=(None,))
    feedback_details(item.step, run.results[key], f"evidence.{key}")
    st.button(label, icon=icon, on_click=session.set_view, args=(None,), key="onward.bottom")


def show_summary(run: QuizRun) -> None:
    """Totals, points per skill, and every question's explanation again."""
    st.title("Quiz results")
    titles = {i.key: f"{step_title(i.step)} ({i.case.title})" for i in run.items}
    debrief(run.result(), titles, answered="Questions answered")
    st.markdown("#### Every question, explained")
    answered = [i for i in run.items if i.key in run.results]
    tabs = st.tabs([f"Q{n + 1}" for n in range(len(answered))])
    for tab, item in zip(tabs, answered, strict=True):
        with tab:
            st.markdown(f"**{safe_md(titles[item.key])}**")
            st.markdown(safe_md(item.step.prompt))
            item_feedback(item.step, run.results[item.key], key=f"summary.{item.key}")
    if st.button("New quiz", type="primary", icon=":material/bolt:"):
        st.query_params.pop("a", None)
        session.set_view(None)
        st.rerun()


def show(engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo, run: QuizRun) -> None:
    """The quiz for one attempt: question, feedback or summary."""
    if not run.items:
        session.not_found("The questions of this quiz are no longer in the library.")
    if run.missing:
        st.caption(
            f"{len(run.missing)} question(s) were removed from the library since this quiz began."
        )
    rules = in_class.class_rules(engine, info)  # None outside a class session
    in_class.class_header(engine, info, rules)
    source_caption(lib.guidance.notice([d for i in run.items for d in i.case.guidance]))
    quiz_panel(engine, lib, token, info, run, rules)


@st.fragment  # clicks inside the quiz rerun only the quiz, never the page around it
def quiz_panel(
    engine: Engine,
    lib: CaseLibrary,
    token: str,
    info: AttemptInfo,
    run: QuizRun,
    rules: in_class.ClassRules | None,
) -> None:
    """The next question, the feedback on the one just answered, or the summary."""
    if st.session_state.get(f"quiz:{info.id}") is not run:  # rebuilt from the database
        st.rerun(scope="app")
    notice = st.session_state.pop("notice", None)
    if notice:
        st.toast(notice)
    stopped = not run.finished and rules is not None and rules.closed  # End now, time up
    done = run.finished or stopped
    withhold = rules is not None and rules.withholds(done)
    view = st.query_params.get("s")
    if view and view in run.results and withhold:
        in_class.answer_saved(rules, run.finished)
    elif view and view in run.results:
        show_feedback(run, view)
    elif done:
        if stopped:
            in_class.ended_early(rules)
        if withhold:
            in_class.results_pending(rules)
        elif run.results:
            show_summary(run)
        if rules is not None and not withhold:
            in_class.back_to_session(rules)
    else:
        show_question(engine, lib, token, info, run)
