"""LTI launches against a real platform (lti1p3platform) over HTTP: every check, every refusal."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.support.lti_platform import Launch

TEACHER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def refused(answer, *words: str) -> str:
    """The refusal page's text, after checking it is one and says ``words``."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert "Casebook could not open this link" in answer.text
    assert "Traceback" not in answer.text
    for word in words:
        assert word in answer.text
    return answer.text


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        ("bad-signature", ["signature does not match"]),
        ("unknown-kid", ["key (kid)"]),
        ("expired", ["expired"]),
        ("audience", ["not registered"]),
        ("azp", ["another tool", "azp"]),
        ("deployment", ["deployment", "not registered"]),
        ("skew:300", ["in the future", "clock"]),
    ],
)
def test_a_spoiled_launch_is_refused_with_a_page_that_says_why(lti, spoil, words, caplog):
    answer, _ = lti.launch(Launch(spoil=spoil))
    refused(answer, *words)
    assert any("LTI launch refused" in r.getMessage() for r in caplog.records)


def test_a_login_from_an_unregistered_issuer_is_refused(lti):
    answer = requests.get(
        f"{lti.tool_url}/lti/login",
        params={"iss": "https://lms.elsewhere.edu", "login_hint": "u1", "target_link_uri": "x"},
        allow_redirects=False,
        timeout=10,
    )
    refused(answer, "not registered")


def test_a_login_by_post_redirects_to_the_platform_with_a_state_cookie(lti):
    answer = requests.post(
        f"{lti.tool_url}/lti/login",
        data={
            "iss": lti.platform.issuer,
            "login_hint": "u1",
            "client_id": "casebook-client",
            "target_link_uri": f"{lti.tool_url}/lti/launch",
            "lti_message_hint": "link-1",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    target = urlsplit(answer.headers["location"])
    query = dict(parse_qsl(target.query))
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{lti.platform.url}/authorize"
    assert query["redirect_uri"] == f"{lti.tool_url}/lti/launch" and query["nonce"]
    assert answer.cookies.get(f"lti1p3-{query['state']}") == query["state"]
    assert "HttpOnly" in answer.headers["set-cookie"]


def test_a_launch_from_another_browser_is_refused_by_its_state(lti):
    lti.platform.next = Launch()
    requests.get(lti.platform.login_url(), timeout=10)  # one browser logs in...
    data = lti.platform.last_launch
    answer = requests.post(  # ...another (no state cookie) posts the id_token
        data["launch_url"], data={"id_token": data["id_token"], "state": data["state"]}, timeout=10
    )
    refused(answer, "state")


@pytest.mark.parametrize(
    "form",
    [{}, {"state": "state-x"}, {"state": "state-x", "id_token": "not.a.jwt"}],
    ids=["nothing", "no-token", "garbage"],
)
def test_a_launch_without_a_proper_token_is_refused(lti, form):
    answer = requests.post(f"{lti.tool_url}/lti/launch", data=form, timeout=10)
    refused(answer)


def test_the_tools_keys_are_served_and_a_rotation_keeps_the_old_one(lti):
    from classroom.lti import keys

    first = requests.get(f"{lti.tool_url}/lti/jwks", timeout=10).json()["keys"]
    assert [k["kid"] for k in first] == [keys.key_id()]
    assert {"kty", "n", "e", "alg", "use"} <= set(first[0]) and "d" not in first[0]
    new_kid = keys.rotate_key()
    after = requests.get(f"{lti.tool_url}/lti/jwks", timeout=10).json()["keys"]
    assert [k["kid"] for k in after] == [new_kid, first[0]["kid"]]
    assert all("d" not in k for k in after)
    assert keys.key_file().stat().st_mode & 0o777 == 0o600
    assert keys.previous_key_file().stat().st_mode & 0o777 == 0o600


def test_the_canvas_configuration_names_this_servers_urls(lti):
    config = requests.get(f"{lti.tool_url}/lti/config.json", timeout=10).json()
    assert config["oidc_initiation_url"] == f"{lti.tool_url}/lti/login"
    assert config["target_link_uri"] == f"{lti.tool_url}/lti/launch"
    assert config["public_jwk_url"] == f"{lti.tool_url}/lti/jwks"


def test_a_placement_posted_from_another_site_is_refused(lti):
    answer = requests.post(
        f"{lti.tool_url}/lti/deep-link",
        data={"launch": "lti1p3-launch-x", "choice": "case:x"},
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    refused(answer, "another site")


def test_an_oversized_or_overfull_form_is_refused_without_reading_it(lti):
    many = "&".join(f"f{n}=x" for n in range(100))
    answer = requests.post(
        f"{lti.tool_url}/lti/launch",
        data=many,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    refused(answer, "no state")  # read as an empty form
    huge = requests.post(f"{lti.tool_url}/lti/login", data={"iss": "x" * 70_000}, timeout=10)
    refused(huge, "login")
