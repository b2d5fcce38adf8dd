"""Throttling held in the database: back-off, a cap per key and a cap per scope."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from classroom.access import throttle
from classroom.access.throttle import (
    EDUCATOR_SIGN_IN,
    Policy,
    address_key,
    check,
    forget,
    record_failure,
)
from classroom.storage.schema import utcnow

POLICY = Policy("test", per_key=5, key_window=300, total=8, total_window=3600, free=2)


def test_back_off_doubles_after_the_free_failures(db_engine):
    t0 = utcnow()
    waits = []
    for _ in range(4):
        verdict = record_failure(db_engine, POLICY, "1.2.3.4", now=t0)
        waits.append(verdict.wait)
    assert waits == [0, 0, 1.0, 2.0]  # free, free, then 1 s, 2 s
    assert check(db_engine, POLICY, "1.2.3.4", now=t0 + timedelta(seconds=1)).reason == "back-off"
    assert check(db_engine, POLICY, "1.2.3.4", now=t0 + timedelta(seconds=2)).allowed
    assert check(db_engine, POLICY, "5.6.7.8", now=t0).allowed  # another address is not slowed


def test_the_cap_per_key_locks_until_the_oldest_failure_leaves_the_window(db_engine):
    t0 = utcnow()
    for n in range(5):
        record_failure(db_engine, POLICY, "1.2.3.4", now=t0 + timedelta(seconds=10 * n))
    verdict = check(db_engine, POLICY, "1.2.3.4", now=t0 + timedelta(seconds=50))
    assert (verdict.reason, round(verdict.wait)) == ("key", 250)  # until t0 + 300 s
    assert check(db_engine, POLICY, "1.2.3.4", now=t0 + timedelta(seconds=301)).allowed


def test_the_cap_per_scope_stops_a_spread_out_attack_for_everyone(db_engine):
    t0 = utcnow()
    for n in range(8):  # eight addresses, one failure each, a second apart
        record_failure(db_engine, POLICY, f"10.0.0.{n}", now=t0 + timedelta(seconds=n))
    verdict = check(db_engine, POLICY, "192.0.2.1", now=t0 + timedelta(minutes=10))
    assert verdict.reason == "total" and round(verdict.wait) == 3000  # the first one ages out
    assert verdict.minutes() == 50
    assert check(db_engine, POLICY, "192.0.2.1", now=t0 + timedelta(seconds=3601)).allowed
    other = Policy("other-scope", 5, 300, 8, 3600)
    assert check(db_engine, other, "192.0.2.1", now=t0).allowed  # scopes are independent


def test_the_strictest_of_several_keys_decides(db_engine):
    t0 = utcnow()
    for _ in range(5):
        record_failure(db_engine, POLICY, "student-17", "10.0.0.1", now=t0)
    assert check(db_engine, POLICY, "10.0.0.2", "student-17", now=t0).reason == "key"
    assert check(db_engine, POLICY, "10.0.0.2", "student-18", now=t0).allowed


def test_forget_clears_a_key_and_old_rows_are_pruned(db_engine):
    t0 = utcnow()
    for _ in range(5):
        record_failure(db_engine, POLICY, "1.2.3.4", now=t0 - timedelta(hours=2))
    record_failure(db_engine, POLICY, "5.6.7.8", now=t0)  # prunes the two-hour-old rows
    assert check(db_engine, POLICY, "1.2.3.4", now=t0).allowed
    forget(db_engine, POLICY, "5.6.7.8")
    with db_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM failed_attempt").scalar() == 0


def test_each_failure_is_logged_with_its_key_and_time(db_engine, caplog):
    with caplog.at_level(logging.WARNING, logger="casebook.security"):
        record_failure(db_engine, EDUCATOR_SIGN_IN, "203.0.113.9")
    [message] = [r.getMessage() for r in caplog.records]
    assert message.startswith("educator-sign-in failed for 203.0.113.9 at 20")


@pytest.mark.parametrize(
    ("address", "key"),
    [
        (None, "local"),
        ("::1", "local"),
        ("127.0.0.1", "local"),
        ("203.0.113.9", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ],
)
def test_address_keys_group_an_ipv6_customer_network(address, key):
    assert address_key(address) == key


def test_a_check_needs_a_key(db_engine):
    with pytest.raises(ValueError, match="at least one key"):
        throttle.check(db_engine, POLICY)
