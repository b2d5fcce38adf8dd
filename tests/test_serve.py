"""The launcher `make run` uses: a warmed-up `streamlit run app.py` that prints the passcode at
start."""

from __future__ import annotations

import os
import subprocess
import sys

from casebook import serve
from tests.support.appserver import ROOT, launch, stop, wait_healthy


def test_warm_up_imports_the_pages_modules_and_generates_the_passcode(tmp_path):
    check = (
        "import sys; from casebook import serve; "
        "assert not any(n in sys.modules for n in serve.WARM); serve.warm_up(); "
        "print(sorted(n for n in serve.WARM if n in sys.modules))"
    )
    hash_file = tmp_path / "passcode.hash"  # new: the session's shared one may exist already
    env = {**os.environ, "CASEBOOK_PASSCODE_FILE": str(hash_file), "CASEBOOK_EDUCATOR_PASSCODE": ""}
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    assert done.stdout.strip() == str(sorted(serve.WARM))
    assert "Casebook educator passcode: " in done.stderr
    assert hash_file.read_text().startswith("scrypt$")


def test_the_server_prints_a_generated_passcode_before_any_page_load(tmp_path):
    log = tmp_path / "server.log"
    env = {
        "CASEBOOK_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CASEBOOK_PASSCODE_FILE": str(tmp_path / "passcode.hash"),
        "CASEBOOK_EDUCATOR_PASSCODE": "",
    }
    proc, url = launch(env, log)
    try:
        wait_healthy(url, proc, log)
        printed = log.read_text()
    finally:
        stop(proc)
    passcode = printed.split("Casebook educator passcode: ")[1].split()[0]
    assert len(passcode) >= 8
    assert printed.index("educator passcode") < printed.index(url.rsplit(":", 1)[1])
