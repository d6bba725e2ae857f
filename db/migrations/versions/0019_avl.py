"""Vehicles and field staff (AVL): devices, raw tracks, latest positions, refused reports.

Revision ID: 0019
Revises: 0014
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0014"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("person", sa.String(64), nullable=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
    )
    op.create_table(
        "device_positions",
        sa.Column("device_id", sa.String(64), nullable=False),
        _ts("time"),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        _ts("received_at"),
        sa.PrimaryKeyConstraint("device_id", "time", name="pk_device_positions"),
    )
    op.create_index("ix_device_positions_time", "device_positions", ["time"])
    op.create_table(
        "device_latest",
        sa.Column("device_id", sa.String(64), nullable=False),
        _ts("time"),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name="pk_device_latest"),
    )
    op.create_table(
        "device_rejections",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _ts("last_at"),
        sa.Column("last_message", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "reason", name="pk_device_rejections"),
    )


def downgrade() -> None:
    op.drop_table("device_rejections")
    op.drop_table("device_latest")
    op.drop_index("ix_device_positions_time", table_name="device_positions")
    op.drop_table("device_positions")
    op.drop_table("devices")
