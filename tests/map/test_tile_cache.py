"""The raster tile cache: a tile fetched once is kept on disk and served from there, also offline and
after the tile server is gone. The "tile server" is a local http.server on 127.0.0.1, stopped in the
test."""
from __future__ import annotations

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.map.tile_cache import TileCache, TileError, check_tile, sniff_mime


def png(colour: int) -> bytes:
    """A valid 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00" + bytes([colour, colour, colour])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class TileServer:
    def __init__(self):
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                outer.hits.append(self.path)
                parts = self.path.strip("/").split("/")
                if len(parts) == 3 and parts[0] != "9":
                    body = png(int(parts[0]) * 10)
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                elif parts and parts[0] == "html":
                    body = b"<html>not a tile</html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                else:
                    body = b"no"
                    self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def tile_server():
    server = TileServer()
    yield server
    server.stop()


def test_fetch_once_then_serve_from_disk_even_after_the_server_is_gone(tmp_path, tile_server):
    cache = TileCache(tmp_path / "tiles", tile_server.template, timeout_s=5)
    first = cache.get(3, 4, 5)
    assert first == png(30) and sniff_mime(first) == "image/png"
    assert tile_server.hits == ["/3/4/5.png"]
    assert cache.path(3, 4, 5).read_bytes() == first
    assert cache.get(3, 4, 5) == first
    assert tile_server.hits == ["/3/4/5.png"]  # the second time came from disk
    tile_server.stop()
    again = TileCache(tmp_path / "tiles", tile_server.template, timeout_s=1)  # a new console start
    assert again.get(3, 4, 5) == first
    assert again.stats.hits == 1 and again.stats.fetched == 0
    assert again.get(3, 4, 6) is None  # never seen and the server is gone: simply absent
    assert again.stats.failures == 1
    assert again.tile_count() == 1


def test_offline_reads_only_the_disk(tmp_path, tile_server):
    cache = TileCache(tmp_path, tile_server.template)
    cache.get(2, 1, 1)
    cache.offline = True
    assert cache.get(2, 1, 1) == png(20)
    assert cache.get(2, 1, 2) is None
    assert tile_server.hits == ["/2/1/1.png"]
    cache.offline = False
    assert cache.get(2, 1, 2) == png(20)


def test_failures_are_not_stored_and_not_retried_at_once(tmp_path, tile_server):
    cache = TileCache(tmp_path, tile_server.template, retry_after_s=60)
    assert cache.get(9, 1, 1) is None  # 404
    assert cache.get(9, 1, 1) is None
    assert tile_server.hits == ["/9/1/1.png"]
    assert not cache.path(9, 1, 1).exists()
    html_cache = TileCache(tmp_path / "h", f"http://127.0.0.1:{tile_server.port}/html/{{x}}/{{y}}")
    assert html_cache.get(1, 0, 0) is None  # an answer that is not an image is not a tile
    assert html_cache.tile_count() == 0


def test_templates_do_not_share_tiles(tmp_path):
    a = TileCache(tmp_path, "http://a.example/{z}/{x}/{y}.png", fetch=lambda url, t: png(1))
    b = TileCache(tmp_path, "http://b.example/{z}/{x}/{y}.png", fetch=lambda url, t: png(2))
    assert a.get(1, 0, 0) == png(1) and b.get(1, 0, 0) == png(2)
    assert a.path(1, 0, 0) != b.path(1, 0, 0)


def test_subdomains_and_no_template(tmp_path):
    urls = []
    cache = TileCache(tmp_path, "http://{s}.tiles.example/{z}/{x}/{y}.png",
                      fetch=lambda url, t: urls.append(url) or png(5))
    cache.get(1, 0, 0)
    cache.get(1, 1, 0)
    assert urls == ["http://a.tiles.example/1/0/0.png", "http://b.tiles.example/1/1/0.png"]
    none = TileCache(tmp_path / "n")
    assert none.get(1, 0, 0) is None and not none.enabled


def test_tile_addresses_are_checked(tmp_path):
    check_tile(0, 0, 0)
    for z, x, y in ((-1, 0, 0), (1, 2, 0), (1, 0, -1), (23, 0, 0)):
        with pytest.raises(TileError):
            check_tile(z, x, y)
    with pytest.raises(TileError):
        TileCache(tmp_path, "http://x/{z}/{x}/{y}.png").get(2, 4, 0)
