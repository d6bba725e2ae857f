"""A photo (or short video, or PDF) attached to one step of a case: the core's record of it.

The same content attached twice to one case and step is one photo; the same content attached to two
cases is two photos sharing one stored file (the file is keyed by its SHA-256).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from app.platform.enums import Action
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

CTX = "Photos"


class Step(StrEnum):
    """The step of a case a photo belongs to (the strip groups by it, in this order)."""

    REPORT = "report"  # the problem as reported (inspector, citizen)
    DETECTION = "detection"  # the video-AI or drone frame that raised it
    HANDLED = "handled"  # the unit's photo of the work done
    VERIFY_PASS = "verify_pass"  # the inspector's photo at a passed verification
    VERIFY_FAIL = "verify_fail"  # … at a failed one
    CALLBACK = "callback"  # what the reporter sent at the callback


STEP_ORDER = {step: i for i, step in enumerate(Step)}

STEP_LABELS = {
    Step.REPORT: QT_TRANSLATE_NOOP("Photos", "Report"),
    Step.DETECTION: QT_TRANSLATE_NOOP("Photos", "Detection"),
    Step.HANDLED: QT_TRANSLATE_NOOP("Photos", "Handled"),
    Step.VERIFY_PASS: QT_TRANSLATE_NOOP("Photos", "Verification passed"),
    Step.VERIFY_FAIL: QT_TRANSLATE_NOOP("Photos", "Verification failed"),
    Step.CALLBACK: QT_TRANSLATE_NOOP("Photos", "Callback"),
}

# The case action whose command carries a step's photos (their hashes in the payload's `attachments`).
STEP_OF_ACTION = {
    Action.CREATE: Step.REPORT,
    Action.REPORT_HANDLED: Step.HANDLED,
    Action.CO_HANDLED: Step.HANDLED,
    Action.VERIFY_PASS: Step.VERIFY_PASS,
    Action.VERIFY_FAIL: Step.VERIFY_FAIL,
    Action.RECORD_CALLBACK: Step.CALLBACK,
}


def step_label(step: Step | str) -> str:
    return translate(CTX, STEP_LABELS.get(Step(step), str(step)))


class UploadState(StrEnum):
    QUEUED = "queued"  # waiting for the server (offline, or behind others)
    UPLOADING = "uploading"  # part of it is on the server
    UPLOADED = "uploaded"  # the server has it, complete and checked
    FAILED = "failed"  # the server refused it for good (the reason says why): in the conflicts list
    REMOTE = "remote"  # added by another console; known from the server


UPLOAD_LABELS = {
    UploadState.QUEUED: QT_TRANSLATE_NOOP("Photos", "Waiting to upload"),
    UploadState.UPLOADING: QT_TRANSLATE_NOOP("Photos", "Uploading"),
    UploadState.UPLOADED: QT_TRANSLATE_NOOP("Photos", "On the server"),
    UploadState.FAILED: QT_TRANSLATE_NOOP("Photos", "Refused by the server"),
    UploadState.REMOTE: QT_TRANSLATE_NOOP("Photos", "On the server"),
}


def upload_label(state: UploadState | str) -> str:
    return translate(CTX, UPLOAD_LABELS.get(UploadState(state), str(state)))


@dataclass(frozen=True)
class Photo:
    sha256: str  # 64 lowercase hex digits: the content's name
    case_id: UUID
    step: Step
    mime: str
    size: int  # bytes
    width: int | None = None  # upright pixels (EXIF orientation applied); None for video and PDF
    height: int | None = None
    taken_at: datetime | None = None  # EXIF DateTimeOriginal (camera's clock, no zone)
    lat: float | None = None  # EXIF GPS, WGS-84
    lon: float | None = None
    filename: str = ""  # as the person picked it (shown, never used as a path)
    added_at: datetime | None = None  # when it was attached (UTC)
    added_by: str = ""
    upload: UploadState = UploadState.QUEUED
    uploaded_bytes: int = 0
    reason: str = ""  # why the server refused it (upload FAILED)
    photo_id: str | None = None  # the server's id (random, unguessable): the blob URLs use it

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def uploaded(self) -> bool:
        return self.upload in (UploadState.UPLOADED, UploadState.REMOTE)

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None
