"""Reading pictures for the console: QImage only, so the work runs on any thread (a QPixmap is made on the GUI
thread from the finished QImage). EXIF orientation is applied by Qt's reader (`setAutoTransform`), so a photo
taken with the phone on its side shows upright in the strip and the viewer."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from ui.photos.steps import step_order

log = logging.getLogger(__name__)

THUMB_PX = 96  # the strip's square cell; a store's own thumbnails are at least this large
_KEEP_ASPECT = Qt.AspectRatioMode.KeepAspectRatio
_SMOOTH = Qt.TransformationMode.SmoothTransformation


def read_image(path: Path | str | None, max_side: int | None = None) -> QImage:
    """The picture at `path`, upright, scaled down (while decoding) to fit `max_side`; a null QImage when the
    file is missing or not a picture Qt reads (a video, a PDF, a corrupt file)."""
    if path is None or not Path(path).is_file():
        return QImage()
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    if max_side:
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > max_side:
            reader.setScaledSize(size.scaled(QSize(max_side, max_side), _KEEP_ASPECT))
    image = reader.read()
    if image.isNull():
        log.debug("cannot read %s as a picture: %s", path, reader.errorString())
        return QImage()
    if max_side and max(image.width(), image.height()) > max_side:  # readers that cannot scale while decoding
        image = image.scaled(max_side, max_side, _KEEP_ASPECT, _SMOOTH)
    return image




@dataclass(frozen=True)
class Thumb:
    """One photo of a case with its thumbnail picture (null for a file that is not a picture)."""

    photo: Any
    image: QImage


def sorted_photos(photos) -> list:
    """By step in the order of the loop, then by when each was taken (or attached)."""
    return sorted(photos, key=lambda p: (step_order(p.step), str(_time_of(p) or ""), p.sha256))


def _time_of(photo):
    return getattr(photo, "taken_at", None) or getattr(photo, "added_at", None) or getattr(photo, "created_at", None)


def load_thumbs(store, case_id) -> list[Thumb]:
    """A case's photos and their thumbnails, read from the console's cache (never the network)."""
    thumbs = []
    for photo in sorted_photos(store.photos_for_case(case_id)):
        path = store.thumbnail_path(photo)
        thumbs.append(Thumb(photo, read_image(path, THUMB_PX * 2)))
    return thumbs
