"""Engines, sessions and schema upgrades for the server database (PostgreSQL or an embedded SQLite file).

Two session factories: `reader` for queries and `writer` for transactions that change data. They differ
only on SQLite, where a writer starts with BEGIN IMMEDIATE: it takes the write lock up front, so two
writers queue on `busy_timeout` instead of both reading under a shared lock and then deadlocking when
each tries to upgrade it. PostgreSQL runs both at READ COMMITTED and locks rows explicitly.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import db
from app.platform import fast_json

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(db.__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "onegrid_sqlite_immediate"  # execution option read by the SQLite BEGIN hook

# The defaults of `ServerSettings.db_pool_size` / `db_max_overflow`. Sized for every thread that may hold a connection at once: the worker threads of plain `def`
# endpoints (anyio's default limiter, 40), commands' own (settings.command_threads) and feed
# reads' (FEED_READ_THREADS), the batch lanes' helpers (settings.batch_lanes - 1, server.cases.commands.BatchLanes), plus the
# maintenance loop. A request holds a connection only while its
# query or transaction runs, never while a long-poll waits. Connections are opened on demand and then
# kept: a pool smaller than the threads closed and reopened one per burst (~500 per benchmark run).
PG_POOL_SIZE = 54
PG_MAX_OVERFLOW = 10
PG_LOCK_TIMEOUT_MS = 15_000



def sqlite_sha256(text: str) -> str:
    """The SQL function `onegrid_sha256(text)` on SQLite: the audit chain's hash, which PostgreSQL has built in."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, connect_timeout_s: int = 5, pool_size: int = PG_POOL_SIZE,
                max_overflow: int = PG_MAX_OVERFLOW) -> Engine:
    """An engine configured for the server: a pool sized for its threads on PostgreSQL; WAL,
    busy_timeout, foreign keys and explicit BEGIN (IMMEDIATE for writers) on SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=10,
        pool_pre_ping=True,
        pool_recycle=1800,
        # JSON columns (case data, stored answers with their case, ledger payloads) written and read by
        # msgspec instead of the json module: a drained batch's group serialised ~10,000 case snapshots
        json_serializer=fast_json.dumps,
        json_deserializer=fast_json.loads,
        connect_args={
            "connect_timeout": connect_timeout_s,
            "application_name": "onegrid-server",
            # A writer stuck behind a lock answers 503 instead of hanging; a transaction abandoned by a
            # hung thread is ended by the server instead of blocking the feed counter for everyone.
            "options": f"-c lock_timeout={PG_LOCK_TIMEOUT_MS} -c idle_in_transaction_session_timeout=60000",
        },
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module (it would not BEGIN before SELECTs);
        # SQLAlchemy's "begin" event below emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: an answered command is on disk even after a power cut (consoles drop it from their outbox).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
        # The audit chain's hash, computed inside the append statement (PostgreSQL has sha256() built in).

        dbapi_connection.create_function("onegrid_sha256", 1, sqlite_sha256, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One engine and its two session factories. Sessions are short-lived and never shared across
    threads; open one per unit of work (`with db.writer() as s, s.begin(): ...`)."""

    def __init__(self, url: str, *, engine: Engine | None = None, pool_size: int = PG_POOL_SIZE,
                 max_overflow: int = PG_MAX_OVERFLOW):
        self.url = url
        self.engine = engine or make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self.dialect = self.engine.dialect.name
        writer_bind = self.engine.execution_options(**{_IMMEDIATE: True}) if self.is_sqlite else self.engine
        self.reader: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        self.writer: sessionmaker[Session] = sessionmaker(writer_bind, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    """Alembic configuration built in code, so upgrades work from an installed package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolation
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema to `revision` (`alembic upgrade head`); a no-op when it is current."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()
    log.info("database schema at %s: %s", revision, make_url(url).render_as_string(hide_password=True))


def current_revision(url: str) -> str | None:
    """The alembic revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def dialect_insert(session: Session):
    """`insert` with ON CONFLICT support for the session's database (PostgreSQL or SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
