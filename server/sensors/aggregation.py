"""Per-minute aggregates (min, max, sum, count) of the raw readings actually inserted.

A process keeps the buckets of minutes not over yet in memory and writes each bucket once its minute is
over (`MINUTE_GRACE_S` after its end), so a minute row is written about once instead of once per batch;
a late reading for a written minute is merged into it (the upsert adds). At start the last minutes are
recomputed from the raw rows, which are the truth: a process killed with buckets pending left them short.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from sqlalchemy import func
from sqlalchemy.orm import Session

from db.sensors import SensorMinuteRow
from server.platform.database import dialect_insert
from server.sensors.outcomes import Reading

log = logging.getLogger(__name__)

MINUTE_GRACE_S = 5        # a minute's aggregate is written this long after the minute ends
REAGGREGATE_S = 3 * 60    # at start, the aggregates of the last minutes are recomputed from raw rows

Buckets = dict[tuple[str, datetime], list[float]]  # (sensor, minute) → [min, max, sum, count]


def add_and_write_due(session: Session, pending: Buckets, readings: list[Reading], now: datetime | None) -> Buckets:
    """Add `readings` to a copy of the `pending` buckets and write those of minutes that are over (all of
    them with `now` None). Returns the buckets still pending (to keep once the transaction commits)."""
    pending = {k: list(b) for k, b in pending.items()}
    for r in readings:
        key = (r.sensor_id, r.time.replace(second=0, microsecond=0))
        b = pending.get(key)
        if b is None:
            pending[key] = [r.value, r.value, r.value, 1]
        else:
            b[0] = min(b[0], r.value)
            b[1] = max(b[1], r.value)
            b[2] += r.value
            b[3] += 1
    if now is None:
        due, keep = pending, {}
    else:
        cutoff = now - timedelta(seconds=60 + MINUTE_GRACE_S)
        due = {k: b for k, b in pending.items() if k[1] <= cutoff}
        keep = {k: b for k, b in pending.items() if k[1] > cutoff}
    if due:
        write_minutes(session, due, add=True)
    return keep


def recent_buckets(per_sensor: Mapping[str, list[tuple[float, float]]], now: datetime) -> Buckets:
    """The buckets of the last `REAGGREGATE_S` from raw samples (epoch seconds, value) per sensor."""
    since = (now - timedelta(seconds=REAGGREGATE_S)).replace(second=0, microsecond=0)
    buckets: Buckets = {}
    for sid, samples in per_sensor.items():
        for t, v in samples:
            minute = datetime.fromtimestamp(t, timezone.utc).replace(second=0, microsecond=0)
            if minute < since:
                continue
            b = buckets.get((sid, minute))
            if b is None:
                buckets[(sid, minute)] = [v, v, v, 1]
            else:
                b[0], b[1], b[2], b[3] = min(b[0], v), max(b[1], v), b[2] + v, b[3] + 1
    return buckets


def write_minutes(session: Session, buckets: Buckets, *, add: bool) -> None:
    """Upsert minute rows: `add` merges into what is stored, otherwise replaces it (rebuilt from raw rows)."""
    insert = dialect_insert(session)
    table = SensorMinuteRow.__table__
    pg = session.get_bind().dialect.name == "postgresql"
    lo, hi = (func.least, func.greatest) if pg else (func.min, func.max)
    rows = [{"sensor_id": sid, "minute": minute, "min": b[0], "max": b[1], "sum": b[2], "count": b[3]}
            for (sid, minute), b in sorted(buckets.items())]
    stmt = insert(table)
    if add:
        values = {"min": lo(table.c.min, stmt.excluded.min), "max": hi(table.c.max, stmt.excluded.max),
                  "sum": table.c.sum + stmt.excluded.sum, "count": table.c.count + stmt.excluded.count}
    else:
        values = {name: getattr(stmt.excluded, name) for name in ("min", "max", "sum", "count")}
    stmt = stmt.on_conflict_do_update(index_elements=["sensor_id", "minute"], set_=values)
    session.connection().execute(stmt, rows)
