"""Open311 GeoReport v2 (the citizen apps' keys, each request's token) and webhook subscriptions with
their dead letters (the outbound event stream of case changes).

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app_name", sa.String(100), nullable=False),
        sa.Column("key_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_open311_keys"),
        sa.UniqueConstraint("key_sha256", name="uq_open311_keys_key_sha256"),
    )
    op.create_index("ix_open311_keys_app_name", "open311_keys", ["app_name"])
    op.create_table(
        "open311_requests",
        sa.Column("token", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("device_id", sa.String(200), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_open311_requests"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_open311_requests_case_id_cases",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["key_id"], ["open311_keys.id"], name="fk_open311_requests_key_id_open311_keys"),
        sa.UniqueConstraint("case_id", name="uq_open311_requests_case_id"),
    )
    op.create_index("ix_open311_requests_key_id", "open311_requests", ["key_id"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscriptions"),
        sa.UniqueConstraint("name", name="uq_webhook_subscriptions_name"),
    )
    op.create_table(
        "webhook_dead_letters",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("failed_at", TZ, nullable=False),
        sa.Column("replayed_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_dead_letters"),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscriptions.id"],
                                name="fk_webhook_dead_letters_subscription_id_webhook_subscriptions",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_webhook_dead_letters_subscription_state", "webhook_dead_letters",
                    ["subscription_id", "state"])


def downgrade() -> None:
    op.drop_table("webhook_dead_letters")
    op.drop_table("webhook_subscriptions")
    op.drop_table("open311_requests")
    op.drop_table("open311_keys")
