"""Quick-quiz picker and coverage benchmarks (issue 12 §4).

The picker is plain widgets (no form), so every change of a filter reruns the set-up page:
the bank, the pool the filters leave and the lengths on offer are computed again each time.
Target: ≤ 20 ms for that work on a bank of 1,000 items (the issue asks for ≥ 60; a department
may write far more), and drawing and rebuilding a 20-item quiz ≤ 20 ms. ``casebook coverage
cases/`` as a whole process ≤ 1.5 s, like ``casebook validate``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANK_SIZE = 1000


def _big_library():
    """The shipped sources, with item-set copies under new ids until the bank has 1,000."""
    from scoring.engine.quiz import quiz_bank
    from scoring.format.models import ItemSet
    from scoring.library.loader import load_library

    sources = load_library([ROOT / "cases"]).sources()
    sets = [s for s in sources if isinstance(s, ItemSet)]
    copies, n = [], len(quiz_bank(sources))
    while n < BANK_SIZE:
        for item_set in sets:
            copies.append(item_set.model_copy(update={"id": f"{item_set.id}-{len(copies)}"}))
            n += len(item_set.items)
    return sources + copies


def _median_ms(work, runs: int = 30) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def bench_picker() -> None:
    from scoring.engine.quiz import draw_quiz, items_from_keys, quiz_bank, quiz_lengths, quiz_pool

    sources = _big_library()
    bank = quiz_bank(sources)
    by_id = {s.id: s for s in sources}
    filters = {"skills": ["analyze_cues", "recognize_cues"], "client_needs": []}

    def rerun():
        pool = quiz_pool(quiz_bank(sources), **filters)
        quiz_lengths(len(pool))

    def draw_and_rebuild():
        drawn = draw_quiz(bank, 20, 12345, **filters)
        items_from_keys(by_id, [i.key for i in drawn], 12345)

    print(
        f"picker rerun, bank of {len(bank)} items (bank + pool + lengths, median of 30): "
        f"{_median_ms(rerun):.1f} ms   [target ≤ 20 ms]"
    )
    print(
        f"draw + rebuild a 20-item quiz from {len(bank)} items (median of 30): "
        f"{_median_ms(draw_and_rebuild):.1f} ms   [target ≤ 20 ms]"
    )


def bench_coverage_process() -> None:
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "casebook", "coverage", "cases/"],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - t)
    print(
        f"casebook coverage cases/ (whole process, median of 5): "
        f"{statistics.median(times):.2f} s   [target ≤ 1.5 s]"
    )


if __name__ == "__main__":
    bench_picker()
    bench_coverage_process()
