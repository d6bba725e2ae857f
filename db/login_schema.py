"""Login throttling's tables (`server.login_throttle`). Same `Base` as `db.server_schema`, so one metadata
(and one alembic history) covers every table.

`login_throttle` holds one row per subject that failed to log in recently: an account (the username
tried, known or not) or a client address. The key is a keyed hash of the subject, so a password typed
into the username field is never stored as text; `label` is what an operator may read (the username of
an existing account, the address, or the `unknown:…` pseudonym of a name that is no account).
`server_keys` holds the server's own random keys (that hash's key), created on first use.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.server_schema import Base


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
