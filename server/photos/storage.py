"""Where the server keeps photo files: one small interface, two backends.

Keys are content addresses: ``blobs/ab/<sha256>`` for a file, ``thumbs/ab/<sha256>.jpg`` for its
thumbnail. ``put`` is atomic (a reader sees the whole file or none); ``get`` of a blob checks the content
against its name and raises ``CorruptBlob`` when they differ (a disk or bucket that lost a bit never
hands a wrong photo to a lead deciding a case).

- ``DirectoryStorage(root)``: the embedded default, a folder on the server's disk (temporary file in the
  same folder, fsync, rename).
- ``S3Storage`` (server/photos/storage_s3.py): any S3-compatible store (MinIO, Ceph, a cloud bucket).

``server.photos.backends.open_storage(settings)`` chooses from ``ONEGRID_PHOTO_STORAGE``: a folder path (default: ``photos/``
beside an SQLite database file, else ``./onegrid-photos``) or ``s3://bucket[/prefix]``.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class CorruptBlob(Exception):
    """A stored file whose content no longer matches its hash."""


def blob_key(sha: str) -> str:
    return f"blobs/{sha[:2]}/{sha}"


def thumb_key(sha: str) -> str:
    return f"thumbs/{sha[:2]}/{sha}.jpg"


def check_blob(key: str, data: bytes) -> bytes:
    if key.startswith("blobs/"):
        expected = key.rsplit("/", 1)[1]
        if hashlib.sha256(data).hexdigest() != expected:
            raise CorruptBlob(f"stored file {key} does not match its hash")
    return data


class BlobStorage(Protocol):
    name: str

    def put(self, key: str, source: Path) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


class DirectoryStorage:
    name = "directory"

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"bad storage key {key!r}")
        return path

    def put(self, key: str, source: Path) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while block := src.read(1 << 20):
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None
        return check_blob(key, data)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def default_folder(database_url: str) -> Path:
    """Without ONEGRID_PHOTO_STORAGE: `photos/` beside an SQLite database file (the demo's, the console's
    embedded server's), else ./onegrid-photos."""
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        return Path(database_url[len("sqlite:///"):]).expanduser().resolve().parent / "photos"
    return Path("./onegrid-photos")
