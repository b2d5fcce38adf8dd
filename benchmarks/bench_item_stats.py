"""Time item_statistics on a class-sized and a 100,000-response data set.

Run from the project root: ``.venv/bin/python -m benchmarks.bench_item_stats``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

REPEATS = 7


def synthetic_responses(n_students: int, n_items: int, seed: int = 0) -> pd.DataFrame:
    """Partial-credit responses (every student answers every item) that rise with ability."""
    rng = np.random.default_rng(seed)
    item_max = rng.integers(1, 6, n_items).astype(float)
    ability = rng.normal(size=n_students)
    difficulty = rng.normal(size=n_items)
    p_right = 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    points = rng.binomial(item_max.astype(int), p_right).astype(float)
    return pd.DataFrame(
        {
            "student": np.repeat([f"student-{s:05d}" for s in range(n_students)], n_items),
            "item": np.tile([f"step-{i:03d}" for i in range(n_items)], n_students),
            "points": points.ravel(),
            "max_points": np.tile(item_max, n_students),
        }
    )


def main() -> None:
    """Print the best and median wall time of item_statistics for each data set."""
    from classroom.analytics.item_stats import item_statistics

    for n_students, n_items in ((300, 54), (2_000, 50)):
        responses = synthetic_responses(n_students, n_items)
        item_statistics(responses)  # warm-up: imports, first-call allocations
        timings = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            item_statistics(responses)
            timings.append(time.perf_counter() - start)
        best, median = min(timings) * 1000, statistics.median(timings) * 1000
        print(
            f"{n_students:>5} students × {n_items} items ({len(responses):>7,} responses): "
            f"best {best:6.1f} ms, median {median:6.1f} ms"
        )


if __name__ == "__main__":
    main()
