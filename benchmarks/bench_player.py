"""Server-side rerun time of the case player against a bare page with the same widgets.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_player``.
Both apps run in AppTest in one process, alternating rerun by rerun so machine noise hits
both alike; the time is that of the script body (Streamlit's ``exec_func_with_error_handling``:
app.py, navigation, page and widgets; without post-script GC and AppTest's polling). Three
player states are measured: a select-all step, a bow-tie step (the most widgets) and a
feedback view. Target: player ≤ 1.5× the bare page.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RERUNS = 50
TARGET = 1.5
SCC = "scc-back-pain-could-not-wait"
WIDGETS = ("checkbox", "button", "radio", "selectbox", "button_group", "multiselect")


def install_timer() -> list[float]:
    """Record the duration of every script body run from now on."""
    from streamlit.runtime.scriptrunner import script_runner

    times: list[float] = []
    real = script_runner.exec_func_with_error_handling

    def timed(func: Callable, ctx: object):
        start = time.perf_counter()
        try:
            return real(func, ctx)
        finally:
            times.append(time.perf_counter() - start)

    script_runner.exec_func_with_error_handling = timed
    return times


def widget_counts(at) -> dict[str, int]:
    """How many widgets of each kind the app shows now."""
    return {kind: len(getattr(at, kind)) for kind in WIDGETS if len(getattr(at, kind))}


def bare_script(counts: dict[str, int]) -> str:
    """A page with nothing but the same number and kinds of widgets."""
    lines = ["import streamlit as st"]
    for kind, n in counts.items():
        for i in range(n):
            if kind == "checkbox":
                lines.append(f"st.checkbox('Option {i}', key='c{i}')")
            elif kind == "button":
                lines.append(f"st.button('Button {i}', key='b{i}')")
            elif kind == "radio":
                lines.append(f"st.radio('Row {i}', ['a', 'b', 'c'], index=None, key='r{i}')")
            elif kind == "selectbox":
                lines.append(f"st.selectbox('Blank {i}', ['a', 'b', 'c'], index=None, key='s{i}')")
            elif kind == "button_group":
                lines.append(
                    f"st.pills('Phrases {i}', ['a', 'b'], selection_mode='multi', key='p{i}')"
                )
            elif kind == "multiselect":
                lines.append(f"st.multiselect('Pick {i}', ['a', 'b'], key='m{i}')")
    return "\n".join(lines)


def player_at(state: str):
    """An AppTest of the SCC case at 'select_all', 'bow_tie' or 'feedback'."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["case"] = SCC
    at.run()
    at.switch_page("ui/pages/player.py")
    at.run()
    key = next(b.key for b in at.button if b.key and b.key.startswith("submit.")).removeprefix(
        "submit."
    )
    if state == "select_all":
        return at
    for option in ("pain-legs", "belly-numb", "heavy-legs", "hesitancy"):
        at.checkbox(key=f"{key}.{option}").check()
    at.run()
    at.button(key=f"submit.{key}").click()
    at.run()
    if state == "feedback":
        return at
    next(b for b in at.button if b.label.startswith("Continue")).click()
    at.run()
    key = next(b.key for b in at.button if b.key and b.key.startswith("submit."))
    at.radio(key=key.removeprefix("submit.") + ".choice").set_value("notify-now")
    at.run()
    at.button(key=key).click()
    at.run()
    next(b for b in at.button if b.label.startswith("Continue")).click()
    at.run()
    assert "early-bowtie" in next(b.key for b in at.button if b.key and "submit." in b.key)
    return at


