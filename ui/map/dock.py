"""The live map: unit grids, streets, member-unit areas, every case as a canvas circle marker (colour by
status, ring by time left) and the sensors (colour by state), in a Leaflet page built by
`app.map.page` and served locally (`ui/map/interceptor.py`).

Python → page: `runJavaScript("OneGrid.receive(...)")`, batched and incremental (markers are added,
restyled or removed by id; the page never reloads for data). Page → Python: the one `MapBridge`.
A marker click selects the case (`ctx.select_case`); a selection made elsewhere highlights the marker
and pans to it. `pick_location(callback)` lets a form take the next map click as a location.
"""
from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from uuid import UUID

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QTimer, QUrl, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QDockWidget, QWidget

from app.avl import layer as avl_layer
from app.cases.queue_columns import QueueColumns, load_columns
from app.cases.queue_rows import EPOCH, MICROSECOND, NO_TIME, STATUS_ORDER, RowBatch
from app.map import layers as map_layers
from app.map.page import ASSET_DIR, TILE_URL, build_page_html
from app.map.tile_cache import TileCache
from app.platform.enums import Priority, Status
from ui.avl.vehicles import VehicleLayer
from ui.cases.issuing import now_utc
from ui.map.basemap import BaseMapChoice
from ui.map.bridge import MapBridge
from ui.map.interceptor import (
    MapRequestInterceptor,
    map_interceptor,
    map_profile,
    map_scheme_handler,
    track_page,
)
from ui.map.search import MapSearch
from ui.photos.map_photos import popup_message
from ui.sensors.hub import SensorHub
from ui.shell import theme
from ui.shell.i18n import current_language
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CHUNK = 2500            # markers per runJavaScript call
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


