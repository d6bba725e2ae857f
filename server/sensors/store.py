"""Reading the sensor tables: history (raw or per-minute), states, alarms, rejections; the raw purge.

History: raw rows come from the (sensor_id, time) primary key; per-minute aggregates from the
(sensor_id, minute) primary key — both are one index range scan. `auto` resolution serves raw readings
for ranges up to `RAW_AUTO_MAX` (6 h) and per-minute aggregates beyond, so a 24-hour plot reads 1,440
rows, not 86,400.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.sensors import (
    SensorAlarmRow,
    SensorMinuteRow,
    SensorReadingRow,
    SensorRejectionRow,
    SensorStateRow,
)

log = logging.getLogger(__name__)

RAW_AUTO_MAX = timedelta(hours=6)
RAW_MAX = timedelta(hours=48)       # the longest range served at raw resolution on request
HISTORY_MAX = timedelta(days=400)


def history(session: Session, sensor_id: str, start: datetime, end: datetime, resolution: str) -> dict[str, Any]:
    if resolution == "auto":
        resolution = "raw" if end - start <= RAW_AUTO_MAX else "minute"
    if resolution == "raw":
        rows = session.execute(
            select(SensorReadingRow.time, SensorReadingRow.value)
            .where(SensorReadingRow.sensor_id == sensor_id, SensorReadingRow.time >= start,
                   SensorReadingRow.time <= end)
            .order_by(SensorReadingRow.time)).all()
        return {"sensor_id": sensor_id, "resolution": "raw", "times": [t.timestamp() for t, _ in rows],
                "values": [v for _, v in rows], "min": None, "max": None}
    first_minute = start.replace(second=0, microsecond=0)
    rows = session.execute(
        select(SensorMinuteRow.minute, SensorMinuteRow.min, SensorMinuteRow.max, SensorMinuteRow.sum,
               SensorMinuteRow.count)
        .where(SensorMinuteRow.sensor_id == sensor_id, SensorMinuteRow.minute >= first_minute,
               SensorMinuteRow.minute <= end)
        .order_by(SensorMinuteRow.minute)).all()
    return {"sensor_id": sensor_id, "resolution": "minute", "times": [m.timestamp() for m, *_ in rows],
            "values": [s / c if c else None for _m, _lo, _hi, s, c in rows],
            "min": [lo for _m, lo, *_ in rows], "max": [hi for _m, _lo, hi, *_ in rows]}


def purge_raw_readings(session: Session, now: datetime, retention_h: float) -> int:
    """Delete raw readings older than the window (their minute aggregates stay)."""
    result = session.execute(delete(SensorReadingRow).where(SensorReadingRow.time < now - timedelta(hours=retention_h)))
    return result.rowcount or 0


def state_rows(session: Session) -> dict[str, SensorStateRow]:
    return {row.sensor_id: row for row in session.execute(select(SensorStateRow)).scalars()}


def alarms(session: Session, *, active: bool | None, sensor_ids: list[str] | None, limit: int) -> list[dict]:
    stmt = select(SensorAlarmRow.data).order_by(SensorAlarmRow.raised_at.desc()).limit(limit)
    if active is True:
        stmt = stmt.where(SensorAlarmRow.state != "cleared")
    elif active is False:
        stmt = stmt.where(SensorAlarmRow.state == "cleared")
    if sensor_ids is not None:
        stmt = stmt.where(SensorAlarmRow.sensor_id.in_(sensor_ids))
    return list(session.execute(stmt).scalars())


def rejections(session: Session, sensor_ids: list[str] | None) -> list[dict[str, Any]]:
    stmt = select(SensorRejectionRow).order_by(SensorRejectionRow.sensor_id, SensorRejectionRow.reason)
    if sensor_ids is not None:
        stmt = stmt.where(SensorRejectionRow.sensor_id.in_(sensor_ids))
    return [{"sensor_id": r.sensor_id, "reason": r.reason, "count": r.count, "last_at": r.last_at.isoformat(),
             "last_message": r.last_message} for r in session.execute(stmt).scalars()]
