"""Helpers of the sensor tests (tests/sensors/server/test_sensors_*.py): readings, ingest over HTTP, lookups."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from db.cases import CaseRow
from db.sensors import SensorAlarmRow, SensorMinuteRow, SensorReadingRow, SensorStateRow

KEY = "test-gateway-key"
HEADERS = {"X-OneGrid-Ingest-Key": KEY}
REFUSED = 0.0625  # a value `refuse_value` makes the database refuse (exact in binary: no rounding doubt in SQL)


def reading(sensor_id: str, at: datetime, value: float, unit: str = "mm/h") -> dict[str, Any]:
    return {"sensor_id": sensor_id, "time": at.isoformat(), "value": value, "unit": unit}


def series(sensor_id: str, start: datetime, values: list[float], *, step_s: float = 60,
           unit: str = "mm/h") -> list[dict[str, Any]]:
    return [reading(sensor_id, start + timedelta(seconds=i * step_s), v, unit) for i, v in enumerate(values)]


def send(srv, readings: list[dict], *, headers: dict | None = None, expect: int = 200) -> dict:
    r = srv.client.post("/api/sensors/readings", json={"readings": readings},
                        headers=HEADERS if headers is None else headers)
    assert r.status_code == expect, r.text
    return r.json()


def feed_step(srv, sensor_id: str, start: datetime, values: list[float], *, step_s: float = 60,
              unit: str = "mm/h") -> list[dict]:
    """Send readings one at a time with the server clock at each reading's time; return the answers."""
    out = []
    for i, v in enumerate(values):
        at = start + timedelta(seconds=i * step_s)
        srv.clock.now = at
        out.append(send(srv, [reading(sensor_id, at, v, unit)]))
    return out


def alarms(srv, sensor_id: str | None = None) -> list[dict]:
    with srv.ctx.db.reader() as s:
        stmt = select(SensorAlarmRow.data).order_by(SensorAlarmRow.raised_at)
        if sensor_id:
            stmt = stmt.where(SensorAlarmRow.sensor_id == sensor_id)
        return list(s.execute(stmt).scalars())


def state(srv, sensor_id: str) -> SensorStateRow | None:
    with srv.ctx.db.reader() as s:
        return s.get(SensorStateRow, sensor_id)


def raw_count(srv, sensor_id: str | None = None) -> int:
    with srv.ctx.db.reader() as s:
        stmt = select(func.count()).select_from(SensorReadingRow)
        if sensor_id:
            stmt = stmt.where(SensorReadingRow.sensor_id == sensor_id)
        return s.execute(stmt).scalar()


def minutes(srv, sensor_id: str) -> list[tuple]:
    with srv.ctx.db.reader() as s:
        return [tuple(r) for r in s.execute(
            select(SensorMinuteRow.minute, SensorMinuteRow.min, SensorMinuteRow.max, SensorMinuteRow.sum,
                   SensorMinuteRow.count).where(SensorMinuteRow.sensor_id == sensor_id)
            .order_by(SensorMinuteRow.minute))]


def cases(srv) -> list[dict]:
    with srv.ctx.db.reader() as s:
        return list(s.execute(select(CaseRow.data).order_by(CaseRow.created_at)).scalars())


def feed_entities(srv, username: str, kind: str) -> dict[str, dict]:
    """The latest data per id of `kind` in the feed as `username` sees it."""
    changes, _cursor = srv.read_feed(username)
    return {ch["id"]: ch["data"] for ch in changes if ch["kind"] == kind}


def refuse_value(srv, value: float = REFUSED) -> None:
    """Make the database itself refuse to store a reading with `value` (a trigger on SQLite, a CHECK
    constraint on PostgreSQL): a failure no validation before the transaction can foresee."""
    with srv.ctx.db.writer() as s, s.begin():
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text(f"CREATE TRIGGER refuse_value BEFORE INSERT ON sensor_readings WHEN NEW.value = {value!r} "
                           f"BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
        else:
            s.execute(text(f"ALTER TABLE sensor_readings ADD CONSTRAINT refuse_value CHECK (value <> {value!r})"))


def rejection_counts(srv) -> dict[tuple[str, str], int]:
    """`GET /api/sensors/rejections` as {(sensor_id, reason): count}."""
    r = srv.client.get("/api/sensors/rejections", headers=srv.login("operator1"))
    assert r.status_code == 200, r.text
    return {(c["sensor_id"], c["reason"]): c["count"] for c in r.json()["rejections"]}
