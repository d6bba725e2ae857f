"""Uploads: started, sent in chunks, completed into a stored photo — never half.

- `start`: the case must exist and be in the caller's scope (the case rule, `server.platform.scope`);
  the declared size within the limit; the step's count below the limit. The same (case, step, content)
  already stored answers complete (a replayed upload stores nothing twice); content already stored for
  another case becomes this case's photo at once, without sending the bytes again.
- `put_chunk`: the bytes at `offset`, which must be the server's `received` (else 409 `offset_mismatch`
  naming it). The first chunk's magic bytes must be an accepted type. Chunks are rows of
  `photo_chunks`, so a cut connection, a kill -9 of either side or another server process resumes at
  `received`.
- The last chunk completes it in one transaction: the bytes are put together, their SHA-256 checked
  against the declared one, the file decoded (corrupt images and decompression bombs refused), the
  thumbnail made, both put into storage (atomically), then the blob and photo rows written, the
  upload's rows deleted, and the audit entry appended. A refusal at completion deletes the upload (its
  bytes are wrong; the console must not resend them) and says why.
"""
from __future__ import annotations

import logging
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.cases.case import Case
from app.photos import images
from app.photos.images import PhotoRefused
from app.wire.photos import PhotoAnswer, UploadAnswer, UploadStart
from db.cases import CaseRow
from db.photos import PhotoBlobRow, PhotoChunkRow, PhotoRow, PhotoUploadRow
from server.audit import chain as audit
from server.photos.storage import blob_key, thumb_key
from server.platform.auth import AuthUser
from server.platform.errors import ApiError
from server.platform.scope import can_see

log = logging.getLogger(__name__)

_REFUSAL_STATUS = {"too_large": 413, "unsupported_type": 415, "too_many": 409}


def refused(exc: PhotoRefused) -> ApiError:
    return ApiError(_REFUSAL_STATUS.get(exc.reason, 422), exc.reason, exc.message)


def case_in_scope(session: Session, user: AuthUser, case_id: uuid.UUID, refdata) -> Case:
    """The case, if the caller may see it; else 404 / 403 naming only the id the caller sent."""
    data = session.execute(select(CaseRow.data).where(CaseRow.id == case_id)).scalar()
    if data is None:
        raise ApiError(404, "not_found", f"no case {case_id}")
    case = Case.model_validate(data)
    if not can_see(user, case, refdata):
        raise ApiError(403, "out_of_scope", f"case {case_id} is not in the scope of {user.role} "
                                            f"'{user.username}' of unit '{user.unit_id or 'none'}'")
    return case


def photo_answer(photo: PhotoRow, blob: PhotoBlobRow) -> PhotoAnswer:
    return PhotoAnswer(photo_id=photo.id, case_id=photo.case_id, step=photo.step, sha256=photo.sha256,
                       mime=blob.mime, size=blob.size, width=blob.width, height=blob.height,
                       taken_at=photo.taken_at, lat=photo.lat, lon=photo.lon, filename=photo.filename,
                       uploaded_by=photo.uploaded_by, uploaded_at=photo.uploaded_at,
                       has_thumbnail=blob.has_thumbnail)


def _existing(session: Session, case_id: uuid.UUID, step: str, sha: str) -> tuple[PhotoRow, PhotoBlobRow] | None:
    row = session.execute(select(PhotoRow, PhotoBlobRow).join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
                          .where(PhotoRow.case_id == case_id, PhotoRow.step == step, PhotoRow.sha256 == sha)).first()
    return (row[0], row[1]) if row else None


def _audit(session: Session, ctx, user: AuthUser, photo: PhotoRow, blob: PhotoBlobRow, *, reused: bool) -> None:
    audit.record(session, at=ctx.now(), actor=user.username, role=str(user.role), action="photo_attach",
                 entity_kind="case", entity_id=str(photo.case_id), result="accepted",
                 console_id=photo.console_id,
                 detail={"photo_id": str(photo.id), "step": photo.step, "sha256": photo.sha256, "size": blob.size,
                         "mime": blob.mime, "reused_file": reused})


