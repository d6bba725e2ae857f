"""Repeats (重复件): when a new report is the same problem as an open case, and how it is found fast.

One rule, used by the server's check of every new case (`server.cases.repeats`), by the console's
duplicate dialog offline (`app.cases.duplicates`) and by the detections that join an open case
(`server.detections`): a case is a likely repeat of an *open* case (neither closed, voided nor merged)
of the same or a related category, reported within the category's time window before it and within its
radius. The nearest such case is the master; on a tie, the older one. The radius, the window and the
groups of related categories are reference data (optional columns `merge_radius_m`, `merge_window_h`,
`merge_group` of categories.csv), so the server and every console (from its cache, offline) use the same
values; a category without them uses the defaults, 200 m and 72 h.

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


def _category(refdata, category_code: str):
    """The category's reference data, or None (no reference data, or a code it does not know)."""
    if refdata is None:
        return None
    try:
        return refdata.category(category_code)
    except Exception:  # an unknown code (e.g. a category removed since): the defaults
        return None


def rule_for(category_code: str, refdata=None) -> MergeRule:
    """The category's radius and window from the reference data (`merge_radius_m`, `merge_window_h` of
    categories.csv); the defaults where it sets none, or without reference data."""
    cat = _category(refdata, category_code)
    if cat is None:
        return MergeRule()
    radius = DEFAULT_RADIUS_M if cat.merge_radius_m is None else min(float(cat.merge_radius_m), MAX_RADIUS_M)
    window = DEFAULT_WINDOW if cat.merge_window_h is None else timedelta(hours=float(cat.merge_window_h))
    return MergeRule(radius_m=radius, window=window)


_GROUPS: dict[str, dict[str, frozenset[str]]] = {}  # reference data version → group name → its categories


def related_categories(category_code: str, refdata=None) -> frozenset[str]:
    """The category itself and those of its group (`merge_group`: categories a reporter cannot tell apart
    from the street, e.g. the water supply, sewer and storm drain manhole covers)."""
    cat = _category(refdata, category_code)
    if cat is None or not cat.merge_group:
        return frozenset({category_code})
    groups = _GROUPS.get(refdata.version)
    if groups is None:  # built once per version of the reference data: every new case asks
        built: dict[str, set[str]] = {}
        for c in refdata.categories:
            if c.merge_group:
                built.setdefault(c.merge_group, set()).add(c.code)
        groups = {name: frozenset(codes) for name, codes in built.items()}
        if len(_GROUPS) > 8:
            _GROUPS.clear()
        _GROUPS[refdata.version] = groups
    return groups.get(cat.merge_group, frozenset()) | {category_code}


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
                  reported_at: datetime, refdata=None) -> Match | None:
    """The master of a new report among open cases, or None: the nearest case of a related category within
    the rule's radius, reported within its window before (or at) `reported_at`; the older on a tie. The
    rule is the category's in `refdata` (the defaults without)."""
    rule = rule_for(category_code, refdata)
    related = related_categories(category_code, refdata)
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
