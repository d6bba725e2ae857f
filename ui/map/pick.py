""""Pick on map" for a form (the new case dialog): the form steps aside so the map can be clicked, the
map shows the grid and the address under the cursor, and the click fills the form's coordinates with the
address snapped from the gazetteer (the nearest street, landmark or case address; `app.map.gazetteer`).

    connect_pick(dialog, map_dock)   # dialog: pick_on_map_requested signal, set_location(lat, lon, address)
"""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QRect
from PySide6.QtWidgets import QWidget

from app.map.gazetteer import snapped_address

if TYPE_CHECKING:
    from ui.map.dock import MapDock

log = logging.getLogger(__name__)

MARGIN = 12


class MapPick(QObject):
    """One form's picking on one map dock."""

    def __init__(self, dialog: QWidget, dock: MapDock):
        super().__init__(dialog)
        self.dialog, self.dock = dialog, dock
        self._saved: QRect | None = None
        self.last_info = ""
        dialog.pick_on_map_requested.connect(self.start)
        dock.bridge.message.connect(self._message)

    # ------------------------------------------------------------------ the form out of the way

    def start(self) -> None:
        self._saved = self.dialog.geometry()
        self._step_aside()
        self.dock.pick_location(self._picked, self._cancelled)

    def _step_aside(self) -> None:
        """Move the form beside the map's view on its screen, or, with no room there, minimise it."""
        view = self.dock.view
        area = QRect(view.mapToGlobal(QPoint(0, 0)), view.size())
        screen = (self.dialog.screen() or view.screen()).availableGeometry()
        frame = self.dialog.frameGeometry()
        w, h = frame.width(), frame.height()
        if area.left() - screen.left() >= w + MARGIN:
            x = area.left() - w - MARGIN
        elif screen.right() - area.right() >= w + MARGIN:
            x = area.right() + MARGIN
        else:  # no room beside the map: out of sight until the click (the map's banner says what to do)
            self._minimized = True
            self.dialog.showMinimized()
            return
        y = min(max(screen.top(), area.top()), screen.bottom() - h)
        self.dialog.move(x, y)

    _minimized = False

    def _restore(self) -> None:
        if self._minimized:
            self._minimized = False
            self.dialog.showNormal()
        if self._saved is not None:
            self.dialog.setGeometry(self._saved)
            self._saved = None
        self.dialog.raise_()
        self.dialog.activateWindow()

    # ------------------------------------------------------------------ the map's answers

    def _gazetteer(self) -> Any:
        return self.dock.search.ensure_gazetteer()

    def describe(self, lat: float, lon: float) -> tuple[Any, str]:
        """The grid under a point and the address a click there takes."""
        refdata = self.dock.ctx.refdata
        grid = refdata.grid_at(lat, lon) if refdata is not None else None
        near = self._gazetteer().nearest(lat, lon)
        return grid, snapped_address(near[0]) if near else ""

    def _message(self, text: str) -> None:
        if not self.dock.picking:
            return
        try:
            msg = json.loads(text)
            if msg.get("type") != "pick_hover":
                return
            lat, lon = float(msg["lat"]), float(msg["lon"])
        except (ValueError, TypeError, KeyError):
            return
        grid, address = self.describe(lat, lon)
        parts = [f"{grid.code} {grid.name}" if grid is not None else self.tr("outside the grids")]
        if address:
            parts.append(address)
        self.last_info = " · ".join(parts)
        self.dock.send({"op": "pick_info", "text": self.last_info})

    def _picked(self, lat: float, lon: float) -> None:
        _grid, address = self.describe(lat, lon)
        self.dialog.set_location(lat, lon, address or None)
        self._restore()

    def _cancelled(self) -> None:
        self._restore()


def connect_pick(dialog: QWidget, dock: MapDock) -> MapPick:
    return MapPick(dialog, dock)
