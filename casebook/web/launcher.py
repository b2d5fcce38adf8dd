"""The module ``streamlit run`` serves: Casebook's ``app.py`` inside ``st.App``.

``python -m casebook.serve`` (what ``make run``, the tests and the benchmarks start) runs
``streamlit run casebook/web/launcher.py``. Streamlit finds the ``st.App`` below, loads the
configuration (``.streamlit/config.toml``, then the command-line flags) and hands the app to
uvicorn, which imports this module once before it accepts a connection. That import:

- sets up the ``casebook`` loggers (failed sign-ins, health checks, page errors) on stderr;
- warms up: imports the pages' modules, so the first student after a start does not wait for
  them (SQLAlchemy, pydantic models, the scoring package: ~0.6 s), and generates and prints
  the educator passcode if none is configured;
- adds Casebook's routes (``casebook.web.routes``) and middleware
  (``casebook.web.middleware``) to Streamlit's own, under ``server.baseUrlPath``, and the
  error page (``ui.components.errors``);
- runs, for as long as the server does (``st.App``'s ``lifespan``), the thread that delivers
  scores waiting for an LMS (``classroom.lti.outbox``).

Doing this after Streamlit has read its configuration, not before, is what keeps Streamlit
from warning at every start that "an update to the [server] config option section was
detected": the old launcher imported Streamlit modules first, which parsed the configuration
without the command-line flags, so the CLI's second parse saw the server options change.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from casebook.web.middleware import EducatorUploads, SecurityHeaders
from casebook.web.routes import routes
from classroom.lti import outbox
from classroom.storage import db
from ui.components.errors import show_error

APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"
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


def log_to_stderr() -> None:
    """Casebook's log lines (``casebook.*``) on stderr with their time, beside Streamlit's."""
    logger = logging.getLogger("casebook")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def warm_up() -> None:
    """Import the app's modules, and print a generated educator passcode now."""
    for name in WARM:
        importlib.import_module(name)
    from ui.educator.gate import passcode_at_start

    passcode_at_start()


def base_path() -> str:
    """``server.baseUrlPath`` as a route prefix: '' or '/casebook'."""
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


@asynccontextmanager
async def passback_worker(_app: st.App) -> AsyncIterator[None]:
    """While the server runs, a thread delivers the LMS grade outbox (``classroom.lti.outbox``)."""
    stop = threading.Event()
    outbox.start_worker(db.get_engine, stop)
    try:
        yield None
    finally:
        stop.set()


log_to_stderr()
warm_up()
app = st.App(
    APP_SCRIPT,
    routes=routes(base_path()),
    middleware=[
        Middleware(SecurityHeaders),
        Middleware(EducatorUploads, base_path=base_path()),
    ],
    on_script_error=show_error,
    lifespan=passback_worker,
)
