"""Repeats and detections: every open case's grid cell (indexed, for the repeat check) and a merged repeat's
master on `cases`; the detections' reference tables (cameras, detection types), the detections and their
frames. Existing open cases get their cell from their stored location.

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-07
"""
from __future__ import annotations

import math

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0019"
branch_labels = None
depends_on = None

# `app.cases.merging.cell_of`, frozen here as the migration wrote it (db/ never imports app/)
_CELL_DEG, _LAT_OFFSET, _LON_OFFSET, _LON_CELLS = 0.002, 45_000, 90_000, 1_000_000
_ENDED = ("closed", "voided", "merged")


def _cell(lat: float, lon: float) -> int:
    return ((math.floor(lat / _CELL_DEG) + _LAT_OFFSET) * _LON_CELLS
            + math.floor(lon / _CELL_DEG) + _LON_OFFSET)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("merge_cell", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("lon", sa.Float(), nullable=True))
    op.create_index("ix_cases_merge_cell", "cases", ["merge_cell", "category_code", "created_at"])
    op.create_index("ix_cases_merged_into", "cases", ["merged_into"])
    bind = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Uuid()), sa.column("status", sa.String()),
                     sa.column("data", sa.JSON()), sa.column("merge_cell", sa.BigInteger()),
                     sa.column("lat", sa.Float()), sa.column("lon", sa.Float()))
    rows = bind.execute(sa.select(cases.c.id, cases.c.status, cases.c.data)).all()
    updates = []
    for case_id, status, data in rows:
        location = (data or {}).get("location") or {}
        lat, lon = location.get("lat"), location.get("lon")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            updates.append({"b_id": case_id, "b_lat": lat, "b_lon": lon,
                            "cell": None if status in _ENDED else _cell(lat, lon)})
    if updates:
        bind.execute(cases.update().where(cases.c.id == sa.bindparam("b_id")).values(
            merge_cell=sa.bindparam("cell"), lat=sa.bindparam("b_lat"), lon=sa.bindparam("b_lon")), updates)

    op.create_table(
        "detection_cameras",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("owner_unit_id", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_detection_cameras"),
    )
    op.create_table(
        "detection_types",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("category_code", sa.String(16), nullable=False),
        sa.Column("min_confidence", sa.Float(), nullable=False),
        sa.Column("quiet_period_s", sa.Integer(), nullable=False),
        sa.Column("auto_open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_detection_types"),
    )
    op.create_table(
        "detections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("type_code", sa.String(32), nullable=False),
        sa.Column("category_code", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("frame_url", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("repeat_of", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_detections"),
    )
    op.create_index("ix_detections_camera_type_at", "detections", ["camera_id", "type_code", "detected_at"])
    op.create_index("ix_detections_state_at", "detections", ["state", "detected_at"])
    op.create_index("ix_detections_case_id", "detections", ["case_id"])
    op.create_table(
        "detection_frames",
        sa.Column("detection_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["detection_id"], ["detections.id"], ondelete="CASCADE",
                                name="fk_detection_frames_detection_id_detections"),
        sa.PrimaryKeyConstraint("detection_id", name="pk_detection_frames"),
    )


def downgrade() -> None:
    op.drop_table("detection_frames")
    op.drop_index("ix_detections_case_id", table_name="detections")
    op.drop_index("ix_detections_state_at", table_name="detections")
    op.drop_index("ix_detections_camera_type_at", table_name="detections")
    op.drop_table("detections")
    op.drop_table("detection_types")
    op.drop_table("detection_cameras")
    op.drop_index("ix_cases_merged_into", table_name="cases")
    op.drop_index("ix_cases_merge_cell", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("merged_into")
        batch.drop_column("lat")
        batch.drop_column("lon")
        batch.drop_column("merge_cell")
