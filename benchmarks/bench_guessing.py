"""Passcode guessing against a real server, as issue 14's attack did it.

A script speaking Streamlit's WebSocket protocol (``tests.support.wsclient``) opens a new
Streamlit session every ten guesses and submits wrong passcodes as fast as the server
answers, for ``SECONDS``. It counts the guesses the server actually checked ("That passcode
is not right.") and the ones it refused unchecked (back-off or lock), and prints checked
guesses per minute. Target (issue 14): at most 10 per address per 5 minutes, so ≤ 10 in the
minute; before the fix the issue measured 583 a minute with one worker.

``python -m benchmarks.bench_guessing [--url URL] [--seconds S]``: without ``--url`` it starts
its own server (``python -m casebook.serve``, one worker, a fresh SQLite file).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.support.appserver import app_servers
from tests.support.wsclient import StreamlitClient

SECONDS = 60.0
GUESSES_PER_SESSION = 10
PASSCODE = "bench-guessing-passcode"
WRONG = "That passcode is not right."


def attack(base: str, seconds: float) -> dict[str, float]:
    """Guess for ``seconds``; a new Streamlit session every ten guesses."""
    checked = refused = sessions = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with StreamlitClient(base) as client:
            sessions += 1
            page = client.run("sessions")
            for n in range(GUESSES_PER_SESSION):
                if "Educator passcode" not in page.widgets or time.monotonic() >= deadline:
                    refused += "Educator passcode" not in page.widgets
                    break
                page = client.submit(
                    "sessions", page, {"Educator passcode": f"guess-{sessions}-{n}"}, "Sign in"
                )
                if WRONG in page.text():
                    checked += 1
                else:
                    refused += 1
    return {"checked": checked, "refused": refused, "sessions": sessions, "seconds": seconds}


def report(figures: dict[str, float]) -> bool:
    """Print the figures; True when the target holds."""
    per_minute = figures["checked"] * 60 / figures["seconds"]
    ok = per_minute <= 10
    print(
        f"passcode guesses checked: {figures['checked']:.0f} in {figures['seconds']:.0f} s "
        f"= {per_minute:.0f}/min over {figures['sessions']:.0f} Streamlit sessions "
        f"({figures['refused']:.0f} refused unchecked); target ≤ 10/min: "
        + ("ok" if ok else "MISSED")
    )
    return ok


def main() -> int:
    """Run the attack against ``--url`` or a server of our own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    args = parser.parse_args()
    if args.url:
        return 0 if report(attack(args.url, args.seconds)) else 1
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CASEBOOK_DATABASE_URL": f"sqlite:///{Path(tmp) / 'guess.db'}",
            "CASEBOOK_EDUCATOR_PASSCODE": PASSCODE,
            "CASEBOOK_PASSCODE_FILE": str(Path(tmp) / "passcode.hash"),
            "CASEBOOK_SECRET_KEY_FILE": str(Path(tmp) / "secret.key"),
        }
        with app_servers(1, env, Path(tmp)) as (base,):
            return 0 if report(attack(base, args.seconds)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
