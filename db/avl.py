"""The central server's AVL tables (vehicles and field staff): the devices, their raw tracks, the latest
position of each, and the refused reports counted.

- `devices`: the reference data's devices (`app.refdata.devices`), replaced whole on import.
- `device_positions`: the raw track, one row per (device, time) — a duplicate is the same key and is
  dropped; kept for the retention window (`ServerSettings.avl_track_retention_days`), purged by the
  maintenance round through the time index.
- `device_latest`: each device's latest stored report (what a console shows, and the out-of-order check).
- `device_rejections`: refused reports per device id as sent ('' when none was sent) and reason.
- `device_ingest`: each device's gate, shared by every server process: the time of its latest accepted
  report (the out-of-order and duplicate checks) and when its position last went to the feed (the
  throttle). An ingest batch locks its devices' rows (in id order), checks against them and moves them on
  in the same transaction, so two processes behind a load balancer neither both feed a device within a
  period nor accept a report the other has already superseded (`server.avl.gate`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class DeviceRow(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str] = mapped_column(String(64))
    person: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128), default="")


class DevicePositionRow(Base):
    __tablename__ = "device_positions"
    __table_args__ = (Index("ix_device_positions_time", "time"),)  # the retention purge

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    time: Mapped[datetime] = mapped_column(primary_key=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)
    received_at: Mapped[datetime]


class DeviceLatestRow(Base):
    __tablename__ = "device_latest"

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    time: Mapped[datetime]
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)


class DeviceRejectionRow(Base):
    __tablename__ = "device_rejections"

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[datetime]
    last_message: Mapped[str] = mapped_column(String(500))


class DeviceIngestRow(Base):
    __tablename__ = "device_ingest"

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    accepted_at: Mapped[datetime | None]  # the latest accepted report's own time
    fed_at: Mapped[datetime | None]       # the server's time when its position last went to the feed
