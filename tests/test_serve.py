"""The launcher `make run` uses: `streamlit run casebook/web/launcher.py`, warmed up, printing
a generated passcode before the first page load, with no config warning."""

from __future__ import annotations

import os
import subprocess
import sys

from casebook import serve
from tests.support.appserver import ROOT, launch, stop, wait_healthy


def test_the_launcher_warms_up_the_pages_modules_and_defines_the_st_app():
    check = (
        "import sys; from casebook.web import launcher; "
        "print(sorted(n for n in launcher.WARM if n in sys.modules)); "
        "print(type(launcher.app).__name__, launcher.app.script_path.name)"
    )
    env = {**os.environ, "CASEBOOK_EDUCATOR_PASSCODE": "a-known-passcode-1"}
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    # Imported here, not at the top: importing the launcher generates the passcode (as `make
    # run` must), and at collection time, before conftest's private passcode file is set, it
    # wrote data/educator-passcode.hash, so a `make run` after `make test` printed none.
    from casebook.web import launcher

    warmed, app = done.stdout.strip().splitlines()
    assert warmed == str(sorted(launcher.WARM))
    assert app == "App app.py"


def test_the_server_prints_a_generated_passcode_before_any_page_load(tmp_path):
    """Also issue 13's start-up noise: no "update to the [server] config option section"."""
    log = tmp_path / "server.log"
    env = {
        "CASEBOOK_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CASEBOOK_PASSCODE_FILE": str(tmp_path / "passcode.hash"),
        "CASEBOOK_EDUCATOR_PASSCODE": "",
    }
    proc, url = launch(env, log)
    try:
        wait_healthy(url, proc, log)
        printed = log.read_text()  # complete before the server answered its first request
    finally:
        stop(proc)
    passcode = printed.split("Casebook educator passcode: ")[1].split()[0]
    assert len(passcode) == 12
    assert (tmp_path / "passcode.hash").read_text().startswith("scrypt$ln=17,")
    assert "config option section was detected" not in printed
    assert "Traceback" not in printed


def test_trusted_proxies_are_handed_to_uvicorn():
    environ = {"CASEBOOK_TRUSTED_PROXIES": "10.0.0.5, 10.0.1.0/24"}
    serve.trust_proxies(environ)
    assert environ["FORWARDED_ALLOW_IPS"] == "10.0.0.5, 10.0.1.0/24"
    untouched: dict[str, str] = {}
    serve.trust_proxies(untouched)
    assert untouched == {}  # uvicorn's default: loopback only
