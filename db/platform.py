"""The server's platform tables: accounts, login tokens, named counters and shared settings."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

FEED_COUNTER = "feed"
CASE_NUMBER_COUNTER_PREFIX = "case_number:"  # + the year, in the city's time zone


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