class MapDock(QDockWidget):
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
        self.view = QWebEngineView(self)
        self.page = _MapPage(map_profile(), self.view)
        track_page(self.page)
        self.view.setPage(self.page)
        self.channel = QWebChannel(self.page)
        self.channel.registerObject("bridge", self.bridge)
        self.page.setWebChannel(self.channel)
        self.search = MapSearch(self)  # the place search, in a bar above the map
        self.setWidget(self.search.around(self.view))
        self.load_count = 0
        self.page.loadFinished.connect(self._load_finished)

        self._ready = False
        self._cols = QueueColumns()               # the cases, as columns (see "cases" below)
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
        theme.follow_theme(self)

    # ------------------------------------------------------------------ page

    @property
    def interceptor(self) -> MapRequestInterceptor:
        return map_interceptor()

    @property
    def is_ready(self) -> bool:
        return self._ready

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Map"))
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
        handler = map_scheme_handler()
        tiles = None
        if self.tile_cache is not None and handler is not None:
            tiles = {"url": TILE_URL, "on": True, "max_zoom": self.tile_cache.max_zoom, "attribution": ""}
            if self.tile_cache is self.base_map.source:
                tiles = self.base_map.page_tiles(TILE_URL, _centre(self.ctx.refdata))
        return build_page_html(self.ctx.refdata, asset_base=asset_base, language=current_language(),
                               tiles=tiles, theme=theme.current_theme(), labels=avl_layer.page_labels())

    def _base_map_changed(self) -> None:
        self.tile_cache = self.base_map.source
        handler = map_scheme_handler()
        if handler is not None:
            handler.tile_cache = self.tile_cache
        self.reload_page()

    def reload_page(self) -> None:
        """(Re)build the page, e.g. for another language; markers are re-sent once it is ready."""
        self._ready = False
        handler = map_scheme_handler()
        if handler is not None:
            if self.tile_cache is not None:
                handler.tile_cache = self.tile_cache
            if getattr(self.ctx, "photos", None) is not None:
                handler.photo_store = self.ctx.photos
            url = handler.set_page(self._page_name, self.page_html())
        else:  # the scheme was registered too late: a page on disk with file:// assets, no tiles
            if self._tmpdir is None:
                self._tmpdir = tempfile.TemporaryDirectory(prefix="onegrid-map-")
            path = Path(self._tmpdir.name) / "index.html"
            path.write_text(self.page_html(QUrl.fromLocalFile(str(ASSET_DIR)).toString() + "/"),
                            encoding="utf-8")
            url = QUrl.fromLocalFile(str(path))
        self.page.setUrl(url)

    def _load_finished(self, ok: bool) -> None:
        self.load_count += 1
        if not ok:
            log.error("the map page did not load")

    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        if not shiboken6.isValid(self.page):  # disposed: a late call (the queue's columns at shutdown)
            return                             # has no page to reach
        if callback is None:
            self.page.runJavaScript(script)
        else:
            self.page.runJavaScript(script, 0, callback)

    def send(self, message: dict[str, Any], callback: Callable[[Any], None] | None = None) -> None:
        """Call ``OneGrid.receive(message)`` in the page."""
        self.run_js(f"OneGrid.receive({json.dumps(message, separators=(',', ':'))})", callback)

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

    # ------------------------------------------------------------------ cases
    #
    # The dock's copy of the cases is compact: numpy columns (`app.cases.queue_columns.QueueColumns`, no
    # Python object per case) plus, per slot, the time-left class and a fingerprint of the marker last sent to
    # the page. Marker records exist only while they are being sent.

    def _start_own_load(self) -> None:
        if self._source is None and not self._have_summaries and not self._in_flight:
            self._load_all_summaries()

    def _load_all_summaries(self) -> None:
        cache, now = self.ctx.cache, now_utc(self.ctx)
        self._in_flight = True
        self._load_gen += 1
        gen = self._load_gen
        run_op(lambda: _read_all_cases(cache, now),
               lambda result: self._got_all(result) if self._current(gen) else None, self._op_failed, owner=self)

    def _current(self, gen: int) -> bool:
        """A read's result still wanted: the dock exists (not deleted meanwhile) and nothing newer began."""
        return shiboken6.isValid(self) and gen == self._load_gen

    # ---- shared columns: the queue model's `cols`, read-only here

    def share_columns(self, model: Any) -> None:
        """Draw the cases from the queue model's columns (`model.cols`, kept current by the model, which
        then emits `columns_changed(slots, removed_slots)`) instead of reading and holding them again."""
        if self._source is not None:
            raise RuntimeError("the map already draws another model's columns")
        self._source = model
        self._load_gen += 1  # an own read already under way is ignored
        self._in_flight = False
        self.ctx.signals.cases_changed.disconnect(self._cases_changed)
        self._dirty.clear()
        self._removed.clear()
        model.loaded.connect(self._source_loaded)
        model.columns_changed.connect(self._source_changed)
        if model.is_loaded:
            self._source_loaded()

    def _source_loaded(self) -> None:
        """The model (re)loaded its columns: build the first push from a copy, on a worker thread."""
        cols, now = self._source.cols, now_utc(self.ctx)
        snap = _Snapshot(cols)
        self._in_flight = True
        self._stash = []
        self._load_gen += 1
        gen = self._load_gen

        def done(result) -> None:
            if self._current(gen):
                self._got_shared(cols, snap.slots, result)

        run_op(lambda: _first_push(snap, now), done, self._op_failed, owner=self)

    def _got_shared(self, cols: QueueColumns, slots: np.ndarray, result: tuple) -> None:
        self._in_flight = False
        markers, marks, classes = result
        self._cols = cols
        self._sent = np.zeros(cols.size, np.int64)
        self._cls = np.full(cols.size, -1, np.int8)
        self._sent[slots], self._cls[slots] = marks, classes
        self._have_summaries = True
        if self._ready:
            self._send_markers(markers, [], reset=True)
        else:
            self._first_markers = markers
        del markers
        stash, self._stash = self._stash, []
        for put, gone, gone_ids in stash:  # what changed while the copy was drawn
            self._source_changed(put, gone, gone_ids)
        self.markers_loaded.emit()

    def _source_changed(self, put: np.ndarray, gone: np.ndarray, gone_ids: np.ndarray | None = None) -> None:
        if gone_ids is None:  # straight from the model, about its current columns; a removed slot keeps
            gone_ids = self._source.cols.ids[gone]  # its id until it is reused (not within the batch)
        cols = self._cols
        if self._in_flight or not self._have_summaries:
            self._stash.append((put, gone, gone_ids))
            return
        self._size_state()
        removed = [i.decode() for slot, i in zip(gone.tolist(), gone_ids.tolist()) if self._sent[slot]]
        self._sent[gone] = 0
        live = put[cols.alive[put]]
        upsert, drop = [], []
        now = now_utc(self.ctx)
        self._cls[live] = _time_classes(cols, live, now)
        for slot, marker in zip(live.tolist(), column_markers(cols, live, now)):
            if marker is None:
                if self._sent[slot]:
                    drop.append(cols.ids[slot].decode())
                self._sent[slot] = 0
                continue
            mark = _fingerprint(marker)
            if self._sent[slot] != mark:
                self._sent[slot] = mark
                upsert.append(marker)
        if (removed or drop) and self._ready:
            self._send_markers([], removed + drop)
        if upsert and self._ready:
            self._send_markers(upsert, [])

    # ---- own columns (no queue to share: tests, a map-only window)

    def _got_all(self, result: tuple) -> None:
        self._in_flight = False
        self._cols, markers, self._sent, self._cls = result
        self._have_summaries = True
        if self._ready:
            self._send_markers(markers, [], reset=True)
        else:
            self._first_markers = markers  # sent when the page is ready, then dropped
        del markers
        self.markers_loaded.emit()
        if self._dirty or self._removed:
            self._flush_timer.start()

    def _op_failed(self, exc: BaseException) -> None:
        self._in_flight = False
        log.error("map could not read cases from the cache: %s", exc, exc_info=exc)

    def _cases_changed(self, changes: Any) -> None:
        self._dirty |= set(getattr(changes, "added", ())) | set(getattr(changes, "updated", ()))
        removed = set(getattr(changes, "removed", ()))
        self._removed |= removed
        self._dirty -= removed
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        if self._in_flight:
            self._flush_timer.start()  # one read at a time, in order
            return
        dirty, removed = self._dirty, self._removed
        self._dirty, self._removed = set(), set()
        if removed:
            self._apply_removed(removed)
        if not dirty:
            return
        cache, now = self.ctx.cache, now_utc(self.ctx)
        ids = list(dirty)
        self._in_flight = True
        run_op(lambda: (ids, *_read_changed_cases(cache, ids, now)), self._got_changed,
               self._op_failed, owner=self)

    def _got_changed(self, result: tuple) -> None:
        self._in_flight = False
        ids, batch, markers = result
        cols = self._cols
        slots, _added = cols.put_batch(batch)
        self._size_state()
        upsert, drop = [], []
        now = now_utc(self.ctx)
        classes = _time_classes(cols, slots, now)
        for k, slot in enumerate(slots.tolist()):
            marker = markers[k]
            self._cls[slot] = classes[k]
            if marker is None:
                if self._sent[slot]:
                    drop.append(str(batch.ids[k].decode()))
                self._sent[slot] = 0
                continue
            mark = _fingerprint(marker)
            if self._sent[slot] != mark:
                self._sent[slot] = mark
                upsert.append(marker)
        present = set(batch.ids.tolist())
        self._apply_removed([i for i in ids if str(i).encode() not in present])
        if drop and self._ready:
            self._send_markers([], drop)
        if upsert and self._ready and self._have_summaries:
            self._send_markers(upsert, [])

    def _size_state(self) -> None:
        size = self._cols.size
        if len(self._sent) < size:
            self._sent = np.concatenate([self._sent, np.zeros(size - len(self._sent), np.int64)])
            self._cls = np.concatenate([self._cls, np.full(size - len(self._cls), -1, np.int8)])

    def _apply_removed(self, ids: Iterable[Any]) -> None:
        removed = []
        for case_id in ids:
            slot = self._cols.remove(case_id)
            if slot is not None and self._sent[slot]:
                removed.append(str(case_id))
            if slot is not None:
                self._sent[slot] = 0
        if removed and self._ready:
            self._send_markers([], removed)

    def _all_markers(self, now: datetime) -> list[dict]:
        """Every case's marker, from the columns (a page reload, e.g. for another language)."""
        cols = self._cols
        live = np.flatnonzero(cols.alive[:cols.size])
        markers = column_markers(cols, live, now)
        self._sent[live] = [0 if m is None else _fingerprint(m) for m in markers]
        return [m for m in markers if m is not None]

    def _send_markers(self, upsert: list[dict] | PreparedMarkers, remove: list[str], reset: bool = False) -> None:
        if isinstance(upsert, PreparedMarkers):  # the first push, serialised on the worker thread
            for script in upsert.scripts:
                self.run_js(script)
            return
        if reset:
            self.send({"op": "cases", "reset": True, "upsert": upsert[:CHUNK], "remove": []})
            upsert = upsert[CHUNK:]
        if remove:
            self.send({"op": "cases", "remove": remove, "upsert": []})
        for start in range(0, len(upsert), CHUNK):
            self.send({"op": "cases", "upsert": upsert[start:start + CHUNK], "remove": []})

    def refresh_time_left(self) -> None:
        """Recolour markers whose time-left class changed with the clock (runs every minute)."""
        now = now_utc(self.ctx)
        self.refresh_at(now)

    def refresh_at(self, now: datetime) -> int:
        self._size_state()
        cols = self._cols
        live = np.flatnonzero(cols.alive[:cols.size] & (self._sent[:cols.size] != 0))
        classes = _time_classes(cols, live, now)
        moved = live[classes != self._cls[live]]  # vectorised: only those get a new marker
        changed = []
        for slot, marker in zip(moved.tolist(), column_markers(cols, moved, now)):
            if marker is not None:
                self._sent[slot] = _fingerprint(marker)
                changed.append(marker)
        self._cls[live] = classes
        if changed and self._ready:
            self._send_markers(changed, [])
        return len(changed)

    def marker_count(self) -> int:
        self._size_state()
        cols = self._cols
        return int(np.count_nonzero(cols.alive[:cols.size] & (self._sent[:cols.size] != 0)))

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

    # ------------------------------------------------------------------ pick a location

    def pick_location(self, callback: Callable[[float, float], None],
                      on_cancel: Callable[[], None] | None = None) -> None:
        """Let the operator click the map: the next click calls `callback(lat, lon)`; Esc (or
        `cancel_pick()`, or a new pick) calls `on_cancel()`. Raises the dock into view."""
        if self._pick is not None:
            self._pick_cancelled("{}")
        self._pick = (callback, on_cancel)
        self.show()
        if not self.isWindow():  # a tabbed dock comes to the front; a window is left to the WM
            self.raise_()
        self.view.setFocus()
        if self._ready:
            self.send({"op": "pick", "on": True})
        else:
            self.page_ready.connect(self._resume_pick)

    def _resume_pick(self) -> None:
        self.page_ready.disconnect(self._resume_pick)
        if self._pick is not None:
            self.send({"op": "pick", "on": True})

    def cancel_pick(self) -> None:
        if self._pick is not None:
            if self._ready:
                self.send({"op": "pick", "on": False})
            self._pick_cancelled("{}")

    @property
    def picking(self) -> bool:
        return self._pick is not None

    def _location_picked(self, text: str) -> None:
        pick, self._pick = self._pick, None
        if pick is None:
            return
        try:
            msg = json.loads(text)
            lat, lon = float(msg["lat"]), float(msg["lon"])
        except (ValueError, KeyError, TypeError):
            log.warning("map sent a picked location without lat/lon: %.200s", text)
            return
        pick[0](lat, lon)

    def _pick_cancelled(self, _text: str) -> None:
        pick, self._pick = self._pick, None
        if pick is not None and pick[1] is not None:
            pick[1]()

    # ------------------------------------------------------------------ teardown

    def dispose(self) -> None:
        """Release the page before the profile (call when the dock is destroyed for good)."""
        self._flush_timer.stop()
        self._time_timer.stop()
        self._ready = False  # nothing more is sent to the page
        handler = map_scheme_handler()
        if handler is not None:
            handler.drop_page(self._page_name)
        if shiboken6.isValid(self.page):
            shiboken6.delete(self.page)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None


