"""One position report: its shape, its checks against the devices and the clock, and the JSON the feed
carries for a device (kind `position`).

A report is `{device_id, time: ISO-8601 with zone or epoch s, lat, lon, speed_kmh?, heading?}` (WGS-84).
It is refused, with a reason and a message naming the field, when it is malformed, names no known device,
has impossible coordinates or speed, is later than the server's clock allows (`FUTURE_SLACK`), or is not
after the device's latest stored report (`out_of_order`: a track is one line forward in time; a repeat of
the same time is a `duplicate`, answered as such and not stored twice).
"""
from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from app.refdata.devices import Device

log = logging.getLogger(__name__)

POSITION = "position"  # the feed's kind
REASONS = ("malformed", "unknown_device", "impossible_coordinates", "impossible_speed", "future_time",
           "too_old", "out_of_order", "duplicate")
FUTURE_SLACK = timedelta(seconds=30)  # a device's clock may run this far ahead of the server's
MAX_AGE = timedelta(days=7)           # older reports are a device's backlog the track no longer wants
MAX_SPEED_KMH = 300.0
_FIELDS = frozenset({"device_id", "time", "lat", "lon", "speed_kmh", "heading"})


@dataclass(frozen=True)
class Position:
    device_id: str
    time: datetime
    lat: float
    lon: float
    speed_kmh: float | None = None
    heading: float | None = None


@dataclass(frozen=True)
class Rejection:
    device_id: str | None
    reason: str
    message: str

    def to_dict(self, index: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"device_id": self.device_id, "reason": self.reason, "message": self.message}
        return out if index is None else {"index": index, **out}


def _number(item: Mapping[str, Any], key: str, required: bool = True) -> float | None:
    value = item.get(key)
    if value is None:
        if required:
            raise ValueError(f"{key} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number")
    return value


def _time(value: Any) -> datetime:
    if isinstance(value, bool) or value is None:
        raise ValueError("time must be ISO-8601 with a zone or epoch seconds")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not 0 <= value < 32503680000:  # years 1970-2999
            raise ValueError("time in epoch seconds must be within years 1970-2999")
        return datetime.fromtimestamp(value, timezone.utc)
    if not isinstance(value, str):
        raise ValueError("time must be ISO-8601 with a zone or epoch seconds")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"time {value[:40]!r} is not ISO-8601") from None
    if parsed.tzinfo is None:
        raise ValueError(f"time {value[:40]!r} has no zone")
    if not 1970 <= parsed.year <= 2999:
        raise ValueError("time must be within years 1970-2999")
    return parsed.astimezone(timezone.utc)


def check_report(item: Any, devices: Mapping[str, Device], latest: Mapping[str, datetime],
                 now: datetime) -> Position | Rejection:
    """A report as sent → the position to store, or why it is refused. `latest`: each device's latest
    stored report time (out-of-order and duplicate checks)."""
    if not isinstance(item, Mapping):
        return Rejection(None, "malformed", f"a report must be a JSON object, not {type(item).__name__}")
    did = item.get("device_id")
    if not isinstance(did, str) or not did or len(did) > 64 or "\x00" in did:
        return Rejection(None, "malformed", "device_id must be a text of 1-64 characters")
    if "__error__" in item:  # the MQTT door could not read the message (`server.avl.mqtt`)
        return Rejection(did, "malformed", str(item["__error__"])[:300])
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        return Rejection(did, "malformed", f"unknown field(s): {', '.join(map(str, unknown))[:200]}")
    try:
        at = _time(item.get("time"))
        lat, lon = _number(item, "lat"), _number(item, "lon")
        speed, heading = _number(item, "speed_kmh", False), _number(item, "heading", False)
    except ValueError as exc:
        return Rejection(did, "malformed", str(exc))
    if did not in devices:
        return Rejection(did, "unknown_device", f"no device {did!r} in the reference data")
    assert lat is not None and lon is not None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        # (0, 0) is what a GPS box without a fix sends, never a street of ours
        return Rejection(did, "impossible_coordinates", f"lat {lat:g}, lon {lon:g} is not a place on Earth "
                                                        f"a device can report from")
    if speed is not None and not 0 <= speed <= MAX_SPEED_KMH:
        return Rejection(did, "impossible_speed", f"speed_kmh {speed:g} is outside 0-{MAX_SPEED_KMH:g}")
    if heading is not None and not 0 <= heading <= 360:
        return Rejection(did, "malformed", f"heading {heading:g} is outside 0-360 degrees")
    if at > now + FUTURE_SLACK:
        return Rejection(did, "future_time", f"time {at.isoformat()} is after the server's clock "
                                             f"{now.isoformat()} (+{FUTURE_SLACK.seconds} s)")
    if at < now - MAX_AGE:
        return Rejection(did, "too_old", f"time {at.isoformat()} is more than {MAX_AGE.days} days old")
    last = latest.get(did)
    if last is not None and at <= last:
        if at == last:
            return Rejection(did, "duplicate", f"a report at {at.isoformat()} is stored already")
        return Rejection(did, "out_of_order", f"time {at.isoformat()} is before the device's latest "
                                              f"report {last.isoformat()}")
    return Position(did, at, lat, lon, speed, heading)


def feed_data(device: Device, pos: Position, case_id: str | None = None) -> dict[str, Any]:
    """The feed's JSON for a device's latest position (`owner_unit_id`: the scope, as a sensor's)."""
    return {"device_id": device.id, "kind": device.kind, "owner_unit_id": device.unit_id,
            "person": device.person, "name": device.name, "lat": round(pos.lat, 6), "lon": round(pos.lon, 6),
            "speed_kmh": pos.speed_kmh, "heading": pos.heading, "time": pos.time.isoformat(),
            "case_id": case_id}
