"""The nearest available person for a case, from the devices' latest positions: an inspector (their
handset) to verify or check it, or a member unit's crew (a vehicle of the unit) to handle it. Shown
beside the responsibility matrix's ranking (`app.cases.routing`), never instead of it: the matrix says
whose job it is, this says who could be there soonest.

Available = reported within `stale_after` and not on another open case (`busy`). Ranked by straight-line
distance (haversine), then by the freshest report; each suggestion says why, in words the dialogs show.
"""
from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.platform.geo import haversine_m
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

CTX = "Avl"
DEFAULT_STALE_AFTER = timedelta(minutes=5)
REASON_STALE = QT_TRANSLATE_NOOP("Avl", "last report {age:.0f} min ago: position not current")
REASON_BUSY = QT_TRANSLATE_NOOP("Avl", "on another open case")
REASON_NEAR = QT_TRANSLATE_NOOP("Avl", "{dist:.1f} km away, about {eta:.0f} min; reported {age:.0f} min ago")
WALK_KMH = 5.0
DRIVE_KMH = 25.0  # city traffic


@dataclass(frozen=True)
class Suggestion:
    device_id: str
    kind: str
    unit_id: str
    person: str | None
    name: str
    distance_m: float
    minutes_since_report: float
    available: bool
    eta_min: float
    reason: str


def _eta_min(kind: str, distance_m: float) -> float:
    kmh = WALK_KMH if kind == "inspector_handset" else DRIVE_KMH
    return distance_m / 1000 / kmh * 60


def rank_nearest(positions: Iterable[Mapping[str, Any]], lat: float, lon: float, now: datetime, *,
                 kinds: Collection[str] | None = None, units: Collection[str] | None = None,
                 busy: Collection[str] = (), stale_after: timedelta = DEFAULT_STALE_AFTER,
                 limit: int = 5) -> list[Suggestion]:
    """Rank the devices (feed `position` JSON, `app.avl.positions.feed_data`) for a case at (lat, lon):
    available ones first, nearest first. `kinds`/`units` narrow the candidates; `busy` names device ids
    or people on another open case."""
    out: list[Suggestion] = []
    for p in positions:
        try:
            kind, unit, did = p["kind"], p["owner_unit_id"], p["device_id"]
            at = datetime.fromisoformat(p["time"])
            plat, plon = float(p["lat"]), float(p["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        if kinds is not None and kind not in kinds:
            continue
        if units is not None and unit not in units:
            continue
        distance = haversine_m(lat, lon, plat, plon)
        age_min = max(0.0, (now - at).total_seconds() / 60)
        person = p.get("person")
        eta = _eta_min(kind, distance)
        stale = now - at > stale_after
        on_case = did in busy or (person is not None and person in busy)
        if stale:
            reason = translate(CTX, REASON_STALE).format(age=age_min)
        elif on_case:
            reason = translate(CTX, REASON_BUSY)
        else:
            reason = translate(CTX, REASON_NEAR).format(dist=distance / 1000, eta=eta, age=age_min)
        out.append(Suggestion(did, kind, unit, person, str(p.get("name") or ""), distance, age_min,
                              not stale and not on_case, eta, reason))
    out.sort(key=lambda s: (not s.available, s.distance_m, s.minutes_since_report))
    return out[:limit]


def busy_people(cases: Iterable[Any]) -> set[str]:
    """The inspectors sent to an open verification or on-site check (they are not available)."""
    out: set[str] = set()
    for case in cases:
        status = str(getattr(case, "status", ""))
        if status == "verifying" and case.inspector:
            out.add(case.inspector)
        check = getattr(case, "check", None)
        if status == "reported" and check is not None and check.result is None:
            out.add(check.inspector)
    return out
