"""How a bench module reports a row to the runner (one JSON line on stdout)."""
from __future__ import annotations

import json
from dataclasses import asdict

from bench.result import Row


def emit(row: Row) -> None:
    print("BENCHROW " + json.dumps(asdict(row), ensure_ascii=False), flush=True)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[k]
