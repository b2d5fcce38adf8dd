"""The live dashboard's panels: roster, scores, items, distractors, skills, one student, exports.

Every number comes from ``classroom.analytics.dashboard``; this module only labels and draws it.
Every score is the reported one (``classroom.grades``): the number the student sees, the gradebook
and every export carry. The dashboard of a session is cached per browser session
(``DashboardCache`` in ``st.session_state``) and recomputed only when an answer, a
participant or a finish arrives.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from classroom import sessions
from classroom.analytics import dashboard as dash
from classroom.analytics.dashboard import Dashboard, DashboardCache
from classroom.analytics.exports import to_csv_bytes, to_xlsx_bytes, workbook_sheets
from classroom.analytics.item_stats import MIN_ANSWERS, OverallStats
from scoring.engine.grades import format_percent
from scoring.engine.quiz import QUIZ_ID
from scoring.format.models import Case
from scoring.library.loader import CaseLibrary
from ui.components import resources, session
from ui.components.clock import local_time
from ui.components.safe_text import plain_md
from ui.player.catalog import ITEM_LABELS
from ui.player.feedback import item_feedback

REFRESH_SECONDS = 10
TAB_KEY = "dashboard.tab"  # the open tab, in st.session_state
ITEM_HELP = (
    "**Facility**: the class's average on the item, as % of its points (above 90 very easy, "
    "below 20 very hard). **SD**: spread of the item's marks. **Discrimination index**: how "
    "well the item separates students who do well on the rest of the test from those who do "
    "not (−100 to 100; higher is better). **Discriminative efficiency**: the same, as % of the "
    "most the item could discriminate; below 15 is flagged weak. **Random guess**: the "
    "expected score of random choices on +/- items. **Students** is the item's n: the students "
    "who answered it. A step on a branch a student did not take is not counted as a wrong "
    f"answer, so every figure is over those n students; below {MIN_ANSWERS} the item shows "
    "*too few answers* instead of a flag. With few students these numbers are rough."
)


def load(engine: Engine, lib: CaseLibrary, code: str) -> Dashboard | None:
    """This browser session's dashboard of ``code``; None when the session has gone."""
    cache = st.session_state.setdefault(f"dashboard:{code}", DashboardCache())
    try:
        return session.guarded(cache.get, engine, code, lib)
    except ValueError:  # deleted while the dashboard was open
        return None


def live(engine: Engine, code: str) -> bool:
    """Whether the dashboard should keep refreshing: students can join, or still answer.

    Read afresh each time: the session may be closed or ended from another page meanwhile.
    """
    info = session.guarded(sessions.get_session, engine, code)
    if info is None:
        return False
    if info.is_open and info.answering:
        return True
    return session.guarded(sessions.answering_count, engine, code) > 0


def _when(stamp: pd.Timestamp) -> str:
    return local_time(stamp.to_pydatetime(), "%H:%M")


def _titles(board: Dashboard) -> dict[str, str]:
    return {**board.case_titles, QUIZ_ID: "Quick quiz"}


FINISHED_HELP = "Of the students who finished every activity (scores as in the gradebook)."


def headline(board: Dashboard) -> None:
    """Joined, answers, students finished, and the finished students' mean, median and SD."""
    roster = board.roster
    summary = board.distribution.summary
    cells = st.columns(6)
    cells[0].metric("Students joined", len(roster), border=True)
    cells[1].metric("Answers stored", board.data.key[1], border=True)
    cells[2].metric("Finished all", int(roster["finished"].sum()), border=True)
    cells[3].metric("Mean score", _pct(summary["mean"]), border=True, help=FINISHED_HELP)
    cells[4].metric("Median score", _pct(summary["median"]), border=True, help=FINISHED_HELP)
    sd_help = "In percentage points. " + FINISHED_HELP
    cells[5].metric("SD", _num(summary["sd"]), border=True, help=sd_help)


def _pct(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.0f}%"


def _score(value: float) -> str:
    """A reported percent exactly as students see it ('50%', '85.7%')."""
    return "–" if value is None or math.isnan(value) else format_percent(value)


def _num(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.1f}"


