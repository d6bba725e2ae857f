"""Raw sensor readings in day partitions on PostgreSQL: `sensor_readings` is partitioned by range of
`time` (migration 0009), one partition per UTC day, `sensor_readings_pYYYYMMDD`, and a default partition
that catches a reading of a day nobody created a partition for (normally empty).

The maintenance sweep (`server.maintenance`) creates the partitions of the days around now ahead of
time — moving any rows the default partition caught for such a day into it — and enforces the raw
retention window by **dropping whole partitions** once their day is entirely past it (each drop audited,
with its row count) instead of deleting rows: no dead rows to vacuum, no index bloat, a constant cost.
The window is thereby rounded up to the end of a day: a raw reading is kept between
`sensor_raw_retention_h` and that plus one day (every reader asks for a time range, and an ingested
reading older than the window is still refused `too_old`). SQLite keeps one plain table purged by DELETE.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.audit import chain as audit

log = logging.getLogger(__name__)

TABLE = "sensor_readings"
DEFAULT = "sensor_readings_default"
DAYS_BEHIND = 1    # partitions created for yesterday too (late readings within the window)
DAYS_AHEAD = 3     # and the days ahead, so a sweep that does not run for a while costs nothing
MAINTENANCE_ACTOR = "system:maintenance"
_NAME = re.compile(r"^sensor_readings_p(\d{8})$")


def partition_name(day: date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), timezone.utc)
    return start, start + timedelta(days=1)


def is_partitioned(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    kind = session.execute(text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": TABLE}).scalar()
    return kind == "p"


def partition_days(session: Session) -> dict[date, str]:
    """The day partitions attached to the readings table, by day."""
    names = session.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:t)"), {"t": TABLE}).scalars()
    out = {}
    for name in names:
        m = _NAME.match(name)
        if m:
            out[datetime.strptime(m.group(1), "%Y%m%d").date()] = name
    return out


def create_partition(session: Session, day: date) -> str:
    """The partition of `day`, with the rows the default partition caught for it moved in (one transaction)."""
    name = partition_name(day)
    lo, hi = day_bounds(day)
    bounds = {"lo": lo, "hi": hi}
    session.execute(text(f"CREATE TEMPORARY TABLE onegrid_moving (LIKE {TABLE}) ON COMMIT DROP"))
    moved = session.execute(text(
        f"WITH gone AS (DELETE FROM {DEFAULT} WHERE time >= :lo AND time < :hi RETURNING sensor_id, time, value) "
        f"INSERT INTO onegrid_moving SELECT sensor_id, time, value FROM gone"), bounds).rowcount
    # bounds as literals: DDL takes no parameters (and these are our own datetimes)
    session.execute(text(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ('{lo.isoformat()}') "
                         f"TO ('{hi.isoformat()}')"))
    session.execute(text(f"INSERT INTO {name} SELECT * FROM onegrid_moving"))
    session.execute(text("DROP TABLE onegrid_moving"))
    if moved:
        log.info("created %s with %d readings the default partition held", name, moved)
    else:
        log.info("created %s", name)
    return name


def ensure_partitions(session: Session, now: datetime, *, first: date | None = None) -> list[str]:
    """The partitions from `first` (default: DAYS_BEHIND before now) to DAYS_AHEAD after now that are
    missing, created. Returns their names."""
    today = now.astimezone(timezone.utc).date()
    day = first if first is not None else today - timedelta(days=DAYS_BEHIND)
    existing = partition_days(session)
    created = []
    while day <= today + timedelta(days=DAYS_AHEAD):
        if day not in existing:
            created.append(create_partition(session, day))
        day += timedelta(days=1)
    return created


def drop_expired(session: Session, now: datetime, retention_h: float) -> list[tuple[str, int]]:
    """Drop the day partitions wholly older than the retention window (each audited), and delete what
    the default partition holds that is older. Returns (partition, rows) per partition dropped."""
    cutoff = now - timedelta(hours=retention_h)
    dropped = []
    for day, name in sorted(partition_days(session).items()):
        lo, hi = day_bounds(day)
        if hi > cutoff:
            break
        rows = session.execute(text(f"SELECT count(*) FROM {name}")).scalar()
        session.execute(text(f"DROP TABLE {name}"))
        audit.record(session, at=now, actor=MAINTENANCE_ACTOR, role=None, action="sensor_readings_dropped",
                     entity_kind="sensor_readings_partition", entity_id=name, result="ok",
                     reason="raw_retention",
                     detail={"from": lo.isoformat(), "to": hi.isoformat(), "rows": rows,
                             "retention_h": retention_h})
        log.info("dropped %s (%d raw readings, older than the %g h window)", name, rows, retention_h)
        dropped.append((name, rows))
    stray = session.execute(text(f"DELETE FROM {DEFAULT} WHERE time < :cutoff"), {"cutoff": cutoff}).rowcount
    if stray:
        log.info("deleted %d raw readings older than the window from %s", stray, DEFAULT)
    return dropped
