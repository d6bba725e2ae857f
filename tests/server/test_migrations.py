"""Schema migrations: `upgrade()` builds the whole schema from nothing, is a no-op when current, and the
migrations match the SQLAlchemy models exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from db.metadata import metadata
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
        feed_position = [i for i in inspector.get_indexes("feed") if i["name"] == "ix_feed_position"]
        assert feed_position and feed_position[0]["unique"]
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
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
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
