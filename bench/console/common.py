"""What the console benchmarks share: the workload's sizes, the rows with their units and targets, the parts
ONEGRID_BENCH_CONSOLE_ONLY chooses among (`bench/bench_console.py` describes them), and how a row is emitted
and a line logged."""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from bench import emit as _emit
from bench.result import Row

REPO = Path(__file__).resolve().parents[2]  # the children run from the checkout's root, as `python -m bench`

N_CASES = 100_000
N_MAP = 10_000           # the map's cases: the first of the cache's
MAP_UPDATE = 100
MAP_UPDATE_ROUNDS = 5    # the queue's batches update cases after the map's rounds (their feed positions)
LAUNCH_TIMEOUT_S = 120   # a launched console (the 100k cache's, the demo's)

NAME_FILTER = "console: queue filter (100k cases)"
NAME_SORT = "console: queue sort (100k cases)"
NAME_BATCH = "console: apply sync batch of 1,000 changes (GUI-thread time)"
NAME_LAUNCH = "console: launch to interactive window (100k cached cases)"
NAME_RSS = "console: RSS with 100k cached cases"
NAME_MAP_FIRST = "map: first render of 10,000 case markers"
NAME_MAP_UPDATE = "map: update 100 markers"
NAME_DEMO = "console: first `onegrid --demo` launch to a window with cases"
# a console never drops a frame to a sync (a 60 Hz frame is 16 ms) and starts in well under two seconds
ROWS = [(NAME_FILTER, "ms", 50), (NAME_SORT, "ms", 50), (NAME_BATCH, "ms", 10), (NAME_LAUNCH, "s", 1.5),
        (NAME_RSS, "MB", 300), (NAME_MAP_FIRST, "s", 1.5), (NAME_MAP_UPDATE, "ms", 16), (NAME_DEMO, "s", 10)]
UNITS = {name: (unit, target) for name, unit, target in ROWS}

PART_ROWS = {"demo": (NAME_DEMO,), "launch": (NAME_LAUNCH, NAME_RSS), "map": (NAME_MAP_FIRST, NAME_MAP_UPDATE),
             "queue": (NAME_FILTER, NAME_SORT, NAME_BATCH)}
PARTS = tuple(PART_ROWS)

_EMITTED: set[str] = set()
_SETUP_NOTE = ""


def chosen_parts(value: str | None = None) -> set[str]:
    """The parts ONEGRID_BENCH_CONSOLE_ONLY selects (bench/bench_console.py); an unknown name is an error, not a
    silently empty run."""
    value = os.environ.get("ONEGRID_BENCH_CONSOLE_ONLY", "") if value is None else value
    names = {name.strip().lower() for name in value.split(",") if name.strip()}
    unknown = names - set(PARTS)
    if unknown:
        raise SystemExit(f"ONEGRID_BENCH_CONSOLE_ONLY: unknown part(s) {', '.join(sorted(unknown))}; "
                         f"choose from {', '.join(PARTS)}")
    return names or set(PARTS)


def set_setup_note(note: str) -> None:
    """How the cache was built, appended to every row emitted after it."""
    global _SETUP_NOTE
    _SETUP_NOTE = note


def emit(name: str, value: float | None, note: str) -> None:
    unit, target = UNITS[name]
    _EMITTED.add(name)
    if _SETUP_NOTE:
        note = f"{note} [{_SETUP_NOTE}]"
    _emit.emit(Row(name, None if value is None else round(value, 3 if unit == "s" else 2), unit, target,
                   note=note))


def emit_not_measured(names, exc: BaseException) -> None:
    """A row for each of `names` not emitted yet, saying why the part stopped."""
    for name in names:
        if name not in _EMITTED:
            emit(name, None, f"not measured: {type(exc).__name__}: {exc}")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def median(values):
    return statistics.median(values) if values else float("nan")
