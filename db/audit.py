"""The central server's audit chain. Same `Base` as `db.metadata`, so one metadata (and one
alembic history) covers every table.

`audit_log` is append-only: one row per action, numbered 1, 2, 3, … with no gap, each carrying the hash
of the one before (the canonical form is documented in `server.audit.chain`). `audit_head` is a single row (id
= 1) holding the last entry's number and hash; appending takes its row lock, which serialises appends
in commit order across transactions and server processes, like the feed counter. On PostgreSQL the
migration adds triggers refusing UPDATE, DELETE and TRUNCATE on `audit_log`, and any change of
`audit_head` other than "one entry further".
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

GENESIS_HASH = "0" * 64  # the "previous hash" of entry 1


class AuditEntryRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor", "actor"),
        Index("ix_audit_log_entity", "entity_kind", "entity_id"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
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
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
