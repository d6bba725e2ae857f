"""A case's thumbnails in the map popup. The page asks for ``onegrid://photos/<case id>/<sha256>.jpg``;
the map's URL scheme handler answers from the console's photo cache (`thumbnail_bytes`, off the GUI thread),
so the page itself never reaches the network and only names photos of the case it was told about."""
from __future__ import annotations

import logging
import re
from uuid import UUID

from app.map.page import SCHEME
from ui.photos.describe import describe_photo
from ui.photos.images import sorted_photos
from ui.photos.steps import step_label

log = logging.getLogger(__name__)

PHOTO_HOST = "photos"
POPUP_MAX = 6  # thumbnails in a popup: enough to recognise the case; the strip shows them all
_PATH = re.compile(r"^/([0-9a-fA-F-]{36})/([0-9a-f]{64})\.jpg$")


def photo_url(photo) -> str:
    return f"{SCHEME}://{PHOTO_HOST}/{photo.case_id}/{photo.sha256}.jpg"


def parse_path(path: str) -> tuple[UUID, str] | None:
    """(case id, sha256) of a photo URL's path; None for anything else (no path tricks get through)."""
    match = _PATH.match(path)
    if match is None:
        return None
    try:
        return UUID(match.group(1)), match.group(2)
    except ValueError:
        return None


def thumbnail_bytes(store, path: str) -> bytes | None:
    """The thumbnail of the photo a URL path names, if that photo belongs to that case; any thread."""
    parsed = parse_path(path)
    if parsed is None or store is None:
        return None
    case_id, sha = parsed
    photo = next((p for p in store.photos_for_case(case_id) if p.sha256 == sha), None)
    if photo is None:
        return None
    thumb = store.thumbnail_path(photo)
    return thumb.read_bytes() if thumb is not None else None


def popup_message(store, case_id: UUID) -> dict:
    """The page's ``photos`` message for a case: up to POPUP_MAX thumbnails (report first) with captions."""
    photos = [p for p in sorted_photos(store.photos_for_case(case_id)) if str(getattr(p, "mime", "")).startswith(
        "image/")]
    return {"op": "photos", "id": str(case_id), "total": len(photos),
            "thumbs": [{"url": photo_url(p), "step": str(p.step), "label": step_label(p.step),
                        "title": describe_photo(p)} for p in photos[:POPUP_MAX]]}
