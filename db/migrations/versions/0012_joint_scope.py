"""A feed row's scope may name several units (a joint case: its lead unit and co-handling units, joined by
','), so the column is widened from 64 characters.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed") as batch:
        batch.alter_column("scope", type_=sa.String(1024), existing_type=sa.String(64), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("feed") as batch:
        batch.alter_column("scope", type_=sa.String(64), existing_type=sa.String(1024), existing_nullable=True)
