"""A local, on-disk cache of raster map tiles for the optional base map. Qt-free.

The map page never talks to a tile server: it asks the console for ``onegrid://tiles/{z}/{x}/{y}.png``
(`ui/map/interceptor.py` serves that scheme) and the console answers from this cache. A tile missing
from disk is fetched once from the configured URL template — only when online and a template is set —
stored, and from then on served from disk, also offline. Offline, a missing tile is simply absent (the
vector layers still draw the city).

Layout: ``<cache_dir>/<template key>/<z>/<x>/<y>.<ext>``; the template key is a short hash of the URL
template, so switching tile servers never mixes their tiles. Writes are atomic (temp file + rename),
so concurrent readers never see half a tile. Safe to call from several worker threads.

Template placeholders: ``{z}``, ``{x}``, ``{y}``, optional ``{s}`` (one of `subdomains`, chosen per
tile) and ``{r}`` (empty; the retina suffix some servers take).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MAX_ZOOM = 22
MAX_TILE_BYTES = 4 * 1024 * 1024

_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp",
          b"GIF8": "image/gif"}


class TileError(ValueError):
    """A tile address outside the tile pyramid."""


def sniff_mime(data: bytes) -> str | None:
    """The image type of tile bytes, from their magic number (None: not an image we serve)."""
    for magic, mime in _MAGIC.items():
        if data.startswith(magic):
            if mime == "image/webp" and data[8:12] != b"WEBP":
                continue
            return mime
    return None


def check_tile(z: int, x: int, y: int) -> None:
    if not (0 <= z <= MAX_ZOOM):
        raise TileError(f"zoom {z} outside 0..{MAX_ZOOM}")
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise TileError(f"tile {x},{y} outside 0..{n - 1} at zoom {z}")


Fetcher = Callable[[str, float], bytes]


def urllib_fetch(url: str, timeout: float) -> bytes:
    """GET a tile with the standard library (no proxies from the environment are bypassed)."""
    request = urllib.request.Request(url, headers={"User-Agent": "OneGrid-console/0.1 (tile cache)"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - template from settings
        data = response.read(MAX_TILE_BYTES + 1)
    if len(data) > MAX_TILE_BYTES:
        raise ValueError(f"tile larger than {MAX_TILE_BYTES} bytes")
    return data


@dataclass
class TileStats:
    hits: int = 0
    fetched: int = 0
    misses: int = 0   # not on disk and not fetched (offline, no template, or the fetch failed)
    failures: int = 0


class TileCache:
    """Tiles on disk under `cache_dir`, fetched once from `url_template` (None: never fetch).

    `offline` can be flipped at any time (e.g. follow the sync engine's state); while offline only the
    disk is read. A failed fetch is not retried for `retry_after_s` seconds, so a flaky server does
    not stall every map pan.
    """

    def __init__(self, cache_dir: Path | str, url_template: str | None = None, *, offline: bool = False,
                 timeout_s: float = 5.0, subdomains: str = "abc", fetch: Fetcher | None = None,
                 retry_after_s: float = 60.0, max_zoom: int = 19):
        self.cache_dir = Path(cache_dir)
        self.url_template = url_template or None
        self.offline = offline
        self.timeout_s = timeout_s
        self.subdomains = subdomains or "a"
        self.max_zoom = max_zoom
        self._fetch = fetch or urllib_fetch
        self._retry_after = retry_after_s
        self._failed: dict[tuple[int, int, int], float] = {}
        self._lock = threading.Lock()
        self.stats = TileStats()

    @property
    def enabled(self) -> bool:
        """True when there is a base map to show: a template, or tiles already on disk."""
        return self.url_template is not None or self.folder.exists()

    @property
    def key(self) -> str:
        return hashlib.sha256((self.url_template or "").encode()).hexdigest()[:12]

    @property
    def folder(self) -> Path:
        return self.cache_dir / self.key

    def url(self, z: int, x: int, y: int) -> str:
        if not self.url_template:
            raise ValueError("no tile URL template configured")
        s = self.subdomains[(x + y) % len(self.subdomains)]
        return self.url_template.format(z=z, x=x, y=y, s=s, r="")

    def _ext(self) -> str:
        tail = (self.url_template or "").rsplit("?", 1)[0].rsplit(".", 1)
        ext = tail[1].lower() if len(tail) == 2 else "png"
        return ext if ext in ("png", "jpg", "jpeg", "webp", "gif") else "png"

    def path(self, z: int, x: int, y: int) -> Path:
        check_tile(z, x, y)
        return self.folder / str(z) / str(x) / f"{y}.{self._ext()}"

    def cached(self, z: int, x: int, y: int) -> bytes | None:
        """The tile from disk, or None."""
        try:
            return self.path(z, x, y).read_bytes()
        except FileNotFoundError:
            return None

    def store(self, z: int, x: int, y: int, data: bytes) -> Path:
        """Write a tile atomically."""
        path = self.path(z, x, y)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{y}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The tile: from disk; else fetched (when online with a template), stored and returned; else
        None. Blocks while fetching: call it off the GUI thread."""
        check_tile(z, x, y)
        data = self.cached(z, x, y)
        if data is not None:
            with self._lock:
                self.stats.hits += 1
            return data
        if self.offline or not self.url_template or z > self.max_zoom:
            with self._lock:
                self.stats.misses += 1
            return None
        key = (z, x, y)
        with self._lock:
            failed_at = self._failed.get(key)
            if failed_at is not None and time.monotonic() - failed_at < self._retry_after:
                self.stats.misses += 1
                return None
        try:
            data = self._fetch(self.url(z, x, y), self.timeout_s)
            if sniff_mime(data) is None:
                raise ValueError("the answer is not an image")
        except (OSError, ValueError, urllib.error.URLError) as exc:
            log.info("tile %s/%s/%s not fetched: %s", z, x, y, exc)
            with self._lock:
                self._failed[key] = time.monotonic()
                self.stats.failures += 1
                self.stats.misses += 1
            return None
        self.store(z, x, y, data)
        with self._lock:
            self._failed.pop(key, None)
            self.stats.fetched += 1
        return data

    def tile_count(self) -> int:
        if not self.folder.exists():
            return 0
        return sum(1 for p in self.folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def tile_cache_from_settings(settings: object, root: Path | None = None) -> TileCache:
    """The console's tile cache: ``<data dir>/tiles`` (or `root`), template from
    `ConsoleSettings.tile_url_template` (empty: serve only what is already on disk)."""
    if root is None:
        from app.platform.settings import data_dir

        root = data_dir() / "tiles"
    return TileCache(root, getattr(settings, "tile_url_template", "") or None)
