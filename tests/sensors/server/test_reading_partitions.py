"""Raw readings in day partitions on PostgreSQL: migration 0009 turns an existing readings table into a
partitioned one keeping every row (each in its day's partition, a row of a day too far back in the
default partition); ingest writes into today's partition; the maintenance sweep creates the coming
days' partitions and enforces retention by dropping whole days past the window, each drop audited with
its row count, and the audit chain stays intact. SQLite keeps its plain table."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from db.audit import AuditEntryRow
from server.audit.verify import verify_chain
from server.maintenance import sensor_maintenance
from server.platform.database import make_engine, upgrade
from server.sensors import partitions
from tests.support.sensor_support import raw_count, reading, send


def test_the_migration_keeps_readings_and_retention_drops_whole_days(pg_url, make_harness, clock):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = now.date()
    at = {  # day offset → readings that day
        -100: 1, -4: 3, -3: 2, -1: 5, 0: 4}
    upgrade(pg_url, "0007")
    engine = make_engine(pg_url)
    try:
        with engine.begin() as conn:
            for offset, count in at.items():
                midday = datetime.combine(today + timedelta(days=offset), datetime.min.time(), timezone.utc)
                for i in range(count):
                    conn.execute(text("INSERT INTO sensor_readings (sensor_id, time, value) VALUES (:s, :t, :v)"),
                                 {"s": "rf-001", "t": midday + timedelta(hours=i), "v": float(i)})
        upgrade(pg_url, "0009")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'sensor_readings'")).scalar() == "p"
            per_table = dict(conn.execute(text(
                "SELECT tableoid::regclass::text, count(*) FROM sensor_readings GROUP BY 1")).all())
    finally:
        engine.dispose()
    name = partitions.partition_name
    assert per_table == {name(today - timedelta(days=4)): 3, name(today - timedelta(days=3)): 2,
                         name(today - timedelta(days=1)): 5, name(today): 4, "sensor_readings_default": 1}

    clock.now = now
    srv = make_harness(pg_url, ingest_keys="k", sensor_batch_ms=5)
    assert raw_count(srv) == 15
    # ingest and history work on the partitioned table
    assert send(srv, [reading("rf-001", now, 2.5)], headers={"X-OneGrid-Ingest-Key": "k"})["accepted"] == 1
    history = srv.client.get("/api/sensors/rf-001/readings", headers=srv.login("operator1"),
                             params={"start": (now - timedelta(hours=24)).isoformat(), "end": now.isoformat(),
                                     "resolution": "raw"})
    assert history.status_code == 200, history.text
    assert history.json()["values"][-1] == 2.5

    sensor_maintenance(srv.ctx)  # retention 48 h: the days ending before now - 48 h go
    with srv.ctx.db.reader() as s:
        days = partitions.partition_days(s)
        dropped = s.execute(select(AuditEntryRow.entity_id, AuditEntryRow.detail)
                            .where(AuditEntryRow.action == "sensor_readings_dropped").order_by(AuditEntryRow.seq)).all()
    assert [d for d in sorted(days) if d < today - timedelta(days=2)] == []
    assert sorted(days)[-1] == today + timedelta(days=partitions.DAYS_AHEAD)  # created ahead
    assert [(entity, detail["rows"]) for entity, detail in dropped] == [
        (name(today - timedelta(days=4)), 3), (name(today - timedelta(days=3)), 2)]
    assert raw_count(srv) == 5 + 4 + 1  # yesterday's, today's and the one just sent; the default's old row deleted
    assert verify_chain(srv.ctx.db.reader).ok


def test_a_reading_of_a_day_without_a_partition_is_kept_and_moved_into_it_when_created(pg, clock):
    """The tests' clock is weeks before the day the database was migrated: its readings land in the
    default partition, and the sweep's partition of that day takes them over."""
    with pg.ctx.db.writer() as s, s.begin():
        s.execute(text("INSERT INTO sensor_readings (sensor_id, time, value) VALUES ('rf-001', :t, 1.0)"),
                  {"t": clock.now})
    with pg.ctx.db.reader() as s:
        assert s.execute(text("SELECT tableoid::regclass::text FROM sensor_readings")).scalar() == partitions.DEFAULT
    sensor_maintenance(pg.ctx)
    with pg.ctx.db.reader() as s:
        assert s.execute(text("SELECT tableoid::regclass::text FROM sensor_readings")).scalar() == \
            partitions.partition_name(clock.now.date())
        assert s.execute(text(f"SELECT count(*) FROM {partitions.DEFAULT}")).scalar() == 0


def test_sqlite_keeps_a_plain_table(lite):
    with lite.ctx.db.reader() as s:
        assert not partitions.is_partitioned(s)