def roster_table(board: Dashboard, ids: dict[int, str] | None = None) -> None:
    """Who joined (with their stable ID), progress per case, session score, must-avoid."""
    roster = board.roster
    if roster.empty:
        st.info("Nobody has joined yet. Students join with the code on the sessions page.")
        return
    titles = _titles(board)
    cases = [c for c in roster.columns if c in titles]
    ids = ids or {}
    table = pd.DataFrame(
        {
            "Student": roster["student"],
            "ID": [ids.get(int(i), "") for i in roster["learner_id"]],
            "Joined": roster["joined_at"].map(_when),
            **{f"{titles[c]} (steps)": roster[c] for c in cases},
            "Score %": roster["percent"],
            "Points": roster["points"],
            "Of": roster["max_points"],
            "Capped": roster["capped"].map({True: "capped", False: ""}),
            "Must-avoid choices": roster["must_avoid"],
            "Done": roster["finished"].map({True: "✓ finished", False: "in progress"}),
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        height="content",
        column_config={
            "Score %": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%g%%")
        },
    )
    st.caption(
        "Steps = answered / steps on the longest path still open. Score = the session score "
        "the gradebook exports: each activity as its student sees it (after any must-avoid "
        "cap), work not done counted as 0 (of the most points still possible). Points are "
        "as earned; *capped* means a cap lowered an activity's score (see Scores)."
    )


def scores_panel(board: Dashboard) -> None:
    """The students' session scores (histogram, summary of the finished) and every attempt."""
    totals = board.distribution.totals.assign(
        Status=lambda t: t["finished"].map({True: "finished", False: "in progress"})
    )
    if totals.empty:
        st.info("No answers yet.")
        return
    chart = (
        alt.Chart(totals)
        .mark_bar()
        .encode(
            x=alt.X("percent:Q", bin=alt.Bin(extent=[0, 100], step=10), title="Session score %"),
            y=alt.Y("count():Q", title="Students", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("Status:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["Status", alt.Tooltip("count():Q", title="Students")],
        )
        .properties(height=260)
    )
    chart_col, numbers = st.columns([3, 2])
    chart_col.altair_chart(chart, width="stretch")
    summary = board.distribution.summary
    numbers.table(
        pd.DataFrame(
            {
                "": ["Students finished", "Mean", "Median", "SD", "Lowest", "Highest"],
                "Score %": [
                    f"{summary['n']}",
                    *[_num(summary[k]) for k in ("mean", "median", "sd", "min", "max")],
                ],
            }
        ),
        hide_index=True,
    )
    numbers.caption(FINISHED_HELP)
    attempts_table(board)


def attempts_table(board: Dashboard) -> None:
    """Every student's score on every activity, with the cap that lowered it, if any."""
    scores = board.scores
    titles = _titles(board)
    st.markdown("**Every activity, as each student sees it**")
    st.dataframe(
        pd.DataFrame(
            {
                "Student": scores["student"],
                "Activity": scores["activity"].map(lambda a: titles.get(a, a)),
                "Status": scores["status"].where(~scores["ended_early"], "ended by you"),
                "Score": scores["percent"].map(_score),
                "Points": scores["points"],
                "Of": scores["max_points"],
                "Before the cap": scores["raw_percent"].map(_score).where(scores["capped"], ""),
                "Must-avoid choices": scores["must_avoid"],
            }
        ),
        hide_index=True,
        height="content",
    )
    st.caption(
        "Score is exactly what the student sees in their debrief and My results. A case's "
        "must-avoid cap lowers the score, never the points; an activity in progress counts "
        "the work not done as 0."
    )


def test_basis(test: OverallStats) -> str:
    """What the test-level figures are computed over, in words."""
    if test.n_students == 0:
        return (
            "Test figures appear once students have finished every activity: they are "
            "computed over the students who did."
        )
    students = "student" if test.n_students == 1 else f"{test.n_students} students"
    basis = f"Test figures: the {students} who finished every activity"
    if test.n_items == test.items_total:
        return basis + f", on all {test.n_items} items."
    return (
        basis + f", on the {test.n_items} of {test.items_total} items all of them answered "
        "(items on a branch only some took are analysed item by item below)."
    )


def items_panel(board: Dashboard) -> None:
    """Whole-test reliability and one row per item, weak items flagged first."""
    test = board.test
    cells = st.columns(4)
    cells[0].metric("Students analysed", test.n_students, border=True)
    cells[1].metric("CIC (reliability)", _pct(test.cic), border=True)
    cells[2].metric("Error ratio", _pct(test.error_ratio), border=True)
    cells[3].metric("Standard error (points)", _num(test.standard_error), border=True)
    st.caption(
        test_basis(test)
        + " CIC above 75% is satisfactory, below 64% unsatisfactory (Moodle's guidance)."
    )
    items = board.items
    if items.empty:
        st.info("No answers yet.")
        return
    flagged = items[(items["flag"] != "") & (items["flag"] != "too few answers")]
    if not flagged.empty:
        st.warning(
            f"{len(flagged)} of {len(items)} items flagged: see the Flag column.",
            icon=":material/flag:",
        )
    few = int((items["n"] < MIN_ANSWERS).sum())
    if few:
        st.caption(
            f"{few} item{'s' if few != 1 else ''} answered by fewer than {MIN_ANSWERS} "
            "students: *too few answers* to flag."
        )
    table = pd.DataFrame(
        {
            "Case": items["case_title"],
            "Step": items["step_title"],
            "Flag": items["flag"],
            "Students": items["n"],
            "Facility %": items["facility"],
            "SD %": items["sd"],
            "Discrimination index": items["discrimination_index"],
            "Discriminative efficiency %": items["discriminative_efficiency"],
            "Random guess %": items["random_guess"],
            "Type": items["item_type"].map(lambda t: ITEM_LABELS.get(t, t)),
            "Skill": items["skill"],
        }
    ).sort_values("Flag", ascending=False, key=lambda s: s != "")
    number = st.column_config.NumberColumn(format="%.0f")
    st.dataframe(
        table,
        hide_index=True,
        height="content",
        column_config={c: number for c in table.columns if "%" in c or "index" in c},
    )
    with st.expander("How to read the item table", icon=":material/help:"):
        st.markdown(ITEM_HELP)


def distractors_panel(board: Dashboard) -> None:
    """For one item: how many chose each option, keyed and must-avoid options marked."""
    table = board.distractors
    if table.empty:
        st.info("No answers yet.")
        return
    labels = {i: f"{r['case_title']} · {r['step_title']}" for i, r in board.items.iterrows()}
    item = st.selectbox("Item", list(labels), format_func=labels.__getitem__, key="distractor")
    rows = table[table["item"] == item].copy()
    rows["Option"] = rows["text"].fillna(rows["option"])
    rows["Kind"] = [
        "keyed" if k is True else ("must-avoid" if m is True else "other")
        for k, m in zip(rows["keyed"], rows["must_avoid"], strict=True)
    ]
    chart = (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y("Option:N", sort=None, title=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X(
                "share:Q", title="% of students who answered", scale=alt.Scale(domain=[0, 100])
            ),
            color=alt.Color(
                "Kind:N",
                scale=alt.Scale(
                    domain=["keyed", "must-avoid", "other"], range=["#2e7d32", "#c62828", "#9e9e9e"]
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["Option", "count", alt.Tooltip("share:Q", format=".0f"), "Kind"],
        )
        .properties(height=alt.Step(26))
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(
        rows[["Option", "Kind", "count", "share"]].rename(
            columns={"count": "Students", "share": "% of answerers"}
        ),
        hide_index=True,
        column_config={"% of answerers": st.column_config.NumberColumn(format="%.0f")},
    )


def skills_panel(board: Dashboard) -> None:
    """Percent per CJMM skill for the class (chart) and per student (table); must-avoid list."""
    skills = board.skills
    if skills.by_class.empty:
        st.info("No answers yet.")
        return
    chart = (
        alt.Chart(skills.by_class)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("percent:Q", scale=alt.Scale(domain=[0, 100]), title="Class % of points"),
            tooltip=["label", "points", "max_points", alt.Tooltip("percent:Q", format=".0f")],
        )
        .properties(height=alt.Step(28))
    )
    st.altair_chart(chart, width="stretch")
    names = board.roster.set_index("learner_id")["student"]
    per_student = skills.percent_table.rename(index=names).round(0)
    per_student.index.name = "Student"
    st.markdown("**Per student (% of points per skill)**")
    st.dataframe(per_student, height="content")
    st.markdown("**Must-avoid choices made**")
    made = board.must_avoid
    if made.empty:
        st.success("No must-avoid choice so far.", icon=":material/verified_user:")
        return
    titles = _titles(board)
    st.dataframe(
        pd.DataFrame(
            {
                "Student": made["student"],
                "Case": made["case_id"].map(lambda c: titles.get(c, c)),
                "Step": made["item"].map(board.items["step_title"]).fillna(made["step_id"]),
                "Choice": made["choice"],
                "When": made["created_at"].map(_when),
            }
        ),
        hide_index=True,
    )


def student_panel(board: Dashboard, lib: CaseLibrary, ids: dict[int, str] | None = None) -> None:
    """One student's answers with the explanations they saw (the trainee feedback view)."""
    roster = board.roster
    if roster.empty:
        st.info("Nobody has joined yet.")
        return
    ids = ids or {}
    names = {
        i: f"{name} · {ids[int(i)]}" if int(i) in ids else name
        for i, name in zip(roster["learner_id"], roster["student"], strict=True)
    }
    who = st.selectbox(
        "Student", list(names), format_func=lambda i: names[i], index=None, key="drill"
    )
    if who is None:
        st.caption("Choose a student to see each of their answers with its feedback.")
        return
    row = roster[roster["learner_id"] == who].iloc[0]
    capped = " (capped)" if row["capped"] else ""
    st.markdown(
        f"**{plain_md(row['student'])}** · session score {_score(row['percent'])}{capped} · "
        f"{row['points']} of {row['max_points']} points · "
        f"{row['must_avoid']} must-avoid choice(s)"
    )
    answers = dash.student_answers(board.data, lib, int(who), _case_at(lib))
    if not answers:
        st.caption("No answers yet.")
    for number, answer in enumerate(answers, 1):
        title = (
            answer.step.title if answer.step is not None and answer.step.title else answer.step_id
        )
        label = (
            f"{number}. {plain_md(answer.case_title)} · {plain_md(title)} — "
            f"{answer.points}/{answer.max_points}"
        )
        with st.expander(label, icon=_mark(answer.points, answer.max_points)):
            if answer.result is None:
                st.caption("This step has changed since it was answered; only the score is kept.")
            else:
                item_feedback(answer.step, answer.result)


def _case_at(lib: CaseLibrary) -> Callable[[str, str], Case | None]:
    """The case as an attempt played it (see ``resources.case_version``), for re-explaining."""

    def case_at(case_id: str, version: str) -> Case | None:
        loaded = lib.get(case_id)
        if loaded is not None and loaded.version == version:
            return loaded.case
        played = resources.case_version(case_id, version, lib.guidance)
        return played.case if played is not None else None

    return case_at


def _mark(points: int, top: int) -> str:
    if points >= top:
        return ":material/check_circle:"
    return ":material/incomplete_circle:" if points else ":material/cancel:"


def exports_panel(board: Dashboard, code: str) -> None:
    """Download buttons: gradebook, scores and responses as CSV, and everything as XLSX."""
    files = _export_files(board, code)
    st.caption(
        "The gradebook has one row per student. Import **percent** into your LMS: it is the "
        "score students see (after any must-avoid cap; work not done counts 0). points and "
        "max_points are as earned and possible; raw_percent, capped and must_avoid explain a "
        "capped score. The attempts table has every student × activity. Times are UTC. Open "
        "the CSV files in Excel, LibreOffice or your LMS's grade import."
    )
    with st.container(horizontal=True):
        for label, (name, data, mime) in files.items():
            st.download_button(
                label,
                data,
                file_name=name,
                mime=mime,
                icon=":material/download:",
                on_click="ignore",
                type="primary" if name.endswith("gradebook.csv") else "secondary",
            )


def _export_files(board: Dashboard, code: str) -> dict[str, tuple[str, bytes, str]]:
    key = f"exports:{code}"
    cached = st.session_state.get(key)
    if cached and cached[0] == board.data.key:
        return cached[1]
    sheets = workbook_sheets(board)
    csv = "text/csv"
    files = {
        "Gradebook (CSV)": (f"{code}-gradebook.csv", to_csv_bytes(sheets["gradebook"]), csv),
        "Every attempt (CSV)": (f"{code}-attempts.csv", to_csv_bytes(sheets["attempts"]), csv),
        "Scores per student (CSV)": (f"{code}-scores.csv", to_csv_bytes(sheets["scores"]), csv),
        "Responses per item (CSV)": (
            f"{code}-responses.csv",
            to_csv_bytes(sheets["responses"]),
            csv,
        ),
        "Everything (XLSX)": (
            f"{code}-all.xlsx",
            to_xlsx_bytes(sheets),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    }
    st.session_state[key] = (board.data.key, files)
    return files
