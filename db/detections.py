"""Detections from video AI and drones (`server.detections`): the reference tables (cameras and drones with
their known places; detection types with their category and rules), every detection received, and its
frame.

- `detection_cameras`: a camera or drone (`kind` video_ai | drone), its place (a drone's may be empty: its
  detections carry their own) and owner unit.
- `detection_types`: what an AI reports (`illegal_parking`, `spilled_muck`, …) mapped to a case category,
  with the minimum confidence, the quiet period per camera and type, and whether a detection opens a case
  itself (`auto_open`) or waits in the review queue.
- `detections`: one row per detection received, `state` pending | confirmed | rejected | opened | joined |
  ignored; `data` = the feed JSON (kind `detection`).
- `detection_frames`: the frame image sent with a detection (a URL sent instead is kept on the detection).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class DetectionCameraRow(Base):
    __tablename__ = "detection_cameras"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    owner_unit_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DetectionTypeRow(Base):
    __tablename__ = "detection_types"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(String(16))
    min_confidence: Mapped[float] = mapped_column(Float)
    quiet_period_s: Mapped[int] = mapped_column(Integer)
    auto_open: Mapped[bool] = mapped_column(Boolean, default=False)


class DetectionRow(Base):
    __tablename__ = "detections"
    __table_args__ = (
        # the quiet period: the latest detection of a camera and type
        Index("ix_detections_camera_type_at", "camera_id", "type_code", "detected_at"),
        # the review queue and the false-positive rates
        Index("ix_detections_state_at", "state", "detected_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    camera_id: Mapped[str] = mapped_column(String(64))
    type_code: Mapped[str] = mapped_column(String(32))
    category_code: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime]
    received_at: Mapped[datetime]
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    frame_url: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    repeat_of: Mapped[uuid.UUID | None]      # the pending detection a repeat joined
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]


class DetectionFrameRow(Base):
    __tablename__ = "detection_frames"

    detection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("detections.id", ondelete="CASCADE"),
                                                    primary_key=True)
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
