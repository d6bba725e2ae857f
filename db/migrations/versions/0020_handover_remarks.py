"""The incoming lead's remarks on signing a handover are kept with the handover (they were only in the
signature's audit entry), so the signed report shows them.

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handovers") as batch:
        batch.add_column(sa.Column("signed_remarks", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("handovers") as batch:
        batch.drop_column("signed_remarks")
