"""The Author page's pieces: the editor (paste, upload, start from a skeleton or a library case),
problems by line with the offending lines shown, a trainee preview kept only in this session,
publishing, and earlier versions to restore.

The preview reuses the trainee player's widgets, feedback, chart and debrief with an in-memory
run: nothing about a preview is written to the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from classroom import publishing
from scoring.engine.case_path import clock_time, transition
from scoring.engine.items import score_response
from scoring.errors import CaseError, Problem
from scoring.format.skeleton import skeleton
from scoring.format.yaml_reader import MAX_BYTES, YamlError, decode_yaml_bytes
from scoring.guidance.passages import GuidanceLibrary
from scoring.library.loader import CaseLibrary, LoadedCase, cases_dir, load_case_bytes
from scoring.lint.engine import LintFinding, lint_case
from ui.components.safe_text import plain_md, safe_md
from ui.components.session import educator_only
from ui.player import layout
from ui.player.case import progress_header, step_title, way_on
from ui.player.debrief import debrief
from ui.player.exhibits import client_record, patient_banner
from ui.player.feedback import item_feedback, what_happened
from ui.player.state import CaseRun
from ui.player.widgets import answer_form, read_response

TEXT = "author.text"
UPLOAD = "author.upload"
NOTICE = "author.notice"
CHECKED = "author.checked"
LINTED = "author.linted"
PREVIEW = "author.preview"
OUTCOME = "author.outcome"
SNIPPETS = 30  # problems shown with their lines; any further ones are listed as lines only
LINE_WIDTH = 160


@dataclass
class Preview:
    """A trainee run of the case in the editor, kept only in this browser session."""

    version: str
    run: CaseRun
    view: str | None = None  # the answered step whose feedback is on screen
    plays: int = 0
    done: list[str] = field(default_factory=list)


# --- the editor ---------------------------------------------------------------------------


def _notice(kind: str, text: str) -> None:
    st.session_state[NOTICE] = (kind, text)


@educator_only  # callbacks run before the page's sign-in check
def take_upload() -> None:
    """Uploader callback: put a readable case file into the editor, or refuse it."""
    upload = st.session_state.get(UPLOAD)  # other names: refused by the uploader's type filter
    if upload is None:
        return
    name = Path(upload.name).name
    if not name.lower().endswith((".yaml", ".yml")):
        _notice("error", f"{name} was not loaded: case files end in .yaml or .yml.")
        return
    if upload.size > MAX_BYTES:
        mib = upload.size / 1048576
        _notice("error", f"{name} was not loaded: it is {mib:.1f} MiB; case files are under 1 MiB.")
        return
    try:
        text = decode_yaml_bytes(upload.getvalue(), name)
    except YamlError as exc:
        _notice("error", f"{name} was not loaded: {exc.problem.message}.")
        return
    st.session_state[TEXT] = text
    _notice("success", f"Loaded {name} into the editor.")


def start_from_skeleton(lib: GuidanceLibrary) -> None:
    """Button callback: a fresh skeleton in the editor."""
    doc = next(iter(lib.documents))
    st.session_state[TEXT] = skeleton(
        "new-case", ["multiple_choice"], guidance_id=doc, passage_id=lib.passage_ids([doc])[0]
    )
    _notice("success", "A new case skeleton is in the editor: replace its texts, keep its shape.")


def open_library_case(cases: CaseLibrary) -> None:
    """Selectbox callback: a library case's file text in the editor."""
    case_id = st.session_state.get("author.open")
    loaded = cases.get(case_id) if case_id else None
    if loaded is None:
        return
    st.session_state[TEXT] = loaded.doc.text
    st.session_state["author.open"] = None
    _notice("success", f"Opened {Path(loaded.path).name} from the library.")


def editor(cases: CaseLibrary) -> str:
    """The ways in (upload, skeleton, library case) and the YAML editor; returns its text."""
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.file_uploader(
            "Upload a case file (.yaml, under 1 MiB)",
            type=["yaml", "yml"],
            key=UPLOAD,
            on_change=take_upload,
        )
        st.selectbox(
            "Or open a library case",
            sorted(cases.cases),
            index=None,
            placeholder="Choose a case…",
            key="author.open",
            on_change=open_library_case,
            args=(cases,),
        )
        st.button(
            "New case from a skeleton",
            icon=":material/note_add:",
            on_click=start_from_skeleton,
            args=(cases.guidance,),
        )
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        kind, text = notice
        (st.error if kind == "error" else st.success)(plain_md(text))
    return (
        st.text_area(
            "Case YAML",
            key=TEXT,
            height=420,
            max_chars=MAX_BYTES,
            placeholder="Paste a case here, upload a file, or start from a skeleton.",
            help="Problems are checked each time the text changes (click outside the box, "
            "or press Ctrl+Enter).",
        )
        or ""
    )


