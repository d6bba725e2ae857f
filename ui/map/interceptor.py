"""Keeps the map page local: the ``onegrid:`` URL scheme that serves the page, its assets and cached
tiles, and a request interceptor that records every request and blocks any that would leave the
machine.

    register_scheme()        # once, before the QApplication is created (done on import when possible)
    profile = map_profile()  # the map's own off-the-record profile with both installed

URLs: ``onegrid://map/<page>.html`` (pages set with `MapSchemeHandler.set_page`),
``onegrid://map/<asset>`` (files under ``resources/map/``), ``onegrid://tiles/<z>/<x>/<y>.png`` (from
`app.map.tile_cache.TileCache`, fetched off the GUI thread when not on disk yet), ``onegrid://photos/<case>/<sha256>.jpg``
(a case photo's thumbnail from the console's photo cache, `ui.photos.map_photos`).
"""
from __future__ import annotations

import atexit
import logging
import mimetypes
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from app.map.page import ASSET_DIR, SCHEME
from app.map.tile_cache import TileCache, TileError
from ui.photos.map_photos import PHOTO_HOST, thumbnail_bytes

log = logging.getLogger(__name__)

SCHEME_BYTES = SCHEME.encode()
LOCAL_SCHEMES = frozenset({SCHEME, "qrc", "data", "blob", "about", "file", "devtools", "chrome"})

_MIME = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".png": "image/png",
         ".json": "application/json", ".svg": "image/svg+xml", ".map": "application/json"}

_registered = False


def register_scheme() -> bool:
    """Register the ``onegrid`` scheme with Qt WebEngine. Must run before the QApplication exists;
    returns False (and logs) when it is too late. Safe to call more than once."""
    global _registered
    if _registered:
        return True
    if QCoreApplication.instance() is not None:
        log.error("the %s: URL scheme must be registered before the QApplication is created; the map "
                  "will fall back to a file:// page without cached tiles", SCHEME)
        return False
    scheme = QWebEngineUrlScheme(SCHEME_BYTES)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.LocalScheme
                    | QWebEngineUrlScheme.Flag.LocalAccessAllowed
                    | QWebEngineUrlScheme.Flag.ContentSecurityPolicyIgnored)
    QWebEngineUrlScheme.registerScheme(scheme)
    _registered = True
    return True


def scheme_registered() -> bool:
    return _registered


if QCoreApplication.instance() is None:  # importing the map before the app exists is enough
    register_scheme()


@dataclass(frozen=True)
class SeenRequest:
    url: str
    scheme: str
    resource_type: str
    blocked: bool


class MapRequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Records every request the map's pages make; blocks any to a scheme that is not local
    (http, https, ws, ftp, …). `requests` keeps the last `keep` of them, oldest first."""

    def __init__(self, parent: QObject | None = None, keep: int = 5000):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._keep = keep
        self.requests: list[SeenRequest] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 - Qt override
        url = info.requestUrl()
        scheme = url.scheme().lower()
        blocked = scheme not in LOCAL_SCHEMES
        if blocked:
            info.block(True)
            log.warning("map page tried to reach %s: blocked", url.toDisplayString())
        seen = SeenRequest(url.toString(), scheme, info.resourceType().name, blocked)
        with self._lock:
            self.requests.append(seen)
            del self.requests[:-self._keep]

    def external(self) -> list[SeenRequest]:
        """Requests to anything but local schemes (all of them were blocked)."""
        with self._lock:
            return [r for r in self.requests if r.scheme not in LOCAL_SCHEMES]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()


class _TileRelay(QObject):
    """Brings a tile fetched on a worker back to the GUI thread."""

    done = Signal(object, object)  # job, bytes | None


class MapSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves ``onegrid://map/…`` from memory and ``resources/map`` and ``onegrid://tiles/…`` from the
    tile cache (None: no base map)."""

    def __init__(self, parent: QObject | None = None, tile_cache: TileCache | None = None,
                 asset_dir: Path = ASSET_DIR):
        super().__init__(parent)
        self.asset_dir = asset_dir.resolve()
        self.tile_cache = tile_cache
        self.photo_store = None  # the console's photos (set by the map dock): thumbnails for the popups
        self._pages: dict[str, bytes] = {}
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="onegrid-tiles")
        self._relay = _TileRelay()
        self._relay.done.connect(self._reply_tile)
        self.served = 0

    def set_page(self, name: str, html: str) -> QUrl:
        """Serve `html` as ``onegrid://map/<name>.html``; returns that URL."""
        self._pages[f"/{name}.html"] = html.encode("utf-8")
        return QUrl(f"{SCHEME}://map/{name}.html")

    def drop_page(self, name: str) -> None:
        self._pages.pop(f"/{name}.html", None)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt override
        url = job.requestUrl()
        host, path = url.host(), url.path()
        if host == "map":
            self._serve_map(job, path)
        elif host == "tiles":
            self._serve_tile(job, path)
        elif host == PHOTO_HOST:
            self._serve_photo(job, path)
        else:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def _reply(self, job: QWebEngineUrlRequestJob, mime: str, data: bytes) -> None:
        buffer = QBuffer(job)  # owned by the job: lives exactly as long as the request
        buffer.setData(QByteArray(data))
        job.reply(mime.encode(), buffer)
        self.served += 1

    def _serve_map(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        page = self._pages.get(path)
        if page is not None:
            self._reply(job, "text/html", page)
            return
        try:
            target = (self.asset_dir / path.lstrip("/")).resolve()
            target.relative_to(self.asset_dir)  # no ../ out of the asset folder
            data = target.read_bytes()
        except (ValueError, OSError):
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        mime = _MIME.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or \
            "application/octet-stream"
        self._reply(job, mime, data)

    def _serve_tile(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        cache = self.tile_cache
        try:
            z, x, last = path.strip("/").split("/")
            z_i, x_i, y_i = int(z), int(x), int(last.split(".", 1)[0])
        except ValueError:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if cache is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        try:
            data = cache.cached(z_i, x_i, y_i)
        except TileError:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if data is not None:
            cache.stats.hits += 1
            self._reply(job, "image/png", data)
            return

        def work(cache: TileCache = cache) -> None:
            try:
                result = cache.get(z_i, x_i, y_i)
            except Exception:  # never lose the reply: a failed tile is just absent
                log.exception("tile %s/%s/%s failed", z_i, x_i, y_i)
                result = None
            self._relay.done.emit(job, result)

        try:
            self._pool.submit(work)
        except RuntimeError:  # the console is closing (the pool is shut down): the tile is simply absent
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def _serve_photo(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        store = self.photo_store

        def work() -> None:
            try:
                data = thumbnail_bytes(store, path)
            except Exception:  # a missing thumbnail is just absent from the popup
                log.exception("photo thumbnail %s failed", path)
                data = None
            self._relay.done.emit(job, data)

        self._pool.submit(work)

    def _reply_tile(self, job: QWebEngineUrlRequestJob, data: bytes | None) -> None:
        if not shiboken6.isValid(job):  # the page stopped wanting it (zoomed away)
            return
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
        else:
            from app.map.tile_cache import sniff_mime

            self._reply(job, sniff_mime(data) or "image/png", data)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_profile: QWebEngineProfile | None = None
_handler: MapSchemeHandler | None = None
_interceptor: MapRequestInterceptor | None = None
_pages: list[QObject] = []


def map_profile() -> QWebEngineProfile:
    """The map's off-the-record profile (no disk cache, no cookies), shared by every map page.

    A profile must outlive its pages (Qt warns "Release of profile requested but WebEnginePage still
    not deleted" otherwise), so pages are registered with `track_page` and deleted before the profile
    when the application quits or the interpreter exits."""
    global _profile, _handler, _interceptor
    if _profile is None or not shiboken6.isValid(_profile):
        app = QCoreApplication.instance()
        _profile = QWebEngineProfile()
        _interceptor = MapRequestInterceptor(_profile)
        _profile.setUrlRequestInterceptor(_interceptor)
        if _registered:
            _handler = MapSchemeHandler(_profile)
            _profile.installUrlSchemeHandler(SCHEME_BYTES, _handler)
        else:
            _handler = None
            log.warning("the %s: URL scheme was not registered before the QApplication was created "
                        "(import ui.map.interceptor first): the map uses file:// pages, no base map tiles",
                        SCHEME)
        app.aboutToQuit.connect(shutdown)
        atexit.register(shutdown)
    return _profile


def track_page(page: QObject) -> None:
    """Remember a page made on the map profile, so `shutdown` deletes it before the profile."""
    _pages.append(page)
    page.destroyed.connect(lambda *_: _forget_dead_pages())


def _forget_dead_pages() -> None:
    _pages[:] = [p for p in _pages if shiboken6.isValid(p)]


def shutdown() -> None:
    """Delete the map pages, then the profile (idempotent; runs at quit and at exit)."""
    global _profile, _handler, _interceptor
    if _handler is not None and shiboken6.isValid(_handler):
        _handler.shutdown()
    for page in list(_pages):
        if shiboken6.isValid(page):
            shiboken6.delete(page)
    _pages.clear()
    if _profile is not None and shiboken6.isValid(_profile):
        shiboken6.delete(_profile)
    _profile = _handler = _interceptor = None


def map_interceptor() -> MapRequestInterceptor:
    map_profile()
    assert _interceptor is not None
    return _interceptor


def map_scheme_handler() -> MapSchemeHandler | None:
    """The scheme handler, or None when the scheme could not be registered (file:// fallback)."""
    map_profile()
    return _handler
