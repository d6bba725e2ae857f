"""Media uploaded with a service request (the spec's multipart `media` field) become the new case's report
photo in the photo storage (docs/photos.md), and are served back to anyone at `media/{photo_id}`.

- Checked before the case is created: at most `max_media_bytes`, an image by its content (JPEG, PNG, HEIC),
  fully decoded within the decompression-bomb limit. A bad upload is refused with the spec's error body and
  creates nothing.
- The files (the image and its thumbnail, content-addressed) are put into storage first; the photo's rows
  are written by the creating command's transaction (`server.open311.intake`), so a refused create leaves
  no photo (at most an unreferenced file, as a failed upload completion does).
- `media_url` in GET answers names `…/open311/v2/media/{photo_id}`: the photo's id is random, so the URL
  cannot be guessed from the case; it serves only photos a citizen app uploaded (never an operator's or a
  unit's photo of the same case), without metadata (EXIF place, camera), and needs no key, as a citizen
  app shows it to anyone.
"""
from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.open311.formats import Open311Error
from app.photos import images
from app.photos.images import PhotoRefused
from app.photos.model import Step
from db.photos import PhotoBlobRow, PhotoRow
from server.photos.storage import blob_key, thumb_key
from server.photos.uploads import _audit
from server.platform.auth import AuthUser

log = logging.getLogger(__name__)

ROUTE = "media"


@dataclass(frozen=True)
class Media:
    """An uploaded file that passed the checks, its files already in storage."""

    sha256: str
    size: int
    mime: str
    width: int | None
    height: int | None
    filename: str
    has_thumbnail: bool


def accept(ctx, data: bytes, filename: str, max_bytes: int) -> Media:
    """Check the upload and put its files into storage (blocking). Raises Open311Error."""
    if not data:
        raise Open311Error(400, "media is an empty file")
    if len(data) > max_bytes:
        raise Open311Error(413, f"media is {len(data)} bytes; at most {max_bytes} bytes are accepted")
    with tempfile.TemporaryDirectory(prefix="onegrid-open311-") as tmp:
        path = Path(tmp) / "media"
        path.write_bytes(data)
        mime = images.sniff_file(path)
        if mime not in images.IMAGE_TYPES:
            raise Open311Error(400, "media must be a JPEG, PNG or HEIC image (judged by its content, not its name)")
        try:
            info = images.inspect(path)
            images.make_thumbnail(path, Path(tmp) / "thumb.jpg")
        except PhotoRefused as exc:
            raise Open311Error(400, f"media: {exc.message}") from None
        sha = images.sha256_of(path)
        storage = ctx.photo_storage
        try:
            storage.put(blob_key(sha), path)
            storage.put(thumb_key(sha), Path(tmp) / "thumb.jpg")
        except Exception as exc:  # an object store that does not answer: nothing was created
            log.warning("open311 media not stored: %s", exc)
            raise Open311Error(503, "the photo storage does not answer; retry later",
                               headers={"Retry-After": "5"}) from None
    return Media(sha, len(data), info.mime, info.width, info.height, filename[:255], True)


def write_rows(session: Session, ctx, user: AuthUser, case_id: uuid.UUID, media: Media, console_id: str) -> None:
    """The photo's rows (and its audit entry), in the creating command's transaction."""
    blob = session.get(PhotoBlobRow, media.sha256)
    reused = blob is not None
    if blob is None:
        blob = PhotoBlobRow(sha256=media.sha256, size=media.size, mime=media.mime, width=media.width,
                            height=media.height, has_thumbnail=media.has_thumbnail, stored_at=ctx.now())
        session.add(blob)
    photo = PhotoRow(id=uuid.uuid4(), case_id=case_id, step=Step.REPORT.value, sha256=media.sha256,
                     filename=media.filename, taken_at=None, lat=None, lon=None, uploaded_by=user.username,
                     uploaded_at=ctx.now(), console_id=console_id[:64])
    session.add(photo)
    session.flush()
    _audit(session, ctx, user, photo, blob, reused=reused)


def media_ids(session: Session, case_ids: Iterable[uuid.UUID], uploader: str) -> dict[uuid.UUID, uuid.UUID]:
    """The first photo a citizen app uploaded with each case: case id → photo id."""
    wanted = list(case_ids)
    if not wanted:
        return {}
    rows = session.execute(select(PhotoRow.case_id, PhotoRow.id)
                           .where(PhotoRow.case_id.in_(wanted), PhotoRow.uploaded_by == uploader)
                           .order_by(PhotoRow.uploaded_at.desc()))
    return {case_id: photo_id for case_id, photo_id in rows}  # the earliest wins (written last)


def media_file(ctx, session: Session, photo_id: str, uploader: str) -> tuple[bytes, str]:
    """The bytes and media type of a citizen app's photo, without metadata. Raises Open311Error 404."""
    try:
        key = uuid.UUID(photo_id)
    except ValueError:
        raise Open311Error(404, "no media has that id") from None
    row = session.execute(select(PhotoRow.sha256, PhotoBlobRow.mime).join(
        PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256).where(
        PhotoRow.id == key, PhotoRow.uploaded_by == uploader)).first()
    if row is None:
        raise Open311Error(404, "no media has that id")
    sha, mime = row
    storage = ctx.photo_storage
    try:
        if mime not in ("image/jpeg", "image/png"):  # HEIC: its thumbnail, which any browser shows
            return storage.get(thumb_key(sha)), "image/jpeg"
        with tempfile.TemporaryDirectory(prefix="onegrid-open311-") as tmp:
            src, dest = Path(tmp) / "in", Path(tmp) / "out"
            src.write_bytes(storage.get(blob_key(sha)))
            images.stripped_copy(src, dest)
            return dest.read_bytes(), mime
    except Exception as exc:  # missing, damaged (hash-checked) or a store that does not answer
        log.error("open311 media %s cannot be served: %s", photo_id, exc)
        raise Open311Error(503, "the media cannot be read from storage; retry later",
                           headers={"Retry-After": "30"}) from None
