"""The server's platform tables: accounts, login tokens and login throttling, the server's own keys, named
counters and shared settings."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
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
    # the city, district or street codes the user works in, joined by ','; NULL: the whole reference data
    jurisdictions: Mapped[str | None] = mapped_column(String(512))
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


# Login throttling (`server.platform.login_throttle`). `login_throttle` holds one row per subject that
# failed to log in recently: an account (the username tried, known or not) or a client address. The key
# is a keyed hash of the subject, so a password typed into the username field is never stored as text;
# `label` is what an operator may read (the username of an existing account, the address, or the
# `unknown:…` pseudonym of a name that is no account). `server_keys` holds the server's own random keys
# (that hash's key), created on first use.

class LoginThrottleRow(Base):
    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_last_failure_at", "last_failure_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex HMAC-SHA256 of "<kind>:<subject>"
    kind: Mapped[str] = mapped_column(String(16))                    # account / address
    label: Mapped[str] = mapped_column(String(128))
    failures: Mapped[int] = mapped_column(Integer)       # failures since the last lockout (or since the first)
    lockouts: Mapped[int] = mapped_column(Integer)       # lockouts in a row (each doubles the next one)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class ServerKeyRow(Base):
    __tablename__ = "server_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))  # hex
    created_at: Mapped[datetime]
