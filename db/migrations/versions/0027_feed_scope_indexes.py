"""Two indexes that serve a jurisdiction user's feed reads in a database of many cities: (partition,
jurisdiction, position), so a district console's pages read its streets' rows instead of filtering every row
of its city's partition (or, without partitions, of every city), and (partition, position) over the rows
with exits, which every read past cursor 0 also takes. Without the second, such a read could only scan.
On PostgreSQL also the statistics that tell the planner a street lies in one partition (the partition is the
street's city): without them it took a street of one city in ten for a tenth of its rows, and chose to read
them all and sort them instead of one ordered range.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_feed_partition_jurisdiction", "feed", ["partition", "jurisdiction", "position"])
    op.create_index("ix_feed_partition_exits", "feed", ["partition", "position"],
                    postgresql_where=sa.text("exits IS NOT NULL"), sqlite_where=sa.text("exits IS NOT NULL"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE STATISTICS IF NOT EXISTS feed_partition_jurisdiction (dependencies) "
                   "ON partition, jurisdiction FROM feed")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS feed_partition_jurisdiction")
    op.drop_index("ix_feed_partition_exits", table_name="feed")
    op.drop_index("ix_feed_partition_jurisdiction", table_name="feed")
