"""The map's vehicles-and-staff layer (resources/map/vehicles.js): markers from the `Fleet`, sent to the page
incrementally (only the devices that moved, at most every `FLUSH_MS`), greyed when stale (checked every
minute), filtered per unit; a click shows who, unit, speed, last report and its current case, whose link
selects the case everywhere (the console's one selection).

The map dock owns one (`ui.map.dock.MapDock.vehicles`); the dock is used only through `send`,
`bridge.message` and `page_ready`, so the layer does not depend on the map package.
"""
from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer

from app.avl import layer as avl_layer
from app.platform.labels import localized_name
from app.refdata.people import display_name
from ui.avl.fleet import Fleet
from ui.shell.i18n import current_language

if TYPE_CHECKING:
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

FLUSH_MS = 250


def now_utc(ctx: Any) -> datetime:
    """The console's clock (a context may provide a server-corrected `now()`)."""
    clock = getattr(ctx, "now", None)
    return clock() if callable(clock) else datetime.now(timezone.utc)
STALE_CHECK_MS = 60_000


class VehicleLayer(QObject):
    def __init__(self, ctx: ConsoleContext, dock: Any, *, stale_after: timedelta = avl_layer.DEFAULT_STALE_AFTER):
        super().__init__(dock)
        self.ctx = ctx
        self.dock = dock
        self.stale_after = stale_after
        self.units: frozenset[str] | None = None
        self.fleet = Fleet.for_context(ctx)
        self._ready = False
        self._dirty: set[str] = set()
        self._stale: dict[str, bool] = {}
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self._stale_timer = QTimer(self)
        self._stale_timer.setInterval(STALE_CHECK_MS)
        self._stale_timer.timeout.connect(self.refresh_stale)
        self._stale_timer.start()
        self.fleet.changed.connect(self._fleet_changed)
        dock.page_ready.connect(self._page_ready)
        dock.bridge.message.connect(self._message)

    # -- page

    def _page_ready(self) -> None:
        self._ready = True
        self.send_all()

    def send_all(self) -> None:
        rows = avl_layer.marker_rows(self.fleet.positions.values(), now_utc(self.ctx), self.stale_after)
        self._stale = {r[0]: r[5] for r in rows}
        self._dirty.clear()
        self.dock.send({"op": "vehicles", "reset": True, "upsert": rows,
                        "units": sorted(self.units) if self.units is not None else None})

    def _fleet_changed(self, ids: frozenset[str] | None) -> None:
        if ids is None:
            if self._ready:
                self.send_all()
            return
        self._dirty |= ids
        if self._ready and not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> int:
        """Send the devices that moved since the last flush; how many."""
        if not self._ready or not self._dirty:
            return 0
        ids, self._dirty = self._dirty, set()
        return self.apply(ids)

    def apply(self, ids: Any) -> int:
        """Send the markers of `ids` (the GUI-thread work of one batch: the benchmark measures this)."""
        now = now_utc(self.ctx)
        positions = self.fleet.positions
        upsert, remove = [], []
        for device_id in ids:
            p = positions.get(device_id)
            if p is None:
                remove.append(device_id)
                continue
            row = avl_layer.marker_row(p, now, self.stale_after)
            self._stale[device_id] = row[5]
            upsert.append(row)
        self.dock.send({"op": "vehicles", "upsert": upsert, "remove": remove})
        return len(upsert) + len(remove)

    def refresh_stale(self) -> int:
        """Grey the devices that went quiet (and un-grey those that spoke) with the clock."""
        if not self._ready:
            return 0
        now = now_utc(self.ctx)
        changed = [d for d, p in self.fleet.positions.items()
                   if avl_layer.is_stale(p, now, self.stale_after) != self._stale.get(d)]
        return self.apply(changed) if changed else 0

    def set_units(self, units: frozenset[str] | None) -> None:
        """Show only the devices of these units (None: all)."""
        self.units = units
        if self._ready:
            self.dock.send({"op": "vehicles", "units": sorted(units) if units is not None else None})

    # -- clicks

    def _message(self, text: str) -> None:
        try:
            msg = json.loads(text)
        except ValueError:
            return
        if msg.get("type") == "vehicle_clicked":
            self.show_details(str(msg.get("id")))
        elif msg.get("type") == "vehicle_track":
            self.open_replay(str(msg.get("id")))
        elif msg.get("type") == "vehicle_case":
            try:
                self.ctx.signals.case_selected.emit(uuid.UUID(str(msg.get("case_id"))))
            except ValueError:
                log.debug("vehicle popup: not a case id %r", msg.get("case_id"))

    def now(self) -> datetime:
        return now_utc(self.ctx)

    def client(self) -> Any:
        """The sync client while the console is connected with a login, else None (a track needs the server)."""
        engine = getattr(self.ctx, "engine", None)
        if engine is None or str(getattr(engine.state, "connection", "")) not in ("online", "syncing"):
            return None
        client = engine.client
        return client if getattr(client, "token", None) else None

    def open_replay(self, device_id: str):
        """The track replay of one device (ui/avl/replay.py), over the map."""
        from ui.avl.replay import ReplayDialog

        dialog = ReplayDialog(self, device_id, self.dock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.load()
        self.replay = dialog
        return dialog

    def details(self, device_id: str) -> list[tuple[str, str]] | None:
        p = self.fleet.positions.get(device_id)
        if p is None:
            return None
        refdata = self.ctx.refdata
        unit_name = None
        if refdata is not None and p.get("owner_unit_id") and refdata.has_unit(p["owner_unit_id"]):
            unit_name = localized_name(refdata.unit(p["owner_unit_id"]), current_language())
        person = display_name(refdata, p.get("person")) if p.get("person") else None
        return avl_layer.details(p, now_utc(self.ctx), person_name=person, unit_name=unit_name,
                                 case_number=self._case_number(p.get("case_id")), stale_after=self.stale_after)

    def _case_number(self, case_id: Any) -> str | None:
        if not case_id:
            return None
        try:
            case = self.ctx.cache.case(uuid.UUID(str(case_id)))
        except Exception:  # not cached (another unit's), or not an id: the id's start is enough
            case = None
        return case.display_number if case is not None else str(case_id)[:8]

    def show_details(self, device_id: str) -> None:
        rows = self.details(device_id)
        if rows is None:
            return
        case_id = self.fleet.positions[device_id].get("case_id")
        self.dock.send({"op": "vehicle_popup", "id": device_id, "rows": rows, "case_id": case_id})