# ---------------------------------------------------------------------- the case layer's data (any thread)

_TIME_CLASSES = (map_layers.OVERDUE, map_layers.DUE_SOON_CLASS, map_layers.ON_TIME, map_layers.NO_DEADLINE)
_NO_DEADLINE_STATUSES = np.array([STATUS_ORDER[s] for s in (Status.CLOSED, Status.VOIDED, Status.MERGED, Status.SUSPENDED)])


def _time_classes(cols: QueueColumns, slots: np.ndarray, now: datetime) -> np.ndarray:
    """`map_layers.time_left_class` of many slots at once, as indexes into _TIME_CLASSES."""
    due = cols.due_us[slots]
    left = due - (now - EPOCH) // MICROSECOND
    soon = map_layers.DUE_SOON // MICROSECOND
    classes = np.where(left < 0, 0, np.where(left <= soon, 1, 2)).astype(np.int8)
    classes[np.isin(cols.status[slots], _NO_DEADLINE_STATUSES) | (due == NO_TIME)] = 3
    return classes


_STATUS_VALUES = [st.value for st in Status]
_FILLS = [map_layers.STATUS_COLOURS[st] for st in Status]
_PRIORITY_VALUES = [p.value for p in Priority]
_RINGS = [map_layers.TIME_LEFT_STYLE[c] for c in _TIME_CLASSES]


