"""Which base map the map dock draws, and keeping the server's one current.

In order: a tile server in the settings (`tile_url_template`, the older way), a local MBTiles file in the
settings (`base_map_file`), else the server's base map (`app.map.server_tiles`), kept in the console's
tile folder for offline use. The server is asked off the GUI thread once the dock exists; when what it
serves changed (a new import), the dock reloads its page with the new tiles.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.map.datum import WGS84, offset
from app.map.mbtiles import MBTiles, MBTilesError
from app.map.server_tiles import ServerBaseMap
from app.map.tile_cache import tile_cache_from_settings

log = logging.getLogger(__name__)


class BaseMapChoice(QObject):
    """The dock's tile source (`source`: a `TileCache` or `MBTiles`, None for none) and its datum."""

    changed = Signal()  # the server's base map changed: rebuild the page

    def __init__(self, ctx: Any, parent: QObject | None = None, *, tiles_dir: Path | None = None):
        super().__init__(parent)
        self.source: Any = None
        self.datum = WGS84
        self.server: ServerBaseMap | None = None
        settings = getattr(ctx, "settings", None)
        local = getattr(settings, "base_map_file", "") or ""
        if getattr(settings, "tile_url_template", ""):
            self.source = tile_cache_from_settings(settings)
        elif local:
            try:
                self.source = MBTiles(local)
                self.datum = self.source.info.datum
            except MBTilesError as exc:
                log.error("the base map file in the settings is not used: %s", exc.message)
        else:
            client = getattr(getattr(ctx, "engine", None), "client", None)
            if client is not None and hasattr(client, "basemap"):
                if tiles_dir is None:
                    from app.platform.settings import data_dir

                    tiles_dir = data_dir() / "tiles"
                self.server = ServerBaseMap(client, Path(tiles_dir) / "server")
                self._take_server()

    def _take_server(self) -> None:
        assert self.server is not None
        self.source = self.server.tile_cache()
        self.datum = (self.server.info or {}).get("datum", WGS84)

    def refresh_in_background(self) -> None:
        """Ask the server what it serves now; emits `changed` (on the GUI thread) when it differs."""
        if self.server is None:
            return
        server = self.server

        def work() -> None:
            if server.refresh():
                self._take_server()
                self.changed.emit()

        threading.Thread(target=work, name="basemap-refresh", daemon=True).start()

    def page_tiles(self, url: str, centre: tuple[float, float] | None) -> dict[str, Any] | None:
        """The page's `tiles` config: where to ask, the zooms drawn natively, and the datum's shift."""
        if self.source is None:
            return None
        d_lat, d_lon = offset(self.datum, *centre) if centre else (0.0, 0.0)
        native = int(getattr(self.source, "max_zoom", 19))
        return {"url": url, "on": True, "max_zoom": max(native, 20), "max_native_zoom": native,
                "attribution": "", "datum": self.datum, "offset": [d_lat, d_lon]}

    def names(self) -> list[dict[str, Any]]:
        """The base map's place names (for the search), from the package or the server's answer."""
        info = getattr(self.source, "info", None)
        if info is not None and hasattr(info, "names"):
            return info.names
        if self.server is not None and self.server.info:
            return list(self.server.info.get("names") or [])
        return []
