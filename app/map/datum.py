"""The product's datum is WGS-84; a base map drawn in GCJ-02 is aligned by converting. Qt-free.

Every coordinate OneGrid stores, sends or receives (case locations, grids, sensors, device positions) is
WGS-84 longitude/latitude, as GPS gives it. Base maps published in mainland China are usually drawn in
GCJ-02, which shifts points by a few hundred metres; a marker at the right WGS-84 position would sit a
street away from its road on such tiles. A base map whose datum is ``gcj02`` (the package's metadata
``onegrid:datum`` or the import option) is therefore shifted on the page by the GCJ-02 offset of the
view: `offset` gives it. `wgs84_to_gcj02` is the published obfuscation formula (Krasovsky 1940
ellipsoid, the polynomials below); `gcj02_to_wgs84` inverts it by fixed-point iteration (error < 1e-7°).
Outside mainland China (the rough box the formula is defined for) GCJ-02 equals WGS-84.
"""
from __future__ import annotations

import math

WGS84 = "wgs84"
GCJ02 = "gcj02"
DATUMS = (WGS84, GCJ02)

_A = 6378245.0                      # Krasovsky 1940 semi-major axis (m)
_EE = 0.00669342162296594323        # its first eccentricity squared


def outside_china(lat: float, lon: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _d_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _d_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) on GCJ-02 tiles of a WGS-84 point."""
    if outside_china(lat, lon):
        return lat, lon
    d_lat = _d_lat(lon - 105.0, lat - 35.0)
    d_lon = _d_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point a GCJ-02 (lat, lon) stands for (iterated until it moves < 1e-9°)."""
    if outside_china(lat, lon):
        return lat, lon
    w_lat, w_lon = lat, lon
    for _ in range(30):
        g_lat, g_lon = wgs84_to_gcj02(w_lat, w_lon)
        e_lat, e_lon = g_lat - lat, g_lon - lon
        w_lat, w_lon = w_lat - e_lat, w_lon - e_lon
        if abs(e_lat) < 1e-9 and abs(e_lon) < 1e-9:
            break
    return w_lat, w_lon


def to_tiles(datum: str, lat: float, lon: float) -> tuple[float, float]:
    """Where a WGS-84 point lies on tiles of `datum`."""
    return wgs84_to_gcj02(lat, lon) if datum == GCJ02 else (lat, lon)


def offset(datum: str, lat: float, lon: float) -> tuple[float, float]:
    """(Δlat, Δlon) the tiles of `datum` are shifted by around a WGS-84 point; the page moves the tile
    layer back by it (over a city's few kilometres the offset changes by well under a metre)."""
    t_lat, t_lon = to_tiles(datum, lat, lon)
    return t_lat - lat, t_lon - lon