def _new_photo(ctx, user: AuthUser, start: UploadStart | PhotoUploadRow, console_id: str | None,
               info: images.ImageInfo | None) -> PhotoRow:
    return PhotoRow(id=uuid.uuid4(), case_id=start.case_id, step=str(start.step), sha256=start.sha256,
                    filename=(start.filename or "")[:255],
                    taken_at=info.taken_at.isoformat() if info and info.taken_at else None,
                    lat=info.lat if info else None, lon=info.lon if info else None,
                    uploaded_by=user.username, uploaded_at=ctx.now(), console_id=console_id)


def start(ctx, user: AuthUser, body: UploadStart) -> UploadAnswer:
    limits = ctx.settings.photo_limits
    step = body.step.value
    with ctx.db.writer() as session, session.begin():
        case_in_scope(session, user, body.case_id, ctx.refdata)
        found = _existing(session, body.case_id, step, body.sha256)
        if found is not None:  # replayed: already stored, nothing stored again
            return UploadAnswer(received=found[1].size, size=found[1].size, complete=True,
                                photo=photo_answer(*found))
        try:
            limits.check_size(body.size)
            count = session.execute(select(func.count()).select_from(PhotoRow).where(
                PhotoRow.case_id == body.case_id, PhotoRow.step == step)).scalar_one()
            limits.check_count(count)
        except PhotoRefused as exc:
            raise refused(exc) from None
        blob = session.get(PhotoBlobRow, body.sha256)
        if blob is not None:  # the content is stored (another case): this case's photo at once
            if blob.size != body.size:
                raise ApiError(422, "size_mismatch", f"the file with this hash has {blob.size} bytes, not {body.size}")
            photo = _new_photo(ctx, user, body, body.console_id or user.console_id, None)
            session.add(photo)
            session.flush()
            _audit(session, ctx, user, photo, blob, reused=True)
            return UploadAnswer(received=blob.size, size=blob.size, complete=True, photo=photo_answer(photo, blob))
        upload = session.execute(select(PhotoUploadRow).where(
            PhotoUploadRow.case_id == body.case_id, PhotoUploadRow.step == step,
            PhotoUploadRow.sha256 == body.sha256).with_for_update()).scalar()
        if upload is not None and upload.size != body.size:  # a different declaration: start over
            session.delete(upload)
            session.flush()
            upload = None
        if upload is None:
            upload = PhotoUploadRow(id=uuid.uuid4(), case_id=body.case_id, step=step, sha256=body.sha256,
                                    size=body.size, filename=body.filename[:255], started_by=user.username,
                                    started_at=ctx.now(), received=0)
            session.add(upload)
        return UploadAnswer(upload_id=upload.id, received=upload.received, size=upload.size, complete=False)


class _Forget(Exception):
    def __init__(self, refusal: PhotoRefused):
        self.refusal = refusal


def put_chunk(ctx, user: AuthUser, upload_id: uuid.UUID, offset: int, data: bytes,
              console_id: str | None = None) -> UploadAnswer:
    try:
        return _put_chunk(ctx, user, upload_id, offset, data, console_id)
    except _Forget as forget:  # the bytes are wrong: forget them, so the console does not resend them
        _forget(ctx, upload_id)
        log.info("upload %s refused: %s", upload_id, forget.refusal.message)
        raise refused(forget.refusal) from None


