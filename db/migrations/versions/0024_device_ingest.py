"""Position ingest's per-device gate in the database (`device_ingest`: the latest accepted report's time and
the last feed entry's), so the out-of-order check and the feed throttle hold across server processes; filled
from `device_latest` so an upgraded server keeps refusing what is older than what it stored.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_ingest",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name="pk_device_ingest"),
    )
    op.execute("INSERT INTO device_ingest (device_id, accepted_at, fed_at) "
               "SELECT device_id, time, NULL FROM device_latest")


def downgrade() -> None:
    op.drop_table("device_ingest")
