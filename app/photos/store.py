"""PhotoStore: the console's photos, offline first, in its cache folder. Qt-free.

Contract (what the console's widgets, the CLI and the sync engine may rely on):

- ``PhotoStore(directory, cache_limit_bytes=2 GB, limits=PhotoLimits())`` keeps everything under
  ``directory/photos/``: ``blobs/ab/<sha256>`` (the files, content-addressed: the same content is stored
  once, whatever the cases it is attached to), ``thumbs/ab/<sha256>.jpg`` (upright JPEG thumbnails,
  320 px, no metadata) and ``photos.sqlite`` (the index and the upload queue, ``synchronous=FULL``: an
  attached photo and its queued upload survive ``kill -9``).
- ``add(case_id, step, path, added_by="") -> Photo``: checks the file (type by content, size, count per
  step, a decodable image within the decompression-bomb limit; else raises ``PhotoRefused`` with a
  ``reason`` code and a sentence), copies it in by SHA-256, makes the thumbnail (EXIF orientation
  applied), reads EXIF time and place, and queues the upload — all before it returns. Adding the same
  content to the same case and step again returns the photo already there. Works with no network.
- ``photos_for_case(case_id) -> list[Photo]``: in step order (``Step``), then as attached.
- ``thumbnail_path(photo)`` / ``full_path(photo)``: a local file path, or None when the file is not here
  and cannot be had now. When a ``fetcher`` is set (the sync engine sets one while online) a missing
  file of a photo known to the server is fetched on demand (a blocking call: call it off the GUI
  thread). A full image opened is kept as recently used.
- ``exif_location(path) -> (lat, lon) | None``: for offering a photo's place as the case's location.
- ``events.changed(case_ids)``: photos of those cases were added, uploaded, refused or learned from the
  server (emitted on the calling thread; the UI adapts it to a Qt signal).
- The upload queue (for ``app.sync``): ``pending_uploads()``, ``note_progress``, ``note_uploaded``,
  ``note_refused`` (the photo goes to ``failed_uploads()``: the conflicts list, with its reason; the
  queue goes on), ``ready(case_id, hashes)`` (every one of those photos is on the server, or refused for
  good — the step's command may be pushed).
- The cache stays within ``cache_limit_bytes``: when an add or a fetch takes it over, the least
  recently used full images already on the server are evicted first, then least recently used
  thumbnails, down to 90 % of the limit. A file that is not on the server yet is never evicted.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Protocol
from uuid import UUID

from app.photos import images
from app.photos.images import PhotoRefused
from app.photos.limits import PhotoLimits
from app.photos.model import STEP_ORDER, Photo, Step, UploadState
from app.platform.events import EventGroup

log = logging.getLogger(__name__)

DEFAULT_CACHE_LIMIT = 2 * 1024 ** 3  # ConsoleSettings.photo_cache_mb's default
LOW_WATER = 0.9  # an eviction frees down to this share of the limit, so it does not run at every add
SHA_HEX = frozenset("0123456789abcdef")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS photos (
    case_id TEXT NOT NULL, step TEXT NOT NULL, sha256 TEXT NOT NULL,
    mime TEXT NOT NULL, size INTEGER NOT NULL, width INTEGER, height INTEGER,
    taken_at TEXT, lat REAL, lon REAL, filename TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL, added_by TEXT NOT NULL DEFAULT '',
    upload TEXT NOT NULL, uploaded_bytes INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '',
    photo_id TEXT,
    PRIMARY KEY (case_id, step, sha256));
CREATE INDEX IF NOT EXISTS photos_upload ON photos (upload);
CREATE INDEX IF NOT EXISTS photos_sha ON photos (sha256);
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT NOT NULL, kind TEXT NOT NULL, bytes INTEGER NOT NULL, used REAL NOT NULL,
    PRIMARY KEY (sha256, kind));
CREATE INDEX IF NOT EXISTS files_used ON files (used);
"""

_COLUMNS = ("case_id, step, sha256, mime, size, width, height, taken_at, lat, lon, filename, added_at, "
            "added_by, upload, uploaded_bytes, reason, photo_id")


class PhotoFetcher(Protocol):
    """What the store needs from the network to fetch a file it does not have (app.sync provides it)."""

    def fetch_photo(self, photo_id: str, kind: str, dest: Path) -> bool:
        """Write the server's `kind` ("thumbnail" or "full") of the photo to `dest`; raise on failure.
        Returns whether the bytes are the original file (False: the server stripped its metadata, so
        they cannot match the photo's hash)."""


