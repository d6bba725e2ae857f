"""Alembic environment for the central server's schema.

Run programmatically by `server.platform.database.upgrade(url)`, which hands over an open connection in
`config.attributes["connection"]`; the `alembic` command line (with db/alembic.ini and
`-x url=...` or ONEGRID_DATABASE_URL) works too. Logging is left to the caller: no fileConfig here.
"""
from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, text

from db.metadata import metadata
from db.sensors import include_name

# Serialises concurrent upgrades on PostgreSQL (e.g. two server processes starting at once).
_PG_MIGRATION_LOCK = 0x0E6D1D  # arbitrary, fixed


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        include_name=include_name,
    )
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    config = context.config
    return (context.get_x_argument(as_dictionary=True).get("url")
            or config.get_main_option("sqlalchemy.url")
            or os.environ.get("ONEGRID_DATABASE_URL")
            or "sqlite:///./onegrid-server.sqlite")


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.begin() as conn:
            _configure_and_run(conn)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
