"""Vehicles and field staff (AVL) on the wire (`server.avl.api`, docs/avl.md)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.avl.positions import REASONS
from app.wire.base import Answer, Request

MAX_BATCH = 5000  # reports per POST /api/positions


class PositionsBatch(Request):
    # Each report is checked on its own (app.avl.positions.check_report, as for MQTT): a bad one is answered in
    # `rejected` with its index and reason, and the batch's other reports are stored.
    positions: list[Any] = Field(max_length=MAX_BATCH, description=(
        "[{device_id, time: ISO-8601 with zone or epoch s, lat, lon, speed_kmh?, heading?}] (WGS-84)"))


class PositionRejected(Answer):
    index: int
    device_id: str | None
    reason: Literal[REASONS]
    message: str


class PositionsIngestAnswer(Answer):
    accepted: int
    duplicates: int
    rejected: list[PositionRejected]


class DevicePosition(Answer):
    """A device's latest position (also the feed's kind `position`)."""

    device_id: str
    kind: Literal["sanitation_truck", "muck_truck", "patrol_car", "inspector_handset"]
    owner_unit_id: str
    person: str | None
    name: str
    lat: float
    lon: float
    speed_kmh: float | None
    heading: float | None
    time: str = Field(description="ISO-8601 time of the report")
    case_id: str | None = Field(description="the open case the device is on its way to")


class PositionsAnswer(Answer):
    positions: list[DevicePosition]


class TrackPoint(Answer):
    time: str
    lat: float
    lon: float
    speed_kmh: float | None
    heading: float | None


class TrackAnswer(Answer):
    device_id: str
    start: str
    end: str
    points: list[TrackPoint]


class PositionRejectionCount(Answer):
    device_id: str
    reason: Literal[REASONS]
    count: int
    last_at: str
    last_message: str


class PositionRejectionsAnswer(Answer):
    rejections: list[PositionRejectionCount]