# --- validation -----------------------------------------------------------------------------


def check(text: str, lib: GuidanceLibrary) -> LoadedCase | list[Problem]:
    """The loaded case, or every problem; remembered per text so reruns do not re-check."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    cached = st.session_state.get(CHECKED)
    if cached and cached[0] == digest:
        return cached[1]
    try:
        result: LoadedCase | list[Problem] = load_case_bytes(
            text.encode("utf-8", "surrogatepass"), "editor", lib
        )
    except CaseError as exc:
        result = exc.problems
    st.session_state[CHECKED] = (digest, result)
    return result


def _window(line: str, col: int) -> tuple[str, int]:
    """A long line cut to LINE_WIDTH characters around ``col`` (1-based); the new column."""
    if len(line) <= LINE_WIDTH:
        return line, col
    start = max(0, min(col - LINE_WIDTH // 2, len(line) - LINE_WIDTH))
    cut = line[start : start + LINE_WIDTH]
    prefix = "…" if start else ""
    return prefix + cut + ("…" if start + LINE_WIDTH < len(line) else ""), col - start + len(prefix)


def snippet(text: str, line: int, col: int, context: int = 1) -> str:
    """The lines around a problem, numbered, with a caret under the column."""
    lines = text.splitlines() or [""]
    line = min(max(line, 1), len(lines))
    low, high = max(1, line - context), min(len(lines), line + context)
    width = len(str(high))
    out = []
    for n in range(low, high + 1):
        shown, at = _window(lines[n - 1], col if n == line else 1)
        out.append(f"{'>' if n == line else ' '} {n:>{width}} | {shown}")
        if n == line:
            out.append(" " * (width + 5 + max(at, 1) - 1) + "^")
    return "\n".join(out)


def problems(text: str, found: list[Problem]) -> None:
    """Every problem: its line, column and message, with the offending line shown."""
    n = len(found)
    st.error(
        f"**{n} problem{'s' * (n != 1)}** — fix {'them' if n != 1 else 'it'} to preview and "
        "publish the case. Each is shown with its line; the caret (^) marks the place.",
        icon=":material/report:",
    )
    for p in found[:SNIPPETS]:
        st.markdown(f"**Line {p.line}, column {p.col}:** {plain_md(p.message)}")
        st.code(snippet(text, p.line, p.col), language=None)
    if n > SNIPPETS:
        st.markdown(f"**{n - SNIPPETS} more:**")
        st.code(
            "\n".join(f"line {p.line}:{p.col}: {p.message}" for p in found[SNIPPETS:]),
            language=None,
            wrap_lines=True,
        )


def lint_of(loaded: LoadedCase, lib: GuidanceLibrary) -> list[LintFinding]:
    """The item-writing findings of a valid case; remembered per version like ``check``."""
    cached = st.session_state.get(LINTED)
    if cached and cached[0] == loaded.version:
        return cached[1]
    findings = lint_case(loaded, lib)
    st.session_state[LINTED] = (loaded.version, findings)
    return findings


def item_writing(text: str, findings: list[LintFinding]) -> None:
    """The `casebook lint` findings beside the problems: each with its line, rule and fix."""
    shown = [f for f in findings if f.suppressed is None]
    allowed = [f for f in findings if f.suppressed is not None]
    if not shown:
        st.caption(
            ":material/spellcheck: Item-writing checks (`casebook lint`): no findings"
            + (f", {len(allowed)} allowed on their steps." if allowed else ".")
        )
    else:
        n = len(shown)
        st.warning(
            f"**{n} item-writing finding{'s' * (n != 1)}** (`casebook lint`). The case can be "
            "published, but each is a cue or an inconsistency a trainee may meet: fix it, or "
            'allow the rule on its step with `lint: {allow: [rule-id], why: "…"}`.',
            icon=":material/spellcheck:",
        )
        for f in shown[:SNIPPETS]:
            st.markdown(
                f"**Line {f.line}, column {f.col} · `{f.rule}`:** {plain_md(f.message)}.  \n"
                f"*Fix:* {plain_md(f.fix)}."
            )
            st.code(snippet(text, f.line, f.col), language=None)
        if n > SNIPPETS:
            st.code("\n".join(str(f) for f in shown[SNIPPETS:]), language=None, wrap_lines=True)
    if allowed:
        with st.expander(f"{len(allowed)} allowed on their steps", icon=":material/rule:"):
            for f in allowed:
                st.markdown(
                    f"**Line {f.line} · `{f.rule}`:** {plain_md(f.message)}.  \n"
                    f"*Why allowed:* {plain_md(f.suppressed or '')}"
                )


def is_live(loaded: LoadedCase, cases: CaseLibrary) -> bool:
    """Whether the editor holds exactly the library's current version of its case."""
    current = cases.get(loaded.case.id)
    return current is not None and current.version == loaded.version


