"""Photos on the wire (`server.photos.api`, the console's `app.sync.photo_upload`).

An upload is started (`UploadStart`: which case and step, the file's hash and size), then sent in chunks
(`PUT /api/photos/uploads/{id}?offset=N`, the raw bytes as the body) in order; a chunk at another offset
than the server's `received` is refused with it, so a cut connection resumes where the server is. The
last chunk completes it (checked, stored, a photo): the answer then carries the `PhotoAnswer`.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.photos.model import Step
from app.platform.edge_types import Text
from app.wire.base import Answer, Request

SHA256_PATTERN = r"^[0-9a-f]{64}$"
CHUNK_BYTES = 768 * 1024  # under the server's 1 MiB body limit


class UploadStart(Request):
    case_id: uuid.UUID
    step: Step
    sha256: str = Field(pattern=SHA256_PATTERN, description="SHA-256 of the whole file, lowercase hex")
    size: int = Field(gt=0, le=2**40, description="bytes of the whole file")
    filename: Text = Field(default="", max_length=255)
    console_id: Text | None = Field(default=None, max_length=64)


class PhotoAnswer(Answer):
    photo_id: uuid.UUID = Field(description="random: the blob URLs use it")
    case_id: uuid.UUID
    step: Step
    sha256: str
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    taken_at: str | None = Field(default=None, description="EXIF time as the camera wrote it, YYYY-MM-DDTHH:MM:SS")
    lat: float | None = None
    lon: float | None = None
    filename: str
    uploaded_by: str
    uploaded_at: datetime
    has_thumbnail: bool


class UploadAnswer(Answer):
    upload_id: uuid.UUID | None = Field(default=None, description="null once complete")
    received: int = Field(description="bytes the server holds; the next chunk starts here")
    size: int
    complete: bool
    photo: PhotoAnswer | None = Field(default=None, description="the stored photo, once complete")


class PhotosAnswer(Answer):
    photos: list[PhotoAnswer]
