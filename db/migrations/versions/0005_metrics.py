"""Facts for unit performance metrics: `metric_facts` and `metric_cases` (see
`db.metrics`).

The facts are computed by the domain core (`app.metrics.figures`), which `db/` may not import, so this migration
only creates the tables; existing cases get their facts from `onegrid-ctl metrics rebuild-facts` (new
commands write them in their own transaction).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_facts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("fact_key", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=True),
        sa.Column("category_code", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_metric_facts_case_id_cases", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "fact_key", name="pk_metric_facts"),
    )
    op.create_index("ix_metric_facts_at", "metric_facts", ["at"])
    op.create_table(
        "metric_cases",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=True),
        sa.Column("category_code", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_metric_cases_case_id_cases", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", name="pk_metric_cases"),
    )
    op.create_index("ix_metric_cases_closed_at", "metric_cases", ["closed_at"])
    op.create_index("ix_metric_cases_late_at", "metric_cases", ["late_at"])


def downgrade() -> None:
    op.drop_table("metric_cases")
    op.drop_table("metric_facts")
