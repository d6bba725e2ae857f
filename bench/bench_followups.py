"""The console's follow-up queues (supervision orders, callbacks) with 100,000 cached cases: how long one
reload of `LocalCache.follow_up_cases` takes (the docks reload it off the GUI thread after every sync batch).
Target: < 300 ms, median of several runs, on the bench_console cache (52 % closed, every source).
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.console_fixtures import build_cache
from bench.emit import emit
from bench.result import Row

N_CASES = 100_000
RUNS = 5
NAME = "console: follow-up queues reload (100k cached cases)"
TARGET_MS = 300


def main() -> None:
    from app.cache import LocalCache

    with tempfile.TemporaryDirectory(prefix="onegrid-bench-followups-") as tmp:
        built = build_cache(Path(tmp) / "cache", N_CASES, credentials=False)
        cache = LocalCache(built.directory)
        try:
            times, found = [], 0
            for _ in range(RUNS):
                t = time.perf_counter()
                found = len(cache.follow_up_cases())
                times.append((time.perf_counter() - t) * 1000)
        finally:
            cache.close()
    emit(Row(NAME, round(statistics.median(times), 1), "ms", TARGET_MS,
             note=f"{found} follow-up cases of {N_CASES:,}; runs {', '.join(f'{x:.0f}' for x in times)} ms"))


if __name__ == "__main__":
    main()
