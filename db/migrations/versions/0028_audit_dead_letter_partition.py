"""Webhook dead letters name their feed partition (`webhook_dead_letters.partition`: a city's code, '' for the
global one): a position orders its partition only, so two cities' dead letters may carry the same position,
and without the partition neither `webhooks dead` nor a replay could tell which city's change a dead letter
was. Existing dead letters get the partition their body names (every event body since partitions carries
it), else the global partition (a dead letter from before partitions: its position was the one counter's).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_dead_letters") as batch:
        batch.add_column(sa.Column("partition", sa.String(8), server_default="", nullable=False))
    body_partition = ("body->>'partition'" if op.get_bind().dialect.name == "postgresql"
                      else "json_extract(body, '$.partition')")
    op.execute(f"UPDATE webhook_dead_letters SET partition = {body_partition} "
               f"WHERE {body_partition} IS NOT NULL AND length({body_partition}) <= 8")


def downgrade() -> None:
    with op.batch_alter_table("webhook_dead_letters") as batch:
        batch.drop_column("partition")
