"""The LTI test rig: Casebook's routes and the test platform, both on real HTTP on loopback.

``lti`` gives an ``LtiRig``: the tool's own routes (``casebook.web.routes``, as ``st.App`` serves
them) in uvicorn on a fresh database, the ``TestPlatform`` (``lti1p3platform``) registered with
it, and ``launch()``, which walks a browser's path: the LMS's login initiation, the tool's
``/lti/login`` redirect to the platform's authorization endpoint, and the form post of the
``id_token`` to ``/lti/launch``, with one cookie jar like a browser.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
import requests
import uvicorn
from starlette.applications import Starlette

from tests.support.appserver import free_port
from tests.support.lti_platform import Launch, TestPlatform, shared_pem


@dataclass
class LtiRig:
    """The tool's URL, its database, and the platform it is registered with."""

    tool_url: str
    db_url: str
    platform: TestPlatform
    platform_id: int

    @property
    def engine(self):
        from classroom.storage.db import get_engine

        return get_engine(self.db_url)

    def launch(self, plan: Launch | None = None, browser: requests.Session | None = None):
        """A whole launch; returns (the tool's answer to the id_token POST, the browser)."""
        if plan is not None:
            self.platform.next = plan
        browser = browser or requests.Session()
        page = browser.get(self.platform.login_url(), timeout=10)
        data = self.platform.last_launch
        if page.status_code != 200 or data is None:
            return page, browser
        self.platform.last_launch = None
        answer = browser.post(
            data["launch_url"],
            data={"id_token": data["id_token"], "state": data["state"]},
            allow_redirects=False,
            timeout=10,
        )
        answer.posted = data  # what was posted, for replays
        return answer, browser


def _serve(app, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the tool's routes did not start")
        time.sleep(0.02)
    return server


@pytest.fixture
def lti(db_url, tmp_path, monkeypatch):
    """Casebook's routes and a registered test platform, on a fresh database."""
    from casebook.web.routes import routes
    from classroom.lti import platforms
    from classroom.lti.tool import KEY_SETS, CachedTokenConnector
    from classroom.storage.db import get_engine

    monkeypatch.setenv("CASEBOOK_DATABASE_URL", db_url)
    key_file = tmp_path / "lti-tool-key.pem"
    key_file.write_text(shared_pem("tool"), encoding="ascii")  # generating one is tested apart
    key_file.chmod(0o600)
    monkeypatch.setenv("CASEBOOK_LTI_KEY_FILE", str(key_file))
    KEY_SETS.forget()
    CachedTokenConnector.forget_all()
    port = free_port()
    tool_url = f"http://127.0.0.1:{port}"
    server = _serve(Starlette(routes=routes()), port)
    platform = TestPlatform(tool_url).start()
    registered = platforms.register_platform(get_engine(db_url), **platform.settings())
    yield LtiRig(tool_url, db_url, platform, registered.id)
    platform.stop()
    server.should_exit = True
