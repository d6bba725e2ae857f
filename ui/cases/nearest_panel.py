"""The nearest available people for a case, beside the responsibility matrix's suggestions in the dispatch and
send-verify dialogs (`app.avl.nearest`): each row says who (the device's person or its name), the unit, how
far and how long ago it reported, and why it is or is not available. Choosing a row chooses its unit
(dispatch) or its inspector (send to verify). The positions are the cache's (`ctx.fleet` when the map has
one, else read here), so it works offline with the last known positions — marked stale when they are."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from app.avl.nearest import Suggestion, busy_people, rank_nearest
from app.avl.positions import POSITION
from app.platform.labels import localized_name
from app.refdata.people import display_name
from ui.shell.i18n import current_language

log = logging.getLogger(__name__)

INSPECTOR_KINDS = ("inspector_handset",)
CREW_KINDS = ("sanitation_truck", "muck_truck", "patrol_car")
_ROLE = Qt.ItemDataRole.UserRole


def known_positions(ctx: Any) -> list[Mapping[str, Any]]:
    """The latest positions this console holds (the fleet's, or the cache's)."""
    fleet = getattr(ctx, "fleet", None)
    if fleet is not None and getattr(fleet, "loaded", False):
        return list(fleet.positions.values())
    cache = getattr(ctx, "cache", None)
    try:
        return [p for p in cache.entities(POSITION).values() if isinstance(p, Mapping)] if cache is not None else []
    except Exception:  # an old cache without the kind: no positions
        log.debug("no positions in the cache", exc_info=True)
        return []


def now_of(ctx: Any) -> datetime:
    clock = getattr(ctx, "now", None)
    return clock() if callable(clock) else datetime.now(timezone.utc)


class NearestPanel(QTreeWidget):
    chosen = Signal(object)  # the Suggestion chosen

    def __init__(self, suggestions: Iterable[Suggestion], refdata: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestions = list(suggestions)
        self.setHeaderLabels([self.tr("Nearest"), self.tr("Unit"), self.tr("Distance"), self.tr("Why")])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        language = current_language()
        for s in self.suggestions:
            who = display_name(refdata, s.person) if s.person else (s.name or s.device_id)
            unit = localized_name(refdata.unit(s.unit_id), language) if refdata is not None and \
                refdata.has_unit(s.unit_id) else s.unit_id
            item = QTreeWidgetItem([who, unit, f"{s.distance_m / 1000:.1f} km", s.reason])
            item.setData(0, _ROLE, s)
            item.setToolTip(3, s.reason)
            if not s.available:
                item.setForeground(0, self.palette().placeholderText())
            self.addTopLevelItem(item)
        self.setColumnWidth(0, 180)
        self.setMaximumHeight(self.sizeHintForRow(0) * min(max(1, len(self.suggestions)), 5)
                              + self.header().sizeHint().height() + 8)
        self.itemClicked.connect(lambda item, _col: self.chosen.emit(item.data(0, _ROLE)))

    def choose_row(self, row: int) -> Suggestion:
        item = self.topLevelItem(row)
        self.setCurrentItem(item)
        s = item.data(0, _ROLE)
        self.chosen.emit(s)
        return s


def crew_panel(ctx: Any, case: Any, refdata: Any, parent: QWidget | None) -> NearestPanel | None:
    """The nearest crews (vehicles of any unit) for a dispatch; None when no position is known."""
    positions = known_positions(ctx)
    if not positions:
        return None
    ranked = rank_nearest(positions, case.location.lat, case.location.lon, now_of(ctx), kinds=CREW_KINDS)
    return NearestPanel(ranked, refdata, parent) if ranked else None


def inspector_panel(ctx: Any, case: Any, refdata: Any, parent: QWidget | None) -> NearestPanel | None:
    """The nearest inspectors (handsets) for a verification; those on another open case are not available."""
    positions = known_positions(ctx)
    if not positions:
        return None
    try:
        busy = busy_people([*ctx.cache.cases_with_status("verifying"), *ctx.cache.cases_with_status("reported")])
    except Exception:
        busy = set()
    busy.discard(getattr(case, "inspector", None))
    ranked = rank_nearest(positions, case.location.lat, case.location.lon, now_of(ctx), kinds=INSPECTOR_KINDS,
                          busy=busy)
    return NearestPanel(ranked, refdata, parent) if ranked else None