def navigated(bare: str, folder: Path) -> Path:
    """An entry script that puts the bare page inside a navigation shaped like app.py's."""
    (folder / "bare.py").write_text(bare, encoding="utf-8")
    for i in range(8):
        (folder / f"page{i}.py").write_text("import streamlit as st\n", encoding="utf-8")
    entry = folder / "entry.py"
    entry.write_text(
        "import streamlit as st\n"
        "st.set_page_config(page_title='Bare', layout='wide')\n"
        "pages = {'Practice': [st.Page('bare.py', default=True)]"
        " + [st.Page(f'page{i}.py') for i in range(5)],"
        " 'Educator': [st.Page(f'page{i}.py') for i in range(5, 8)]}\n"
        "st.navigation(pages).run()\n",
        encoding="utf-8",
    )
    return entry


def time_step_fragment() -> list[float]:
    """Record the body time of the player's step fragment: all that a tick or a pick reruns."""
    import ui.case_player as player

    times: list[float] = []
    real = player.show_step

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            times.append(time.perf_counter() - start)

    player.show_step = timed  # step_panel (the fragment) looks it up at call time
    return times


def measure(
    state: str, times: list[float], steps: list[float], folder: Path
) -> tuple[float, float, float, float | None, dict]:
    """Median script time of the player, the bare page, the bare page in a navigation, and
    of the player's step fragment (None on a feedback view, which has no step fragment)."""
    from streamlit.testing.v1 import AppTest

    player = player_at(state)
    counts = widget_counts(player)
    script = bare_script(counts)
    bare = AppTest.from_string(script, default_timeout=30)
    bare.run()
    nav = AppTest.from_file(str(navigated(script, folder)), default_timeout=30)
    nav.run()
    assert widget_counts(bare) == counts == widget_counts(nav), (widget_counts(bare), counts)
    samples: dict[str, list[float]] = {"player": [], "bare": [], "nav": [], "step": []}
    for _ in range(RERUNS):
        for name, app in (("player", player), ("bare", bare), ("nav", nav)):
            times.clear()
            steps.clear()
            app.run()
            samples[name].append(times[-1])
            if name == "player" and steps:
                samples["step"].append(steps[-1])
    assert not player.exception and not bare.exception and not nav.exception
    ours, theirs, framed = (statistics.median(samples[k]) for k in ("player", "bare", "nav"))
    step = statistics.median(samples["step"]) if samples["step"] else None
    return ours, theirs, framed, step, counts


def main() -> int:
    """Print the player's and the bare page's median rerun times and their ratio."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-player-"))
    os.environ["CASEBOOK_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    from streamlit import logger

    logger.set_log_level("error")  # AppTest's bare-mode chatter
    times, steps = install_timer(), time_step_fragment()
    print(f"median of {RERUNS} reruns each, script body only (target ratio ≤ {TARGET}×)")
    print(
        f"{'state':<11} {'widgets':<32} {'player':>8} {'bare':>8} {'ratio':>6}"
        f" {'bare+nav':>9} {'ratio':>6} {'step fragment':>14} {'ratio':>6}"
    )
    worst = 0.0
    for state in ("select_all", "bow_tie", "feedback"):
        ours, theirs, framed, step, counts = measure(state, times, steps, tmp)
        worst = max(worst, ours / theirs)
        widgets = ", ".join(f"{n} {k}" for k, n in counts.items())
        fragment = (
            f"{step * 1000:>12.2f}ms {step / theirs:>5.2f}×" if step else f"{'—':>14} {'':>6}"
        )
        print(
            f"{state:<11} {widgets:<32} {ours * 1000:>6.2f}ms {theirs * 1000:>6.2f}ms"
            f" {ours / theirs:>5.2f}× {framed * 1000:>7.2f}ms {ours / framed:>5.2f}× {fragment}"
        )
    verdict = "meets" if worst <= TARGET else "misses"
    print(f"worst ratio against the bare page {worst:.2f}× — {verdict} the {TARGET}× target")
    print(
        "bare+nav: the same widgets on a page inside a 9-page st.navigation, like app.py;"
        " the rest of the player's time is its banner, chart tabs, progress and path strip."
    )
    print(
        "step fragment: the body of the @st.fragment holding the step's widgets, which is all"
        " a tick or a pick reruns on a real server (Submit and Continue rerun the player)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