def is_sha256(text: str) -> bool:
    return len(text) == 64 and set(text) <= SHA_HEX


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _row_photo(row: tuple) -> Photo:
    (case_id, step, sha, mime, size, width, height, taken_at, lat, lon, filename, added_at, added_by,
     upload, uploaded_bytes, reason, photo_id) = row
    return Photo(sha256=sha, case_id=UUID(case_id), step=Step(step), mime=mime, size=size, width=width,
                 height=height, taken_at=_dt(taken_at), lat=lat, lon=lon, filename=filename,
                 added_at=_dt(added_at), added_by=added_by, upload=UploadState(upload),
                 uploaded_bytes=uploaded_bytes, reason=reason, photo_id=photo_id)


class PhotoStore:
    def __init__(self, directory: Path, *, cache_limit_bytes: int = DEFAULT_CACHE_LIMIT,
                 limits: PhotoLimits | None = None):
        self.root = Path(directory) / "photos"
        self.root.mkdir(parents=True, exist_ok=True)
        self.cache_limit_bytes = cache_limit_bytes
        self.limits = limits or PhotoLimits()
        self.fetcher: PhotoFetcher | None = None
        self.events = EventGroup("changed", "uploads_changed")
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.root / "photos.sqlite", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        # an upload cut by a crash is resumed from the server's offset, never taken as done
        self._db.execute("UPDATE photos SET upload = ? WHERE upload = ?", (UploadState.QUEUED, UploadState.UPLOADING))

    @classmethod
    def for_console(cls, directory: Path, settings) -> PhotoStore:
        """The store of a console's cache folder, sized by its settings (`ConsoleSettings.photo_cache_mb`)."""
        return cls(directory, cache_limit_bytes=settings.photo_cache_mb * 1024 * 1024)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ paths

    def _blob(self, sha: str) -> Path:
        return self.root / "blobs" / sha[:2] / sha

    def _thumb(self, sha: str) -> Path:
        return self.root / "thumbs" / sha[:2] / f"{sha}.jpg"

    # ------------------------------------------------------------------ adding

    def add(self, case_id: UUID, step: Step | str, path: Path | str, *, added_by: str = "",
            filename: str | None = None) -> Photo:
        """See the module docstring. Raises PhotoRefused (nothing is kept then) or OSError."""
        step = Step(step)
        path = Path(path)
        size = path.stat().st_size
        self.limits.check_size(size)
        self.limits.check_type(images.sniff_file(path))
        info = images.inspect(path)  # decodes it: corrupt images and bombs are refused here
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(exist_ok=True)
        with open(path, "rb") as src, tempfile.NamedTemporaryFile(dir=tmp_dir, delete=False) as tmp:
            shutil.copyfileobj(src, tmp, 1 << 20)
        tmp_path = Path(tmp.name)
        try:
            sha = images.sha256_of(tmp_path)
            with self._lock:
                existing = self._get(case_id, step, sha)
                if existing is not None:
                    return existing
                self.limits.check_count(self._count(case_id, step))
                blob = self._blob(sha)
                if not blob.exists():
                    blob.parent.mkdir(parents=True, exist_ok=True)
                    tmp_path.replace(blob)
                now = datetime.now(timezone.utc)
                if info.mime in images.IMAGE_TYPES and not self._thumb(sha).exists():
                    images.make_thumbnail(blob, self._thumb(sha))
                self._db.execute("BEGIN")
                self._db.execute(
                    f"INSERT INTO photos ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (str(case_id), step.value, sha, info.mime, size, info.width, info.height,
                     info.taken_at.isoformat() if info.taken_at else None, info.lat, info.lon,
                     filename if filename is not None else path.name, now.isoformat(), added_by,
                     UploadState.QUEUED.value, 0, "", None))
                self._note_file(sha, "full", blob.stat().st_size)
                if self._thumb(sha).exists():
                    self._note_file(sha, "thumb", self._thumb(sha).stat().st_size)
                self._db.execute("COMMIT")
                photo = self._get(case_id, step, sha)
        finally:
            tmp_path.unlink(missing_ok=True)
        self.enforce_limit()
        self.events.changed.emit([case_id])
        self.events.uploads_changed.emit()
        assert photo is not None
        return photo

    def _note_file(self, sha: str, kind: str, size: int) -> None:
        self._db.execute("INSERT INTO files (sha256, kind, bytes, used) VALUES (?,?,?,?) ON CONFLICT "
                         "(sha256, kind) DO UPDATE SET bytes = excluded.bytes, used = excluded.used",
                         (sha, kind, size, time.time()))

    def _touch(self, sha: str, kind: str) -> None:
        with self._lock:
            self._db.execute("UPDATE files SET used = ? WHERE sha256 = ? AND kind = ?", (time.time(), sha, kind))

    # ------------------------------------------------------------------ reading

    def _get(self, case_id: UUID, step: Step, sha: str) -> Photo | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM photos WHERE case_id = ? AND step = ? AND sha256 = ?",
                               (str(case_id), step.value, sha)).fetchone()
        return _row_photo(row) if row else None

    def _count(self, case_id: UUID, step: Step) -> int:
        return self._db.execute("SELECT count(*) FROM photos WHERE case_id = ? AND step = ?",
                                (str(case_id), step.value)).fetchone()[0]

    def photo(self, case_id: UUID, step: Step | str, sha: str) -> Photo | None:
        with self._lock:
            return self._get(case_id, Step(step), sha)

    def photos_for_case(self, case_id: UUID) -> list[Photo]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM photos WHERE case_id = ? ORDER BY added_at, rowid",
                                    (str(case_id),)).fetchall()
        photos = [_row_photo(r) for r in rows]
        return sorted(photos, key=lambda p: STEP_ORDER[p.step])  # stable: attach order within a step

    def case_ids(self) -> list[UUID]:
        with self._lock:
            return [UUID(r[0]) for r in self._db.execute("SELECT DISTINCT case_id FROM photos")]

    def thumbnail_path(self, photo: Photo) -> Path | None:
        thumb = self._thumb(photo.sha256)
        if thumb.exists():
            self._touch(photo.sha256, "thumb")
            return thumb
        if not photo.is_image:
            return None
        blob = self._blob(photo.sha256)
        try:
            if blob.exists():
                images.make_thumbnail(blob, thumb)
            elif self.fetcher is not None and photo.photo_id:
                self._fetch(photo, "thumbnail", thumb)
            else:
                return None
        except Exception as exc:  # offline, refused, damaged: the strip shows a placeholder
            log.info("no thumbnail for %s: %s", photo.sha256[:12], exc)
            return None
        with self._lock:
            self._note_file(photo.sha256, "thumb", thumb.stat().st_size)
        self.enforce_limit()
        return thumb

    def full_path(self, photo: Photo) -> Path | None:
        blob = self._blob(photo.sha256)
        if blob.exists():
            self._touch(photo.sha256, "full")
            return blob
        if self.fetcher is None or not photo.photo_id:
            return None
        try:
            self._fetch(photo, "full", blob)
        except Exception as exc:
            log.info("could not fetch %s: %s", photo.sha256[:12], exc)
            return None
        with self._lock:
            self._note_file(photo.sha256, "full", blob.stat().st_size)
        self.enforce_limit(keep={photo.sha256})
        return blob

    def _fetch(self, photo: Photo, kind: str, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".fetch")
        assert self.fetcher is not None and photo.photo_id is not None
        exact = self.fetcher.fetch_photo(photo.photo_id, kind, part)
        if kind == "full" and exact is not False and images.sha256_of(part) != photo.sha256:
            part.unlink(missing_ok=True)
            raise PhotoRefused("hash_mismatch", "The server sent a file that does not match the photo's hash")
        part.replace(dest)

    @staticmethod
    def exif_location(path: Path | str) -> tuple[float, float] | None:
        return images.exif_location(Path(path))

    # ------------------------------------------------------------------ the upload queue

    def pending_uploads(self, limit: int = 100) -> list[Photo]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM photos WHERE upload IN (?, ?) ORDER BY rowid LIMIT ?",
                                    (UploadState.QUEUED, UploadState.UPLOADING, limit)).fetchall()
        return [_row_photo(r) for r in rows]

    def pending_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM photos WHERE upload IN (?, ?)",
                                    (UploadState.QUEUED, UploadState.UPLOADING)).fetchone()[0]

    def failed_uploads(self) -> list[Photo]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM photos WHERE upload = ? ORDER BY rowid",
                                    (UploadState.FAILED,)).fetchall()
        return [_row_photo(r) for r in rows]

    def blob_path(self, sha: str) -> Path:
        """Where the file of a queued upload is (it is never evicted before it is on the server)."""
        return self._blob(sha)

    def _set(self, photo: Photo, **fields) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._db.execute(f"UPDATE photos SET {sets} WHERE case_id = ? AND step = ? AND sha256 = ?",
                             (*fields.values(), str(photo.case_id), photo.step.value, photo.sha256))

    def note_progress(self, photo: Photo, uploaded_bytes: int) -> None:
        self._set(photo, upload=UploadState.UPLOADING.value, uploaded_bytes=uploaded_bytes)

    def note_uploaded(self, photo: Photo, photo_id: str) -> None:
        self._set(photo, upload=UploadState.UPLOADED.value, uploaded_bytes=photo.size, photo_id=photo_id,
                  reason="")
        self.events.changed.emit([photo.case_id])
        self.events.uploads_changed.emit()

    def note_refused(self, photo: Photo, reason: str) -> None:
        """The server refused the file for good: it leaves the queue for the conflicts list."""
        self._set(photo, upload=UploadState.FAILED.value, reason=reason)
        self.events.changed.emit([photo.case_id])
        self.events.uploads_changed.emit()

    def retry(self, photo: Photo) -> None:
        self._set(photo, upload=UploadState.QUEUED.value, reason="", uploaded_bytes=0)
        self.events.uploads_changed.emit()

    def dismiss(self, photo: Photo) -> None:
        """Forget a refused photo (its file goes when no other photo uses it)."""
        with self._lock:
            self._db.execute("DELETE FROM photos WHERE case_id = ? AND step = ? AND sha256 = ?",
                             (str(photo.case_id), photo.step.value, photo.sha256))
            if not self._db.execute("SELECT 1 FROM photos WHERE sha256 = ?", (photo.sha256,)).fetchone():
                self._drop_file(photo.sha256, "full")
                self._drop_file(photo.sha256, "thumb")
        self.events.changed.emit([photo.case_id])
        self.events.uploads_changed.emit()

    def ready(self, case_id: UUID, hashes: Iterable[str]) -> bool:
        """Whether every photo of `case_id` with one of these hashes has left the queue (uploaded, or
        refused for good): the command that names them may be pushed. Hashes not attached here are
        another console's or not photos: they do not hold anything back."""
        wanted = [h for h in hashes if is_sha256(h)]
        if not wanted:
            return True
        marks = ",".join("?" * len(wanted))
        with self._lock:
            row = self._db.execute(f"SELECT count(*) FROM photos WHERE case_id = ? AND sha256 IN ({marks}) "
                                   "AND upload IN (?, ?)", (str(case_id), *wanted, UploadState.QUEUED,
                                                            UploadState.UPLOADING)).fetchone()
        return row[0] == 0

    def merge_remote(self, records: Iterable[dict]) -> None:
        """Photos the server knows (another console's, or ours after a cache rebuild): recorded so the
        strip shows them; their files are fetched on demand. `records` are the server's photo answers."""
        changed: set[UUID] = set()
        with self._lock:
            for r in records:
                case_id = UUID(str(r["case_id"]))
                self._db.execute(
                    f"INSERT INTO photos ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT (case_id, step, sha256) DO UPDATE SET photo_id = excluded.photo_id, "
                    "upload = CASE WHEN photos.upload IN ('queued', 'uploading', 'failed') THEN 'uploaded' "
                    "ELSE photos.upload END",
                    (str(case_id), Step(r["step"]).value, r["sha256"], r["mime"], r["size"], r.get("width"),
                     r.get("height"), r.get("taken_at"), r.get("lat"), r.get("lon"), r.get("filename") or "",
                     r.get("uploaded_at") or datetime.now(timezone.utc).isoformat(), r.get("uploaded_by") or "",
                     UploadState.REMOTE.value, r["size"], "", str(r["photo_id"])))
                changed.add(case_id)
        if changed:
            self.events.changed.emit(sorted(changed))

    # ------------------------------------------------------------------ the size limit

    def usage_bytes(self) -> int:
        with self._lock:
            return self._db.execute("SELECT coalesce(sum(bytes), 0) FROM files").fetchone()[0]

    def _drop_file(self, sha: str, kind: str) -> None:
        path = self._blob(sha) if kind == "full" else self._thumb(sha)
        path.unlink(missing_ok=True)
        self._db.execute("DELETE FROM files WHERE sha256 = ? AND kind = ?", (sha, kind))

    def enforce_limit(self, keep: Iterable[str] = ()) -> int:
        """Evict least recently used files until the cache fits its limit; returns the bytes freed. Full
        images go first, then thumbnails; a file whose photo is not on the server yet never goes."""
        keep = set(keep)
        freed = 0
        with self._lock:
            usage = self.usage_bytes()
            if usage <= self.cache_limit_bytes:
                return 0
            goal = int(self.cache_limit_bytes * LOW_WATER)
            for kind in ("full", "thumb"):
                rows = self._db.execute(
                    "SELECT f.sha256, f.bytes FROM files f WHERE f.kind = ? AND NOT EXISTS (SELECT 1 FROM photos "
                    "p WHERE p.sha256 = f.sha256 AND p.upload IN ('queued', 'uploading')) ORDER BY f.used",
                    (kind,)).fetchall()
                self._db.execute("BEGIN")
                for sha, size in rows:
                    if usage - freed <= goal:
                        break
                    if sha in keep:
                        continue
                    self._drop_file(sha, kind)
                    freed += size
                self._db.execute("COMMIT")
                if usage - freed <= goal:
                    break
        if freed:
            log.info("photo cache over its %d-byte limit: evicted %d bytes", self.cache_limit_bytes, freed)
        return freed
