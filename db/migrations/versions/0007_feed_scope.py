"""The feed row's scope and the units it left (`feed.scope`, `feed.exits`, see `db.feed.FeedRow`).

Existing rows get their scope from what the feed's filter computed at read time until now (a case's
unit, '' for a case without one and for handover reports, a sensor's or alarm's `owner_unit_id`, NULL
for the other kinds). Their past exits are unknown (NULL): a console that kept a stale copy of a case
under the old server drops it when it next starts again from 0 (`app.cache.LocalCache.adopt_scope`).

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-10
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    exits = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    op.add_column("feed", sa.Column("scope", sa.String(64), nullable=True))
    op.add_column("feed", sa.Column("exits", exits, nullable=True))
    feed = sa.table("feed", sa.column("kind", sa.String), sa.column("case_id", sa.Uuid),
                    sa.column("data", sa.JSON), sa.column("scope", sa.String))
    cases = sa.table("cases", sa.column("id", sa.Uuid), sa.column("unit_id", sa.String))
    case_unit = sa.select(cases.c.unit_id).where(cases.c.id == feed.c.case_id).scalar_subquery()
    owner = feed.c.data["owner_unit_id"].as_string()
    op.execute(feed.update().values(scope=sa.case(
        (feed.c.kind == "case", sa.func.coalesce(case_unit, "")),
        (feed.c.kind == "handover", ""),
        (feed.c.kind.in_(("sensor", "alarm")), sa.func.coalesce(owner, "")),
        else_=None)))


def downgrade() -> None:
    with op.batch_alter_table("feed") as batch:
        batch.drop_column("exits")
        batch.drop_column("scope")
