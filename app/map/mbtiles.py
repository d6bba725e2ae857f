"""MBTiles base-map packages: checked before they are accepted, then read tile by tile. Qt-free.

An MBTiles file (https://github.com/mapbox/mbtiles-spec, 1.3) is an SQLite database with a
``metadata(name, value)`` table and a ``tiles(zoom_level, tile_column, tile_row, tile_data)`` table or
view; rows are numbered TMS-style (row 0 at the south), so the XYZ ``y`` Leaflet asks for is flipped.
A centre's GIS department hands one over; `check_package` refuses it with a reason code and a sentence
when it is not SQLite, has the wrong schema, holds tiles we cannot draw (vector ``pbf``) or none inside
the city's bounds. `MBTiles` then serves tiles with the same calls as `app.map.tile_cache.TileCache`
(``cached``/``get``/``stats``/``max_zoom``), so the console's URL scheme takes either.

The datum of the tiles is part of the package's description (`BaseMapInfo.datum`): ``wgs84`` unless the
metadata (our own key ``onegrid:datum``) or the console setting says ``gcj02``; see `app.map.datum`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from app.map.datum import DATUMS, WGS84
from app.map.tile_cache import TileStats, check_tile, sniff_mime

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
RASTER_FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
DATUM_KEY = "onegrid:datum"
NAMES_KEY = "onegrid:names"  # the package's place names for the search: JSON [{name, name_en, kind, lat, lon}]

Bounds = tuple[float, float, float, float]  # west, south, east, north (degrees, WGS-84)


class MBTilesError(ValueError):
    """A package refused: `code` says which check failed, the message says it in a sentence."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class BaseMapInfo:
    """What a package holds, as checked."""

    name: str
    format: str              # png | jpg | webp
    mime: str
    min_zoom: int
    max_zoom: int
    bounds: Bounds | None    # from the metadata, when given
    datum: str               # wgs84 | gcj02
    tile_count: int
    tiles_in_city: int       # tiles at `probe_zoom` that overlap the city's bounds (0: no city given)
    probe_zoom: int
    attribution: str = ""
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[dict]:
        return place_names(self.metadata)

    def as_dict(self) -> dict:
        return {"name": self.name, "format": self.format, "min_zoom": self.min_zoom,
                "max_zoom": self.max_zoom, "bounds": list(self.bounds) if self.bounds else None,
                "datum": self.datum, "tile_count": self.tile_count, "attribution": self.attribution,
                "names": self.names}


def place_names(metadata: dict[str, str]) -> list[dict]:
    """The place names a package carries (our metadata key), each checked; [] when it has none."""
    try:
        raw = json.loads(metadata.get(NAMES_KEY) or "[]")
    except ValueError:
        log.warning("the base map's %s metadata is not JSON; no place names from it", NAMES_KEY)
        return []
    out = []
    for n in raw if isinstance(raw, list) else []:
        if isinstance(n, dict) and isinstance(n.get("name"), str) and n["name"]:
            try:
                line = [[float(p[0]), float(p[1])] for p in n.get("line") or []][:500]
                out.append({"name": n["name"][:200], "name_en": str(n.get("name_en") or "")[:200],
                            "kind": str(n.get("kind") or "landmark")[:20], "lat": float(n["lat"]),
                            "lon": float(n["lon"]), "line": line})
            except (KeyError, TypeError, ValueError):
                continue
    return out


