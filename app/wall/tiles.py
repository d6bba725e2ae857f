"""The wall view's live tiles, from the console's cache alone (so the wall works offline like the console):

- today's cases by source: cases reported since midnight in the city's time zone, per source;
- open and overdue by unit: open cases (not closed or voided) per responsible unit, and how many of them
  are past their current deadline (the units with most open cases first);
- on time now: open cases within their deadline ÷ open cases that have a deadline (suspended cases,
  whose clock is stopped, are left out);
- active alarms: sensor alarms not cleared, and how many are at the alarm level;
- vehicles and staff: devices that reported within the stale limit ÷ devices known;
- the emergency banner: emergency mode with its reason.
`district_bounds` gives the subdistricts (streets) the wall cycles between, each with its bounds.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.platform.enums import TERMINAL_STATUSES, Status
from app.platform.geo import bbox
from app.platform.times import to_city

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WallFigures:
    today_by_source: dict[str, int] = field(default_factory=dict)
    today_total: int = 0
    open_by_unit: list[tuple[str, int, int]] = field(default_factory=list)  # (unit, open, overdue)
    open_total: int = 0
    overdue_total: int = 0
    on_time: int = 0
    with_deadline: int = 0
    alarms_active: int = 0
    alarms_at_alarm_level: int = 0
    devices_live: int = 0
    devices_total: int = 0
    emergency: dict[str, Any] | None = None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.with_deadline if self.with_deadline else None


def wall_figures(summaries: Iterable[Any], alarms: Iterable[Mapping[str, Any]], positions: Iterable[Mapping[str, Any]],
                 emergency: Mapping[str, Any] | None, now: datetime, *, stale_after: timedelta = timedelta(minutes=5),
                 units: int = 8) -> WallFigures:
    """The tiles' figures from case summaries (`app.cases.summary.CaseSummary`), the cached alarms and
    positions and the emergency setting."""
    midnight = to_city(now).replace(hour=0, minute=0, second=0, microsecond=0)
    by_source: Counter[str] = Counter()
    open_units: Counter[str] = Counter()
    overdue_units: Counter[str] = Counter()
    on_time = with_deadline = 0
    for s in summaries:
        if s.created_at >= midnight:
            by_source[str(s.source)] += 1
        if s.status in TERMINAL_STATUSES:
            continue
        unit = s.unit_id or ""
        open_units[unit] += 1
        if s.status == Status.SUSPENDED or s.due_at is None:
            continue
        with_deadline += 1
        if now > s.due_at:
            overdue_units[unit] += 1
        else:
            on_time += 1
    top = sorted(open_units, key=lambda u: (-open_units[u], u))[:units]
    active = [a for a in alarms if a.get("state") != "cleared"]
    live = total = 0
    for p in positions:
        total += 1
        try:
            if now - datetime.fromisoformat(p["time"]) <= stale_after:
                live += 1
        except (KeyError, TypeError, ValueError):
            pass
    return WallFigures(
        today_by_source=dict(by_source.most_common()), today_total=sum(by_source.values()),
        open_by_unit=[(u, open_units[u], overdue_units[u]) for u in top], open_total=sum(open_units.values()),
        overdue_total=sum(overdue_units.values()), on_time=on_time, with_deadline=with_deadline,
        alarms_active=len(active), alarms_at_alarm_level=sum(1 for a in active if a.get("level") == "alarm"),
        devices_live=live, devices_total=total,
        emergency=dict(emergency) if isinstance(emergency, Mapping) and emergency.get("on") else None)


def district_bounds(refdata: Any, only: Iterable[str] = ()) -> list[tuple[str, str, str, list[list[float]]]]:
    """The subdistricts (streets) of the reference data as (code, name, name_en, [[south, west], [north,
    east]]), in file order; `only`: these codes (empty: all)."""
    wanted = set(only)
    boxes: dict[str, list[float]] = {}
    names: dict[str, tuple[str, str]] = {}
    for g in refdata.grids:
        if wanted and g.street not in wanted:
            continue
        w, s, e, n = bbox(g.geometry["coordinates"])
        box = boxes.setdefault(g.street, [s, w, n, e])
        box[:] = [min(box[0], s), min(box[1], w), max(box[2], n), max(box[3], e)]
        names.setdefault(g.street, (getattr(g, "street_name", "") or g.street, getattr(g, "street_name_en", "") or ""))
    return [(code, names[code][0], names[code][1], [[b[0], b[1]], [b[2], b[3]]]) for code, b in boxes.items()]
