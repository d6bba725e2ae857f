"""The live map: unit grids, streets, member-unit areas, every case as a canvas circle marker (colour by
status, ring by time left) and the sensors (colour by state), in a Leaflet page built by
`app.map.page` and served locally (`ui/map/interceptor.py`).

Python → page: `runJavaScript("OneGrid.receive(...)")`, batched and incremental (markers are added,
restyled or removed by id; the page never reloads for data). Page → Python: the one `MapBridge`.
A marker click selects the case (`ctx.select_case`); a selection made elsewhere highlights the marker
and pans to it. `pick_location(callback)` lets a form take the next map click as a location.

The dock is the page, selection and sensors; the case markers are `ui/map/case_sync.py` (their data,
`ui/map/case_markers.py`), picking a location `ui/map/pick_mode.py`. The page's HTML is built on a worker
thread (reference data to JSON), so the window's first frame never waits for it; the map fills in after.
The web view itself is made on the event loop's first turn after the dock is built, i.e. after the main
window's first frame: starting the web engine (its profile, the browser side of Chromium) takes half a
second, during which the dock shows "Loading the map…".
"""
from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QDockWidget, QLabel, QStackedWidget, QWidget

from app.avl import layer as avl_layer
from app.cases.queue_columns import QueueColumns
from app.map import layers as map_layers
from app.map.page import ASSET_DIR, TILE_URL, build_page_html
from app.map.tile_cache import TileCache
from ui.avl.vehicles import VehicleLayer
from ui.cases.issuing import now_utc
from ui.map.basemap import BaseMapChoice
from ui.map.bridge import MapBridge
from ui.map.case_markers import PreparedMarkers, receive_script
from ui.map.case_sync import CaseMarkerSync
from ui.map.interceptor import (
    MapRequestInterceptor,
    map_interceptor,
    map_profile,
    map_scheme_handler,
    scheme_registered,
    track_page,
)
from ui.map.pick_mode import PickMode
from ui.map.search import MapSearch
from ui.photos.map_photos import popup_message
from ui.sensors.hub import SensorHub
from ui.shell import theme
from ui.shell.i18n import current_language
from ui.shell.ops import run_op
from ui.shell.rendering import log_map_rendering

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

FLUSH_DELAY_MS = 120    # coalesce bursts of cache changes
TIME_LEFT_REFRESH_MS = 60_000

_page_counter = 0


