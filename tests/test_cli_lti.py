"""casebook lti register / list / rotate-key / deliver, as an administrator meets them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from casebook.cli import cli

CANVAS = [
    "--issuer", "https://canvas.instructure.com",
    "--client-id", "10000000000123",
    "--deployment-id", "42:abc",
    "--auth-login-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "--auth-token-url", "https://sso.canvaslms.com/login/oauth2/token",
    "--keyset-url", "https://sso.canvaslms.com/api/lti/security/jwks",
]  # fmt: skip


@pytest.fixture
def run(db_url, tmp_path):
    env = {"CASEBOOK_DATABASE_URL": db_url, "CASEBOOK_LTI_KEY_FILE": str(tmp_path / "k.pem")}

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


def test_register_then_list_shows_the_platform_and_its_deployments(run):
    first = run("lti", "register", *CANVAS)
    assert first.exit_code == 0, first.output
    assert "platform 1: https://canvas.instructure.com" in first.output
    again = run("lti", "register", *CANVAS[:4], "--deployment-id", "43:def", *CANVAS[6:])
    assert again.exit_code == 0 and "42:abc, 43:def" in again.output
    listed = run("lti", "list")
    assert "10000000000123\t42:abc,43:def" in listed.output
    assert "token https://sso.canvaslms.com/login/oauth2/token" in listed.output


def test_register_refuses_a_plain_http_url_off_this_machine_in_one_line(run):
    bad = [*CANVAS[:-1], "http://sso.canvaslms.com/api/lti/security/jwks"]
    result = run("lti", "register", *bad)
    assert result.exit_code == 1
    assert result.output.strip().startswith("casebook: keyset-url:")
    assert "https://" in result.output and "Traceback" not in result.output
    assert "no platform is registered" in run("lti", "list").output


def test_rotate_key_says_the_new_key_id(run, tmp_path):
    first = run("lti", "rotate-key")
    second = run("lti", "rotate-key")
    assert first.exit_code == second.exit_code == 0
    assert first.output.split()[2] != second.output.split()[2]
    assert (tmp_path / "k.previous.pem").exists()


def test_deliver_with_nothing_waiting(run):
    result = run("lti", "deliver")
    assert result.exit_code == 0 and result.output.strip() == "0 sent, 0 pending, 0 failed"
