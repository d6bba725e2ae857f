"""The one object the map page talks to (registered on the QWebChannel as ``bridge``).

The page calls ``bridge.post(json)`` and gets JSON back; the bridge re-emits each message as a Qt
signal carrying JSON text, so Python listeners never see JavaScript types. Python talks back to the page
only with ``runJavaScript("OneGrid.receive(...)")`` (see `ui/map/dock.py`), never through the channel.

Messages (``type``): ready, case_clicked {id}, sensor_clicked {id}, location_picked {lat, lon},
pick_cancelled, error {message}.
"""
from __future__ import annotations

import json
import logging

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class MapBridge(QObject):
    message = Signal(str)          # every message, as JSON
    ready = Signal(str)
    case_clicked = Signal(str)     # {"id": "<uuid>"}
    sensor_clicked = Signal(str)   # {"id": "wl-001"}
    location_picked = Signal(str)  # {"lat": 30.25, "lon": 120.16}
    pick_cancelled = Signal(str)

    _ROUTES = ("ready", "case_clicked", "sensor_clicked", "location_picked", "pick_cancelled")

    @Slot(str, result=str)
    def post(self, text: str) -> str:
        """Take one JSON message from the page; answer with JSON ({"ok": true} or an error)."""
        try:
            msg = json.loads(text)
            kind = msg["type"]
        except (ValueError, TypeError, KeyError):
            log.warning("map page sent a message that is not JSON with a type: %.200s", text)
            return json.dumps({"ok": False, "error": "bad_message"})
        if kind == "error":
            log.error("map page error: %s", msg.get("message"))
        self.message.emit(text)
        if kind in self._ROUTES:
            getattr(self, kind).emit(text)
            return json.dumps({"ok": True})
        return json.dumps({"ok": kind == "error", "error": None if kind == "error" else "unknown_type"})
