"""The closure rate's cohort on `metric_cases`: when the case was registered and its latest suspension
(`registered_at`, `suspended_at`, `resumed_at`; see `db.metrics.MetricCaseRow`).

The facts also changed meaning (each stage charged to its owner, rework continuing the original handling
task): they are computed by the domain core, which `db/` may not import, so after this migration run
`onegrid-ctl metrics rebuild-facts` once (until then old cases have no cohort and old facts).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("registered_at", "suspended_at", "resumed_at"):
        op.add_column("metric_cases", sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_metric_cases_registered_at", "metric_cases", ["registered_at"])
    # the center's facts (no unit) make a unit's report scan more rows by `at` alone; the percentiles
    # read the timed facts only
    op.create_index("ix_metric_facts_unit_at", "metric_facts", ["unit_id", "at"])
    op.create_index("ix_metric_facts_timed", "metric_facts", ["at"], postgresql_include=["kind", "seconds"],
                    postgresql_where=sa.text("seconds IS NOT NULL"), sqlite_where=sa.text("seconds IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_metric_facts_timed", table_name="metric_facts")
    op.drop_index("ix_metric_facts_unit_at", table_name="metric_facts")
    op.drop_index("ix_metric_cases_registered_at", table_name="metric_cases")
    for name in ("resumed_at", "suspended_at", "registered_at"):
        op.drop_column("metric_cases", name)
