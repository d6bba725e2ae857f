"""A sensor's state as the feed and the sensor endpoints carry it (docs/ARCHITECTURE.md, "Sensors and
alarms"): written by the ingest and by the alarm lifecycle, read by the endpoints."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from db.sensors import SensorStateRow

LEVEL_NAMES = {0: "normal", 1: "warning", 2: "alarm"}


def state_data(sensor_id: str, last_time: datetime | None, last_value: float | None, level: int, state: str,
               reason: str | None, rejected: int, updated_at: datetime, owner_unit_id: str | None,
               jurisdiction: str | None = None) -> dict[str, Any]:
    """A sensor's feed entry (docs/ARCHITECTURE.md, "Sensors and alarms"); `owner_unit_id` scopes it
    for unit handlers (app.platform.scope.OWNER_SCOPED_KINDS), `jurisdiction` (its street) for the users of
    a jurisdiction (`app.platform.scope.entity_jurisdiction`)."""
    return {"sensor_id": sensor_id, "owner_unit_id": owner_unit_id, "jurisdiction": jurisdiction, "last_time": last_time.isoformat() if last_time else None,
            "last_value": last_value, "level": LEVEL_NAMES.get(level, "normal"), "state": state,
            "reason": reason, "rejected": int(rejected or 0), "updated_at": updated_at.isoformat()}


def state_row_data(row: SensorStateRow, owner_unit_id: str | None, jurisdiction: str | None = None) -> dict[str, Any]:
    return state_data(row.sensor_id, row.last_time, row.last_value, row.level, row.state, row.reason,
                      row.rejected, row.updated_at, owner_unit_id, jurisdiction)