def column_markers(cols: QueueColumns, slots: np.ndarray, now: datetime) -> list[dict | None]:
    """`map_layers.case_marker` of many slots straight from the columns (no CaseSummary per case; the
    same records: tests compare them), None where a case has no usable position."""
    slots = np.asarray(slots, np.int64)
    lat, lon = cols.lat[slots], cols.lon[slots]
    usable = (np.isfinite(lat) & np.isfinite(lon)).tolist()
    categories, units = cols._codes["category"].values, cols._codes["unit"].values
    co_units = cols.co_units
    out: list[dict | None] = []
    for (slot, case_id, number, la, lo, status, priority, category, unit, cls, due, ok) in zip(
            slots.tolist(),
            cols.ids[slots].tolist(), cols.display_numbers(slots).tolist(), lat.tolist(), lon.tolist(),
            cols.status[slots].tolist(), cols.priority[slots].tolist(), cols.category[slots].tolist(),
            cols.unit[slots].tolist(), _time_classes(cols, slots, now).tolist(), cols.due_us[slots].tolist(),
            usable):
        if not ok:
            out.append(None)
            continue
        ring, weight = _RINGS[cls]
        out.append({"id": case_id.decode(), "n": number.decode(), "lat": round(la, 6), "lon": round(lo, 6),
                    "s": _STATUS_VALUES[status], "p": _PRIORITY_VALUES[priority],
                    "c": categories[category] if category >= 0 else "", "u": units[unit] if unit >= 0 else "",
                    "f": _FILLS[status], "r": ring, "w": weight, "t": _TIME_CLASSES[cls],
                    "due": None if due == NO_TIME else (EPOCH + timedelta(microseconds=due)).isoformat(),
                    "cu": ",".join(u for u, _ in co_units.get(slot, ()))})
    return out


