"""The server's base map, kept by the console for offline use. Qt-free.

The console asks the server what base map it serves (`GET /api/basemap`) and keeps that answer beside the
tiles (``<tiles dir>/basemap.json``), so an offline start still knows the package; tiles are fetched
once each (`GET /api/basemap/tiles/z/x/y`, with the session's token) into an `app.map.tile_cache.TileCache`
whose folder is keyed by the package's version: a new import on the server starts a fresh folder, and
never mixes its tiles with the old ones.
"""
from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Protocol

from app.map.tile_cache import TileCache

log = logging.getLogger(__name__)

INFO_FILE = "basemap.json"
_ADDRESS = re.compile(r"basemap:[^/]+/(\d+)/(\d+)/(\d+)")


class BaseMapClient(Protocol):
    def basemap(self) -> Any: ...
    def basemap_tile(self, z: int, x: int, y: int) -> bytes | None: ...


class ServerBaseMap:
    """The server's base map in `folder` (the console's tile folder)."""

    def __init__(self, client: BaseMapClient, folder: Path | str):
        self.client = client
        self.folder = Path(folder)
        self.info: dict[str, Any] | None = self._read()
        self._cache: TileCache | None = None

    def _read(self) -> dict[str, Any] | None:
        try:
            info = json.loads((self.folder / INFO_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) and info.get("version") else None

    def refresh(self) -> bool:
        """Ask the server (blocking: off the GUI thread); True when what it serves changed. A server that
        cannot be reached changes nothing (the kept answer stays)."""
        try:
            answer = self.client.basemap()
        except Exception as exc:  # offline, logged out: keep what we had
            log.info("base map not refreshed: %s", exc)
            return False
        info = answer.model_dump() if answer is not None else None
        if info == self.info:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / INFO_FILE
        if info is None:
            path.unlink(missing_ok=True)
        else:
            tmp = path.with_suffix(".part")
            tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        self.info = info
        self._cache = None
        log.info("server base map: %s", "none" if info is None else f"{info['name']} ({info['version']})")
        return True

    def tile_cache(self) -> TileCache | None:
        """The tiles of the package in force (None: the server has no base map, as far as we know)."""
        if self.info is None:
            return None
        if self._cache is None:
            template = f"basemap:{self.info['version']}/{{z}}/{{x}}/{{y}}.{self.info.get('format', 'png')}"
            self._cache = TileCache(self.folder, template, fetch=self._fetch,
                                    max_zoom=int(self.info.get("max_zoom", 18)))
        return self._cache

    def _fetch(self, address: str, _timeout: float) -> bytes:
        m = _ADDRESS.match(address)
        if m is None:
            raise ValueError(f"not a base-map tile address: {address}")
        try:
            data = self.client.basemap_tile(int(m[1]), int(m[2]), int(m[3]))
        except Exception as exc:  # unreachable, logged out: the tile is absent for now (TileCache retries later)
            raise OSError(str(exc)) from exc
        if data is None:
            raise ValueError("the base map has no tile there")
        return data
