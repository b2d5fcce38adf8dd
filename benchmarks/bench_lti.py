"""LTI 1.3: how long a launch takes at the tool, and how fast scores reach the platform.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_lti``. The platform is the
tests' ``lti1p3platform`` on loopback (``tests/support/lti_platform.py``); Casebook's routes run
in uvicorn in the same process, on a fresh SQLite file (``--postgres URL``: PostgreSQL).

- *launch POST*: the tool's answer to the id_token form (validation with PyLTI1p3 and PyJWT, the
  key set cached, the single-use nonce, the course, roster entry and link, the sign-in
  cookie), timed at the client. **Target: median ≤ 250 ms**, the time a click in the LMS may
  take before the page starts to change. A first launch (the key set fetched, the course and
  member created) is reported apart.
- *score delivery*: ``deliver_due`` posting finished attempts' scores with one cached token.
  **Target: ≥ 10 scores/s** (a class of 300 finishing at once is in the LMS in half a minute).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCHES = 40
SCORES = 40


def main() -> int:
    """Measure, print, and return 1 when a target is missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (else SQLite)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-lti-"))
    os.environ["CASEBOOK_DATABASE_URL"] = args.postgres or f"sqlite:///{folder / 'lti.db'}"
    os.environ["CASEBOOK_LTI_KEY_FILE"] = str(folder / "lti-tool-key.pem")
    os.environ["CASEBOOK_SECRET_KEY_FILE"] = str(folder / "secret.key")
    sys.path.insert(0, str(ROOT))

    from starlette.applications import Starlette

    from casebook.web.routes import routes
    from classroom.lti import outbox, platforms
    from classroom.storage.db import get_engine
    from tests.support.appserver import free_port
    from tests.support.lti_platform import Launch, TestPlatform
    from tests.support.lti_play import learner_of, play, token_of
    from tests.support.lti_tool import LtiRig, _serve

    engine = get_engine(os.environ["CASEBOOK_DATABASE_URL"])
    port = free_port()
    server = _serve(Starlette(routes=routes()), port)
    lms = TestPlatform(f"http://127.0.0.1:{port}").start()
    registered = platforms.register_platform(engine, **lms.settings())
    rig = LtiRig(
        f"http://127.0.0.1:{port}", os.environ["CASEBOOK_DATABASE_URL"], lms, registered.id
    )
    case = {"casebook_case": "scc-back-pain-could-not-wait"}

    times, first, answers = [], None, []
    for n in range(LAUNCHES):
        lms.next = Launch(user_id=f"student-{n % 10}", custom=case)
        answer, _ = rig.launch(lms.next)
        if answer.status_code != 303:
            print(f"launch {n} refused: {answer.text[:200]}")
            return 1
        elapsed = answer.elapsed.total_seconds() * 1000
        if first is None:
            first = elapsed
        else:
            times.append(elapsed)
        answers.append(answer)
    median, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
    print(f"first launch POST {first:.0f} ms (key set fetched, course and member made)")
    print(f"launch POST: median {median:.0f} ms, p90 {p90:.0f} ms over {len(times)} (target ≤ 250)")

    learners = {learner_of(rig, a) for a in answers}
    tokens = [token_of(engine, learner_id) for learner_id in sorted(learners)]
    for n in range(SCORES):
        play(engine, tokens[n % len(tokens)], seed=n)
    start = time.perf_counter()
    counts = outbox.deliver_due(engine, limit=SCORES)
    spent = time.perf_counter() - start
    rate = counts["sent"] / spent
    print(f"scores delivered: {counts} in {spent:.2f} s, {rate:.1f}/s, {lms.tokens_issued} token")
    print(f"(target ≥ 10/s; all {len(lms.scores)} received: {len(lms.scores) == SCORES})")
    lms.stop()
    server.should_exit = True
    return 0 if median <= 250 and rate >= 10 and len(lms.scores) == SCORES else 1


if __name__ == "__main__":
    sys.exit(main())
