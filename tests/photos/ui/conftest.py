"""Photos for the console tests: real files drawn with Pillow (with EXIF time, GPS and orientation when
asked) and the console's real photo store over a temporary cache folder."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.photos.store import PhotoStore


def draw_photo(path: Path, colour: str = "#b03030", size=(640, 480), *, taken: datetime | None = None,
               gps: tuple[float, float] | None = None, orientation: int | None = None, label: str = "") -> Path:
    """A JPEG (or PNG by suffix) with a coloured field and a white bar across its top third, so a test can
    tell which way up it is shown."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, size[0], size[1] // 3], fill="white")
    if label:
        draw.text((10, size[1] // 2), label, fill="black")
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps:
        lat, lon = gps
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[3] = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        ifd[2], ifd[4] = _dms(abs(lat)), _dms(abs(lon))
    kwargs = {"exif": exif.tobytes()} if (orientation or taken or gps) and path.suffix.lower() != ".png" else {}
    image.save(path, **kwargs)
    return path


def _dms(value: float):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), float(seconds))


@pytest.fixture
def photo_store(tmp_path):
    store = PhotoStore(tmp_path / "photo-cache")
    yield store
    store.close()


@pytest.fixture
def photo_files(tmp_path):
    """photo_files(name, **draw_photo kwargs) -> a new picture file under tmp_path."""
    folder = tmp_path / "camera"
    folder.mkdir()

    def make(name: str, **kwargs) -> Path:
        return draw_photo(folder / name, **kwargs)

    return make
