"""An acknowledged answer survives the server being killed; faults read as plain messages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from classroom.attempts import answers, new_learner, record_answer
from classroom.storage.db import PROJECT_ROOT, StorageError, get_engine, make_engine

KILL_AFTER = 40
ANSWER = {
    "points": 0,
    "max_points": 1,
    "rule": "0/1",
    "skill": "take_action",
    "item_type": "multiple_choice",
    "must_avoid": [],
}

# The child acknowledges a step only after record_answer has returned (committed).
CHILD = """
import sys
from classroom.attempts import new_learner, record_answer, start_attempt
from classroom.storage.db import get_engine

engine = get_engine(sys.argv[1])
token = new_learner(engine)
attempt = start_attempt(engine, token, "case-a", "v1")
print("attempt", token, attempt.id, flush=True)
for n in range(1_000_000):
    record_answer(
        engine, token, attempt.id, f"s{n}", response=[n], next_step=f"s{n + 1}",
        points=0, max_points=1, rule="0/1", skill="take_action",
        item_type="multiple_choice", must_avoid=[],
    )
    print("ack", f"s{n}", flush=True)
"""


def test_acknowledged_answers_survive_sigkill(db_url):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    acked: list[str] = []
    try:
        header = child.stdout.readline().split()
        assert header[:1] == ["attempt"], child.stderr.read()
        token, attempt_id = header[1], int(header[2])
        for line in child.stdout:
            acked.append(line.split()[1])
            if len(acked) == KILL_AFTER:
                os.kill(child.pid, signal.SIGKILL)
                break
        # Acknowledgments already written to the pipe before the kill count too.
        acked += [line.split()[1] for line in child.stdout if line.startswith("ack ")]
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert len(acked) >= KILL_AFTER

    engine = make_engine(db_url)  # a fresh process's view: new connections, no cache
    try:
        stored = [a.step_id for a in answers(engine, token, attempt_id)]
        assert stored[: len(acked)] == acked
        # At most the answer in flight at the kill was committed without being acknowledged.
        assert len(stored) - len(acked) in (0, 1)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # The database takes writes again right away (no stale lock from the dead process).
        created = record_answer(
            engine, token, attempt_id, "after", response=[], next_step=None, **ANSWER
        )[1]
        assert created
    finally:
        engine.dispose()


def test_unreachable_postgres_gives_a_plain_message_without_password():
    url = "postgresql+psycopg://casebook:s3cret-pw@127.0.0.1:1/test"
    with pytest.raises(StorageError) as caught:
        get_engine(url)
    message = str(caught.value)
    assert message.startswith("The database is not reachable (postgresql://casebook@127.0.0.1:1/")
    assert "connection refused" in message
    assert "s3cret" not in message
    assert "Traceback" not in message and "\n" not in message and "sqlalche.me" not in message
    with pytest.raises(StorageError):
        get_engine(url)  # a failed start is not cached: the next call tries again

    engine = make_engine(url)
    try:
        with pytest.raises(StorageError) as caught:
            record_answer(engine, "t" * 32, 1, "s1", response=[], next_step=None, **ANSWER)
        assert str(caught.value).endswith("Your answer was not saved; try again.")
        assert "s3cret" not in str(caught.value)
        with pytest.raises(StorageError):
            new_learner(engine)
    finally:
        engine.dispose()


def test_unopenable_sqlite_file_gives_a_plain_message(tmp_path):
    missing = tmp_path / "no-such-folder" / "casebook.db"
    with pytest.raises(StorageError) as caught:
        get_engine(f"sqlite:///{missing}")
    message = str(caught.value)
    assert "cannot be opened" in message and str(missing) in message
    assert "\n" not in message
