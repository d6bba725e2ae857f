"""The console's copy of the server's base map: the server's answer kept beside the tiles (an offline
start still knows the package), each tile fetched once, and a new import starting a fresh folder."""
from __future__ import annotations

from app.map.server_tiles import INFO_FILE, ServerBaseMap
from app.wire.map import BaseMapAnswer


class Server:
    """The two calls the console makes, over a dict of tiles (the HTTP side is tests/map/server)."""

    def __init__(self, version="v1"):
        self.version, self.up, self.asked = version, True, []

    def basemap(self):
        if not self.up:
            raise ConnectionError("server unreachable")
        return BaseMapAnswer(version=self.version, name="city", format="png", datum="gcj02", min_zoom=14,
                             max_zoom=16, bounds=None, tile_count=3, attribution="", tile_url="/t",
                             names=[{"name": "湖滨路", "kind": "road", "lat": 30.25, "lon": 120.16}])

    def basemap_tile(self, z, x, y):
        if not self.up:
            raise ConnectionError("server unreachable")
        self.asked.append((z, x, y))
        return b"\x89PNG\r\n\x1a\n" + f"{self.version}/{z}/{x}/{y}".encode() if z == 16 else None


def test_the_answer_and_the_tiles_are_kept_for_offline_use(tmp_path):
    server = Server()
    kept = ServerBaseMap(server, tmp_path)
    assert kept.tile_cache() is None                       # never asked yet: no base map
    assert kept.refresh() is True and not kept.refresh()   # a second identical answer changes nothing
    cache = kept.tile_cache()
    assert cache.max_zoom == 16 and kept.info["datum"] == "gcj02"
    tile = cache.get(16, 54642, 26985)
    assert tile.endswith(b"v1/16/54642/26985")
    assert cache.get(16, 54642, 26985) == tile and server.asked == [(16, 54642, 26985)]  # fetched once
    assert cache.get(15, 1, 1) is None                     # the package has none there

    server.up = False                                      # next start, offline
    again = ServerBaseMap(server, tmp_path)
    assert not again.refresh()                             # unreachable: what was kept stays
    assert again.info["names"][0]["name"] == "湖滨路"
    assert again.tile_cache().get(16, 54642, 26985) == tile
    assert again.tile_cache().get(16, 1, 1) is None        # not fetched offline


def test_a_new_import_starts_a_fresh_folder_and_none_removes_the_answer(tmp_path):
    server = Server("v1")
    kept = ServerBaseMap(server, tmp_path)
    kept.refresh()
    first = kept.tile_cache().folder
    kept.tile_cache().get(16, 5, 5)
    server.version = "v2"
    assert kept.refresh() is True
    assert kept.tile_cache().folder != first
    assert kept.tile_cache().get(16, 5, 5).endswith(b"v2/16/5/5")
    server.basemap = lambda: None                          # the server's base map was removed
    assert kept.refresh() is True and kept.tile_cache() is None and not (tmp_path / INFO_FILE).exists()
