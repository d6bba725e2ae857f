"""Sensors, readings, per-minute aggregates, alarms and rejected-reading counters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sensor_readings",
        sa.Column("sensor_id", sa.String(64), nullable=False),
        _ts("time"),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sensor_id", "time", name="pk_sensor_readings"),
    )
    op.create_index("ix_sensor_readings_time", "sensor_readings", ["time"])
    op.create_table(
        "sensor_minutes",
        sa.Column("sensor_id", sa.String(64), nullable=False),
        _ts("minute"),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sensor_id", "minute", name="pk_sensor_minutes"),
    )
    op.create_table(
        "sensor_alarms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sensor_id", sa.String(64), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _ts("raised_at"),
        _ts("updated_at"),
        _ts("cleared_at", nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sensor_alarms"),
    )
    op.create_index("ix_sensor_alarms_sensor_id_raised_at", "sensor_alarms", ["sensor_id", "raised_at"])
    op.create_index("ix_sensor_alarms_state", "sensor_alarms", ["state"])
    op.create_index("ix_sensor_alarms_episode_id", "sensor_alarms", ["episode_id"])
    op.create_table(
        "sensor_rejections",
        sa.Column("sensor_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        _ts("last_at"),
        sa.Column("last_message", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("sensor_id", "reason", name="pk_sensor_rejections"),
    )
    op.create_table(
        "sensor_states",
        sa.Column("sensor_id", sa.String(64), nullable=False),
        _ts("last_time", nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=True),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        _ts("updated_at"),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("episode_case_id", sa.Uuid(), nullable=True),
        _ts("normal_since", nullable=True),
        sa.PrimaryKeyConstraint("sensor_id", name="pk_sensor_states"),
    )


def downgrade() -> None:
    op.drop_table("sensor_states")
    op.drop_table("sensor_rejections")
    op.drop_index("ix_sensor_alarms_episode_id", table_name="sensor_alarms")
    op.drop_index("ix_sensor_alarms_state", table_name="sensor_alarms")
    op.drop_index("ix_sensor_alarms_sensor_id_raised_at", table_name="sensor_alarms")
    op.drop_table("sensor_alarms")
    op.drop_table("sensor_minutes")
    op.drop_index("ix_sensor_readings_time", table_name="sensor_readings")
    op.drop_table("sensor_readings")
