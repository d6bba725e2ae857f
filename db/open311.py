"""Open311 GeoReport v2 tables: the citizen apps' API keys, and each service request's token.

A key is stored only as its SHA-256 (like login tokens): the app is shown the key once, at creation.
A request row ties the token the app was given to the case it created, with what the reporter told us
that the case itself does not carry (e-mail, device and account ids), so it is never in the feed.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class Open311KeyRow(Base):
    __tablename__ = "open311_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    app_name: Mapped[str] = mapped_column(String(100), index=True)  # revoked keys stay, for their requests
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Open311RequestRow(Base):
    __tablename__ = "open311_requests"

    token: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("open311_keys.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    device_id: Mapped[str] = mapped_column(String(200), default="")
    account_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
