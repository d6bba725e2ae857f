"""Schema migrations: `upgrade()` builds the whole schema from nothing, is a no-op when current, and the
migrations match the SQLAlchemy models exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from db.metadata import metadata
from db.sensors import include_name
from server.platform.database import current_revision, make_engine, upgrade

TABLES = {"users", "tokens", "cases", "case_events", "commands", "feed", "counters", "settings", "refdata"}


def test_upgrade_creates_the_schema_on_an_empty_postgres_database(pg_url):
    assert current_revision(pg_url) is None
    upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        inspector = inspect(engine)
        assert TABLES <= set(inspector.get_table_names())
        assert {i["name"] for i in inspector.get_indexes("case_events")} >= {"ix_case_events_at",
                                                                           "ix_case_events_action_at"}
        assert {i["name"] for i in inspector.get_indexes("cases")} >= {"ix_cases_status", "ix_cases_unit_id",
                                                                     "ix_cases_updated_at"}
        # positions are unique per feed partition (migration 0021)
        feed_position = [i for i in inspector.get_indexes("feed") if i["name"] == "ix_feed_partition_position"]
        assert feed_position and feed_position[0]["unique"] and feed_position[0]["column_names"] == ["partition",
                                                                                                     "position"]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT value FROM counters WHERE name = 'feed'")).scalar() == 0
    finally:
        engine.dispose()
    revision = current_revision(pg_url)
    assert revision is not None
    upgrade(pg_url)  # a second run is a no-op
    assert current_revision(pg_url) == revision


def test_migrations_match_the_models(server_db_url):
    upgrade(server_db_url)
    engine = make_engine(server_db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True,
                                                                           "include_name": include_name}), metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_sqlite_is_in_wal_mode_with_foreign_keys(sqlite_url):
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        engine.dispose()


def test_the_feed_scope_migration_fills_in_each_rows_scope(server_db_url):
    """0006: existing feed rows get the scope the feed's filter used to compute at read time."""
    import uuid

    upgrade(server_db_url, "0005")
    engine = make_engine(server_db_url)
    ours, undispatched = uuid.uuid4(), uuid.uuid4()
    case_row = ("INSERT INTO cases (id, number, status, priority, category_code, unit_id, created_at, updated_at, "
                "version, data) VALUES (:id, :number, 'dispatched', 'normal', 'C0101', :unit, :at, :at, 1, '{}')")
    feed_row = "INSERT INTO feed (kind, entity_id, position, case_id, data) VALUES (:kind, :id, :pos, :case_id, :data)"
    try:
        with engine.begin() as conn:
            for case_id, number, unit in ((ours, "2026-000001", "roads"), (undispatched, "2026-000002", None)):
                conn.execute(text(case_row), {"id": case_id if conn.dialect.name == "postgresql" else case_id.hex,
                                              "number": number, "unit": unit, "at": "2026-11-23 02:00:00"})
            for pos, (kind, entity_id, case_id, data) in enumerate([
                    ("case", str(ours), ours, None), ("case", str(undispatched), undispatched, None),
                    ("alarm", "a1", None, '{"owner_unit_id": "water_supply"}'), ("sensor", "s1", None, "{}"),
                    ("handover", "h1", None, "{}"), ("setting", "emergency_mode", None, '{"key": "x"}')], 1):
                if case_id is not None and conn.dialect.name != "postgresql":
                    case_id = case_id.hex
                conn.execute(text(feed_row), {"kind": kind, "id": entity_id, "pos": pos, "case_id": case_id,
                                              "data": data})
        upgrade(server_db_url)
        with engine.connect() as conn:
            scopes = dict(conn.execute(text("SELECT entity_id, scope FROM feed")).all())
            exits = conn.execute(text("SELECT count(*) FROM feed WHERE exits IS NOT NULL")).scalar()
    finally:
        engine.dispose()
    assert scopes == {str(ours): "roads", str(undispatched): "", "a1": "water_supply", "s1": "",
                      "h1": "", "emergency_mode": None}
    assert exits == 0


