"""Duplicate detection for the hotline form: active cases of the same category reported nearby lately."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from app.cases.summary import CaseSummary
from app.platform.enums import TERMINAL_STATUSES
from app.platform.geo import haversine_m

DUPLICATE_RADIUS_M = 200.0
DUPLICATE_WINDOW = timedelta(hours=72)


@dataclass(frozen=True)
class Duplicate:
    summary: CaseSummary
    distance_m: float


def find_duplicates(summaries: Iterable[CaseSummary], category_code: str, lat: float, lon: float,
                    now: datetime, *, radius_m: float = DUPLICATE_RADIUS_M,
                    window: timedelta = DUPLICATE_WINDOW) -> list[Duplicate]:
    """Likely duplicates of a new report: same category, within `radius_m`, reported in the last
    `window`, neither closed nor voided; nearest first."""
    since = now - window
    # ~1.1e5 m per degree of latitude; a cheap box test first, haversine only for what is near.
    dlat = radius_m / 110_000 * 1.5
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    found = []
    for s in summaries:
        if (s.category_code != category_code or s.status in TERMINAL_STATUSES or s.created_at < since
                or abs(s.lat - lat) > dlat or abs(s.lon - lon) > dlon):
            continue
        d = haversine_m(lat, lon, s.lat, s.lon)
        if d <= radius_m:
            found.append(Duplicate(s, d))
    found.sort(key=lambda d: (d.distance_m, -d.summary.created_at.timestamp()))
    return found
