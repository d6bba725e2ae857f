"""One line about a photo for tooltips, the viewer and messages: its step, when it was taken (EXIF, in the
city's zone), where (EXIF GPS), its size and kind."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.platform import times
from ui.photos.steps import step_label

_TEXT = {t: t for t in (QT_TRANSLATE_NOOP("PhotoDescribe", "taken {time}"),
                        QT_TRANSLATE_NOOP("PhotoDescribe", "no EXIF time"),
                        QT_TRANSLATE_NOOP("PhotoDescribe", "at {place}"),
                        QT_TRANSLATE_NOOP("PhotoDescribe", "no EXIF location"),
                        QT_TRANSLATE_NOOP("PhotoDescribe", "waiting to upload"))}


def _tr(text: str) -> str:
    return QCoreApplication.translate("PhotoDescribe", _TEXT[text])


def location_text(lat, lon) -> str:
    return f"{float(lat):.5f}, {float(lon):.5f}"


def taken_text(taken) -> str:
    """EXIF time is the camera's clock with no zone: shown as the camera had it, not converted."""
    if getattr(taken, "tzinfo", None) is None:
        return taken.strftime("%Y-%m-%d %H:%M")
    return times.fmt(taken, "minutes")


def describe_photo(photo) -> str:
    parts = [step_label(photo.step)]
    taken = getattr(photo, "taken_at", None)
    parts.append(_tr("taken {time}").format(time=taken_text(taken)) if taken else _tr("no EXIF time"))
    lat, lon = getattr(photo, "lat", None), getattr(photo, "lon", None)
    parts.append(_tr("at {place}").format(place=location_text(lat, lon)) if lat is not None and lon is not None
                 else _tr("no EXIF location"))
    width, height = getattr(photo, "width", None), getattr(photo, "height", None)
    if width and height:
        parts.append(f"{width}×{height}")
    mime = getattr(photo, "mime", None)
    if mime:
        parts.append(str(mime))
    if getattr(photo, "uploaded", None) is False:
        parts.append(_tr("waiting to upload"))
    return " · ".join(parts)
