"""Attaching a file on the server itself, without an upload (the demo simulator; import tools): the same
checks, files and rows as a completed upload (`server.photos.uploads`), in one transaction."""
from __future__ import annotations

import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from app.photos import images
from app.photos.model import Step
from db.photos import PhotoBlobRow, PhotoRow
from server.photos.storage import blob_key, thumb_key
from server.photos.uploads import _audit, _existing
from server.platform.auth import AuthUser


def attach_bytes(ctx, user: AuthUser, case_id: uuid.UUID, step: Step | str, data: bytes, *, filename: str = "",
                 at: datetime | None = None) -> str:
    """Store `data` as a photo of the case's step (idempotent) and return its SHA-256. Raises PhotoRefused."""
    step = Step(step)
    limits = ctx.settings.photo_limits
    limits.check_size(len(data))
    with tempfile.TemporaryDirectory(prefix="onegrid-attach-") as tmp:
        path = Path(tmp) / "file"
        path.write_bytes(data)
        limits.check_type(images.sniff_file(path))
        info = images.inspect(path)
        sha = images.sha256_of(path)
        with ctx.db.writer() as session, session.begin():
            if _existing(session, case_id, step.value, sha) is not None:
                return sha
            blob = session.get(PhotoBlobRow, sha)
            reused = blob is not None
            if blob is None:
                has_thumb = info.mime in images.IMAGE_TYPES
                if has_thumb:
                    images.make_thumbnail(path, Path(tmp) / "thumb.jpg")
                    ctx.photo_storage.put(thumb_key(sha), Path(tmp) / "thumb.jpg")
                ctx.photo_storage.put(blob_key(sha), path)
                blob = PhotoBlobRow(sha256=sha, size=len(data), mime=info.mime, width=info.width,
                                    height=info.height, has_thumbnail=has_thumb, stored_at=at or ctx.now())
                session.add(blob)
            photo = PhotoRow(id=uuid.uuid4(), case_id=case_id, step=step.value, sha256=sha, filename=filename[:255],
                             taken_at=info.taken_at.isoformat() if info.taken_at else None, lat=info.lat,
                             lon=info.lon, uploaded_by=user.username, uploaded_at=at or ctx.now(),
                             console_id="server")
            session.add(photo)
            session.flush()
            _audit(session, ctx, user, photo, blob, reused=reused)
    return sha
