"""The console's two SQLite files: the disposable cache and the durable outbox.

`cache.sqlite` can be thrown away and rebuilt from the server at any time (cursor 0), so it carries a
`schema_version` in `meta` and is rebuilt, not migrated, when that changes. `outbox.sqlite` holds the only
copy of commands the server has not answered yet, so it lives in its own file that a cache rebuild never
touches.

The queue columns of `cases` duplicate fields of the JSON snapshot on purpose: a 100,000-row queue is
read from them alone, without parsing a single JSON document.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeDecorator

# Bump whenever a table of cache_metadata changes: an older cache file is then rebuilt from the server.
CACHE_SCHEMA_VERSION = 5


class UtcTimestamp(TypeDecorator):
    """A timezone-aware datetime stored as fixed-width UTC ISO-8601 text.

    Fixed width keeps the text sortable (ORDER BY due_at works), and `datetime.fromisoformat` parses it
    far faster than SQLAlchemy's generic SQLite DateTime does, which matters for the 100k-row queue.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} (cache times must carry a zone)")
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


cache_metadata = MetaData()

cases = Table(
    "cases", cache_metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(40)),
    Column("provisional_number", String(40)),
    Column("status", String(20), nullable=False),
    Column("priority", String(20), nullable=False),
    Column("category_code", String(16), nullable=False),
    Column("unit_id", String(64)),
    Column("grid_code", String(14)),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("source", String(20), nullable=False),
    Column("created_at", UtcTimestamp, nullable=False),
    Column("updated_at", UtcTimestamp, nullable=False),
    Column("due_at", UtcTimestamp),
    Column("stage", String(20)),
    Column("escalation_level", Integer, nullable=False, default=0),
    Column("return_count", Integer, nullable=False, default=0),
    Column("pending", Boolean, nullable=False, default=False),
    Column("server_version", Integer),         # null: created here and not yet accepted by the server
    # Last authoritative snapshot from the server; NULL with a server_version means "same as data" (no
    # pending commands: the JSON is stored once). See cache_tables.SERVER_JSON.
    Column("server_data", JSON),
    Column("data", JSON, nullable=False),      # display copy: server snapshot + pending commands
    # marks for the docks' lists, read from the display copy when written (`app.cache.case_rows.ROW_COLUMNS`)
    Column("tasks", Boolean, nullable=False, default=False, server_default="0"),
    Column("lead_work", Boolean, nullable=False, default=False, server_default="0"),
    Index("ix_cases_status", "status"),
    Index("ix_cases_unit_id", "unit_id"),
    Index("ix_cases_due_at", "due_at"),
    Index("ix_cases_pending", "pending"),
    # the rows where an open task can be (`app.cache.task_rows`): a few, out of every case
    Index("ix_cases_open_tasks", "status", sqlite_where=text("tasks = 1 OR status = 'verifying'")),
    Index("ix_cases_lead_work", "status", sqlite_where=text("lead_work = 1 OR escalation_level > 0")),
    # Covers every queue column, so reading the whole queue scans this narrow index instead of rows
    # that each carry two JSON documents (about twice as fast at 100,000 cases).
    Index("ix_cases_summary", "id", "number", "provisional_number", "status", "priority", "category_code",
          "unit_id", "grid_code", "lat", "lon", "source", "created_at", "updated_at", "due_at", "stage",
          "escalation_level", "return_count", "pending", "server_version"),
)

settings = Table(
    "settings", cache_metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON),
)

# Feed entities other than cases and settings (kinds `alarm`, `sensor`, `shift`, `handover`, …): the
# server's latest JSON of each, as received. Features read them through LocalCache.entities(kind).
entities = Table(
    "entities", cache_metadata,
    Column("kind", String(16), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data", JSON, nullable=False),
)

# cursor, schema_version, server_url, refdata, refdata_version, console_id, provisional_counter
meta = Table(
    "meta", cache_metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON),
)

conflicts = Table(
    "conflicts", cache_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Unique: a result replayed after a crash (cache committed, outbox row not yet deleted) adds nothing.
    Column("command_id", String(36), nullable=False, unique=True),
    Column("case_id", String(36), nullable=False),
    Column("action", String(32), nullable=False),
    Column("command", JSON, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("server_case", JSON),
    Column("created_at", UtcTimestamp, nullable=False),
    # The refused command's outcome already held on the server (app.cases.refusals.is_settled): listed,
    # not counted as a conflict.
    Column("settled", Boolean, nullable=False, default=False),
)

credentials = Table(
    "credentials", cache_metadata,
    Column("username", String(64), primary_key=True),
    Column("verifier", String(255), nullable=False),   # argon2id hash; never the password
    Column("user", JSON, nullable=False),              # {username, display_name, role, unit_id}
    Column("last_online_login", UtcTimestamp, nullable=False),
)


outbox_metadata = MetaData()

outbox = Table(
    "outbox", outbox_metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("command_id", String(36), nullable=False, unique=True),
    Column("case_id", String(36), nullable=False),
    Column("action", String(32), nullable=False),
    Column("command", JSON, nullable=False),
    # The identity the command was issued under, needed to re-apply it to the display copy.
    Column("username", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("unit_id", String(64)),
    Column("enqueued_at", UtcTimestamp, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Index("ix_outbox_case_id", "case_id"),
    sqlite_autoincrement=True,  # never reuse a seq, so send order is issue order even after deletes
)

# Commands on feed entities other than cases (handover notes and signatures), in the same durable
# file as the case outbox. A row the server rejected stays, with the refusal, until the lead dismisses it.
entity_outbox = Table(
    "entity_outbox", outbox_metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("command_id", String(36), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("command", JSON, nullable=False),
    Column("username", String(64), nullable=False),
    Column("enqueued_at", UtcTimestamp, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("rejected_reason", String(64)),     # set when the server refused it
    Column("rejected_message", Text),
    Column("server_data", JSON),               # the entity as the server had it when it refused
    Column("answered_at", UtcTimestamp),
    Index("ix_entity_outbox_entity", "kind", "entity_id"),
    sqlite_autoincrement=True,
)

# Offline periods of this console, reported to the server once closed (`POST /api/console-outages`).
outages = Table(
    "outages", outbox_metadata,
    Column("id", String(36), primary_key=True),
    Column("started_at", UtcTimestamp, nullable=False),
    Column("ended_at", UtcTimestamp),
    Column("error", Text),
)
