"""The central server's sensor tables: readings, aggregates, alarms. Same `Base` as
`db.metadata`, so one metadata (and one alembic history) covers every table.

- `sensor_readings`: raw readings, one row per (sensor, time) — a duplicate is the same key and is
  dropped (ON CONFLICT DO NOTHING); kept for the raw retention window only. On PostgreSQL partitioned by
  day (`sensor_readings_pYYYYMMDD`, `sensor_readings_default`: migration 0009, `server.sensors.partitions`),
  which the models leave out (`is_reading_partition`); on SQLite one table purged by maintenance.
- `sensor_minutes`: per-minute aggregates (min, max, sum, count → mean), kept long; updated in the
  same transaction as the raw rows they summarise, from the rows actually inserted (never duplicates).
- `sensor_alarms`: one row per alarm (raised → acknowledged → cleared), `data` = the feed JSON.
- `sensor_rejections`: rejected readings counted per sensor id (as sent, so unknown ids count too) and
  reason, with the last message.
- `sensor_states`: per sensor the latest state the feed carries, and the current alarm episode.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

_PARTITION = re.compile(r"^sensor_readings_(p\d{8}|default)$")


def is_reading_partition(table_name: str) -> bool:
    """A partition of `sensor_readings` (PostgreSQL): part of the table, not a table of the models."""
    return bool(_PARTITION.match(table_name))


def include_name(name: str | None, type_: str, _parent_names) -> bool:
    """Alembic's `include_name`: the models say nothing about the readings' partitions."""
    return not (type_ == "table" and name is not None and is_reading_partition(name))


class SensorReadingRow(Base):
    __tablename__ = "sensor_readings"
    __table_args__ = (Index("ix_sensor_readings_time", "time"),)  # the retention purge

    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    time: Mapped[datetime] = mapped_column(primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class SensorMinuteRow(Base):
    __tablename__ = "sensor_minutes"

    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[datetime] = mapped_column(primary_key=True)  # start of the minute (UTC)
    min: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    sum: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)


class SensorAlarmRow(Base):
    __tablename__ = "sensor_alarms"
    __table_args__ = (
        Index("ix_sensor_alarms_sensor_id_raised_at", "sensor_id", "raised_at"),
        Index("ix_sensor_alarms_state", "state"),
        Index("ix_sensor_alarms_episode_id", "episode_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sensor_id: Mapped[str] = mapped_column(String(64))
    episode_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))     # high | low | rate | silent
    level: Mapped[int] = mapped_column(SmallInteger)  # 1 warning, 2 alarm (the highest reached)
    state: Mapped[str] = mapped_column(String(16))    # raised | acknowledged | cleared
    raised_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    case_id: Mapped[uuid.UUID | None]
    data: Mapped[dict[str, Any]]


class SensorRejectionRow(Base):
    __tablename__ = "sensor_rejections"

    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[datetime]
    last_message: Mapped[str] = mapped_column(String(500))


class SensorStateRow(Base):
    __tablename__ = "sensor_states"

    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_time: Mapped[datetime | None]
    last_value: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int] = mapped_column(SmallInteger)  # evaluated rule level of the latest reading
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(16))
    rejected: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
    # the current alarm episode (see server.sensors.alarms): None when no episode is open
    episode_id: Mapped[uuid.UUID | None]
    episode_case_id: Mapped[uuid.UUID | None]
    normal_since: Mapped[datetime | None]             # back to normal with no active alarm since
