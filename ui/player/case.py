"""The case player's pieces: find the attempt, rebuild the run, draw a step or its feedback,
save a submitted answer, and the debrief. The page script calls them in order."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from classroom import attempts
from classroom.attempts import AttemptInfo
from classroom.storage.db import StorageError
from classroom.storage.schema import utcnow
from scoring.engine.case_path import clock_time, transition
from scoring.engine.items import score_response
from scoring.errors import ResponseError
from scoring.format.models import Skill
from scoring.library.loader import CaseLibrary, LoadedCase
from ui.components import resources, session
from ui.components.safe_text import safe_md
from ui.player import answers, in_class, layout
from ui.player.catalog import source_caption
from ui.player.debrief import debrief
from ui.player.exhibits import client_record, item_exhibits, patient_banner
from ui.player.feedback import feedback_details, feedback_summary
from ui.player.state import Answered, CaseRun, rebuild_case
from ui.player.widgets import answer_form, read_response


def step_title(step: object) -> str:
    """A step's heading: its title, else its skill."""
    return getattr(step, "title", None) or Skill(step.skill).label


UNSAVED = 0  # the id of an attempt not stored yet: a case opened but not answered


def unsaved_attempt(token: str, loaded: LoadedCase) -> AttemptInfo:
    """A case opened by ``?case=`` and not answered yet: nothing is stored for a page view.

    The first answer stores the attempt (and the learner, if new): see ``submit``.
    """
    return AttemptInfo(
        id=UNSAVED,
        learner_token=token,
        case_id=loaded.case.id,
        case_version=loaded.version,
        kind="case",
        status="open",
        started_at=utcnow(),
        finished_at=None,
        points=None,
        max_points=None,
        percent=None,
        current_step=loaded.case.steps[0].id,
        minutes_elapsed=0,
        session_code=None,
        quiz_spec=None,
        must_avoid_cap=loaded.case.must_avoid_cap,
    )


def resolve_attempt(engine: Engine, lib: CaseLibrary, token: str) -> AttemptInfo:
    """The attempt named in the URL (``?a=``), the open one of ``?case=`` or an unsaved one;
    a friendly stop otherwise."""
    ss = st.session_state
    attempt_id = session.attempt_id_param()
    case_id = session.query("case")
    if attempt_id is None and case_id:
        loaded = lib.get(case_id)
        if loaded is None:
            session.not_found(f"There is no case called “{case_id}” in the library.")
        info = session.guarded(attempts.open_attempt, engine, token, case_id)
        if info is None:
            return unsaved_attempt(token, loaded)
        st.query_params.pop("case", None)
        st.query_params["a"] = str(info.id)
        ss["last_case_attempt"] = info.id
        return info
    if attempt_id is None and st.query_params.get("case"):
        session.not_found("There is no such case in the library.")
    if attempt_id is None and ss.get("last_case_attempt"):
        attempt_id = ss["last_case_attempt"]
        st.query_params["a"] = str(attempt_id)
    if attempt_id is None:
        session.not_found("Choose a case in the library to start playing.")
    info = session.attempt_info(engine, token, attempt_id)
    if info is None:
        ss.pop("last_case_attempt", None)
        session.not_found(
            "We could not find that attempt in your progress. The link may be mistyped, or it "
            "may belong to someone else."
        )
    if info.kind == "quiz":
        st.switch_page(session.QUIZ_PAGE, query_params=session.params(a=info.id))
    ss["last_case_attempt"] = info.id
    return info


def loaded_case(lib: CaseLibrary, info: AttemptInfo) -> LoadedCase:
    """The case as it was when the attempt started, so a republish never changes it mid-play.

    Falls back to the library's current version when the old one is not kept (then the
    stored answers are re-scored against it, or the trainee is offered a fresh start).
    """
    loaded = lib.get(info.case_id)
    if loaded is not None and loaded.version == info.case_version:
        return loaded
    started_on = resources.case_version(info.case_id, info.case_version, lib.guidance)
    if started_on is not None:
        return started_on
    if loaded is None:
        session.not_found(f"The case “{info.case_id}” of this attempt is no longer in the library.")
    return loaded


def run_key(info: AttemptInfo) -> str:
    """Session-state key of the run of an attempt (an unsaved one: of its case)."""
    return f"run:new:{info.case_id}" if info.id == UNSAVED else f"run:{info.id}"


