"""The changes feed's table."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class FeedRow(Base):
    """The changes feed: each entity's latest change only, at a strictly increasing position.

    `case_id` repeats `entity_id` as a UUID for kind `case`, so the feed joins `cases` on its primary key
    on both databases (SQLite stores UUIDs as hex, PostgreSQL natively).
    """

    __tablename__ = "feed"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    case_id: Mapped[uuid.UUID | None]
    data: Mapped[dict[str, Any] | None]