def valid(loaded: LoadedCase, cases: CaseLibrary) -> None:
    """The one-line summary of a valid case, saying whether it is already the live version."""
    case = loaded.case
    steps = len(case.steps)
    where = (
        f"published as `{case.id}.yaml`: the library has this version (`{loaded.version}`)"
        if is_live(loaded, cases)
        else f"will be published as `{case.id}.yaml` · version `{loaded.version}`"
    )
    st.success(
        f"**No problems.** “{safe_md(case.title)}” · {steps} step{'s' * (steps != 1)} · {where}",
        icon=":material/check_circle:",
    )


# --- the preview ----------------------------------------------------------------------------


def _preview(loaded: LoadedCase) -> Preview:
    state: Preview | None = st.session_state.get(PREVIEW)
    if state is None or state.version != loaded.version:
        state = Preview(loaded.version, CaseRun(loaded.case, current=loaded.case.steps[0].id))
        st.session_state[PREVIEW] = state
    return state


def _widget_key(state: Preview, step_id: str) -> str:
    return f"pv{state.plays}.{state.version}.{step_id}"


def _submit(lib: GuidanceLibrary) -> None:
    state: Preview = st.session_state[PREVIEW]
    run = state.run
    if run.current is None:
        return
    step = run.step(run.current)
    raw = read_response(step, _widget_key(state, step.id))
    result = score_response(step, raw, lib, tuple(run.case.guidance))
    run.add(step, result, transition(run.case, step, result.response, lib))
    state.view = step.id


def _set_view(step_id: str | None) -> None:
    st.session_state[PREVIEW].view = step_id


def _replay() -> None:
    state: Preview = st.session_state[PREVIEW]
    state.run = CaseRun(state.run.case, current=state.run.case.steps[0].id)
    state.view, state.plays = None, state.plays + 1


def preview(loaded: LoadedCase, lib: GuidanceLibrary) -> None:
    """Play the case as a trainee would, feedback and debrief included; nothing is saved."""
    state = _preview(loaded)
    run, case = state.run, loaded.case
    st.caption(
        "This is what a trainee sees. Answers in the preview are not saved and do not count."
    )
    st.button("Restart the preview", icon=":material/replay:", on_click=_replay)
    st.markdown(f"## {safe_md(case.title)}")
    viewed = run.get(state.view) if state.view else None
    if viewed is None and run.finished:
        patient_banner(case, clock_time(case, run.minutes))
        st.markdown("## :material/flag: Debrief")
        debrief(run.result(), {s.id: step_title(s) for s in case.steps})
        return
    if viewed is not None:
        minutes = viewed.minutes_before + viewed.transition.minutes
        reached = run.path[: run.answered.index(viewed) + 1]
    else:
        minutes, reached = run.minutes, run.path
    patient_banner(case, clock_time(case, minutes))
    record, item = layout.panes()
    with record:
        layout.record_heading()
        client_record(case, reached, reached[-1])
    with item:
        layout.record_link()
        if viewed is not None:
            _feedback(run, viewed.step.id)
        else:
            _step(state, lib)


def _step(state: Preview, lib: GuidanceLibrary) -> None:
    run = state.run
    step = run.step(run.current)
    number, total = run.progress()
    progress_header(number, total, step)
    if step.narrative:
        st.info(safe_md(step.narrative), icon=":material/campaign:")
    st.markdown(safe_md(step.prompt))
    key = _widget_key(state, step.id)
    answer_form(step, key, _submit, (lib,))


def _feedback(run: CaseRun, step_id: str) -> None:
    done = run.get(step_id)
    index = run.answered.index(done)
    _, total = run.progress()
    progress_header(index + 1, total, done.step)
    st.markdown(safe_md(done.step.prompt))
    item_feedback(done.step, done.result)
    what_happened(
        done.transition, clock_time(run.case, done.minutes_before + done.transition.minutes)
    )
    label, icon = way_on(run, index)
    st.button(label, type="primary", icon=icon, on_click=_set_view, args=(None,))


# --- publishing and versions ----------------------------------------------------------------


def _outcome(kind: str, text: str, lines: list[str] | None = None) -> None:
    st.session_state[OUTCOME] = (kind, text, lines or [])


def _published_message(done: publishing.Published, verb: str) -> str:
    if not done.changed:
        return f"{done.path.name} is already this version ({done.version}); nothing changed."
    kept = (
        f" The previous version ({done.previous_version}) is kept and can be restored."
        if done.previous_version
        else ""
    )
    return (
        f"{verb} “{done.case_id}” as {done.path.name} (version {done.version}). "
        f"It is in the case library now.{kept}"
    )


