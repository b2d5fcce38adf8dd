"""The deployment of docs/deployment.md, tested: Debian's nginx with ``deploy/nginx-casebook.conf``
in front of two app servers on one PostgreSQL, a class played through it in Chromium.

Only what must differ on this machine is replaced in the file (each replacement must match
exactly once, so the file cannot drift from what is tested): the two upstream addresses, the
listen addresses (loopback ports) and the certificate paths (a self-signed certificate).
"""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.appserver import ROOT, app_servers, browser_page, free_port
from tests.support.journeys import create_class_session

pytestmark = pytest.mark.postgres

ARTIFACTS = ROOT / "test-artifacts"
CONF = ROOT / "deploy" / "nginx-casebook.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSCODE = "nginx-passcode-2026"
UPSTREAMS = (
    "    server 10.0.0.11:8501 max_fails=3 fail_timeout=10s;\n"
    "    server 10.0.0.12:8501 max_fails=3 fail_timeout=10s;\n"
)


def site_config(tmp: Path, upstreams: list[str], http_port: int, https_port: int) -> str:
    """The shipped file with this machine's addresses and certificate."""
    text = CONF.read_text(encoding="utf-8")
    replacements = {
        UPSTREAMS: "".join(f"    server {u.removeprefix('http://')};\n" for u in upstreams),
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "/etc/ssl/certs/casebook.example.edu.crt": str(tmp / "tls.crt"),
        "/etc/ssl/private/casebook.example.edu.key": str(tmp / "tls.key"),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{CONF.name} no longer has exactly one {old!r}"
        text = text.replace(old, new)
    return text


def main_config(tmp: Path) -> str:
    """A minimal nginx.conf around the site file, with every path in ``tmp``."""
    temps = " ".join(f"{k}_temp_path {tmp / k};" for k in ("proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"daemon off; worker_processes 1; pid {tmp / 'nginx.pid'}; user root;\n"
        f"error_log {tmp / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{ access_log {tmp / 'access.log'}; client_body_temp_path {tmp / 'body'}; "
        f"{temps}\n include {tmp / 'casebook.conf'}; }}\n"
    )


@pytest.fixture
def nginx_site(browser, pg_url, ward_cases_dir, tmp_path):
    """https://127.0.0.1:PORT: nginx with the shipped file, two app servers, one PostgreSQL."""
    if not Path(NGINX).exists():
        reason = "Debian's nginx is missing (apt-get install -y nginx)"
        if os.environ.get("CASEBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and CASEBOOK_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "tls.key")),
            *("-out", str(tmp_path / "tls.crt")),
        ],
        check=True,
        capture_output=True,
    )
    env = {
        "CASEBOOK_DATABASE_URL": pg_url,
        "CASEBOOK_CASES_DIR": str(ward_cases_dir),
        "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
        "CASEBOOK_SECRET_KEY": "the-same-key-on-every-app-server-" + "k" * 16,
    }
    with app_servers(2, env, tmp_path) as upstreams:
        http_port, https_port = free_port(), free_port()
        (tmp_path / "casebook.conf").write_text(
            site_config(tmp_path, upstreams, http_port, https_port), encoding="utf-8"
        )
        (tmp_path / "nginx.conf").write_text(main_config(tmp_path), encoding="utf-8")
        with (tmp_path / "nginx.out").open("wb") as out:  # the child keeps its own copy
            proc = subprocess.Popen(
                [NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"https://127.0.0.1:{https_port}"
        try:
            _wait_for(base, proc, tmp_path)
            yield base, f"http://127.0.0.1:{http_port}"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


_TLS = ssl.create_default_context()
_TLS.check_hostname, _TLS.verify_mode = False, ssl.CERT_NONE


def _get(url: str, **kwargs):
    return urllib.request.urlopen(urllib.request.Request(url, **kwargs), timeout=10, context=_TLS)


def _wait_for(base: str, proc: subprocess.Popen, tmp: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with _get(f"{base}/healthz") as reply:
                if reply.read() == b"ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            logs = [p.read_text() for p in (tmp / "nginx.out", tmp / "error.log") if p.exists()]
            raise RuntimeError("nginx did not come up:\n" + "\n".join(logs))
        time.sleep(0.2)


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()


def _idle(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def test_a_class_through_nginx_in_front_of_two_app_servers(nginx_site, browser):
    base, plain = nginx_site
    https = {"ignore_https_errors": True}
    with browser_page(browser, "nginx-educator", ARTIFACTS, **https) as educator:
        join_url = create_class_session(
            educator, base, PASSCODE, "Through the proxy", "Night shift"
        )
        assert join_url.startswith(f"{base}/join?code=")  # the public address, from the proxy
        cookies = {c["name"]: c for c in educator.context.cookies()}
        assert cookies["casebook_educator"]["secure"]  # HTTPS seen through X-Forwarded-Proto
        assert cookies["casebook_route"]["httpOnly"]

        with browser_page(browser, "nginx-student", ARTIFACTS, **https) as student:
            student.goto(join_url)
            student.get_by_role("textbox", name="Display name").fill("Ana via nginx")
            _click(student, "Join")
            _click(student, "Start")
            for choice, onward in (("Call", "Continue to step 2"), ("The change in pain", None)):
                student.get_by_test_id("stRadio").get_by_text(choice, exact=True).click()
                _idle(student)
                _click(student, "Submit answer")
                _click(student, onward or "See your debrief")
            student.get_by_role("button", name="Back to the class session").wait_for()

        _click(educator, "Open live dashboard")
        metric = educator.get_by_test_id("stMetric")
        metric.filter(has_text="Students joined").get_by_text("1", exact=True).wait_for()
        metric.filter(has_text="Answers stored").get_by_text("2", exact=True).wait_for()
        educator.reload()  # a refresh keeps the sign-in, on the same app server
        educator.get_by_role("heading", name="Live dashboard").wait_for()

    with _get(f"{base}/sessions") as reply:
        assert reply.headers.get_all("Content-Security-Policy") == ["frame-ancestors 'self'"]
        assert reply.headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
        assert "max-age" in reply.headers["Strict-Transport-Security"]
    with pytest.raises(urllib.error.HTTPError) as moved:  # plain HTTP goes to HTTPS
        _no_redirects(f"{plain}/sessions")
    moved.value.close()
    assert moved.value.code == 301 and moved.value.headers["Location"].startswith("https://")


def _no_redirects(url: str) -> None:
    class Refuse(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    urllib.request.build_opener(Refuse).open(url, timeout=10)


def test_uploads_through_nginx_are_refused_then_rate_limited(nginx_site):
    base, _ = nginx_site
    statuses = []
    for _ in range(12):
        try:
            with _get(f"{base}/_stcore/upload_file/some-session/some-file", method="PUT"):
                statuses.append(200)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
            exc.close()
    # The app refuses strangers (403) until nginx stops passing them on at all (429).
    limited = statuses.index(429)
    assert limited >= 6 and set(statuses[:limited]) == {403} and set(statuses[limited:]) == {429}