def test_the_device_gate_migration_starts_each_device_at_its_latest_stored_report(server_db_url):
    """0024: an upgraded server keeps refusing a report older than the latest one it stored before."""
    from datetime import datetime, timezone

    from sqlalchemy.orm import Session

    from db.avl import DeviceLatestRow
    from server.avl import gate

    upgrade(server_db_url, "0020")
    engine = make_engine(server_db_url)
    at = datetime(2026, 12, 7, 6, 30, 15, 250000, tzinfo=timezone.utc)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO devices (id, kind, unit_id, person, name) VALUES "
                              "('SAN-W01', 'sanitation_truck', 'sanitation_west', NULL, 'W01'), "
                              "('PAT-R1', 'patrol_car', 'roads', NULL, 'R1')"))
            with Session(conn) as session:  # stored as the model stores it (the dialect's datetime format)
                session.add(DeviceLatestRow(device_id="SAN-W01", time=at, lat=30.26, lon=120.15))
                session.flush()
        upgrade(server_db_url)
        with Session(engine) as session:
            gates = gate.gates(session)
    finally:
        engine.dispose()
    assert gates == {"SAN-W01": gate.Gate(accepted_at=at, fed_at=None)}   # PAT-R1 never reported: made on use


def test_the_feed_scope_index_migration_keeps_every_page_a_district_reads(server_db_url):
    """0027: an existing feed gets the indexes a district console's reads use, and reads the same pages."""
    from sqlalchemy.orm import Session

    from server.feed.pages import read_changes_raw

    upgrade(server_db_url, "0026")
    engine = make_engine(server_db_url)
    row = ("INSERT INTO feed (kind, entity_id, position, partition, data, scope, jurisdiction, exits) "
           "VALUES ('sensor', :id, :pos, '', '{}', '', :street, :exits)")
    streets = ["330108001", "330106001", "330201001", None, "330108002"]
    district = ("@", "@330108001", "@330108002")

    def pages(after: int) -> list[bytes]:
        with Session(engine) as session:
            found, more = [], True
            while more:
                page = read_changes_raw(session, after, 2, district)
                found.append(page.changes_bytes())
                after, more = page.cursor, page.more
        return found

    try:
        with engine.begin() as conn:
            for pos in range(1, 41):
                exits = '{"@330108001": %d}' % pos if pos % 10 == 2 else None  # left the district there
                conn.execute(text(row), {"id": f"s{pos}", "pos": pos, "street": streets[pos % 5], "exits": exits})
        before = (pages(0), pages(5))
        upgrade(server_db_url)
        indexes = {i["name"] for i in inspect(engine).get_indexes("feed")}
        after = (pages(0), pages(5))
    finally:
        engine.dispose()
    assert {"ix_feed_partition_jurisdiction", "ix_feed_partition_exits"} <= indexes
    assert after == before
    ids = [part for page in after[1] for part in page.split(b'"id":')[1:]]
    assert len(ids) == 21 + 3  # past 5: the district's and the unplaced rows, and the 3 exits from the district


def test_dead_letters_get_the_partition_their_body_names(server_db_url):
    """0028: an existing dead letter gets its body's partition (a city's), else the global one (from before
    partitions); going back drops the column."""
    import json
    import uuid
    from datetime import datetime, timezone

    from sqlalchemy.orm import Session

    from server.webhooks import store

    upgrade(server_db_url, "0027")
    engine = make_engine(server_db_url)
    sub = uuid.uuid4()
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    bodies = {"3302": {"event_id": "case:a:v2", "position": 7, "partition": "3302"},
              "": {"event_id": "case:b:v1", "position": 7}}
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO webhook_subscriptions (id, name, url, secret, active, position, attempts, "
                              "last_error, delivered, created_at) VALUES (:id, 'hub', 'http://hub/', 's', :t, 7, 0, "
                              "'', 0, :now)"), {"id": sub if "postgresql" in server_db_url else sub.hex, "t": True,
                                                  "now": now})
            for body in bodies.values():
                conn.execute(text("INSERT INTO webhook_dead_letters (id, subscription_id, event_id, position, body, "
                                  "attempts, last_error, state, failed_at) VALUES (:id, :sub, :event, 7, :body, 8, "
                                  "'HTTP 500', 'dead', :now)"),
                             {"id": uuid.uuid4().hex, "sub": sub if "postgresql" in server_db_url else sub.hex,
                              "event": body["event_id"], "body": json.dumps(body), "now": now})
        upgrade(server_db_url)
        with Session(engine) as session:
            found = {d.event_id: d.partition for d in store.dead_letters(session, "hub")}
    finally:
        engine.dispose()
    assert found == {"case:a:v2": "3302", "case:b:v1": ""}
    from alembic import command

    from server.platform.database import alembic_config

    engine = make_engine(server_db_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(server_db_url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0027")
        assert "partition" not in {c["name"] for c in inspect(engine).get_columns("webhook_dead_letters")}
    finally:
        engine.dispose()