def plan_names(geojson: dict) -> list[dict]:
    """The named features of a city plan (tools/make_base_map.py) as place names: a line at its middle
    point, an area at its centroid."""
    from app.platform.geo import centroid

    out = []
    for f in geojson.get("features", []):
        props, geom = f.get("properties") or {}, f.get("geometry") or {}
        if not props.get("name"):
            continue
        extra = {}
        if geom.get("type") == "Point":
            lon, lat = geom["coordinates"][:2]
        elif geom.get("type") == "LineString":
            line = geom["coordinates"]
            lon, lat = line[len(line) // 2][:2]
            extra = {"line": [[round(p[1], 6), round(p[0], 6)] for p in line]}  # for snapping to the road
        else:
            lon, lat = centroid(geom["coordinates"])
        out.append({"name": props["name"], "name_en": props.get("name_en", ""), "kind": props.get("kind", ""),
                    "lat": round(lat, 6), "lon": round(lon, 6), **extra})
    return out


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point (Web Mercator, as Leaflet)."""
    n = 1 << z
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_range(bounds: Bounds, z: int) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 (inclusive, XYZ) of the tiles covering `bounds` at zoom `z`."""
    west, south, east, north = bounds
    x0, y0 = lonlat_to_tile(west, north, z)
    x1, y1 = lonlat_to_tile(east, south, z)
    return x0, y0, x1, y1


def _connect(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    con.execute("PRAGMA query_only = ON")
    return con


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}  # noqa: S608 - fixed names


def _parse_bounds(text: str | None) -> Bounds | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


def check_package(path: Path | str, city_bounds: Bounds | None = None, *, datum: str | None = None) -> BaseMapInfo:
    """Check an MBTiles file and describe it; raise `MBTilesError` naming the first check it fails:
    ``not_found``, ``not_sqlite``, ``wrong_schema``, ``unsupported_format``, ``empty``, ``bad_tile``,
    ``outside_city``, ``bad_datum``."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise MBTilesError("not_found", f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if head != SQLITE_MAGIC:
        raise MBTilesError("not_sqlite", f"{path.name} is not an SQLite file, so not an MBTiles package")
    try:
        con = _connect(path)
    except sqlite3.Error as exc:
        raise MBTilesError("not_sqlite", f"{path.name} cannot be opened as SQLite: {exc}") from exc
    try:
        return _describe(con, path, city_bounds, datum)
    except sqlite3.DatabaseError as exc:
        raise MBTilesError("not_sqlite", f"{path.name} is a damaged SQLite file: {exc}") from exc
    finally:
        con.close()


def _describe(con: sqlite3.Connection, path: Path, city_bounds: Bounds | None, datum: str | None) -> BaseMapInfo:
    missing = []
    if not {"name", "value"} <= _columns(con, "metadata"):
        missing.append("metadata(name, value)")
    if not {"zoom_level", "tile_column", "tile_row", "tile_data"} <= _columns(con, "tiles"):
        missing.append("tiles(zoom_level, tile_column, tile_row, tile_data)")
    if missing:
        raise MBTilesError("wrong_schema", f"{path.name} is SQLite but not MBTiles: it lacks the "
                                           + " and ".join(missing) + " table")
    meta = {str(k): str(v) for k, v in con.execute("SELECT name, value FROM metadata") if k is not None}
    fmt = (meta.get("format") or "").lower()
    if fmt in ("pbf", "mvt"):
        raise MBTilesError("unsupported_format", f"{path.name} holds vector tiles ({fmt}); the console draws "
                                                 "raster tiles only (PNG, JPEG or WebP)")
    row = con.execute("SELECT COUNT(*), MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    count, zmin, zmax = int(row[0] or 0), row[1], row[2]
    if count == 0:
        raise MBTilesError("empty", f"{path.name} holds no tiles")
    sample = con.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()[0]
    mime = sniff_mime(bytes(sample or b""))
    if mime is None or mime == "image/gif":
        raise MBTilesError("unsupported_format", f"{path.name}: its tiles are not PNG, JPEG or WebP images"
                           + (f" (format {fmt})" if fmt else ""))
    if fmt and fmt in RASTER_FORMATS and RASTER_FORMATS[fmt] != mime:
        raise MBTilesError("bad_tile", f"{path.name} says its format is {fmt} but its tiles are {mime}")
    fmt = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}[mime]
    chosen = (datum or meta.get(DATUM_KEY) or WGS84).lower()
    if chosen not in DATUMS:
        raise MBTilesError("bad_datum", f"datum {chosen!r} is not one of {', '.join(DATUMS)}")
    probe = int(zmax)
    in_city = 0
    if city_bounds is not None:
        # the deepest zoom is the one a street view needs; any tile there inside the city will do
        x0, y0, x1, y1 = tile_range(city_bounds, probe)
        n = 1 << probe
        r0, r1 = n - 1 - y1, n - 1 - y0
        in_city = int(con.execute(
            "SELECT COUNT(*) FROM tiles WHERE zoom_level = ? AND tile_column BETWEEN ? AND ? "
            "AND tile_row BETWEEN ? AND ?", (probe, x0, x1, r0, r1)).fetchone()[0])
        if in_city == 0:
            w, s, e, nn = city_bounds
            raise MBTilesError("outside_city", f"{path.name} has no tiles inside the city's bounds "
                                               f"({s:.4f},{w:.4f} – {nn:.4f},{e:.4f}) at zoom {probe}")
    return BaseMapInfo(name=meta.get("name") or path.stem, format=fmt, mime=mime, min_zoom=int(zmin),
                       max_zoom=int(zmax), bounds=_parse_bounds(meta.get("bounds")), datum=chosen,
                       tile_count=count, tiles_in_city=in_city, probe_zoom=probe,
                       attribution=meta.get("attribution", ""), metadata=meta)


def file_digest(path: Path | str) -> str:
    """A short content hash of a package: the version its tiles' ETags are made of."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


class MBTiles:
    """Tiles read from a checked package, one read-only SQLite connection per thread.

    Offers the calls the console's URL scheme makes of a tile cache, so a local file is a drop-in base
    map; it never fetches anything."""

    def __init__(self, path: Path | str, *, city_bounds: Bounds | None = None, datum: str | None = None):
        self.path = Path(path)
        self.info = check_package(self.path, city_bounds, datum=datum)
        self.max_zoom = self.info.max_zoom
        self.min_zoom = self.info.min_zoom
        self.stats = TileStats()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    enabled = True

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = _connect(self.path)
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def cached(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ address z/x/y, or None when the package has none there."""
        check_tile(z, x, y)
        row = self._con().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (1 << z) - 1 - y)).fetchone()
        return bytes(row[0]) if row is not None and row[0] is not None else None

    def get(self, z: int, x: int, y: int) -> bytes | None:
        data = self.cached(z, x, y)
        with self._lock:
            if data is None:
                self.stats.misses += 1
            else:
                self.stats.hits += 1
        return data

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()
        self._local = threading.local()


def write_package(path: Path | str, metadata: dict[str, str], tiles) -> int:
    """Write an MBTiles file from ``(z, x, y, data)`` with XYZ rows (flipped to TMS here); returns the
    count. Used by `tools/make_base_map.py` and by tests that need a package."""
    path = Path(path)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.executescript("""
            CREATE TABLE metadata (name TEXT, value TEXT);
            CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
        """)
        con.executemany("INSERT INTO metadata VALUES (?, ?)", sorted(metadata.items()))
        count = 0
        for z, x, y, data in tiles:
            con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, sqlite3.Binary(data)))
            count += 1
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
    return count
