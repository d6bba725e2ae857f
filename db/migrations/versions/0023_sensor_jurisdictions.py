"""Sensors and their alarms lie in a jurisdiction: the street of the sensor's grid (`Sensor.jurisdiction`).

Backfill of an existing database, from the reference data in force (the `refdata` row): each sensor's
feed row and each alarm's (in the feed and in `sensor_alarms`) gets its sensor's street in its JSON
(`jurisdiction`), and the feed row its `feed.jurisdiction`, by which a district's consoles are served only
theirs (`app.platform.scope.entity_jurisdiction`). A row whose sensor the reference data does not hold
keeps NULL: every jurisdiction sees it, as before. No column is added: `feed.jurisdiction` is 0014's.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0021"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

_BATCH = 1000


def _streets(conn) -> dict[str, str]:
    """Sensor id → street (first 9 digits of its grid code), from the reference data in force."""
    refdata = sa.table("refdata", sa.column("id", sa.Integer), sa.column("data", sa.JSON))
    data = conn.execute(sa.select(refdata.c.data).where(refdata.c.id == 1)).scalar()
    out: dict[str, str] = {}
    for sensor in (data or {}).get("sensors") or ():
        grid = sensor.get("grid_code") if isinstance(sensor, dict) else None
        if isinstance(grid, str) and len(grid) >= 9 and isinstance(sensor.get("id"), str):
            out[sensor["id"]] = grid[:9]
    return out


def _with_street(data, street: str | None):
    if not isinstance(data, dict):
        return data
    return {**data, "jurisdiction": street}


def _rewrite(conn, update, select_stmt, sensor_of, streets: dict[str, str]) -> int:
    """Give every row of `select_stmt` (key, data) its sensor's street through `update` (binds `row_key`,
    `new_data`, `new_jurisdiction`), `_BATCH` rows per statement."""
    done, batch = 0, []
    for row_key, data in conn.execute(select_stmt).all():
        street = streets.get(sensor_of(row_key, data))
        if street is None:
            continue
        batch.append({"row_key": row_key, "new_data": _with_street(data, street), "new_jurisdiction": street})
        if len(batch) >= _BATCH:
            conn.execute(update, batch)
            done, batch = done + len(batch), []
    if batch:
        conn.execute(update, batch)
        done += len(batch)
    return done


def _sensor_in(_key, data) -> str | None:
    return data.get("sensor_id") if isinstance(data, dict) else None


def upgrade() -> None:
    conn = op.get_bind()
    streets = _streets(conn)
    if not streets:
        return
    feed = sa.table("feed", sa.column("kind", sa.String), sa.column("entity_id", sa.String),
                    sa.column("data", sa.JSON), sa.column("jurisdiction", sa.String))
    alarms = sa.table("sensor_alarms", sa.column("id", sa.Uuid), sa.column("sensor_id", sa.String),
                      sa.column("data", sa.JSON))
    n_alarms = _rewrite(conn, alarms.update().where(alarms.c.id == sa.bindparam("row_key"))
                        .values(data=sa.bindparam("new_data")),
                        sa.select(alarms.c.id, alarms.c.data), _sensor_in, streets)
    counts = {}
    for kind, sensor_of in (("sensor", lambda key, _data: key), ("alarm", _sensor_in)):
        update = (feed.update().where(feed.c.kind == kind, feed.c.entity_id == sa.bindparam("row_key"))
                  .values(data=sa.bindparam("new_data"), jurisdiction=sa.bindparam("new_jurisdiction")))
        counts[kind] = _rewrite(conn, update, sa.select(feed.c.entity_id, feed.c.data).where(feed.c.kind == kind),
                                sensor_of, streets)
    log.info("sensor jurisdictions: %d sensor feed rows, %d alarm feed rows, %d alarms", counts["sensor"],
             counts["alarm"], n_alarms)


def downgrade() -> None:
    # The street in the JSON is harmless to the older code (its models ignore it); the feed rows go back
    # to NULL (every jurisdiction), as 0014 left them.
    feed = sa.table("feed", sa.column("kind", sa.String), sa.column("jurisdiction", sa.String))
    op.execute(feed.update().where(feed.c.kind.in_(("sensor", "alarm"))).values(jurisdiction=None))
