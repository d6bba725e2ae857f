"""`Fleet`: the GUI-thread owner of the console's vehicle and staff positions, shared by the map layer, the
wall view and the nearest-person suggestions (kept as ``ctx.fleet``).

The positions are the server's word only: the feed's kind `position` (at most one per device per throttle
period) lands in the local cache like sensors; the fleet reads the changed rows on a worker and applies
them here. Offline it keeps what the cache holds (each device's last known position, shown stale).
Signal `changed(frozenset | None)`: the device ids that moved (None: all of them, after the first read).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.avl.positions import POSITION
from ui.shell.ops import run_op

if TYPE_CHECKING:
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


class Fleet(QObject):
    changed = Signal(object)

    def __init__(self, ctx: ConsoleContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.positions: dict[str, dict[str, Any]] = {}
        self.loaded = False
        ctx.signals.entities_changed.connect(self._entities_changed)

    @classmethod
    def for_context(cls, ctx: ConsoleContext) -> Fleet:
        """The context's fleet, made (and its first read started) on first use."""
        fleet = getattr(ctx, "fleet", None)
        if fleet is None:
            fleet = cls(ctx, parent=ctx.signals)
            ctx.fleet = fleet
            fleet.start()
        return fleet

    def start(self) -> None:
        cache = getattr(self.ctx, "cache", None)
        if cache is None:
            return
        run_op(lambda: cache.entities(POSITION), self._loaded, owner=self)

    def _loaded(self, rows: dict[str, Any]) -> None:
        self.positions.update({k: v for k, v in rows.items() if isinstance(v, dict)})
        self.loaded = True
        self.changed.emit(None)

    def _entities_changed(self, kind: str, ids: Any) -> None:
        if kind != POSITION or not ids:
            return
        cache = self.ctx.cache
        wanted = list(ids)
        run_op(lambda: cache.entities(POSITION, wanted), lambda rows: self._apply(wanted, rows), owner=self)

    def _apply(self, ids: list[str], rows: dict[str, Any]) -> None:
        for device_id in ids:
            row = rows.get(device_id)
            if isinstance(row, dict):
                self.positions[device_id] = row
            else:  # left the user's scope (a scope exit) or deleted
                self.positions.pop(device_id, None)
        self.changed.emit(frozenset(ids))

    def apply_positions(self, rows: list[dict[str, Any]]) -> None:
        """Take positions directly (the wall view's demo and the benchmark), as if they came from the cache."""
        for row in rows:
            self.positions[row["device_id"]] = row
        self.changed.emit(frozenset(r["device_id"] for r in rows))
