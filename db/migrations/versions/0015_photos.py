"""Photos attached to the steps of cases: stored files, their metadata, and uploads under way.

Revision ID: 0015
Revises: 0018
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo_blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("has_thumbnail", sa.Boolean(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_photo_blobs")),
    )
    op.create_table(
        "photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("taken_at", sa.String(19), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("console_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["sha256"], ["photo_blobs.sha256"], name=op.f("fk_photos_sha256_photo_blobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
        sa.UniqueConstraint("case_id", "step", "sha256", name=op.f("uq_photos_case_id_step_sha256")),
    )
    op.create_index(op.f("ix_photos_case_id"), "photos", ["case_id"])
    op.create_index(op.f("ix_photos_sha256"), "photos", ["sha256"])
    op.create_index(op.f("ix_photos_uploaded_at"), "photos", ["uploaded_at"])
    op.create_table(
        "photo_uploads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_uploads")),
        sa.UniqueConstraint("case_id", "step", "sha256", name=op.f("uq_photo_uploads_case_id_step_sha256")),
    )
    op.create_table(
        "photo_chunks",
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["photo_uploads.id"], ondelete="CASCADE",
                                name=op.f("fk_photo_chunks_upload_id_photo_uploads")),
        sa.PrimaryKeyConstraint("upload_id", "offset", name=op.f("pk_photo_chunks")),
    )


def downgrade() -> None:
    op.drop_table("photo_chunks")
    op.drop_table("photo_uploads")
    op.drop_index(op.f("ix_photos_uploaded_at"), table_name="photos")
    op.drop_index(op.f("ix_photos_sha256"), table_name="photos")
    op.drop_index(op.f("ix_photos_case_id"), table_name="photos")
    op.drop_table("photos")
    op.drop_table("photo_blobs")
