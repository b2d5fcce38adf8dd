"""Registered platforms: checked settings, one row per issuer and client id, deployments added."""

from __future__ import annotations

import pytest

from classroom.lti import platforms

MOODLE = {
    "issuer": "https://moodle.example.edu",
    "client_id": "AbC123",
    "deployment_ids": ["3"],
    "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
    "keyset_url": "https://moodle.example.edu/mod/lti/certs.php",
}


def test_registering_again_updates_the_urls_and_adds_deployments(db_engine):
    first = platforms.register_platform(db_engine, **MOODLE)
    moved = {**MOODLE, "deployment_ids": ["3", "4"], "keyset_url": MOODLE["keyset_url"] + "?v=2"}
    again = platforms.register_platform(db_engine, **moved)
    assert again.id == first.id and again.deployment_ids == ("3", "4")
    assert again.keyset_url.endswith("?v=2")
    assert platforms.list_platforms(db_engine) == [again]


def test_an_issuer_with_two_client_ids_needs_the_client_id_to_be_found(db_engine):
    one = platforms.register_platform(db_engine, **MOODLE)
    two = platforms.register_platform(db_engine, **{**MOODLE, "client_id": "Other"})
    assert platforms.find_platform(db_engine, MOODLE["issuer"], "Other") == two
    assert platforms.find_platform(db_engine, MOODLE["issuer"], "AbC123") == one
    assert platforms.find_platform(db_engine, MOODLE["issuer"], None) is None  # ambiguous
    assert platforms.find_platform(db_engine, "https://elsewhere", None) is None


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("auth_token_url", "http://moodle.example.edu/token", "https://"),
        ("keyset_url", "ftp://moodle.example.edu/certs", "https://"),
        ("client_id", "  ", "1 to 255"),
        ("deployment_ids", [], "at least one"),
    ],
)
def test_a_bad_setting_is_refused_by_name(db_engine, field, value, words):
    with pytest.raises(platforms.PlatformError) as refused:
        platforms.register_platform(db_engine, **{**MOODLE, field: value})
    assert words in refused.value.message
    assert platforms.list_platforms(db_engine) == []


def test_plain_http_is_allowed_on_this_machine_only(db_engine):
    local = {k: v.replace("https://moodle.example.edu", "http://127.0.0.1:8080")
             if isinstance(v, str) else v for k, v in MOODLE.items()}  # fmt: skip
    assert platforms.register_platform(db_engine, **local).issuer == "http://127.0.0.1:8080"