def load_run(engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo) -> CaseRun:
    """The run from this session, or rebuilt from the stored answers by re-scoring them."""
    key = run_key(info)
    run = st.session_state.get(key)
    if run is not None:
        return run
    loaded = loaded_case(lib, info)
    unsaved = info.id == UNSAVED
    stored = [] if unsaved else session.guarded(attempts.answers, engine, token, info.id)
    try:
        run = rebuild_case(loaded.case, lib.guidance, {a.step_id: a.response for a in stored})
    except (ResponseError, KeyError):
        st.warning(
            "This case was changed after you answered it, so your earlier answers cannot be "
            "shown. Your score is kept in My results; start the case again to play the new "
            "version."
        )
        _restart_button(loaded)
        st.stop()
    if run.finished and info.status != "finished":  # the finish itself failed last time
        session.guarded(answers.finish, engine, token, info.id, run.result())
    st.session_state[key] = run
    return run


def _store_attempt(
    engine: Engine, token: str, info: AttemptInfo, widget_key: str
) -> AttemptInfo | None:
    """Store an unsaved attempt at its first answer (and the learner, if new); None on a fault."""
    ss = st.session_state
    try:
        stored = attempts.start_attempt(
            engine,
            token,
            info.case_id,
            info.case_version,
            first_step=info.current_step,
            must_avoid_cap=info.must_avoid_cap,
        )
    except StorageError as exc:
        ss[f"error:{widget_key}"] = exc.message
        return None
    ss[run_key(stored)] = ss.pop(run_key(info))
    ss["last_case_attempt"] = stored.id
    session.stored_learner(token)
    st.query_params.pop("case", None)
    st.query_params["a"] = str(stored.id)
    return stored


def submit(
    engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo, widget_key: str
) -> None:
    """Submit callback: score, save at once, move along the path, show the feedback."""
    ss = st.session_state
    run: CaseRun = ss[run_key(info)]
    if run.current is None:
        return
    step = run.step(run.current)
    try:
        result = score_response(
            step, read_response(step, widget_key), lib.guidance, tuple(run.case.guidance)
        )
    except ResponseError as exc:  # e.g. more boxes than allowed, ticked faster than a rerun
        ss[f"error:{widget_key}"] = f"This answer cannot be scored yet: {exc}."
        return
    first_answer = info.id == UNSAVED
    if first_answer:
        info = _store_attempt(engine, token, info, widget_key)
        if info is None:
            return
    session.forget_attempt(info.id)
    move = transition(run.case, step, result.response, lib.guidance)
    fields = attempts.answer_fields(step, result, move.next_step, move.minutes)
    key = run_key(info)
    created = answers.store_answer(engine, token, info.id, step.id, fields, widget_key, key)
    if created is None:
        return
    if created:
        run.add(step, result, move)
        if run.finished:
            answers.finish_after_last_answer(engine, token, info.id, run.result())
    session.set_view(step.id)
    if first_answer:  # the page now shows a stored attempt: draw all of it
        st.rerun()
    # Only the path and the item change: the client record beside them stays as it was, so
    # neither the server nor the browser redraws it (a third of the player's elements).
    st.rerun([PATH_FRAGMENT, ITEM_FRAGMENT])


def progress_header(
    number: int, total: int, step: object, answered: bool = False, clock: str | None = None
) -> None:
    """'Step 3 of 6 · Prioritize hypotheses', a progress bar, the step title and the clock."""
    done = number if answered else number - 1
    st.progress(
        done / total if total else 1.0,
        text=f"Step {number} of {total} · {Skill(step.skill).label}",
    )
    badge = f"\n\n:blue-badge[:material/schedule: Clock {clock}]" if clock else ""
    st.markdown(f"### {safe_md(step_title(step))}{badge}")


def show_step(engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo, run: CaseRun):
    """The current step: narrative on arrival, prompt, widgets and the submit button."""
    step = run.step(run.current)
    number, total = run.progress()
    progress_header(number, total, step, clock=clock_time(run.case, run.minutes))
    if step.narrative:
        st.info(safe_md(step.narrative), icon=":material/campaign:")
    item_exhibits(step)
    st.markdown(safe_md(step.prompt))
    widget_key = f"w{run.key}.{step.id}"
    answer_form(step, widget_key, submit, (engine, lib, token, info, widget_key))


