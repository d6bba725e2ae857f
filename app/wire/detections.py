"""Detections on the wire (`server.detections.api`, docs/detections.md): what a video-AI or drone gateway
posts, the detection as the server answers it (also the feed's kind `detection`), the review queue, the
reference tables and the false-positive rates."""
from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from app.platform.edge_types import Latitude, Longitude, Text, Time
from app.wire.base import Answer, Request

FRAME_MAX_BYTES = 2 * 1024 * 1024   # a decoded frame; the body limit is the server's max_body_bytes
STATES = Literal["pending", "confirmed", "rejected", "opened", "joined", "ignored"]
Code = Annotated[Text, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class DetectionIn(Request):
    id: uuid.UUID | None = Field(default=None, description="the gateway's id of the detection: a retry with "
                                                           "the same id is answered as the first time")
    source: Literal["video_ai", "drone"]
    camera_id: Code = Field(description="the camera's or drone's id in the reference table")
    type: Annotated[Text, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")] = Field(
        description="the detection type's code (mapped to a case category by the reference table)")
    confidence: float = Field(ge=0, le=1, strict=True)
    time: Time = Field(description="when it was seen, ISO-8601 with zone")
    lat: Latitude | None = Field(default=None, description="where; omitted: the camera's known place")
    lon: Longitude | None = None
    frame: Annotated[str, Field(max_length=3 * FRAME_MAX_BYTES // 2)] | None = Field(
        default=None, description="the frame, a base64 JPEG or PNG")
    frame_url: Annotated[Text, Field(max_length=2000, pattern=r"^https?://")] | None = Field(
        default=None, description="or the frame's URL on the gateway")


class Detection(Answer):
    id: uuid.UUID
    source: str
    camera_id: str
    camera_name: str
    type_code: str
    type_name: str                 # English
    type_name_zh: str = ""         # the reference table's own (Chinese) name
    category_code: str
    confidence: float
    detected_at: str
    received_at: str
    lat: float
    lon: float
    frame_url: str | None
    state: STATES
    case_id: uuid.UUID | None
    repeat_of: uuid.UUID | None
    repeats: int = Field(description="later detections that joined this one while it was pending")
    why: str
    reason: str | None
    decided_by: str | None
    decided_at: str | None
    version: int


class IngestAnswer(Answer):
    detection: Detection
    duplicate: bool = Field(description="true when this id was received before (the first answer's detection)")


class QueueAnswer(Answer):
    detections: list[Detection]
    counts: dict[str, int]


class CameraRecord(Request):
    id: Code
    kind: Literal["video_ai", "drone"]
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    lat: Latitude | None = None
    lon: Longitude | None = None
    owner_unit_id: Annotated[Text, Field(max_length=64)] | None = None
    active: bool = True


class TypeRecord(Request):
    code: Annotated[Text, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    name_en: Annotated[Text, Field(min_length=1, max_length=200)]
    category_code: Annotated[Text, Field(min_length=1, max_length=16)]
    min_confidence: float = Field(ge=0, le=1)
    quiet_period_s: int = Field(ge=0, le=7 * 86400)
    auto_open: bool = False


class ReferenceBody(Request):
    cameras: list[CameraRecord] = Field(max_length=10_000)
    types: list[TypeRecord] = Field(max_length=1_000)


class ReferenceAnswer(Answer):
    cameras: list[dict]
    types: list[dict]


class FrameAnswer(Answer):
    detection_id: uuid.UUID
    content_type: Literal["image/jpeg", "image/png"]
    data: str = Field(description="the image, base64")


class RateRow(Answer):
    camera_id: str
    type_code: str
    confirmed: int
    rejected: int
    value: float | None


class RatesAnswer(Answer):
    formula: str
    start: str
    end: str
    rates: list[RateRow]
