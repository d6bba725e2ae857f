"""The changes feed's table."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

# `feed.exits`: JSONB on PostgreSQL, whose `||` merges objects in the feed's upsert (SQLite: json_patch).
# NULL stays SQL NULL, so "never left a unit" is `exits IS NULL` on both.
EXITS_JSON = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class FeedRow(Base):
    """The changes feed: each entity's latest change only, at a strictly increasing position.

    Positions are per *partition* (`partition`, `app.platform.feed_partition`: a city's code, or '' for the
    global partition — entities with no jurisdiction, and every row of a server that does not partition):
    each partition takes them from its own counter, so (partition, position) is unique and orders a partition.
    `case_id` repeats `entity_id` as a UUID for kind `case`, so the feed joins `cases` on its primary key
    on both databases (SQLite stores UUIDs as hex, PostgreSQL natively).
    `scope` is the entity's scope at its position (`app.platform.scope.entity_scope`: NULL = every user, a
    unit id, several joined by ',' for a joint case, '' = no unit handler); `exits` maps each unit the entity left to the position where it last
    left it (`{unit_id: position}`, NULL when it never left one), so that a unit handler of that unit is
    told (`app.platform.scope.feed_entry`); a street it left is keyed `@<street>`.
    """

    __tablename__ = "feed"
    __table_args__ = (
        Index("ix_feed_partition_position", "partition", "position", unique=True),
        # a jurisdiction user's pages (a district of one city of many): its streets' rows, not every row of
        # the partition filtered one by one; and the rows with exits, which every reader past 0 also reads
        Index("ix_feed_partition_jurisdiction", "partition", "jurisdiction", "position"),
        Index("ix_feed_partition_exits", "partition", "position", postgresql_where=text("exits IS NOT NULL"),
              sqlite_where=text("exits IS NOT NULL")),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, index=True)
    partition: Mapped[str] = mapped_column(String(8), default="", server_default="")
    case_id: Mapped[uuid.UUID | None]
    data: Mapped[dict[str, Any] | None]
    scope: Mapped[str | None] = mapped_column(String(1024))  # a joint case's scope names several units
    # the street the entity lies in (`app.platform.scope.seen_scope`; NULL = every jurisdiction): a case's
    # is its row's in `cases`, taken by the feed's upsert itself (`server.feed.record`)
    jurisdiction: Mapped[str | None] = mapped_column(String(16))
    exits: Mapped[dict[str, Any] | None] = mapped_column(EXITS_JSON)