def _fingerprint(marker: dict) -> int:
    """What the page shows of a marker, as one number (0 means "not on the map")."""
    return hash(tuple(marker.values())) or 1


class PreparedMarkers:
    """Markers already serialised as the page's `cases` messages (built on a worker thread, a chunk at a
    time, so 100,000 marker dicts never exist at once); `len()` is the number of markers."""

    def __init__(self, scripts: list[str], count: int):
        self.scripts = scripts
        self.count = count

    def __len__(self) -> int:
        return self.count


def _cases_script(upsert: list[dict], remove: list[str], reset: bool = False) -> str:
    message = {"op": "cases", "reset": True, "upsert": upsert, "remove": remove} if reset else \
        {"op": "cases", "remove": remove, "upsert": upsert}
    return f"OneGrid.receive({json.dumps(message, separators=(',', ':'))})"


class _Snapshot:
    """A copy of the columns `column_markers` reads, for the live slots (index k = slots[k]), so a worker
    thread can draw the first push while the GUI thread goes on updating the real columns."""

    def __init__(self, cols: QueueColumns):
        self.slots = np.flatnonzero(cols.alive[:cols.size])
        for name in ("lat", "lon", "ids", "status", "priority", "category", "unit", "due_us"):
            setattr(self, name, getattr(cols, name)[self.slots])
        self._numbers = cols.display_numbers(self.slots)
        where = {slot: k for k, slot in enumerate(self.slots.tolist())} if cols.co_units else {}
        self.co_units = {where[slot]: units for slot, units in cols.co_units.items() if slot in where}
        self._codes = {kind: SimpleNamespace(values=list(cols._codes[kind].values)) for kind in ("category", "unit")}

    def display_numbers(self, index: np.ndarray) -> np.ndarray:
        return self._numbers[index]


