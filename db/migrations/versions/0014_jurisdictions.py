"""Jurisdictions (`app.refdata.jurisdictions`): the street a case lies in (`cases.jurisdiction`), the street
of each feed row (`feed.jurisdiction`) and the codes a user works in (`users.jurisdictions`).

Backfill of an existing (single-city) database: a case's street is the first 9 digits of its grid code,
and its feed row takes its case's. Users keep NULL, which means "the whole reference data": in a
single-city database every desk user saw every case before, and sees every case now; an administrator
assigns district operators their district afterwards (`onegrid-ctl users add --replace --jurisdiction`).
Sensor and alarm rows keep NULL (every jurisdiction), as before.

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("jurisdiction", sa.String(16), nullable=True))
    op.create_index("ix_cases_jurisdiction", "cases", ["jurisdiction"])
    op.add_column("feed", sa.Column("jurisdiction", sa.String(16), nullable=True))
    op.add_column("users", sa.Column("jurisdictions", sa.String(512), nullable=True))
    cases = sa.table("cases", sa.column("id", sa.Uuid), sa.column("grid_code", sa.String),
                     sa.column("jurisdiction", sa.String))
    op.execute(cases.update().where(cases.c.grid_code.is_not(None))
               .values(jurisdiction=sa.func.substr(cases.c.grid_code, 1, 9)))
    feed = sa.table("feed", sa.column("kind", sa.String), sa.column("case_id", sa.Uuid),
                    sa.column("jurisdiction", sa.String))
    street = sa.select(cases.c.jurisdiction).where(cases.c.id == feed.c.case_id).scalar_subquery()
    op.execute(feed.update().where(feed.c.kind == "case").values(jurisdiction=street))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("jurisdictions")
    with op.batch_alter_table("feed") as batch:
        batch.drop_column("jurisdiction")
    op.drop_index("ix_cases_jurisdiction", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("jurisdiction")
