"""What a photo file is, read from its bytes: type by magic bytes, dimensions, EXIF time and place,
and the thumbnail (EXIF orientation applied). Shared by the console's store and the server.

Every refusal is a `PhotoRefused` with a reason code and a sentence naming what was wrong, so the
console, `onegrid-ctl` and the server's 4xx say the same thing. Pillow's decompression-bomb guard is
made an error (not a warning) for every decode done here: a tiny file that would inflate to gigapixels
is refused before it is decoded.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

# HEIC/HEIF: only when the well-kept reader is installed. It is registered with Pillow the first time a HEIF
# file is opened, not when this module loads: its library is 4 MB of a console's memory that most shifts never
# need (the console loads this module at start, for the photo strip).
HEIF = importlib.util.find_spec("pillow_heif") is not None
_heif_registered = False


def _heif_opener_for(source: Path | BinaryIO) -> None:
    """Register the HEIF reader if `source` is a HEIF file and it is not registered yet."""
    global _heif_registered
    if _heif_registered or not HEIF:
        return
    try:
        if isinstance(source, (str, Path)):
            mime = sniff_file(Path(source))
        else:
            position = source.tell()
            mime = sniff(source.read(32))
            source.seek(position)
    except OSError:
        return  # unreadable: Pillow says so, as for any file
    if mime == "image/heic":
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True

# Images decoded here never exceed this many pixels (about 60 megapixels: the largest phone and drone
# cameras); above it Pillow's guard raises instead of decoding.
MAX_PIXELS = 64_000_000
THUMBNAIL_PX = 320  # the longer side of a thumbnail
THUMBNAIL_QUALITY = 80

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/heic"})
PLAIN_TYPES = frozenset({"video/mp4", "video/quicktime", "application/pdf"})
ALL_TYPES = IMAGE_TYPES | PLAIN_TYPES

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic", "video/mp4": ".mp4",
              "video/quicktime": ".mov", "application/pdf": ".pdf"}


class PhotoRefused(ValueError):
    """A file that cannot be taken, and why. `reason` is a code (`unsupported_type`, `corrupt_image`,
    `too_large`, `decompression_bomb`, `too_many`, `hash_mismatch`, …); the message is a sentence."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    mime: str
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None  # EXIF DateTimeOriginal, as written by the camera (no zone)
    lat: float | None = None
    lon: float | None = None


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes (at least 16), whatever its name says; None: not a type
    OneGrid takes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    return None


def sniff_file(path: Path) -> str | None:
    with open(path, "rb") as f:
        return sniff(f.read(32))


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _open(source: Path | BinaryIO) -> Image.Image:
    """Open an image with the bomb guard as an error. Raises PhotoRefused."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        _heif_opener_for(source)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused("decompression_bomb", f"The image would decode to more than {MAX_PIXELS:,} "
                                                 "pixels and is refused") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoRefused("corrupt_image", f"The file is not a readable image ({exc})") from exc


def _ratio(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return float(value[0]) / float(value[1])


def _dms(values, ref: str) -> float | None:
    try:
        degrees = _ratio(values[0]) + _ratio(values[1]) / 60 + _ratio(values[2]) / 3600
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    return -degrees if ref in ("S", "W") else degrees


def _exif_facts(image: Image.Image) -> tuple[datetime | None, float | None, float | None]:
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block never refuses an otherwise good photo
        return None, None, None
    taken_at = None
    try:
        text = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, else DateTime
        if text:
            taken_at = datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (ValueError, KeyError):
        taken_at = None
    lat = lon = None
    try:
        gps = exif.get_ifd(0x8825)
        if gps and 2 in gps and 4 in gps:
            lat = _dms(gps[2], str(gps.get(1, "N")))
            lon = _dms(gps[4], str(gps.get(3, "E")))
            if lat is not None and not -90 <= lat <= 90 or lon is not None and not -180 <= lon <= 180:
                lat = lon = None
    except Exception:
        lat = lon = None
    return taken_at, lat, lon


def inspect(path: Path) -> ImageInfo:
    """Type (by magic bytes), and for an image its upright dimensions, EXIF time and place; the image is
    fully decoded once, so a truncated or corrupt one is refused here. Raises PhotoRefused."""
    mime = sniff_file(path)
    if mime is None:
        raise PhotoRefused("unsupported_type", "The file is not a JPEG, PNG, HEIC, MP4/MOV video or PDF "
                                               "(judged by its content, not its name)")
    if mime == "image/heic" and not HEIF:
        raise PhotoRefused("unsupported_type", "HEIC photos need pillow-heif, which is not installed here")
    if mime not in IMAGE_TYPES:
        return ImageInfo(mime=mime)
    image = _open(path)
    with image:
        taken_at, lat, lon = _exif_facts(image)
        width, height = image.size
        orientation = image.getexif().get(0x0112, 1) if hasattr(image, "getexif") else 1
        try:
            # A JPEG is decoded at 1/8 scale: every byte of it is still read and checked (a truncated or
            # damaged file fails here), at a fraction of the full decode's time.
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
        except Exception as exc:
            raise PhotoRefused("corrupt_image", f"The image is damaged and cannot be decoded ({exc})") from exc
        if orientation in (5, 6, 7, 8):
            width, height = height, width
    return ImageInfo(mime=mime, width=width, height=height, taken_at=taken_at, lat=lat, lon=lon)


def exif_location(path: Path) -> tuple[float, float] | None:
    """(lat, lon) from the photo's EXIF GPS block, or None (no block, not an image, unreadable)."""
    try:
        image = _open(path)
    except PhotoRefused:
        return None
    with image:
        _, lat, lon = _exif_facts(image)
    return (lat, lon) if lat is not None and lon is not None else None


def make_thumbnail(source: Path | BinaryIO, dest: Path, max_px: int = THUMBNAIL_PX) -> tuple[int, int]:
    """A JPEG thumbnail, upright (EXIF orientation applied) and without any metadata, written atomically
    to `dest`. Returns its size. Raises PhotoRefused."""
    image = _open(source)
    with image:
        try:
            image.draft("RGB", (max_px, max_px))  # JPEG: decode at a reduced scale, much faster
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((max_px, max_px))
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
        except Exception as exc:
            raise PhotoRefused("corrupt_image", f"The image is damaged and cannot be decoded ({exc})") from exc
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        upright.save(tmp, "JPEG", quality=THUMBNAIL_QUALITY)
        tmp.replace(dest)
        return upright.size


def stripped_copy(source: Path, dest: Path) -> None:
    """The image without its EXIF/XMP metadata (place, camera, owner), pixels upright; for centres whose
    setting says other consoles receive no personal metadata."""
    image = _open(source)
    with image:
        upright = ImageOps.exif_transpose(image)
        fmt = "PNG" if image.format == "PNG" else "JPEG"
        if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        tmp = dest.with_name(dest.name + ".part")
        upright.save(tmp, fmt, quality=92) if fmt == "JPEG" else upright.save(tmp, fmt)
        tmp.replace(dest)
