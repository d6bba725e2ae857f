"""The map's place search: one field in a bar above the map. Typing lists streets,
landmarks, communities, grids, member units and case addresses (Chinese, pinyin or initials, see
`app.map.gazetteer`); Enter or a click flies the map there and marks the place for a few seconds.

The gazetteer is built off the GUI thread when the field is first used (reference data and the base map's
names); case addresses come from the local cache's own lookup at each query, so a case registered a
minute ago is found too.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.map import gazetteer
from app.map.gazetteer import Gazetteer, Place
from ui.shell.ops import run_op

if TYPE_CHECKING:
    from ui.map.dock import MapDock

log = logging.getLogger(__name__)

DEBOUNCE_MS = 120
SHOWN = 8


class MapSearch(QWidget):
    """The search field and its list of places, over the map view of `dock`."""

    def __init__(self, dock: MapDock):
        super().__init__(dock)
        self.setObjectName("mapSearch")
        self.dock = dock
        self.gazetteer: Gazetteer | None = None
        self._building = False
        self._places: list[Place] = []
        self.field = QLineEdit(self)
        self.field.setObjectName("mapSearchField")
        self.field.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setObjectName("mapSearchResults")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.field)
        layout.addWidget(self.results)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self.field.textEdited.connect(lambda _t: self._timer.start())
        self.field.textChanged.connect(lambda t: t or self._show([]))
        self.field.returnPressed.connect(self.go)
        self.field.installEventFilter(self)
        self.results.itemClicked.connect(lambda item: self.go(self.results.row(item)))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)  # the map takes the rest
        self.field.setMaximumWidth(420)
        self.results.setMaximumWidth(420)
        self.retranslate()

    def around(self, view: QWidget) -> QWidget:
        """The dock's widget: this bar above the map's view (a widget over a web view would be painted
        under it)."""
        box = QWidget(self.dock)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self)
        layout.addWidget(view, 1)
        return box

    def retranslate(self) -> None:
        self.field.setPlaceholderText(self.tr("Find a place: street, landmark, grid, address…"))
        self.field.setToolTip(self.tr("Chinese, pinyin or initials (e.g. hbdd for 湖滨大道); Enter flies there"))

    def find(self, text: str) -> None:
        """Search for `text` as if it had been typed (scripts, screenshots)."""
        self.field.setText(text)
        self._timer.start()

    # ------------------------------------------------------------------ the index

    def invalidate(self) -> None:
        """Forget the index (new reference data or base map); rebuilt at the next query."""
        self.gazetteer = None

    def ensure_gazetteer(self) -> Gazetteer:
        """The index, built now (on this thread, a fraction of a second) if it is not there yet."""
        if self.gazetteer is None:
            self.gazetteer = gazetteer.build(self.dock.ctx.refdata, basemap_names=self.dock.base_map.names())
        return self.gazetteer

    def _build(self) -> None:
        if self._building:
            return
        self._building = True
        refdata, names = self.dock.ctx.refdata, self.dock.base_map.names()

        def done(g: Gazetteer) -> None:
            self._building = False
            self.gazetteer = g
            self._search()

        def failed(exc: BaseException) -> None:
            self._building = False
            log.error("the place index could not be built: %s", exc)

        run_op(lambda: gazetteer.build(refdata, basemap_names=names), done, failed, owner=self)

    # ------------------------------------------------------------------ searching

    def _search(self) -> None:
        query = self.field.text().strip()
        if not query:
            self._show([])
            return
        if self.gazetteer is None:
            self._build()
            return
        g, cache = self.gazetteer, getattr(self.dock.ctx, "cache", None)

        def work() -> list[Place]:
            places = g.search(query, SHOWN)
            if cache is not None and len(places) < SHOWN:
                places += _addresses(cache, query, SHOWN - len(places))
            return places

        run_op(work, lambda places, q=query: self._found(q, places), owner=self)

    def _found(self, query: str, places: list[Place]) -> None:
        if query == self.field.text().strip():
            self._show(places)

    def _show(self, places: list[Place]) -> None:
        self._places = places
        self.results.clear()
        for place in places:
            extra = place.detail if place.kind in ("grid", "community") and place.detail else ""
            text = f"{place.name}    · {gazetteer.kind_label(place.kind)}" + (f" {extra}" if extra else "")
            QListWidgetItem(text, self.results)
        self.results.setVisible(bool(places))
        if places:
            self.results.setCurrentRow(0)
            rows = min(len(places), SHOWN)
            row_h = max(self.results.sizeHintForRow(0), self.results.fontMetrics().height() + 4)
            self.results.setFixedHeight(min(row_h, 40) * rows + 2 * self.results.frameWidth() + 2)

    def go(self, row: int | None = None) -> None:
        """Fly to the chosen place (the highlighted one, else the first)."""
        if row is None:
            row = max(self.results.currentRow(), 0)
        if not (0 <= row < len(self._places)):
            return
        place = self._places[row]
        self.dock.send({"op": "fly", "lat": place.lat, "lon": place.lon, "zoom": place.zoom, "name": place.name})
        self.results.hide()
        self.last_flown = place

    last_flown: Place | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self._places:
                step = 1 if key == Qt.Key.Key_Down else -1
                self.results.setCurrentRow(max(0, min(len(self._places) - 1, self.results.currentRow() + step)))
                self.results.show()
                return True
            if key == Qt.Key.Key_Escape:
                self.field.clear()
                return True
        return super().eventFilter(watched, event)


def _addresses(cache: Any, query: str, limit: int) -> list[Place]:
    """Case addresses matching the query, from the local cache's lookup (each address once)."""
    out: list[Place] = []
    seen: set[str] = set()
    for hit in cache.lookup(query, 30):
        if hit.field != "address" or hit.snippet in seen:
            continue
        case = cache.case(hit.case_id)
        loc = getattr(case, "location", None)
        if loc is None or loc.lat is None or loc.lon is None:
            continue
        seen.add(hit.snippet)
        out.append(Place(loc.address or hit.snippet, "address", loc.lat, loc.lon))
        if len(out) >= limit:
            break
    return out
