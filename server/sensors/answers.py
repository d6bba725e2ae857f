"""The answers of the sensor and alarm endpoints (`server.sensors.api`), as models for the OpenAPI schema.

The endpoints build these answers as plain dicts (`server.sensors.ingest.state_data`, the alarm JSON of
`server.sensors.alarms`, `server.sensors.store`), the same JSON the feed carries; the models describe
them exactly (no field left out, none added), and the API fuzzer checks every answer against them.
"""
from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.sensors.levels import SensorState
from server.sensors.ingest import REASONS


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


Level = Literal["normal", "warning", "alarm"]


class SensorStateAnswer(_Answer):
    """A sensor's latest state (also the feed's kind `sensor`)."""

    sensor_id: str
    owner_unit_id: str | None
    last_time: str | None = Field(description="ISO-8601 time of the latest reading")
    last_value: float | None
    level: Level = Field(description="the rules' level of the latest reading")
    state: SensorState
    reason: Literal["high", "low", "rate", "silent"] | None
    rejected: int = Field(description="readings of this sensor refused so far")
    updated_at: str


class SensorsAnswer(_Answer):
    sensors: list[SensorStateAnswer]


class RejectionCount(_Answer):
    sensor_id: str
    reason: Literal[REASONS] = Field(description="a rejection reason of POST /api/sensors/readings")
    count: int
    last_at: str
    last_message: str


class RejectionsAnswer(_Answer):
    rejections: list[RejectionCount]


class ReadingsAnswer(_Answer):
    """Plot arrays: raw readings, or per-minute aggregates (mean in `values`, `min`, `max`)."""

    sensor_id: str
    resolution: Literal["raw", "minute"]
    times: list[float] = Field(description="epoch seconds")
    values: list[float | None]
    min: list[float] | None = Field(description="per-minute minimum; null for raw")
    max: list[float] | None = Field(description="per-minute maximum; null for raw")


class AlarmAnswer(_Answer):
    """An alarm (also the feed's kind `alarm`)."""

    id: uuid.UUID
    sensor_id: str
    owner_unit_id: str | None
    episode_id: uuid.UUID
    kind: Literal["high", "low", "rate", "silent"]
    level: Literal["warning", "alarm"]
    state: Literal["raised", "acknowledged", "cleared"]
    raised_at: str
    updated_at: str
    value: float | None
    peak_value: float | None
    threshold: float | None
    message: str
    acknowledged_by: str | None
    acknowledged_at: str | None
    ack_note: str | None
    cleared_at: str | None
    cleared_by: str | None = Field(description="null: cleared automatically")
    clear_reason: str | None
    case_id: uuid.UUID | None


class AlarmsAnswer(_Answer):
    alarms: list[AlarmAnswer]


class ReadingRejection(_Answer):
    index: int = Field(description="the reading's position in the batch")
    sensor_id: str
    reason: Literal[REASONS]  # the ingest's own list, so a new reason is documented where it is added
    message: str


class IngestAnswer(_Answer):
    accepted: int
    duplicates: int
    rejected: list[ReadingRejection]
