"""The feed partitioned per city (`feed.partition`, docs/ARCHITECTURE.md "The changes feed and the cursor gap").

Every existing row goes to the global partition ('') at the position it had, and the global partition keeps
the `feed` counter: a console's cursor (every position it has read) means exactly what it meant before.
Positions become unique per partition (`ix_feed_partition_position`) instead of across the table; the plain
index on `position` stays for the readers that scan by position alone (webhooks). A server that partitions
(`feed_partitions`) moves each case into its city's partition at its next change; a city's counter starts
at the global counter's value then, so positions up to the migration keep one meaning in every partition.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed") as batch:
        batch.add_column(sa.Column("partition", sa.String(8), nullable=False, server_default=""))
        batch.drop_index("ix_feed_position")
        batch.create_index("ix_feed_position", ["position"], unique=False)
        batch.create_index("ix_feed_partition_position", ["partition", "position"], unique=True)


def downgrade() -> None:
    # Only a database whose rows are all in the global partition goes back to one position space.
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM feed WHERE partition <> ''")).scalar()
    if others:
        raise RuntimeError(f"{others} feed rows are in city partitions: their positions are not unique across "
                           "the feed; downgrade a server that never partitioned")
    with op.batch_alter_table("feed") as batch:
        batch.drop_index("ix_feed_partition_position")
        batch.drop_index("ix_feed_position")
        batch.create_index("ix_feed_position", ["position"], unique=True)
        batch.drop_column("partition")
