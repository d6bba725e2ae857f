"""The map's markers, as plain JSON-ready payloads: case markers and sensor markers, plus the legend (the
area layers drawn once at load are `app.map.areas`). Qt-free; `ui/map/dock.py` sends these to the page.

Colours
* A case marker's **fill** says its status, its **ring** says its time left on the running stage:
  red and thick when overdue, orange when due within `DUE_SOON` (default 1 h), a thin dark ring
  otherwise (or grey for cases that have no deadline running: closed, voided, suspended).
* A sensor marker is coloured by its display state (`app.sensors.levels.SensorState`): normal, warning,
  alarm, silent (no data for longer than its rules allow), fault (invalid readings), unknown.

Compact case-marker records keep 10,000 markers small on the wire:
``{"id", "n" (display number), "lat", "lon", "s" (status), "p" (priority), "c" (category), "u" (unit),
"f" (fill colour), "r" (ring colour), "w" (ring weight), "t" (time-left class), "due" (ISO or null),
"cu" (a joint case's co-handling units, comma-separated; "" for none)}``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from app.cases.numbers import number_text
from app.map.fields import get, name_in
from app.platform.enums import Status
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.labels import status_label

CTX = "MapLayers"

DUE_SOON = timedelta(hours=1)

STATUS_COLOURS: dict[Status, str] = {
    Status.REPORTED: "#2563eb",     # blue: new, nobody has looked yet
    Status.REGISTERED: "#0891b2",   # cyan
    Status.RETURNED: "#db2777",     # pink: bounced back to the dispatch queue
    Status.DISPATCHED: "#7c3aed",   # violet
    Status.IN_PROGRESS: "#059669",  # green: being worked on
    Status.HANDLED: "#65a30d",      # lime
    Status.VERIFYING: "#0d9488",    # teal
    Status.SUSPENDED: "#a16207",    # brown
    Status.CLOSED: "#9ca3af",       # grey
    Status.VOIDED: "#d1d5db",       # light grey
    Status.MERGED: "#cbd5e1",       # slate grey: a repeat, its master is the case drawn
}

# time-left classes → (ring colour, ring weight)
OVERDUE, DUE_SOON_CLASS, ON_TIME, NO_DEADLINE = "overdue", "due_soon", "on_time", "none"
TIME_LEFT_STYLE: dict[str, tuple[str, float]] = {
    OVERDUE: ("#dc2626", 3.0),
    DUE_SOON_CLASS: ("#f97316", 2.5),
    ON_TIME: ("#1f2937", 1.0),
    NO_DEADLINE: ("#6b7280", 1.0),
}

SENSOR_STATE_COLOURS: dict[str, str] = {
    "normal": "#16a34a",
    "warning": "#f59e0b",
    "alarm": "#dc2626",
    "silent": "#6b7280",
    "fault": "#7c3aed",
    "unknown": "#94a3b8",
}

_TIME_LEFT_LABELS = {
    OVERDUE: QT_TRANSLATE_NOOP("MapLayers", "Overdue"),
    DUE_SOON_CLASS: QT_TRANSLATE_NOOP("MapLayers", "Due within 1 hour"),
    ON_TIME: QT_TRANSLATE_NOOP("MapLayers", "On time"),
    NO_DEADLINE: QT_TRANSLATE_NOOP("MapLayers", "No deadline running"),
}

_SENSOR_STATE_LABELS = {
    "normal": QT_TRANSLATE_NOOP("MapLayers", "Normal"),
    "warning": QT_TRANSLATE_NOOP("MapLayers", "Warning"),
    "alarm": QT_TRANSLATE_NOOP("MapLayers", "Alarm"),
    "silent": QT_TRANSLATE_NOOP("MapLayers", "Silent (no data)"),
    "fault": QT_TRANSLATE_NOOP("MapLayers", "Invalid readings"),
    "unknown": QT_TRANSLATE_NOOP("MapLayers", "Unknown"),
}

_STATUS_BY_VALUE = {s.value: s for s in Status}


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)



# ------------------------------------------------------------------------------------ case markers


def time_left_class(status: Status | str, due_at: datetime | str | None, now: datetime,
                    due_soon: timedelta = DUE_SOON) -> str:
    """`overdue`, `due_soon`, `on_time` or `none` (no deadline running: terminal, suspended, no due)."""
    status = _STATUS_BY_VALUE.get(str(status), status)
    if status in (Status.CLOSED, Status.VOIDED, Status.MERGED, Status.SUSPENDED):
        return NO_DEADLINE
    due = _as_datetime(due_at)
    if due is None:
        return NO_DEADLINE
    left = due - now
    if left < timedelta(0):
        return OVERDUE
    if left <= due_soon:
        return DUE_SOON_CLASS
    return ON_TIME


def case_marker(summary: Any, now: datetime, due_soon: timedelta = DUE_SOON,
                co_units: Iterable[str] = ()) -> dict[str, Any] | None:
    """The compact marker record of one case summary (and a joint case's co-handling units); None when it
    has no usable position."""
    lat, lon = get(summary, "lat"), get(summary, "lon")
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    status = _STATUS_BY_VALUE.get(str(get(summary, "status")), Status.REPORTED)
    due = _as_datetime(get(summary, "due_at"))
    cls = time_left_class(status, due, now, due_soon)
    ring, weight = TIME_LEFT_STYLE[cls]
    number = number_text(get(summary, "number"), get(summary, "provisional_number"), get(summary, "id"))
    return {
        "id": str(get(summary, "id")),
        "n": number,
        "lat": round(float(lat), 6),
        "lon": round(float(lon), 6),
        "s": status.value,
        "p": str(get(summary, "priority") or ""),
        "c": get(summary, "category_code") or "",
        "u": get(summary, "unit_id") or "",
        "f": STATUS_COLOURS[status],
        "r": ring,
        "w": weight,
        "t": cls,
        "due": due.isoformat() if due else None,
        "cu": ",".join(co_units),
    }


def case_markers(summaries: Iterable[Any], now: datetime, due_soon: timedelta = DUE_SOON) -> list[dict]:
    out = []
    for summary in summaries:
        marker = case_marker(summary, now, due_soon)
        if marker is not None:
            out.append(marker)
    return out


# ------------------------------------------------------------------------------------ sensors


def sensor_marker(sensor: Any, state: Mapping[str, Any] | None = None,
                  language: str | None = None) -> dict[str, Any]:
    """One sensor marker: position, name, type, and its display state with colour and last value.
    `state` is ``{"state": "alarm", "value": 0.31, "at": epoch seconds}`` or None (unknown)."""
    state = state or {}
    name = name_in(sensor, language)
    kind = str(state.get("state") or "unknown")
    value = state.get("value")
    return {
        "id": get(sensor, "id"),
        "name": name,
        "type": get(sensor, "type"),
        "lat": get(sensor, "lat"),
        "lon": get(sensor, "lon"),
        "uom": get(sensor, "unit_of_measure") or "",
        "state": kind,
        "colour": SENSOR_STATE_COLOURS.get(kind, SENSOR_STATE_COLOURS["unknown"]),
        "value": None if value is None or not math.isfinite(float(value)) else round(float(value), 4),
        "at": state.get("at"),
    }


def sensor_markers(sensors: Iterable[Any], states: Mapping[str, Mapping[str, Any]] | None = None,
                   language: str | None = None) -> list[dict[str, Any]]:
    states = states or {}
    return [sensor_marker(s, states.get(get(s, "id")), language) for s in sensors]


# ------------------------------------------------------------------------------------ legend


def legend() -> dict[str, list[dict[str, str]]]:
    """Legend sections with translated labels: case status (fill), time left (ring), sensor state."""
    return {
        "status": [{"key": s.value, "colour": STATUS_COLOURS[s], "label": status_label(s)}
                   for s in Status],
        "time_left": [{"key": k, "colour": TIME_LEFT_STYLE[k][0], "weight": str(TIME_LEFT_STYLE[k][1]),
                       "label": translate(CTX, _TIME_LEFT_LABELS[k])} for k in _TIME_LEFT_LABELS],
        "sensor": [{"key": k, "colour": SENSOR_STATE_COLOURS[k],
                    "label": translate(CTX, _SENSOR_STATE_LABELS[k])} for k in _SENSOR_STATE_LABELS],
    }
