"""Start and stop real app servers (`python -m casebook.serve`, as `make run` does), and Debian's
Chromium settings.

One harness for the browser tests, the scale-out test and the browser benchmark, so they
all start the app the way a user does and stop it by process group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether the server at ``url`` is up and reaches its database (``/healthz``)."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def launch(env: Mapping[str, str], log: Path, extra: tuple[str, ...] = ()):
    """Start the app as `make run` does (``casebook.serve``, i.e. `streamlit run app.py` after
    a warm-up) on a free port without waiting; return (process, url)."""
    port = free_port()
    cmd = [sys.executable, "-m", "casebook.serve", "--server.port", str(port)]
    cmd += ["--server.headless", "true", "--server.fileWatcherType", "none", *extra]
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 40.0) -> None:
    """Poll the health check until it answers; fail early, with the log, if the server died."""
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"streamlit at {url} did not start:\n{log.read_text()}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server we started, by its process group (SIGTERM, then SIGKILL)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def app_servers(
    count: int, env: Mapping[str, str], logs: Path, extra: tuple[str, ...] = ()
) -> Iterator[list[str]]:
    """``count`` app servers started together (they boot in parallel); their base URLs."""
    started: list[subprocess.Popen] = []
    try:
        pending = []
        for number in range(count):
            log = logs / f"server-{number}.log"
            proc, url = launch(env, log, extra)
            started.append(proc)
            pending.append((proc, url, log))
        for proc, url, log in pending:
            wait_healthy(url, proc, log)
        yield [url for _, url, _ in pending]
    finally:
        for proc in started:
            stop(proc)


def call_failed(request) -> bool:
    """Whether the test of a pytest fixture's ``request`` failed (rep_call, set in conftest)."""
    report = getattr(request.node, "rep_call", None)
    return report is not None and report.failed


@contextmanager
def browser_page(
    browser,
    shot: str,
    artifacts: Path,
    timeout: int = 20_000,
    failed: Callable[[], bool] | None = None,
    **options,
):
    """A page in a fresh browser context (a new user); a screenshot if the block fails.

    In a fixture the test's failure is not raised inside the block: pass ``failed`` (e.g.
    ``lambda: call_failed(request)``) to have it checked when the block ends.
    """
    options.setdefault("viewport", {"width": 1400, "height": 1000})
    context = browser.new_context(**options)
    context.set_default_timeout(timeout)
    page = context.new_page()
    try:
        yield page
        if failed is not None and failed():
            _screenshot(page, artifacts, shot)
    except Exception:
        _screenshot(page, artifacts, shot)
        raise
    finally:
        context.close()


def _screenshot(page, artifacts: Path, shot: str) -> None:
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / f"{shot}.png"), full_page=True)