def _centre(refdata: Any) -> tuple[float, float] | None:
    from app.map.areas import bounds

    b = bounds(refdata) if refdata is not None else None
    return ((b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2) if b else None


class _MapPage(QWebEnginePage):
    """Logs the page's console errors (our own JS failing should not go unnoticed)."""

    def javaScriptConsoleMessage(self, level, message, line, source):  # noqa: N802 - Qt override
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            log.error("map page: %s (%s:%s)", message, source, line)
        else:
            log.debug("map page: %s (%s:%s)", message, source, line)


class MapDock(CaseMarkerSync, PickMode, QDockWidget):
    """The map dock. Emits `page_ready()` each time the page has loaded and received every marker."""

    page_ready = Signal()
    markers_loaded = Signal()  # every case was read from the cache (start-up)

    def __init__(self, ctx: ConsoleContext, *, tile_cache: TileCache | None = None, hub: SensorHub | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        global _page_counter
        _page_counter += 1
        self.setObjectName("MapDock")
        self.ctx = ctx
        self._page_name = f"map{_page_counter}"
        self.hub = hub if hub is not None else SensorHub.for_context(ctx)
        self.base_map = BaseMapChoice(ctx, self)  # the settings' tiles or file, else the server's base map
        self.tile_cache = tile_cache if tile_cache is not None else self.base_map.source
        self.base_map.changed.connect(self._base_map_changed)

        self.bridge = MapBridge(self)
        self.view: QWebEngineView | None = None  # made by `ensure_view`, after the window's first frame
        self.page: _MapPage | None = None
        self._html: str | None = None            # the page built before the view existed
        self._disposed = False
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("mapPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.placeholder)
        self.search = MapSearch(self)  # the place search, in a bar above the map
        self.setWidget(self.search.around(self._stack))
        self.load_count = 0
        self._page_gen = 0

        self._ready = False
        self._cols = QueueColumns()               # the cases, as columns (ui/map/case_sync.py)
        self._sent = np.zeros(0, np.int64)        # per slot: fingerprint of the marker on the page, 0 = none
        self._cls = np.zeros(0, np.int8)          # per slot: time-left class (index into _TIME_CLASSES)
        self._first_markers: PreparedMarkers | list[dict] | None = None
        self._source: Any = None                  # the queue model whose columns this dock draws, if shared
        self._load_gen = 0
        self._stash: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # changes during the first read
        self._have_summaries = False
        self._dirty: set[UUID] = set()
        self._removed: set[UUID] = set()
        self._in_flight = False
        self._pick: tuple[Callable[[float, float], None], Callable[[], None] | None] | None = None
        self._sensor_states: dict[str, dict] = {}
        self._tmpdir: tempfile.TemporaryDirectory | None = None

        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_DELAY_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._time_timer = QTimer(self)
        self._time_timer.setInterval(TIME_LEFT_REFRESH_MS)
        self._time_timer.timeout.connect(self.refresh_time_left)
        self._time_timer.start()

        self.bridge.ready.connect(self._page_ready)
        self.bridge.case_clicked.connect(self._case_clicked)
        self.bridge.sensor_clicked.connect(self._sensor_clicked)
        self.bridge.location_picked.connect(self._location_picked)
        self.bridge.pick_cancelled.connect(self._pick_cancelled)
        signals = ctx.signals
        signals.cases_changed.connect(self._cases_changed)
        signals.case_selected.connect(self._case_selected)
        signals.sensor_selected.connect(self._sensor_selected)
        signals.language_changed.connect(lambda _lang: self.reload_page())
        self.hub.states_changed.connect(self._sensor_states_changed)

        self.base_map.changed.connect(self.search.invalidate)
        self.vehicles = VehicleLayer(ctx, self)  # vehicles and field staff (ui/avl/vehicles.py)
        self.retranslate()
        self.reload_page()
        if tile_cache is None:
            self.base_map.refresh_in_background()
        # Read the cases on the next turn of the event loop, unless the main window has handed this dock
        # the queue's columns by then (share_columns: nothing to read twice).
        QTimer.singleShot(0, self, self._start_own_load)
        QTimer.singleShot(0, self, self.ensure_view)
        theme.follow_theme(self)

    def ensure_view(self) -> QWebEngineView:
        """The web view, made now if it is not yet (the first turn of the event loop, or a pick on the map
        before that); the page built meanwhile is loaded into it."""
        if self.view is None and not self._disposed:
            log_map_rendering()
            self.view = QWebEngineView(self._stack)
            self.page = _MapPage(map_profile(), self.view)
            track_page(self.page)
            self.view.setPage(self.page)
            self.channel = QWebChannel(self.page)
            self.channel.registerObject("bridge", self.bridge)
            self.page.setWebChannel(self.channel)
            self.page.loadFinished.connect(self._load_finished)
            self._stack.addWidget(self.view)
            self._stack.setCurrentWidget(self.view)
            html, self._html = self._html, None
            if html is not None:
                self._show_page(html)
        return self.view

    # ------------------------------------------------------------------ page

    @property
    def interceptor(self) -> MapRequestInterceptor:
        return map_interceptor()

    @property
    def is_ready(self) -> bool:
        return self._ready

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Map"))
        self.placeholder.setText(self.tr("Loading the map…"))
        if hasattr(self, "search"):
            self.search.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif theme.theme_switched(self, event):
            self.apply_theme()
        super().changeEvent(event)

    def apply_theme(self) -> None:
        """Recolour the page for the console's current theme, without reloading it (a page still loading
        takes the theme from its config)."""
        if self._ready:
            self.send({"op": "theme", "name": theme.current_theme()})

    def page_html(self, asset_base: str = "") -> str:
        return build_page_html(self.ctx.refdata, **self._page_inputs(asset_base))

    def _page_inputs(self, asset_base: str) -> dict[str, Any]:
        """What the page is built from besides the reference data, read on the GUI thread (without starting
        the web engine: the scheme was registered or not before the application existed)."""
        tiles = None
        if self.tile_cache is not None and scheme_registered():
            tiles = {"url": TILE_URL, "on": True, "max_zoom": self.tile_cache.max_zoom, "attribution": ""}
            if self.tile_cache is self.base_map.source:
                tiles = self.base_map.page_tiles(TILE_URL, _centre(self.ctx.refdata))
        return {"asset_base": asset_base, "language": current_language(), "tiles": tiles,
                "theme": theme.current_theme(), "labels": avl_layer.page_labels()}

    def _base_map_changed(self) -> None:
        self.tile_cache = self.base_map.source
        handler = map_scheme_handler() if self.page is not None else None  # else set when the page is shown
        if handler is not None:
            handler.tile_cache = self.tile_cache
        self.reload_page()

    def reload_page(self) -> None:
        """(Re)build the page, e.g. for another language; markers are re-sent once it is ready. The HTML (the
        reference data's layers as JSON) is written on a worker thread and loaded when it is done; a newer
        reload wins over an older one still being built."""
        self._ready = False
        self._page_gen += 1
        gen, refdata = self._page_gen, self.ctx.refdata
        asset_base = "" if scheme_registered() else QUrl.fromLocalFile(str(ASSET_DIR)).toString() + "/"
        inputs = self._page_inputs(asset_base)
        run_op(lambda: build_page_html(refdata, **inputs),
               lambda html: self._show_page(html) if gen == self._page_gen else None,
               lambda exc: log.error("the map page could not be built: %s", exc, exc_info=exc), owner=self)

    def _show_page(self, html: str) -> None:
        if self.page is None:  # no view yet: loaded into it when it is made
            self._html = html
            return
        if not shiboken6.isValid(self.page):  # disposed meanwhile
            return
        handler = map_scheme_handler()
        if handler is not None:
            if self.tile_cache is not None:
                handler.tile_cache = self.tile_cache
            if getattr(self.ctx, "photos", None) is not None:
                handler.photo_store = self.ctx.photos
            url = handler.set_page(self._page_name, html)
        else:  # the scheme was registered too late: a page on disk with file:// assets, no tiles
            if self._tmpdir is None:
                self._tmpdir = tempfile.TemporaryDirectory(prefix="onegrid-map-")
            path = Path(self._tmpdir.name) / "index.html"
            path.write_text(html, encoding="utf-8")
            url = QUrl.fromLocalFile(str(path))
        self.page.setUrl(url)

    def _load_finished(self, ok: bool) -> None:
        self.load_count += 1
        if not ok:
            log.error("the map page did not load")

    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        if self.page is None or not shiboken6.isValid(self.page):  # no page yet (nothing is ready), or
            return                             # disposed: a late call (the queue's columns at shutdown)
        if callback is None:
            self.page.runJavaScript(script)
        else:
            self.page.runJavaScript(script, 0, callback)

    def send(self, message: dict[str, Any], callback: Callable[[Any], None] | None = None) -> None:
        """Call ``OneGrid.receive(message)`` in the page."""
        self.run_js(receive_script(message), callback)

    def _page_ready(self, _text: str) -> None:
        self._ready = True
        self.apply_theme()  # the theme may have switched while the page loaded
        if self._have_summaries:
            markers, self._first_markers = self._first_markers, None
            if markers is None:  # the page reloaded (another language): build them again
                markers = self._all_markers(now_utc(self.ctx))
            self._send_markers(markers, [], reset=True)
        self._send_sensors(force=True)
        if self.ctx.selected_case is not None:
            self.send({"op": "select", "id": str(self.ctx.selected_case), "pan": True})
            self._send_photos(self.ctx.selected_case)
        self.page_ready.emit()

    # ------------------------------------------------------------------ selection

    def _case_clicked(self, text: str) -> None:
        if self._pick is not None:
            return
        try:
            case_id = UUID(json.loads(text)["id"])
        except (ValueError, KeyError, TypeError):
            log.warning("map sent a case click without a case id: %.200s", text)
            return
        self.ctx.select_case(case_id)

    def _case_selected(self, case_id: UUID | None) -> None:
        if self._ready:
            self.send({"op": "select", "id": str(case_id) if case_id else None, "pan": True})
            self._send_photos(case_id)

    def _send_photos(self, case_id: UUID | None) -> None:
        """The selected case's thumbnails in a popup on its marker (served by the scheme handler)."""
        store = getattr(self.ctx, "photos", None)
        if store is None or case_id is None:
            return

        def show(message: dict) -> None:
            if self._ready and self.ctx.selected_case == case_id:
                self.send(message)

        run_op(lambda: popup_message(store, case_id), show, owner=self)

    def _sensor_clicked(self, text: str) -> None:
        try:
            sensor_id = str(json.loads(text)["id"])
        except (ValueError, KeyError, TypeError):
            return
        self.ctx.signals.sensor_selected.emit(sensor_id)

    def _sensor_selected(self, sensor_id: str) -> None:
        if self._ready:
            self.send({"op": "select_sensor", "id": sensor_id})

    # ------------------------------------------------------------------ sensors

    def _sensor_states_changed(self, states: dict) -> None:
        self._sensor_states = states
        self._send_sensors()

    def _send_sensors(self, force: bool = False) -> None:
        if not self._ready:
            return
        states = self._sensor_states or (self.hub.states() if self.hub.is_ready else {})
        markers = map_layers.sensor_markers(self.hub.sensors.values(), states, current_language())
        if markers or force:
            self.send({"op": "sensors", "upsert": markers})

    # ------------------------------------------------------------------ teardown

    def dispose(self) -> None:
        """Release the page before the profile (call when the dock is destroyed for good)."""
        self._flush_timer.stop()
        self._time_timer.stop()
        self._ready = False  # nothing more is sent to the page
        self._disposed = True  # and no view is made after this
        handler = map_scheme_handler() if self.page is not None else None  # no page: nothing to drop
        if handler is not None:
            handler.drop_page(self._page_name)
        if self.page is not None and shiboken6.isValid(self.page):
            shiboken6.delete(self.page)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
