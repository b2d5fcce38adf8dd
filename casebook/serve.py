"""``python -m casebook.serve [streamlit run options]``: ``streamlit run app.py``, warmed up.

``make run``, the browser tests and the benchmarks start the app this way. Streamlit imports
a page's modules during the first script run, so without a warm-up the first trainee after a
start waits for them (SQLAlchemy, pydantic models, the scoring package: about 0.6 s on this
machine, most of the gap between a cold and a warm first render). Like gunicorn's
``--preload``, this imports them before the server accepts a connection; the script runs
then find them in ``sys.modules``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
# What app.py and its pages import; a module missing here is only imported later, not lost.
WARM = (
    "ui.educator.gate",
    "ui.components.session",
    "ui.player.catalog",
    "ui.player.case",
    "ui.player.quiz",
    "ui.player.in_class",
    "ui.educator.class_sessions",
)


def warm_up() -> None:
    """Import the app's modules, and print a generated educator passcode now, not at the
    first page load."""
    for name in WARM:
        importlib.import_module(name)
    from ui.educator.gate import passcode_at_start

    passcode_at_start()


def main() -> None:
    """Warm up, then hand over to ``streamlit run app.py`` with the given options."""
    warm_up()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
