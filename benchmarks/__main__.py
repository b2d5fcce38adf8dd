"""Run every benchmark script in turn (``python -m benchmarks [name ...]``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM_LAST = {"bench_browser", "bench_live_dashboard"}


def main() -> int:
    """Run the named benchmarks (default: all bench_*.py), each in its own process."""
    wanted = sys.argv[1:]
    # The Chromium benchmarks last: they leave the 2-core machine loaded for a while after.
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda s: (s.stem in CHROMIUM_LAST, s.stem))
    if wanted:
        scripts = [s for s in scripts if any(w in s.stem for w in wanted)]
    status = 0
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        status |= subprocess.call(
            [sys.executable, "-m", f"benchmarks.{script.stem}"], cwd=HERE.parent
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
