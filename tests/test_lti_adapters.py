"""PyLTI1p3's storage on the database: nonces used once (even by two launches at once), expiry."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from classroom.lti.adapters import DatabaseStorage, FormRequest, NonceSession
from classroom.storage.schema import LtiCache, LtiNonce, utcnow


def session(engine) -> NonceSession:
    return NonceSession(FormRequest({}, {}, secure=True), engine)


def test_a_nonce_is_good_for_one_launch(db_engine):
    nonces = session(db_engine)
    nonces.save_nonce("n-1")
    assert nonces.check_nonce("n-1") and not nonces.check_nonce("n-unknown")
    assert nonces.use_nonce("n-1")
    assert not nonces.check_nonce("n-1") and not nonces.use_nonce("n-1")


def test_two_launches_with_one_nonce_at_once_let_one_through(db_engine):
    session(db_engine).save_nonce("n-race")
    barrier, results = threading.Barrier(4), []

    def use() -> None:
        barrier.wait()
        results.append(session(db_engine).use_nonce("n-race"))

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


def test_an_expired_nonce_is_refused_and_swept(db_engine):
    nonces = session(db_engine)
    nonces.save_nonce("n-old")
    with db_engine.begin() as conn:
        conn.execute(sa.update(LtiNonce).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert not nonces.check_nonce("n-old") and not nonces.use_nonce("n-old")
    nonces.save_nonce("n-new")  # saving sweeps the expired ones
    with db_engine.connect() as conn:
        assert conn.execute(sa.select(LtiNonce.nonce)).scalars().all() == ["n-new"]


def test_stored_launch_data_expires_and_long_keys_fit(db_engine):
    storage = DatabaseStorage(db_engine)
    storage.set_value("launch-1", {"sub": "u1"}, 60)
    long_key = "k" * 500
    storage.set_value(long_key, [1, 2], 60)
    assert storage.get_value("launch-1") == {"sub": "u1"} and storage.get_value(long_key) == [1, 2]
    with db_engine.begin() as conn:
        conn.execute(sa.update(LtiCache).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert storage.get_value("launch-1") is None and not storage.check_value(long_key)
