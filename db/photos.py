"""The central server's photos (and short videos, PDFs) attached to the steps of cases.

- `photo_blobs`: one row per stored file, keyed by its SHA-256 (the storage backend's key too): the same
  content attached to several cases is stored once. Written only after the whole file arrived and its
  hash, type and image were checked, so a half-uploaded file never appears here.
- `photos`: one row per (case, step, file): who attached it and when, and what it shows (dimensions,
  EXIF time and place). `id` is random: the blob URLs use it, so they cannot be guessed from the case or
  the content.
- `photo_uploads` and `photo_chunks`: an upload under way, its received bytes in order (in the database,
  so any server process can take the next chunk and a cut connection resumes at `received`). Deleted
  when the upload completes.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class PhotoBlobRow(Base):
    __tablename__ = "photo_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    has_thumbnail: Mapped[bool]
    stored_at: Mapped[datetime]


class PhotoRow(Base):
    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("case_id", "step", "sha256"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    step: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), ForeignKey("photo_blobs.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    taken_at: Mapped[str | None] = mapped_column(String(19))  # EXIF time as the camera wrote it (no zone)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(index=True)
    console_id: Mapped[str | None] = mapped_column(String(64))


class PhotoUploadRow(Base):
    __tablename__ = "photo_uploads"
    __table_args__ = (UniqueConstraint("case_id", "step", "sha256"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID]
    step: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    received: Mapped[int] = mapped_column(BigInteger)


class PhotoChunkRow(Base):
    __tablename__ = "photo_chunks"

    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("photo_uploads.id", ondelete="CASCADE"),
                                                 primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
