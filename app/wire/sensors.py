"""Sensors, readings and alarms on the wire (`server.sensors.api`, docs/ARCHITECTURE.md "Sensors and alarms").

The server builds these answers as plain dicts (`server.sensors.states.state_data`, the alarm JSON of
`server.sensors.alarms`, `server.sensors.store`), the same JSON the feed carries; the models describe
them exactly, and the API fuzzer checks every answer against them.
"""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field

from app.platform.edge_types import Text
from app.sensors.alarms import ALARM_TEXT_MAX
from app.sensors.levels import SensorState
from app.wire.base import Answer, Request

MAX_BATCH = 5000  # readings per POST /api/sensors/readings
# Why a reading is refused (the ingest's own list, here so that a new reason is documented where it is added)
REASONS = ("malformed", "unknown_sensor", "wrong_unit", "not_finite", "impossible_value", "future_time",
           "too_old", "store_refused")


class ReadingsBatch(Request):
    # Each reading is checked on its own (server.sensors.reading.ReadingIn, as for MQTT), not here: one bad
    # reading is answered in `rejected`, naming the field, and the batch's other readings are stored.
    readings: list[dict[str, Any]] = Field(max_length=MAX_BATCH, description=(
        "[{sensor_id, time: ISO-8601 with zone or epoch s, value, unit}]; each one is checked on its own and "
        "a bad one is answered in `rejected` with its index"))


class AcknowledgeRequest(Request):
    note: Annotated[Text, Field(max_length=ALARM_TEXT_MAX)] | None = None


class ClearRequest(Request):
    reason: Annotated[Text, Field(min_length=1, max_length=ALARM_TEXT_MAX)]


Level = Literal["normal", "warning", "alarm"]


class SensorStateAnswer(Answer):
    """A sensor's latest state (also the feed's kind `sensor`)."""

    sensor_id: str
    owner_unit_id: str | None
    jurisdiction: str | None = Field(None, description="the street the sensor lies in (its grid's)")
    last_time: str | None = Field(description="ISO-8601 time of the latest reading")
    last_value: float | None
    level: Level = Field(description="the rules' level of the latest reading")
    state: SensorState
    reason: Literal["high", "low", "rate", "silent"] | None
    rejected: int = Field(description="readings of this sensor refused so far")
    updated_at: str


class SensorsAnswer(Answer):
    sensors: list[SensorStateAnswer]


class RejectionCount(Answer):
    sensor_id: str
    reason: Literal[REASONS] = Field(description="a rejection reason of POST /api/sensors/readings")
    count: int
    last_at: str
    last_message: str


class RejectionsAnswer(Answer):
    rejections: list[RejectionCount]


class ReadingsAnswer(Answer):
    """Plot arrays: raw readings, or per-minute aggregates (mean in `values`, `min`, `max`)."""

    sensor_id: str
    resolution: Literal["raw", "minute"]
    times: list[float] = Field(description="epoch seconds")
    values: list[float | None]
    min: list[float] | None = Field(description="per-minute minimum; null for raw")
    max: list[float] | None = Field(description="per-minute maximum; null for raw")


class AlarmAnswer(Answer):
    """An alarm (also the feed's kind `alarm`)."""

    id: uuid.UUID
    sensor_id: str
    owner_unit_id: str | None
    jurisdiction: str | None = Field(None, description="the street its sensor lies in (its grid's)")
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


class AlarmsAnswer(Answer):
    alarms: list[AlarmAnswer]


class ReadingRejection(Answer):
    index: int = Field(description="the reading's position in the batch")
    sensor_id: str
    reason: Literal[REASONS]
    message: str


class IngestAnswer(Answer):
    accepted: int
    duplicates: int
    rejected: list[ReadingRejection]
