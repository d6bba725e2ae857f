"""Step 2 of a report: the facts of many cases summed over a period and a unit scope. The console runs
this on its cache; the server does the same in one SQL statement (`server.metrics.facts`), and both feed
`app.metrics.figures.build_report`, so the numbers agree."""
from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from app.metrics.case_facts import DURATION_KINDS, TREND_KINDS, CaseFact, CaseFacts
from app.metrics.report_model import Period

log = logging.getLogger(__name__)


@dataclass
class Aggregates:
    """What one report needs, already restricted to the period and the unit scope."""

    by_unit: dict[tuple[str, str | None], tuple[int, int]] = field(default_factory=dict)   # (kind, unit) → n, met
    by_day: dict[tuple[str, date], int] = field(default_factory=dict)                       # (kind, day) → n
    by_category: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)      # (kind, cat) → n, met
    resolution: dict[str | None, tuple[int, int, int]] = field(default_factory=dict)        # unit → closed, timely, open_late
    durations: dict[str, tuple[float | None, float | None, int]] = field(default_factory=dict)  # kind → p50, p90, n
    closure: dict[str | None, tuple[int, int, int]] = field(default_factory=dict)  # unit → cohort, closed, suspended


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont): position (n − 1)·q."""
    n = len(sorted_values)
    if n == 0:
        return None
    h = (n - 1) * q
    lo = math.floor(h)
    if lo + 1 >= n:
        return float(sorted_values[lo])
    return sorted_values[lo] + (h - lo) * (sorted_values[lo + 1] - sorted_values[lo])


def closure_cohort(c: CaseFact, lo, hi) -> tuple[int, int, int] | None:
    """The closure rate's counts of one case: (in the cohort, closed, suspended), or None when the case is
    not in the cohort (registered in [lo, hi), not voided before hi). Suspended: its latest suspension
    began before hi and had not ended by hi, and it was not closed by hi."""
    if c.registered_at is None or not lo <= c.registered_at < hi:
        return None
    if c.voided_at is not None and c.voided_at < hi:
        return None
    closed = c.closed_at is not None and c.closed_at < hi
    suspended = (not closed and c.suspended_at is not None and c.suspended_at < hi
                 and (c.resumed_at is None or c.resumed_at >= hi))
    return 1, int(closed), int(suspended)


def aggregate(all_facts: Iterable[CaseFacts], period: Period, units: tuple[str, ...] | None) -> Aggregates:
    """The Python twin of `server.metrics.facts`' SQL: same windows, same scope, same counting."""
    lo, hi = period.start_at, period.end_at
    wanted = None if units is None else set(units)
    agg = Aggregates()
    samples: dict[str, list[float]] = {k: [] for k in DURATION_KINDS}
    for cf in all_facts:
        for f in cf.facts:
            if f.at is None or not lo <= f.at < hi or (wanted is not None and f.unit_id not in wanted):
                continue
            met = 1 if f.met else 0
            n, m = agg.by_unit.get((f.kind, f.unit_id), (0, 0))
            agg.by_unit[(f.kind, f.unit_id)] = (n + 1, m + met)
            n, m = agg.by_category.get((f.kind, f.category_code), (0, 0))
            agg.by_category[(f.kind, f.category_code)] = (n + 1, m + met)
            if f.kind in TREND_KINDS and f.day is not None:
                agg.by_day[(f.kind, f.day)] = agg.by_day.get((f.kind, f.day), 0) + 1
            if f.seconds is not None and f.kind in samples:
                samples[f.kind].append(f.seconds)
        c = cf.case
        if wanted is not None and c.unit_id not in wanted:
            continue
        closed_in = c.closed_at is not None and lo <= c.closed_at < hi
        open_late = (c.created_at < hi and (c.closed_at is None or c.closed_at >= hi)
                     and (c.voided_at is None or c.voided_at >= hi) and c.late_at is not None and c.late_at < hi)
        if closed_in or open_late:
            closed, timely, late = agg.resolution.get(c.unit_id, (0, 0, 0))
            agg.resolution[c.unit_id] = (closed + closed_in,
                                         timely + (closed_in and c.late_at is None),
                                         late + open_late)
        cohort = closure_cohort(c, lo, hi)
        if cohort is not None:
            a, b, s = agg.closure.get(c.unit_id, (0, 0, 0))
            agg.closure[c.unit_id] = (a + cohort[0], b + cohort[1], s + cohort[2])
    for kind, values in samples.items():
        if values:
            values.sort()
            agg.durations[kind] = (percentile(values, 0.5), percentile(values, 0.9), len(values))
    return agg
