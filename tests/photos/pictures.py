"""Pictures drawn for the photo tests: JPEGs with EXIF orientation, time and GPS, PNGs, and broken
files (truncated, lying extension, a decompression bomb)."""
from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw


def _dms(value: float) -> tuple:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60, 4)
    return (Fraction(d), Fraction(m), Fraction(s).limit_denominator(10000))


def jpeg_bytes(width: int = 400, height: int = 200, *, color=(200, 40, 40), orientation: int | None = None,
               gps: tuple[float, float] | None = None, taken: str | None = None, quality: int = 85,
               noise: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 4, height // 4), fill=(0, 0, 255))  # a blue corner: where "top-left" is
    if noise:
        import os
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        lat, lon = gps
        exif.get_ifd(0x8825).update({1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W",
                                     4: _dms(lon)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 10, 128)).save(out, "PNG")
    return out.getvalue()


def bomb_png() -> bytes:
    """A PNG of 20,000 × 20,000 pixels (400 megapixels) that compresses to a few hundred kB."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def write(directory: Path, name: str, data: bytes) -> Path:
    path = Path(directory) / name
    path.write_bytes(data)
    return path