def _first_push(snap: _Snapshot, now: datetime) -> tuple[PreparedMarkers, np.ndarray, np.ndarray]:
    """The first push from a snapshot (worker thread): prepared scripts, fingerprints, time classes."""
    index = np.arange(len(snap.slots))
    marks = np.zeros(len(index), np.int64)
    scripts, count = [], 0
    for start in range(0, max(len(index), 1), CHUNK):
        part = index[start:start + CHUNK]
        markers = []
        for k, marker in zip(part.tolist(), column_markers(snap, part, now)):
            if marker is not None:
                marks[k] = _fingerprint(marker)
                markers.append(marker)
        scripts.append(_cases_script(markers, [], reset=start == 0))
        count += len(markers)
    return PreparedMarkers(scripts, count), marks, _time_classes(snap, index, now)


def _read_all_cases(cache, now: datetime) -> tuple:
    """Columns, the first push (PreparedMarkers), fingerprints and time classes of every case (worker)."""
    cols = load_columns(cache)
    sent = np.zeros(cols.size, np.int64)
    live = np.flatnonzero(cols.alive[:cols.size])
    scripts, count = [], 0
    for start in range(0, max(len(live), 1), CHUNK):
        markers = []
        part = live[start:start + CHUNK]
        for slot, marker in zip(part.tolist(), column_markers(cols, part, now)):
            if marker is not None:
                sent[slot] = _fingerprint(marker)
                markers.append(marker)
        scripts.append(_cases_script(markers, [], reset=start == 0))
        count += len(markers)
    classes = np.full(cols.size, -1, np.int8)
    classes[live] = _time_classes(cols, live, now)
    return cols, PreparedMarkers(scripts, count), sent, classes


def _read_changed_cases(cache, ids: list[UUID], now: datetime) -> tuple[RowBatch, list[dict | None]]:
    """The changed cases as a column batch and their markers (worker thread)."""
    summaries = cache.summaries(ids)
    return RowBatch.from_summaries(summaries), [map_layers.case_marker(s, now) for s in summaries]
