"""A photo's files as served: the thumbnail, or the full file (without EXIF when the centre's setting
`photo_strip_metadata` says other consoles receive no personal metadata). Stored files are checked by
hash on read (`server.photos.storage`); a damaged one is a 503 naming it, never a wrong picture."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from app.photos import images
from db.photos import PhotoBlobRow
from server.photos.storage import CorruptBlob, blob_key, thumb_key
from server.platform.errors import ApiError

log = logging.getLogger(__name__)


def file_bytes(ctx, blob: PhotoBlobRow, kind: str) -> tuple[bytes, str, bool]:
    """The bytes, their media type, and whether they were stripped of metadata (then they no longer
    match the photo's hash)."""
    storage = ctx.photo_storage
    if kind == "thumbnail":
        if not blob.has_thumbnail:
            raise ApiError(404, "no_thumbnail", f"a {blob.mime} file has no thumbnail")
        key, media_type = thumb_key(blob.sha256), "image/jpeg"
    else:
        key, media_type = blob_key(blob.sha256), blob.mime
    try:
        data = storage.get(key)
    except KeyError:
        log.error("photo file %s is missing from %s storage", key, storage.name)
        raise ApiError(503, "storage_unavailable", "the photo's file is missing from storage") from None
    except CorruptBlob as exc:
        log.error("%s", exc)
        raise ApiError(503, "storage_unavailable", "the photo's stored file is damaged") from None
    except Exception as exc:  # an object store that does not answer
        log.warning("photo storage failed: %s", exc)
        raise ApiError(503, "storage_unavailable", "the photo storage does not answer") from None
    if kind == "full" and ctx.settings.photo_strip_metadata and blob.mime in ("image/jpeg", "image/png"):
        with tempfile.TemporaryDirectory(prefix="onegrid-strip-") as tmp:
            src, dest = Path(tmp) / "in", Path(tmp) / "out"
            src.write_bytes(data)
            images.stripped_copy(src, dest)
            data = dest.read_bytes()
        return data, media_type, True
    return data, media_type, False
