"""The central server's tables (SQLAlchemy 2 declarative), portable between PostgreSQL and SQLite.

`db/` never imports `app/`: columns hold plain strings and JSON, and the server maps them to the domain
models. Every timestamp is timezone-aware UTC on the Python side (see `UTCDateTime`).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so alembic migrations can refer to them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FEED_COUNTER = "feed"
# `feed.exits`: JSONB on PostgreSQL, whose `||` merges objects in the feed's upsert (SQLite: json_patch).
# NULL stays SQL NULL, so "never left a unit" is `exits IS NULL` on both.
EXITS_JSON = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
CASE_NUMBER_COUNTER_PREFIX = "case_number:"  # + the year, in the city's time zone


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC.

    PostgreSQL keeps `timestamptz` natively; SQLite has no time zones, so the value is stored as naive
    UTC and UTC is re-attached on read. Naive datetimes are refused on write: they are always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} (times must carry a zone)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), uuid.UUID: Uuid()}


class UserRow(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class TokenRow(Base):
    """A login session. Only the SHA-256 of the bearer token is stored, never the token."""

    __tablename__ = "tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), ForeignKey("users.username", ondelete="CASCADE"))
    console_id: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class CaseRow(Base):
    """The current state of a case: indexed columns for queries, `data` = `Case.model_dump(mode="json")`."""

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[str] = mapped_column(String(32))
    category_code: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str | None] = mapped_column(String(64), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]


class CaseEventRow(Base):
    """The ledger: one row per accepted action, never updated. Performance metrics are counted from it."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_at", "at"),
        Index("ix_case_events_action_at", "action", "at"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    client_time: Mapped[datetime | None]
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    console_id: Mapped[str | None] = mapped_column(String(64))
    command_id: Mapped[uuid.UUID | None]
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]


class CommandRow(Base):
    """Every command the server answered, with its stored answer: the idempotency record."""

    __tablename__ = "commands"

    command_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any]]


class FeedRow(Base):
    """The changes feed: each entity's latest change only, at a strictly increasing position.

    `case_id` repeats `entity_id` as a UUID for kind `case`, so the feed joins `cases` on its primary key
    on both databases (SQLite stores UUIDs as hex, PostgreSQL natively).
    `scope` is the entity's scope at its position (`app.scope.entity_scope`: NULL = every user, a unit
    id, '' = no unit handler); `exits` maps each unit the entity left to the position where it last left
    it (`{unit_id: position}`, NULL when it never left one), so that a unit handler of that unit is told
    (`app.scope.feed_entry`).
    """

    __tablename__ = "feed"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    case_id: Mapped[uuid.UUID | None]
    data: Mapped[dict[str, Any] | None]
    scope: Mapped[str | None] = mapped_column(String(64))
    exits: Mapped[dict[str, Any] | None] = mapped_column(EXITS_JSON)


class CounterRow(Base):
    """Named counters: `feed` (the feed position) and `case_number:<year>`."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class RefDataRow(Base):
    """The reference data in force (one row, id = 1): `RefData.to_dict()`."""

    __tablename__ = "refdata"

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]]


# The feature schemas declare their tables on the same Base; importing them here puts every table in
# `metadata` (alembic's target) whichever module a caller imports first.
from db import audit_schema, metrics_schema, sensor_schema, shift_schema  # noqa: E402,F401  (after Base: they import it)

metadata = Base.metadata
