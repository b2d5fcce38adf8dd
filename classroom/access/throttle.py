"""Throttling of guesses (passcodes, join codes, later PINs), held in the database.

Every refused guess is a row in ``failed_attempt`` (scope, key, time), so the limits hold
across browser sessions, page reloads, app servers and restarts. A key is usually the client
address (``address_key``); a caller may pass more keys, e.g. the address and a student id,
and the strictest of them decides. Each failure is also logged (logger ``casebook.security``)
with its scope, key and time.

A :class:`Policy` has three limits, checked before a guess is even looked at:

1. back-off per key: after ``free`` failures in ``key_window``, each further failure doubles
   the wait before the next try (``base_delay``, 2×, 4× … up to ``max_delay``);
2. a cap per key: ``per_key`` failures in ``key_window`` lock the key until the oldest of them
   leaves the window;
3. a cap per scope: ``total`` failures in ``total_window`` from all keys together lock the
   scope for everyone (it stops a spread-out attack; the lock lifts as failures age).

Two concurrent guesses may both pass a check before either failure is recorded, so a key can
exceed its cap by the number of its requests in flight; the caps are about rates, not exact.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import FailedAttempt, utcnow

LOG = logging.getLogger("casebook.security")
LOCAL = "local"  # the key of a client on this machine (Streamlit reports no address for it)


@dataclass(frozen=True)
class Policy:
    """The limits of one kind of guess; see the module docstring."""

    scope: str
    per_key: int
    key_window: float  # seconds
    total: int
    total_window: float  # seconds
    free: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last of ``failures`` recent failures (0 while free)."""
        if failures <= self.free:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** (failures - self.free - 1))


# Educator passcode: 10 tries per address per 5 minutes, 100 per hour from everyone.
EDUCATOR_SIGN_IN = Policy("educator-sign-in", 10, 300, 100, 3600, free=3)
# Join codes: a class behind one school address makes typos, so more per address; 31**6
# codes still take ~10**5 hours to find at the server-wide cap.
JOIN_CODE = Policy("join-code", 20, 300, 1000, 3600, free=5, max_delay=30)


@dataclass(frozen=True)
class Verdict:
    """Whether a guess may be tried now, and if not, how long to wait and why."""

    wait: float = 0.0
    reason: str = ""  # "", "back-off", "key" (this address's cap) or "total" (the scope's cap)

    @property
    def allowed(self) -> bool:
        """True when the guess may be checked now."""
        return self.wait <= 0

    def minutes(self) -> int:
        """The wait in whole minutes, rounded up, for a message."""
        return max(1, math.ceil(self.wait / 60))


def address_key(address: str | None) -> str:
    """The throttle key of a client address: IPv4 as is, IPv6 by its /64 network.

    One IPv6 customer gets a /64 (2**64 addresses), so counting single addresses would let
    one machine spread its guesses; a missing or loopback address is ``LOCAL``.
    """
    if not address:
        return LOCAL
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return address.strip()[:64] or LOCAL
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return LOCAL
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key_wait(conn: Connection, policy: Policy, key: str, now: datetime) -> Verdict:
    since = now - timedelta(seconds=policy.key_window)
    recent = list(
        conn.execute(
            sa.select(FailedAttempt.at)
            .where(
                FailedAttempt.scope == policy.scope,
                FailedAttempt.key == key,
                FailedAttempt.at > since,
            )
            .order_by(FailedAttempt.at.desc())
            .limit(policy.per_key)
        ).scalars()
    )
    if not recent:
        return Verdict()
    if len(recent) >= policy.per_key:  # locked until the oldest of the last per_key leaves
        until = recent[-1] + timedelta(seconds=policy.key_window)
        return Verdict((until - now).total_seconds(), "key")
    until = recent[0] + timedelta(seconds=policy.delay(len(recent)))
    wait = (until - now).total_seconds()
    return Verdict(wait, "back-off") if wait > 0 else Verdict()


def _total_wait(conn: Connection, policy: Policy, now: datetime) -> Verdict:
    since = now - timedelta(seconds=policy.total_window)
    # One guess is one row per key, all with the same time: count times, not rows.
    nth = conn.execute(
        sa.select(FailedAttempt.at)
        .distinct()
        .where(FailedAttempt.scope == policy.scope, FailedAttempt.at > since)
        .order_by(FailedAttempt.at.desc())
        .offset(policy.total - 1)
        .limit(1)
    ).scalar_one_or_none()
    if nth is None:
        return Verdict()
    until = nth + timedelta(seconds=policy.total_window)
    return Verdict((until - now).total_seconds(), "total")


def _verdict(conn: Connection, policy: Policy, keys: tuple[str, ...], now: datetime) -> Verdict:
    verdicts = [_total_wait(conn, policy, now), *(_key_wait(conn, policy, k, now) for k in keys)]
    worst = max(verdicts, key=lambda v: v.wait)
    return worst if worst.wait > 0 else Verdict()


def _keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    if not keys:
        raise ValueError("a throttle check needs at least one key")
    return tuple(str(k)[:200] for k in keys)


@translate_errors("Nothing was checked; try again in a moment.")
def check(engine: Engine, policy: Policy, *keys: str, now: datetime | None = None) -> Verdict:
    """May a guess from ``keys`` be checked now? (Call before looking at the guess.)"""
    keys = _keys(keys)
    with reading(engine) as conn:
        return _verdict(conn, policy, keys, now or utcnow())


@translate_errors("The failure was not recorded; try again.")
def record_failure(
    engine: Engine, policy: Policy, *keys: str, now: datetime | None = None
) -> Verdict:
    """Record a failed guess for each key, log it, and return the verdict for the next one."""
    keys = _keys(keys)
    now = now or utcnow()
    with engine.begin() as conn:
        rows = [{"scope": policy.scope, "key": k, "at": now} for k in keys]
        conn.execute(sa.insert(FailedAttempt), rows)
        # Rows older than both windows no longer count for anything.
        horizon = now - timedelta(seconds=max(policy.key_window, policy.total_window))
        conn.execute(
            sa.delete(FailedAttempt).where(
                FailedAttempt.scope == policy.scope, FailedAttempt.at < horizon
            )
        )
        verdict = _verdict(conn, policy, keys, now)
    LOG.warning(
        "%s failed for %s at %s; next try %s",
        policy.scope,
        ", ".join(keys),
        now.isoformat(timespec="seconds"),
        f"in {verdict.wait:.0f} s ({verdict.reason})" if verdict.wait > 0 else "allowed",
    )
    return verdict


@translate_errors("Nothing was changed; try again.")
def forget(engine: Engine, policy: Policy, *keys: str) -> None:
    """Drop the recorded failures of ``keys`` (after a success that proves the secret)."""
    keys = _keys(keys)
    with engine.begin() as conn:
        conn.execute(
            sa.delete(FailedAttempt).where(
                FailedAttempt.scope == policy.scope, FailedAttempt.key.in_(keys)
            )
        )
