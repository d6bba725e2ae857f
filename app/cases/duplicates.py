"""Duplicates for the hotline form and the merge dialog: the open cases a new report likely repeats, by the
server's own rule (`app.cases.merging`: same or related category, the category's radius and window), read
from the console's cache so it works offline."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from app.cases import merging
from app.cases.summary import CaseSummary
from app.platform.enums import TERMINAL_STATUSES
from app.platform.geo import haversine_m


@dataclass(frozen=True)
class Duplicate:
    summary: CaseSummary
    distance_m: float


def find_duplicates(summaries: Iterable[CaseSummary], category_code: str, lat: float, lon: float,
                    now: datetime, *, radius_m: float | None = None,
                    window: timedelta | None = None, refdata=None) -> list[Duplicate]:
    """Likely duplicates of a new report: a related category (`merging.related_categories`), within the
    category's radius, reported in its window, neither closed, voided nor merged; nearest first (the first
    is the master the server would merge it into). The rule is the category's in `refdata` (the cache's
    copy of the server's reference data); `radius_m`/`window` override it."""
    rule = merging.rule_for(category_code, refdata)
    radius_m = rule.radius_m if radius_m is None else radius_m
    since = now - (rule.window if window is None else window)
    related = merging.related_categories(category_code, refdata)
    # ~1.1e5 m per degree of latitude; a cheap box test first, haversine only for what is near.
    dlat = radius_m / 110_000 * 1.5
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    found = []
    for s in summaries:
        if (s.category_code not in related or s.status in TERMINAL_STATUSES or s.created_at < since
                or abs(s.lat - lat) > dlat or abs(s.lon - lon) > dlon):
            continue
        d = haversine_m(lat, lon, s.lat, s.lon)
        if d <= radius_m:
            found.append(Duplicate(s, d))
    found.sort(key=lambda d: (d.distance_m, d.summary.created_at.timestamp()))
    return found
