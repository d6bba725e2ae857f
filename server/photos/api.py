"""The photo endpoints: uploads (started, chunked, resumable), a case's photos, and the files.

Every endpoint needs a bearer token and applies the case rule (`server.platform.scope`): a unit handler
reaches the photos of its own unit's cases only. The file URLs use the photo's random id, so they cannot
be guessed from the case or the content, and are of no use without a token.
"""
from __future__ import annotations

import logging
import uuid
from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from app.wire.photos import PhotoAnswer, PhotosAnswer, UploadAnswer, UploadStart
from db.photos import PhotoBlobRow, PhotoRow
from server.photos import uploads
from server.photos.serving import file_bytes
from server.platform.api import Ctx, User
from server.platform.api_responses import BODY, responses
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter(tags=["photos"])

_UPLOAD_REFUSALS = (409, "too_many, offset_mismatch")
_FILE_REFUSALS = (422, "too_large, unsupported_type, corrupt_image, decompression_bomb, hash_mismatch, "
                       "empty_chunk, too_long, size_mismatch")


def _json(answer) -> JSONResponse:
    return JSONResponse(answer.model_dump(mode="json"))


@router.post("/api/photos/uploads", response_model=None,
             responses=responses(401, (403, "out_of_scope"), (404, "not_found: no such case"), _UPLOAD_REFUSALS,
                                 *BODY, 503, ok=UploadAnswer))
def start_upload(body: UploadStart, user: User, ctx: Ctx) -> Response:
    """Start (or resume) the upload of one file for a case's step; answers where to go on from."""
    return _json(uploads.start(ctx, user, body))


@router.get("/api/photos/uploads/{upload_id}", response_model=None,
            responses=responses(401, (403, "out_of_scope"), (404, "unknown_upload"), 422, 503, ok=UploadAnswer))
def upload_status(upload_id: uuid.UUID, user: User, ctx: Ctx) -> Response:
    return _json(uploads.status(ctx, user, upload_id))


@router.put("/api/photos/uploads/{upload_id}", response_model=None,
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
            responses=responses(400, 401, (403, "out_of_scope, forbidden"), (404, "unknown_upload"), _UPLOAD_REFUSALS,
                                413, (415, "unsupported_type"), _FILE_REFUSALS, 503, ok=UploadAnswer))
async def put_chunk(upload_id: uuid.UUID, request: Request, user: User, ctx: Ctx,
                    offset: int = Query(ge=0, le=2**40, description="where these bytes start in the file")) -> Response:
    """The raw bytes of the file from `offset` (`application/octet-stream`); the last chunk completes it."""
    data = await request.body()
    answer = await run_in_threadpool(uploads.put_chunk, ctx, user, upload_id, offset, data,
                                     (request.headers.get("x-onegrid-console") or "")[:64] or None)
    return _json(answer)


@router.get("/api/cases/{case_id}/photos", response_model=None,
            responses=responses(401, (403, "out_of_scope"), 404, 422, 503, ok=PhotosAnswer))
def case_photos(case_id: uuid.UUID, user: User, ctx: Ctx) -> Response:
    with ctx.db.reader() as session:
        uploads.case_in_scope(session, user, case_id, ctx.refdata)
        rows = session.execute(select(PhotoRow, PhotoBlobRow).join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
                               .where(PhotoRow.case_id == case_id).order_by(PhotoRow.uploaded_at)).all()
        answer = PhotosAnswer(photos=[uploads.photo_answer(p, b) for p, b in rows])
    return _json(answer)


def _photo(ctx, user, photo_id: uuid.UUID) -> tuple[PhotoRow, PhotoBlobRow]:
    with ctx.db.reader() as session:
        row = session.execute(select(PhotoRow, PhotoBlobRow).join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
                              .where(PhotoRow.id == photo_id)).first()
        if row is None:
            raise ApiError(404, "not_found", f"no photo {photo_id}")
        uploads.case_in_scope(session, user, row[0].case_id, ctx.refdata)
        return row[0], row[1]


@router.get("/api/photos/{photo_id}", response_model=None,
            responses=responses(401, (403, "out_of_scope"), 404, 422, 503, ok=PhotoAnswer))
def photo_meta(photo_id: uuid.UUID, user: User, ctx: Ctx) -> Response:
    return _json(uploads.photo_answer(*_photo(ctx, user, photo_id)))


@router.get("/api/photos/{photo_id}/{kind}", response_model=None, response_class=Response,
            responses={**responses(401, (403, "out_of_scope"), (404, "not_found, no_thumbnail"), 422,
                                   (503, "database_unavailable, storage_unavailable")),
                       200: {"description": "the file (the thumbnail is always a JPEG)", "content": {
                           "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                           "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
def photo_file(photo_id: uuid.UUID, kind: Literal["thumbnail", "full"], user: User, ctx: Ctx) -> Response:
    """`thumbnail` (JPEG, 320 px, no metadata) or `full` (the file; without EXIF when the centre says so)."""
    photo, blob = _photo(ctx, user, photo_id)
    data, media_type, stripped = file_bytes(ctx, blob, kind)
    headers = {"Cache-Control": "private, max-age=86400, immutable"}
    if stripped:
        headers["X-OneGrid-Stripped"] = "1"  # not the original bytes: they cannot match the photo's hash
    return Response(data, media_type=media_type, headers=headers)
