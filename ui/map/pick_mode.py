"""The map dock's "pick a location" mode (a mixin of `ui.map.dock.MapDock`): the next click on the map
is a location for a form; Esc, `cancel_pick()` or a new pick cancels it. `ui/map/pick.py` connects a form."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class PickMode:
    """Pick state on the dock: `_pick` = (callback, on_cancel) while picking."""

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
        self.ensure_view().setFocus()
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