def way_on(run: CaseRun, index: int) -> tuple[str, str]:
    """Label and icon of the button leaving the feedback of the ``index``-th answered step."""
    if index < len(run.answered) - 1:
        return "Back to where you are", ":material/undo:"
    if run.finished:
        return "See your debrief", ":material/flag:"
    return f"Continue to step {index + 2}", ":material/arrow_forward:"


def show_feedback(run: CaseRun, step_id: str) -> None:
    """The feedback of an answered step, what happened next, and the way on."""
    done = run.get(step_id)
    index = run.answered.index(done)
    _, total = run.progress()
    clock = clock_time(run.case, done.minutes_before + done.transition.minutes)
    progress_header(index + 1, total, done.step, answered=True, clock=clock)
    item_exhibits(done.step)
    st.markdown(safe_md(done.step.prompt))
    label, icon = way_on(run, index)
    key = f"evidence.{run.case.id}.{step_id}"
    feedback_summary(done.result, done.transition, clock, key)
    st.button(label, type="primary", icon=icon, on_click=show_view, args=(None,))
    feedback_details(done.step, done.result, key)
    st.button(label, icon=icon, on_click=show_view, args=(None,), key="onward.bottom")


def path_strip(run: CaseRun, view: str | None, scores: bool = True) -> None:
    """The steps taken so far, each reopening its feedback, then where the trainee is now."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key="cb-path"):
        st.caption("Your path:", width="content")
        for i, done in enumerate(run.answered):
            r = done.result
            mark = "✓" if r.full_marks else "✗"
            label = f"{mark} {i + 1}. {step_title(done.step)} · {r.points}/{r.max_points}"
            if not scores:  # a class exam before its results are released
                label = f"{i + 1}. {step_title(done.step)}"
            st.button(
                label,
                key=f"path.{done.step.id}",
                type="tertiary",
                disabled=view == done.step.id,
                on_click=show_view,
                args=(done.step.id,),
            )
        if not run.finished:
            here = f"→ {len(run.answered) + 1}. {step_title(run.step(run.current))}"
            st.button(
                here,
                key="path.here",
                type="tertiary",
                disabled=view is None,
                on_click=show_view,
                args=(None,),
            )


def _restart_button(loaded: LoadedCase) -> None:
    if st.button("Start this case again", type="primary", icon=":material/replay:"):
        restart(loaded)


def restart(loaded: LoadedCase) -> None:
    """Play the case again from its first step (stored with the first answer)."""
    st.session_state.pop("last_case_attempt", None)
    st.session_state.pop(f"run:new:{loaded.case.id}", None)
    st.query_params.pop("a", None)
    st.query_params["case"] = loaded.case.id
    session.set_view(None)
    st.rerun()


def next_case_id(lib: CaseLibrary, case_id: str) -> str | None:
    """The case after this one in the library's title order (wrapping), if there is another."""
    ids = [c.case.id for c in sorted(lib.cases.values(), key=lambda c: c.case.title.lower())]
    if len(ids) < 2 or case_id not in ids:
        return None
    return ids[(ids.index(case_id) + 1) % len(ids)]


def show_debrief(lib: CaseLibrary, run: CaseRun, rules: in_class.ClassRules | None = None) -> None:
    """The debrief with Try again / Next case (in a class session: back to the session)."""
    clock = clock_time(run.case, run.minutes)
    badge = f" :blue-badge[:material/schedule: Clock {clock}]" if clock else ""
    st.markdown(f"## :material/flag: Debrief{badge}")
    titles = {s.id: step_title(s) for s in run.case.steps}
    debrief(run.result(), titles)
    st.divider()
    if rules is not None:
        in_class.back_to_session(rules)
        return
    loaded = lib.get(run.case.id)
    following = next_case_id(lib, run.case.id)
    with st.container(horizontal=True):
        again = st.button("Try again", type="primary", icon=":material/replay:")
        onward = st.button(
            "Next case" if following else "Back to the library", icon=":material/arrow_forward:"
        )
    if again and loaded:
        restart(loaded)
    if onward:
        page = session.PLAYER_PAGE if following else session.LIBRARY_PAGE
        st.switch_page(page, query_params=session.params(case=following))


