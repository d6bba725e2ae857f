"""The central server's audit chain. Same `Base` as `db.metadata`, so one metadata (and one
alembic history) covers every table.

The trail is several chains: one per city (the first 4 digits of a case's street, like the feed's
partitions) and the platform chain ('') for everything with no city. `audit_log` is append-only: one row per
action, numbered 1, 2, 3, … with no gap within its chain (`chain`, `seq`), each carrying the hash of the one
before in its chain (the canonical form is documented in `server.audit.chain`); `id` orders the whole trail
by insertion for listing (from a sequence: taking one never waits on another transaction). `audit_head`
holds one row per chain with its last entry's number and hash; appending takes that row's lock, which
serialises a chain's appends in commit order across transactions and server processes, like a feed
counter, while appends to different cities' chains never wait on each other. On PostgreSQL the migrations
add triggers refusing UPDATE, DELETE and TRUNCATE on `audit_log`, any change of a head other than "one
entry further", and a new head that does not start at the genesis.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

GENESIS_HASH = "0" * 64  # the "previous hash" of entry 1
PLATFORM_CHAIN = ""  # the chain of actions with no city (logins, accounts, reference data, settings…)


class AuditEntryRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor", "actor"),
        Index("ix_audit_log_entity", "entity_kind", "entity_id"),
        UniqueConstraint("chain", "seq"),
    )

    # SQLite: INTEGER PRIMARY KEY is the rowid, numbered by the database like PostgreSQL's identity
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True)
    chain: Mapped[str] = mapped_column(String(8), server_default="")
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]                                     # server time
    client_time: Mapped[datetime | None]                     # the console's own clock, if it sent a usable one
    actor: Mapped[str | None] = mapped_column(String(64))    # username (the one tried, for a failed login)
    role: Mapped[str | None] = mapped_column(String(32))
    console_id: Mapped[str | None] = mapped_column(String(64))
    offline: Mapped[bool] = mapped_column(Boolean)           # issued while the console was offline
    action: Mapped[str] = mapped_column(String(64))
    entity_kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128))
    result: Mapped[str] = mapped_column(String(16))          # accepted / rejected / ok / failed
    reason: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    __tablename__ = "audit_head"

    chain: Mapped[str] = mapped_column(String(8), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