def _put_chunk(ctx, user: AuthUser, upload_id: uuid.UUID, offset: int, data: bytes,
               console_id: str | None) -> UploadAnswer:
    limits = ctx.settings.photo_limits
    with ctx.db.writer() as session, session.begin():
        upload = session.execute(select(PhotoUploadRow).where(PhotoUploadRow.id == upload_id)
                                 .with_for_update()).scalar()
        if upload is None:
            raise ApiError(404, "unknown_upload", f"no upload {upload_id} (finished, refused or never started)")
        case_in_scope(session, user, upload.case_id, ctx.refdata)  # scope can change while it uploads
        if upload.started_by != user.username:
            raise ApiError(403, "forbidden", "only the user who started an upload may send its bytes")
        if offset != upload.received:
            raise ApiError(409, "offset_mismatch", f"the server holds {upload.received} bytes of this upload; "
                                                   f"send from there, not from {offset}",
                           details=[{"received": upload.received}])
        if not data:
            raise ApiError(422, "empty_chunk", "a chunk must carry bytes")
        if offset + len(data) > upload.size:
            raise ApiError(422, "too_long", f"the upload was declared {upload.size} bytes; this chunk would "
                                            f"make it {offset + len(data)}")
        if offset == 0:
            try:
                limits.check_head(data[:32])
            except PhotoRefused as exc:
                raise _Forget(exc) from None
        session.add(PhotoChunkRow(upload_id=upload.id, offset=offset, data=data))
        upload.received = offset + len(data)
        if upload.received < upload.size:
            session.flush()
            return UploadAnswer(upload_id=upload.id, received=upload.received, size=upload.size, complete=False)
        try:
            photo, blob = _complete(session, ctx, user, upload, console_id)
        except PhotoRefused as exc:
            raise _Forget(exc) from None
        return UploadAnswer(received=blob.size, size=blob.size, complete=True, photo=photo_answer(photo, blob))


def _forget(ctx, upload_id: uuid.UUID) -> None:
    """Delete a refused upload (in its own transaction: the caller's holds the row lock and rolls back)."""
    with ctx.db.writer() as session, session.begin():
        session.execute(delete(PhotoChunkRow).where(PhotoChunkRow.upload_id == upload_id))
        session.execute(delete(PhotoUploadRow).where(PhotoUploadRow.id == upload_id))


def _complete(session: Session, ctx, user: AuthUser, upload: PhotoUploadRow,
              console_id: str | None) -> tuple[PhotoRow, PhotoBlobRow]:
    storage = ctx.photo_storage
    with tempfile.TemporaryDirectory(prefix="onegrid-photo-") as tmp:
        path = Path(tmp) / "file"
        with open(path, "wb") as out:
            for (chunk,) in session.execute(select(PhotoChunkRow.data).where(PhotoChunkRow.upload_id == upload.id)
                                            .order_by(PhotoChunkRow.offset)):
                out.write(chunk)
        if images.sha256_of(path) != upload.sha256:
            raise PhotoRefused("hash_mismatch", "the bytes received do not have the SHA-256 the upload declared")
        ctx.settings.photo_limits.check_type(images.sniff_file(path))
        info = images.inspect(path)
        has_thumb = False
        if info.mime in images.IMAGE_TYPES:
            images.make_thumbnail(path, Path(tmp) / "thumb.jpg")
            storage.put(thumb_key(upload.sha256), Path(tmp) / "thumb.jpg")
            has_thumb = True
        storage.put(blob_key(upload.sha256), path)
    blob = session.get(PhotoBlobRow, upload.sha256)
    reused = blob is not None
    if blob is None:
        blob = PhotoBlobRow(sha256=upload.sha256, size=upload.size, mime=info.mime, width=info.width,
                            height=info.height, has_thumbnail=has_thumb, stored_at=ctx.now())
        session.add(blob)
    photo = _new_photo(ctx, user, upload, console_id or user.console_id, info)
    session.add(photo)
    session.execute(delete(PhotoChunkRow).where(PhotoChunkRow.upload_id == upload.id))
    session.execute(delete(PhotoUploadRow).where(PhotoUploadRow.id == upload.id))
    session.flush()
    _audit(session, ctx, user, photo, blob, reused=reused)
    return photo, blob


def status(ctx, user: AuthUser, upload_id: uuid.UUID) -> UploadAnswer:
    with ctx.db.reader() as session:
        upload = session.get(PhotoUploadRow, upload_id)
        if upload is None:
            raise ApiError(404, "unknown_upload", f"no upload {upload_id} (finished, refused or never started)")
        case_in_scope(session, user, upload.case_id, ctx.refdata)
        return UploadAnswer(upload_id=upload.id, received=upload.received, size=upload.size, complete=False)


def hashes_present(session: Session, case_id: uuid.UUID, hashes: list[str]) -> set[str]:
    """Which of these hashes are photos of the case on the server (for the commands that need them)."""
    if not hashes:
        return set()
    return set(session.execute(select(PhotoRow.sha256).where(PhotoRow.case_id == case_id,
                                                             PhotoRow.sha256.in_(hashes))).scalars())


