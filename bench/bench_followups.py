"""The console's follow-up queues (supervision orders, callbacks) with 100,000 cached cases, on the
bench_console cache (52 % closed, every source, nobody called back: a pessimistic week of callbacks):
- the full search (`LocalCache.follow_up_cases`, once when a dock opens), target < 1.5 s;
- keeping a dock's `FollowUpIndex` current after a sync batch of 1,000 changed cases (off the GUI thread,
  after every batch), target < 100 ms. Medians of several runs.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.console.fixtures import build_cache, now_utc
from bench.emit import emit
from bench.result import Row

N_CASES = 100_000
RUNS = 5
NAME = "console: follow-up queues, full search (100k cached cases)"
TARGET_MS = 1500
NAME_BATCH = "console: follow-up queues, update after a 1,000-case batch"
TARGET_BATCH_MS = 100


def main() -> None:
    import random

    from app.cache import LocalCache
    from app.cache.followups import FollowUpIndex

    with tempfile.TemporaryDirectory(prefix="onegrid-bench-followups-") as tmp:
        built = build_cache(Path(tmp) / "cache", N_CASES, credentials=False)
        cache = LocalCache(built.directory)
        try:
            times, found = [], 0
            for _ in range(RUNS):
                t = time.perf_counter()
                found = len(cache.follow_up_cases())
                times.append((time.perf_counter() - t) * 1000)
            ids = [row.id for row in cache.summaries()]
            index, rng, batch_times = FollowUpIndex(), random.Random(1), []
            index.refresh(cache, now_utc())
            for _ in range(RUNS):
                changed = rng.sample(ids, 1000)
                t = time.perf_counter()
                index.refresh(cache, now_utc(), changed)
                batch_times.append((time.perf_counter() - t) * 1000)
        finally:
            cache.close()
    emit(Row(NAME, round(statistics.median(times), 1), "ms", TARGET_MS,
             note=f"{found} follow-up cases of {N_CASES:,}; runs {', '.join(f'{x:.0f}' for x in times)} ms"))
    emit(Row(NAME_BATCH, round(statistics.median(batch_times), 1), "ms", TARGET_BATCH_MS,
             note=f"runs {', '.join(f'{x:.0f}' for x in batch_times)} ms"))


if __name__ == "__main__":
    main()