def show(engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo, run: CaseRun) -> None:
    """The whole player for one attempt: title and banner, then the player panel."""
    rules = in_class.class_rules(engine, info)  # None outside a class session
    st.markdown(f"## {safe_md(run.case.title)}")
    source_caption(lib.guidance.notice(run.case.guidance))
    in_class.class_header(engine, info, rules)
    patient_banner(run.case, None)  # the clock sits with the step: it moves with each answer
    player_panel(engine, lib, token, info, run, rules)


# Fragment keys. A tick reruns the step; a submit reruns the path and the item; moving to
# another step (Continue, a path button) reruns the player, since the client record changes.
PLAYER_FRAGMENT = "player"
PATH_FRAGMENT = "path"
ITEM_FRAGMENT = "item"


def show_view(step_id: str | None) -> None:
    """Callback: show an answered step's feedback (None: where the trainee is) beside its record."""
    session.set_view(step_id)
    st.rerun(PLAYER_FRAGMENT)


def viewed_step(run: CaseRun) -> Answered | None:
    """The answered step whose feedback the URL asks for, if there is one."""
    view = st.query_params.get("s")
    return run.get(view) if view else None


def rebuilt(info: AttemptInfo, run: CaseRun) -> None:
    """Rerun the page when this session's run was dropped or rebuilt since ``run`` was drawn."""
    if st.session_state.get(run_key(info)) is not run:
        st.rerun(scope="app")


@st.fragment(key=PLAYER_FRAGMENT)
def player_panel(
    engine: Engine,
    lib: CaseLibrary,
    token: str,
    info: AttemptInfo,
    run: CaseRun,
    rules: in_class.ClassRules | None,
) -> None:
    """Path, client record and the step (or its feedback); the debrief at the end."""
    rebuilt(info, run)
    path_panel(info, run, rules)
    viewed = viewed_step(run)
    stopped = not run.finished and rules is not None and rules.closed  # End now, time up
    if viewed is None and (run.finished or stopped):
        if stopped:
            in_class.ended_early(rules)
        if rules is not None and rules.withholds(True):
            in_class.results_pending(rules)
        elif run.answered:
            show_debrief(lib, run, rules)
        else:  # ended before a first answer: nothing to debrief
            in_class.back_to_session(rules)
        return
    reached = run.path[: run.answered.index(viewed) + 1] if viewed is not None else run.path
    record, item = layout.panes()
    with record:
        layout.record_heading()
        client_record(run.case, reached, reached[-1])
    with item:
        layout.record_link()
        item_panel(engine, lib, token, info, run, rules)


@st.fragment(key=PATH_FRAGMENT)
def path_panel(info: AttemptInfo, run: CaseRun, rules: in_class.ClassRules | None) -> None:
    """The path strip, in its own fragment so that a submit can redraw it without the record."""
    rebuilt(info, run)
    viewed = viewed_step(run)
    hidden = rules is not None and rules.withholds(run.finished)
    path_strip(run, viewed.step.id if viewed else None, scores=not hidden)


@st.fragment(key=ITEM_FRAGMENT)
def item_panel(
    engine: Engine,
    lib: CaseLibrary,
    token: str,
    info: AttemptInfo,
    run: CaseRun,
    rules: in_class.ClassRules | None,
) -> None:
    """The current step, or the feedback of an answered one."""
    rebuilt(info, run)
    notice = st.session_state.pop("notice", None)
    if notice:
        st.toast(notice)
    viewed = viewed_step(run)
    if viewed is not None and rules is not None and rules.withholds(run.finished):
        in_class.answer_saved(rules, run.finished and viewed is run.answered[-1], show_view)
    elif viewed is not None:
        show_feedback(run, viewed.step.id)
    elif run.finished or (rules is not None and rules.closed):
        st.rerun(scope="app")  # finished in another tab, or ended: the panel shows the end
    else:
        step_panel(engine, lib, token, info, run)


@st.fragment  # ticking boxes reruns only the step; a submit reruns the path and item (see submit)
def step_panel(
    engine: Engine, lib: CaseLibrary, token: str, info: AttemptInfo, run: CaseRun
) -> None:
    """The current step, in its own fragment: the chart beside it is not redrawn per click."""
    show_step(engine, lib, token, info, run)
