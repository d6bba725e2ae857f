"""Repeats (重复件): when a new report is the same problem as an open case, and how it is found fast.

One rule, used by the server's check of every new case (`server.cases.repeats`), by the console's
duplicate dialog offline (`app.cases.duplicates`) and by the detections that join an open case
(`server.detections`): a case is a likely repeat of an *open* case (neither closed, voided nor merged)
of the same or a related category, reported within the category's time window before it and within its
radius. The nearest such case is the master; on a tie, the older one.

The index: every open case carries a grid cell (`cell_of`, ~220 m × ~190 m at 30°N), cleared when the
case ends (`open_cell`). A check reads the cells that cover the radius around the new report
(`cells_near`: 3 × 3 for 200 m) by a btree index, then measures the few cases found. No PostGIS: the
cell is an integer, so the same column works on SQLite (the demo) and PostgreSQL.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from app.platform.enums import TERMINAL_STATUSES, Status
from app.platform.geo import haversine_m

DEFAULT_RADIUS_M = 200.0
DEFAULT_WINDOW = timedelta(hours=72)
MAX_RADIUS_M = 1000.0  # a rule's radius is capped so a check never reads more than 11 × 11 cells

CELL_DEG = 0.002       # ~222 m of latitude; ~193 m of longitude at 30°N
_LAT_OFFSET = 45_000   # floor(-90 / 0.002) = -45000: every cell index is non-negative
_LON_OFFSET = 90_000
_LON_CELLS = 1_000_000  # > 360 / 0.002, so (row, column) packs into one integer


@dataclass(frozen=True)
class MergeRule:
    """How near in space and time a report must be to an open case to be its repeat."""

    radius_m: float = DEFAULT_RADIUS_M
    window: timedelta = DEFAULT_WINDOW


# Categories whose problems are seen by the public over a wider area or a longer time; the rest use the
# defaults. A reference-data column can replace this table once centres want to tune it themselves.
RULES: dict[str, MergeRule] = {
    "E0401": MergeRule(radius_m=300.0, window=timedelta(hours=24)),   # waterlogging: one flooded stretch
    "E0501": MergeRule(radius_m=100.0, window=timedelta(hours=12)),   # street vendors move on within hours
}

# Categories a reporter cannot tell apart from the street: a repeat may be filed under either.
RELATED: tuple[frozenset[str], ...] = (
    frozenset({"C0101", "C0102", "C0103"}),   # water supply, sewer and storm drain manhole covers
)


def rule_for(category_code: str) -> MergeRule:
    return RULES.get(category_code, MergeRule())


def related_categories(category_code: str) -> frozenset[str]:
    """The category itself and those related to it."""
    out = {category_code}
    for group in RELATED:
        if category_code in group:
            out |= group
    return frozenset(out)


def cell_of(lat: float, lon: float) -> int:
    row = math.floor(lat / CELL_DEG) + _LAT_OFFSET
    col = math.floor(lon / CELL_DEG) + _LON_OFFSET
    return row * _LON_CELLS + col


def cells_near(lat: float, lon: float, radius_m: float) -> list[int]:
    """Every cell a point within `radius_m` of (lat, lon) can fall in."""
    radius_m = min(radius_m, MAX_RADIUS_M)
    dlat = radius_m / 111_000.0
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = range(math.floor((lat - dlat) / CELL_DEG), math.floor((lat + dlat) / CELL_DEG) + 1)
    cols = range(math.floor((lon - dlon) / CELL_DEG), math.floor((lon + dlon) / CELL_DEG) + 1)
    return [(r + _LAT_OFFSET) * _LON_CELLS + c + _LON_OFFSET for r in rows for c in cols]


def open_cell(status: Status, lat: float, lon: float) -> int | None:
    """The indexed cell of a case: only open cases are candidates, so an ended case has none."""
    return None if status in TERMINAL_STATUSES else cell_of(lat, lon)


@dataclass(frozen=True)
class Candidate:
    """An open case as the check reads it: just what the rule needs."""

    case_id: UUID
    number: str | None
    category_code: str
    lat: float
    lon: float
    created_at: datetime


@dataclass(frozen=True)
class Match:
    master: Candidate
    distance_m: float


def likely_master(candidates: list[Candidate], *, case_id: UUID, category_code: str, lat: float, lon: float,
                  reported_at: datetime) -> Match | None:
    """The master of a new report among open cases, or None: the nearest case of a related category within
    the rule's radius, reported within its window before (or at) `reported_at`; the older on a tie."""
    rule = rule_for(category_code)
    related = related_categories(category_code)
    since = reported_at - rule.window
    best: Match | None = None
    for c in candidates:
        if c.case_id == case_id or c.category_code not in related or not (since <= c.created_at <= reported_at):
            continue
        d = haversine_m(lat, lon, c.lat, c.lon)
        if d > rule.radius_m:
            continue
        if best is None or (d, c.created_at) < (best.distance_m, best.master.created_at):
            best = Match(c, d)
    return best


def merge_refusal(case_id: UUID, master_id: UUID, master_status: Status | None) -> str | None:
    """Why a case may not be merged into `master_id`, or None (the master must exist and be open)."""
    if master_id == case_id:
        return "a case cannot be merged into itself"
    if master_status is None:
        return f"no master case {master_id}"
    if master_status in TERMINAL_STATUSES:
        return f"the master case is '{master_status}': merge into an open case"
    return None
