"""Issue 14's attacks, replayed against a real server: each must now fail.

Finding 2: whoever knew an educator's Streamlit session id (it appears in upload URLs that
proxies log) got the educator pages by reattaching with it, while the educator was connected
and after the tab closed. Finding 4: anonymous uploads into sessions without an uploader were
accepted and held in memory. Finding 5: a malformed ``?a=`` showed a traceback. Finding 7: the
HTML could be framed by any site, and the health check said "ok" with the database down.
"""

from __future__ import annotations

import secrets
import time
import tomllib
import urllib.error
import urllib.request
from urllib.parse import quote

import httpx2
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from classroom.access import sign_ins
from tests.support.appserver import ROOT, app_servers, browser_page, launch, stop
from tests.support.wsclient import XSRF_COOKIE, StreamlitClient, xsrf_cookie

ARTIFACTS = ROOT / "test-artifacts"
PASSCODE = "findings-passcode-14"
SHIPPED = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_the_shipped_config_hides_error_details_and_caps_uploads_at_1_mb():
    assert SHIPPED["client"]["showErrorDetails"] == "none"
    assert SHIPPED["server"]["maxUploadSize"] == 1


@pytest.fixture(scope="module")
def findings_server(browser, tmp_path_factory):
    """A server with a known passcode and a fresh SQLite file."""
    tmp = tmp_path_factory.mktemp("findings")
    env = {
        "CASEBOOK_DATABASE_URL": f"sqlite:///{tmp / 'casebook.db'}",
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_PASSCODE_FILE": str(tmp / "passcode.hash"),
        "CASEBOOK_SECRET_KEY": secrets.token_urlsafe(32),
        "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": SHIPPED["client"]["showErrorDetails"],
    }
    with app_servers(1, env, tmp) as (base,):
        yield base


def _session_ids(page) -> list[str]:
    """Collects the Streamlit session id of every WebSocket the page opens (its NewSession)."""
    found: list[str] = []

    def watch(ws) -> None:
        def frame(payload) -> None:
            if isinstance(payload, bytes | bytearray):
                msg = ForwardMsg()
                msg.ParseFromString(bytes(payload))
                if msg.WhichOneof("type") == "new_session":
                    found.append(msg.new_session.initialize.session_id)

        ws.on("framereceived", frame)

    page.on("websocket", watch)
    return found


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/sessions")
    page.get_by_role("textbox", name="Educator passcode").fill(PASSCODE)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Class sessions").wait_for()


def test_finding_2_a_stolen_session_id_gives_the_passcode_form(findings_server, browser):
    base = findings_server
    with browser_page(browser, "finding-2", ARTIFACTS) as page:
        ids = _session_ids(page)
        _sign_in(page, base)
        page.reload()  # sign-in survives a refresh
        page.get_by_role("heading", name="Class sessions").wait_for()
        victim = ids[-1]
        cookie = next(c for c in page.context.cookies() if c["name"] == sign_ins.COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        # While the educator is connected: reattach with their session id.
        with StreamlitClient(base, session_id=victim) as thief:
            drawn = thief.run("sessions")
            assert thief.session_id == victim  # Streamlit did hand over the session...
            assert "Educator sign-in" in drawn.text()  # ...but not the educator pages
            assert "Class sessions" not in drawn.text()
            assert "Live dashboard" not in thief.run("dashboard").text()
    # After the tab has closed, the session waits on the server for a reconnect.
    with StreamlitClient(base, session_id=victim) as thief:
        drawn = thief.run("sessions")
        assert thief.session_id == victim
        assert "Educator sign-in" in drawn.text() and "Class sessions" not in drawn.text()
    # The cookie itself is what signs in (a browser that has it is the educator).
    with StreamlitClient(base, cookies={sign_ins.COOKIE: cookie["value"]}) as owner:
        assert "Class sessions" in owner.run("sessions").text()


def _upload(base: str, session_id: str, cookies: dict[str, str], size: int) -> int:
    xsrf = cookies[XSRF_COOKIE]
    reply = httpx2.put(
        f"{base}/_stcore/upload_file/{session_id}/{secrets.token_hex(8)}",
        files={"file": ("case.yaml", b"x" * size, "application/x-yaml")},
        headers={"X-Xsrftoken": xsrf, "Origin": base},
        cookies=cookies,
        timeout=30,
    )
    return reply.status_code


def test_finding_4_anonymous_uploads_are_refused_before_they_are_read(findings_server, browser):
    base = findings_server
    with StreamlitClient(base) as stranger:
        stranger.run("")
        statuses = {
            _upload(base, stranger.session_id, stranger.cookies, 1_900_000) for _ in range(40)
        }
    assert statuses == {403}
    # An educator's upload (the Author page's uploader) still works, within 1 MB.
    with browser_page(browser, "finding-4", ARTIFACTS) as page:
        _sign_in(page, base)
        cookie = next(c for c in page.context.cookies() if c["name"] == sign_ins.COOKIE)
    jar = {XSRF_COOKIE: xsrf_cookie(base), sign_ins.COOKIE: cookie["value"]}
    with StreamlitClient(base, cookies=jar) as educator:
        educator.run("author")
        assert _upload(base, educator.session_id, educator.cookies, 200_000) == 204
        assert _upload(base, educator.session_id, educator.cookies, 1_100_000) == 413


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "1e3", "0x10", " 7"])
def test_finding_5_a_malformed_attempt_id_shows_no_traceback(findings_server, value):
    with StreamlitClient(findings_server) as client:
        for page in ("player", "quiz"):
            drawn = client.run(page, query=f"a={quote(value)}")
            assert "EXCEPTION" not in drawn.text() and "Traceback" not in drawn.text()
            assert "File " not in drawn.text() and ".py" not in drawn.text()


def test_finding_7_no_other_site_may_frame_the_app(findings_server):
    for path in ("/", "/sessions", "/healthz"):
        with urllib.request.urlopen(findings_server + path, timeout=10) as reply:
            assert reply.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
            assert reply.headers["X-Frame-Options"] == "SAMEORIGIN"


def _process_up(base: str, timeout: float = 40.0) -> None:
    """Wait for Streamlit's own health check, which only says the process is up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as reply:
                assert reply.read() == b"ok"
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_finding_7_the_health_check_says_down_without_its_database(tmp_path):
    """A PostgreSQL URL nobody listens on: the process is up, the database is not."""
    env = {
        "CASEBOOK_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1",
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
    }
    proc, base = launch(env, tmp_path / "server.log")
    try:
        _process_up(base)
        with pytest.raises(urllib.error.HTTPError) as down:
            urllib.request.urlopen(f"{base}/healthz", timeout=10)
        assert down.value.code == 503 and down.value.read() == b"down"
        down.value.close()
    finally:
        stop(proc)