@educator_only  # callbacks run before the page's sign-in check
def _publish(lib: GuidanceLibrary) -> None:
    # The editor's text as it is now (not as it was drawn): what is validated is what is written.
    raw = (st.session_state.get(TEXT) or "").encode("utf-8", "surrogatepass")
    try:
        done = publishing.publish_case(raw, cases_dir(), lib)
    except publishing.PublishError as exc:
        _outcome("error", exc.message, [str(p) for p in exc.problems])
        return
    st.session_state[TEXT] = done.path.read_text(encoding="utf-8")
    _outcome("success", _published_message(done, "Published"))


@educator_only  # callbacks run before the page's sign-in check
def _restore(case_id: str, version: str, lib: GuidanceLibrary) -> None:
    try:
        done = publishing.restore_version(case_id, version, cases_dir(), lib)
    except (publishing.PublishError, CaseError) as exc:
        problems = getattr(exc, "problems", [])
        _outcome("error", getattr(exc, "message", str(exc)), [str(p) for p in problems])
        return
    _outcome("success", _published_message(done, f"Restored version {version} of"))


@educator_only  # callbacks run before the page's sign-in check
def _load_version(case_id: str, version: str) -> None:
    raw = publishing.version_text(case_id, version, cases_dir())
    if raw is not None:
        st.session_state[TEXT] = raw.decode("utf-8", "replace")
        _notice("success", f"Version {version} of {case_id} is in the editor.")


def outcome() -> None:
    """The result of the last publish or restore, once."""
    done = st.session_state.pop(OUTCOME, None)
    if not done:
        return
    kind, text, lines = done
    if kind == "error":
        st.error(plain_md(text), icon=":material/block:")
        if lines:
            st.code("\n".join(lines), language=None, wrap_lines=True)
    else:
        st.success(plain_md(text), icon=":material/published_with_changes:")
        st.page_link(
            "ui/pages/library.py", label="Open the case library", icon=":material/menu_book:"
        )


def publish_panel(loaded: LoadedCase, cases: CaseLibrary) -> None:
    """What publishing will do, and the button."""
    case_id = loaded.case.id
    current = cases.get(case_id)
    target = cases_dir() / f"{case_id}.yaml"
    if is_live(loaded, cases):
        # Right after publishing the editor holds the published text (its first line now
        # points editors at the schema), so there is nothing left to publish.
        st.markdown(
            f"The library has exactly this text as `{case_id}.yaml` (version "
            f"`{loaded.version}`). Edit the case to publish a new version."
        )
    elif current is None:
        st.markdown(f"Publishing adds a new case to the library as `{case_id}.yaml`.")
    elif Path(current.path).resolve() != target.resolve():
        st.warning(
            f"The library already has a case with the id `{case_id}` in "
            f"`{Path(current.path).name}`. Change the id to publish this as a new case.",
            icon=":material/warning:",
        )
    else:
        st.markdown(
            f"Publishing replaces `{case_id}.yaml` (version `{current.version}`). The current "
            "version is kept, so it can be restored below. Trainees who started the case keep "
            "their attempt's version."
        )
    st.button(
        "Publish to the library",
        type="primary",
        icon=":material/publish:",
        disabled=is_live(loaded, cases),
        on_click=_publish,
        args=(cases.guidance,),
    )


def versions_panel(cases: CaseLibrary, suggested: str | None) -> None:
    """Earlier versions of the editor's case (or a chosen one), each to open or restore."""
    case_id = suggested
    if case_id is None:
        case_id = st.selectbox(
            "Case",
            sorted(cases.cases),
            index=None,
            placeholder="Choose a case…",
            key="author.versions",
        )
    if case_id is None:
        return
    st.markdown(f"Earlier versions of `{case_id}`")
    kept = publishing.list_versions(case_id, cases_dir())
    current = cases.get(case_id)
    st.caption(f"Current version: `{current.version}`" if current else "Not in the library.")
    if not kept:
        st.info("No earlier versions are kept for this case yet.", icon=":material/history:")
        return
    for v in kept:
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            st.markdown(
                f"`{v.version}` · replaced {v.saved_at.replace('T', ' ')} UTC", width="stretch"
            )
            st.button(
                "Open in editor",
                key=f"open.{v.version}",
                on_click=_load_version,
                args=(case_id, v.version),
            )
            st.button(
                "Restore",
                key=f"restore.{v.version}",
                icon=":material/restore:",
                disabled=current is not None and current.version == v.version,
                on_click=_restore,
                args=(case_id, v.version, cases.guidance),
            )
