"""What the map draws for vehicles and field staff, and what a click on one shows. Qt-free.

A marker is a compact row `[id, kind, lat, lon, heading|null, stale, unit, label]` (the page's
`vehicles` op, resources/map/vehicles.js): 2,000 of them are one short JSON text. A device is *stale*
when its latest report is older than `stale_after` (greyed on the map, and not "available" for the
nearest-person suggestion).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.times import fmt

log = logging.getLogger(__name__)

CTX = "Avl"
DEFAULT_STALE_AFTER = timedelta(minutes=5)
KIND_LABELS = {
    "sanitation_truck": QT_TRANSLATE_NOOP("Avl", "Sanitation truck"),    # 环卫车
    "muck_truck": QT_TRANSLATE_NOOP("Avl", "Muck truck"),                # 渣土车
    "patrol_car": QT_TRANSLATE_NOOP("Avl", "Patrol car"),                # 巡查车
    "inspector_handset": QT_TRANSLATE_NOOP("Avl", "Inspector (handset)"),  # 监督员终端
}
LABELS = {
    "who": QT_TRANSLATE_NOOP("Avl", "Who"),
    "unit": QT_TRANSLATE_NOOP("Avl", "Unit"),
    "speed": QT_TRANSLATE_NOOP("Avl", "Speed"),
    "last": QT_TRANSLATE_NOOP("Avl", "Last report"),
    "case": QT_TRANSLATE_NOOP("Avl", "Current case"),
    "none": QT_TRANSLATE_NOOP("Avl", "none"),
    "stale": QT_TRANSLATE_NOOP("Avl", "stale: no report for {minutes} min"),
    "kmh": QT_TRANSLATE_NOOP("Avl", "{speed:.0f} km/h"),
    "layer": QT_TRANSLATE_NOOP("Avl", "Vehicles and staff"),
    "replay": QT_TRANSLATE_NOOP("Avl", "Track"),
}


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def is_stale(position: Mapping[str, Any], now: datetime, stale_after: timedelta = DEFAULT_STALE_AFTER) -> bool:
    at = _time(position.get("time"))
    return at is None or now - at > stale_after


def marker_row(p: Mapping[str, Any], now: datetime, stale_after: timedelta = DEFAULT_STALE_AFTER) -> list:
    return [p["device_id"], p.get("kind"), p.get("lat"), p.get("lon"), p.get("heading"),
            is_stale(p, now, stale_after), p.get("owner_unit_id"), p.get("name") or p["device_id"]]


def marker_rows(positions: Iterable[Mapping[str, Any]], now: datetime,
                stale_after: timedelta = DEFAULT_STALE_AFTER, units: frozenset[str] | None = None) -> list[list]:
    """The markers of `positions` (only those of `units`, when given: the per-unit filter)."""
    return [marker_row(p, now, stale_after) for p in positions
            if units is None or p.get("owner_unit_id") in units]


def page_labels() -> dict[str, str]:
    return {f"avl_{k}": translate(CTX, v) for k, v in {**LABELS, **KIND_LABELS}.items()}


def details(p: Mapping[str, Any], now: datetime, *, person_name: str | None = None, unit_name: str | None = None,
            case_number: str | None = None, stale_after: timedelta = DEFAULT_STALE_AFTER) -> list[tuple[str, str]]:
    """The rows a click on a device shows: who, unit, speed, last report, its current case."""
    kind = translate(CTX, KIND_LABELS.get(str(p.get("kind")), str(p.get("kind"))))
    who = person_name or p.get("person") or ""
    name = p.get("name") or p.get("device_id")
    rows = [(translate(CTX, LABELS["who"]), f"{who} · {kind} {name}" if who else f"{kind} {name}"),
            (translate(CTX, LABELS["unit"]), unit_name or str(p.get("owner_unit_id") or ""))]
    speed = p.get("speed_kmh")
    rows.append((translate(CTX, LABELS["speed"]),
                 translate(CTX, LABELS["kmh"]).format(speed=speed) if isinstance(speed, (int, float)) else "—"))
    at = _time(p.get("time"))
    last = fmt(at, "seconds") if at else "—"
    if at is not None and now - at > stale_after:
        last += " (" + translate(CTX, LABELS["stale"]).format(minutes=int((now - at).total_seconds() // 60)) + ")"
    rows.append((translate(CTX, LABELS["last"]), last))
    rows.append((translate(CTX, LABELS["case"]), case_number or translate(CTX, LABELS["none"])))
    return rows
