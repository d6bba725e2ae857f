"""Raw sensor readings partitioned by day on PostgreSQL (`server.sensors.partitions`).

The existing `sensor_readings` table becomes a table partitioned by range of `time` with one partition
per UTC day and a default partition; its rows are kept: the partitions of the days they fall on (within
`MAX_DAYS` of today; older rows go to the default partition) and of yesterday to `DAYS_AHEAD` days
ahead are created and the rows copied in, then the old table is dropped. SQLite keeps its plain table.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

DAYS_AHEAD = 3
MAX_DAYS = 60  # rows of older days (a retention window far beyond the default) stay in the default partition


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE sensor_readings RENAME TO sensor_readings_unpartitioned")
    op.execute("ALTER INDEX pk_sensor_readings RENAME TO pk_sensor_readings_unpartitioned")
    op.execute("ALTER INDEX ix_sensor_readings_time RENAME TO ix_sensor_readings_unpartitioned_time")
    op.execute("CREATE TABLE sensor_readings (sensor_id VARCHAR(64) NOT NULL, time TIMESTAMP WITH TIME ZONE NOT NULL, "
               "value FLOAT NOT NULL, CONSTRAINT pk_sensor_readings PRIMARY KEY (sensor_id, time)) "
               "PARTITION BY RANGE (time)")
    op.execute("CREATE INDEX ix_sensor_readings_time ON sensor_readings (time)")
    op.execute("CREATE TABLE sensor_readings_default PARTITION OF sensor_readings DEFAULT")
    today = datetime.now(timezone.utc).date()
    days = {d for (d,) in bind.exec_driver_sql(
        "SELECT DISTINCT (time AT TIME ZONE 'UTC')::date FROM sensor_readings_unpartitioned")}
    days = {d for d in days if today - timedelta(days=MAX_DAYS) <= d <= today + timedelta(days=DAYS_AHEAD)}
    days |= {today + timedelta(days=k) for k in range(-1, DAYS_AHEAD + 1)}
    for day in sorted(days):
        lo = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        hi = lo + timedelta(days=1)
        op.execute(f"CREATE TABLE sensor_readings_p{day:%Y%m%d} PARTITION OF sensor_readings "
                   f"FOR VALUES FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')")
    op.execute("INSERT INTO sensor_readings (sensor_id, time, value) "
               "SELECT sensor_id, time, value FROM sensor_readings_unpartitioned")
    op.execute("DROP TABLE sensor_readings_unpartitioned")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE sensor_readings_plain (sensor_id VARCHAR(64) NOT NULL, time TIMESTAMP WITH TIME ZONE "
               "NOT NULL, value FLOAT NOT NULL)")
    op.execute("INSERT INTO sensor_readings_plain SELECT sensor_id, time, value FROM sensor_readings")
    op.execute("DROP TABLE sensor_readings")  # and its partitions
    op.execute("ALTER TABLE sensor_readings_plain RENAME TO sensor_readings")
    op.execute("ALTER TABLE sensor_readings ADD CONSTRAINT pk_sensor_readings PRIMARY KEY (sensor_id, time)")
    op.execute("CREATE INDEX ix_sensor_readings_time ON sensor_readings (time)")
