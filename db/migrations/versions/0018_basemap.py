"""The imported base map: its description (one row) and its raster tiles.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "basemap",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("datum", sa.String(8), nullable=False),
        sa.Column("min_zoom", sa.Integer(), nullable=False),
        sa.Column("max_zoom", sa.Integer(), nullable=False),
        sa.Column("info", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_basemap_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basemap")),
    )
    op.create_table(
        "basemap_tiles",
        sa.Column("z", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("x", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("y", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("z", "x", "y", name=op.f("pk_basemap_tiles")),
    )


def downgrade() -> None:
    op.drop_table("basemap_tiles")
    op.drop_table("basemap")
