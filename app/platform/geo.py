"""Small, pure geometry helpers for unit grids (单元网格) and sensor positions.

Conventions (read these before calling):

* Coordinates are WGS84 degrees. Everything that takes GeoJSON coordinates works in GeoJSON order,
  **(lon, lat)**: ``point_in_polygon(lon, lat, coords)``, ``centroid(coords) -> (lon, lat)``,
  ``bbox(coords) -> (min_lon, min_lat, max_lon, max_lat)``, ``GridIndex.find(lon, lat)``.
* ``haversine_m(lat1, lon1, lat2, lon2)`` takes latitude first, as distance formulas usually do.
* ``coords`` is the ``coordinates`` member of a GeoJSON Polygon (a list of rings, the first the outer
  ring, the others holes) or MultiPolygon (a list of such polygons). Helpers that need to know which
  one it is look at the nesting depth; ``geometry_coords`` accepts a whole geometry dict.

Planar formulas on degrees are used for areas and centroids: they are exact enough for shapes a few
kilometres across, which is all a city grid layer holds.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

EARTH_RADIUS_M = 6_371_008.8

Ring = Sequence[Sequence[float]]
PolygonCoords = Sequence[Ring]


def _is_polygon(coords: Any) -> bool:
    """True for Polygon coordinates (rings of positions), False for MultiPolygon."""
    try:
        first = coords[0][0][0]
    except (IndexError, TypeError) as exc:
        raise ValueError("empty or malformed polygon coordinates") from exc
    return isinstance(first, (int, float))


def polygons_of(coords: Any) -> list[PolygonCoords]:
    """The list of polygons (each a list of rings) in Polygon or MultiPolygon coordinates."""
    return [coords] if _is_polygon(coords) else list(coords)


def geometry_coords(geometry: dict[str, Any]) -> Any:
    """The coordinates of a GeoJSON Polygon or MultiPolygon geometry (ValueError for other types)."""
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"geometry type must be Polygon or MultiPolygon, not {kind!r}")
    return geometry["coordinates"]


def _point_in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting (even-odd rule) along +lon; works whether or not the ring is closed."""
    inside = False
    n = len(ring)
    if n < 3:
        return False
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def point_in_polygon(lon: float, lat: float, polygon_coords: Any) -> bool:
    """Whether (lon, lat) lies inside Polygon or MultiPolygon coordinates; holes are excluded.

    Points exactly on an edge may fall either way (ray casting); a point inside a hole is outside.
    """
    for polygon in polygons_of(polygon_coords):
        if not polygon:
            continue
        if _point_in_ring(lon, lat, polygon[0]) and not any(
            _point_in_ring(lon, lat, hole) for hole in polygon[1:]
        ):
            return True
    return False


def _ring_area_and_moment(ring: Ring) -> tuple[float, float, float]:
    """Signed area (shoelace) and first moments of a ring, in degree units."""
    area2 = 0.0
    cx = 0.0
    cy = 0.0
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i][0], ring[i][1]
        x1, y1 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return area2 / 2.0, cx / 6.0, cy / 6.0


def centroid(coords: Any) -> tuple[float, float]:
    """Area-weighted centroid **(lon, lat)** of Polygon/MultiPolygon coordinates, holes subtracted.

    Degenerate shapes (zero area) fall back to the mean of the outer-ring vertices.
    """
    total_area = 0.0
    mx = 0.0
    my = 0.0
    points: list[Sequence[float]] = []
    for polygon in polygons_of(coords):
        for index, ring in enumerate(polygon):
            a, x, y = _ring_area_and_moment(ring)
            # outer rings count positive, holes negative, whatever their winding
            sign = 1.0 if index == 0 else -1.0
            if a < 0:
                a, x, y = -a, -x, -y
            total_area += sign * a
            mx += sign * x
            my += sign * y
            if index == 0:
                points.extend(ring)
    if abs(total_area) < 1e-18:
        if not points:
            raise ValueError("empty polygon coordinates")
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    return (mx / total_area, my / total_area)


def bbox(coords: Any) -> tuple[float, float, float, float]:
    """Bounding box (min_lon, min_lat, max_lon, max_lat) of Polygon/MultiPolygon coordinates."""
    min_x = min_y = math.inf
    max_x = max_y = -math.inf
    for polygon in polygons_of(coords):
        for ring in polygon:
            for pos in ring:
                x, y = pos[0], pos[1]
                min_x = min(min_x, x)
                max_x = max(max_x, x)
                min_y = min(min_y, y)
                max_y = max(max_y, y)
    if min_x is math.inf:
        raise ValueError("empty polygon coordinates")
    return (min_x, min_y, max_x, max_y)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (latitude first)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def area_m2(coords: Any) -> float:
    """Approximate area in square metres (equirectangular projection at the shape's centre)."""
    lon0, lat0 = centroid(coords)
    kx = math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    ky = math.radians(1.0) * EARTH_RADIUS_M
    total = 0.0
    for polygon in polygons_of(coords):
        for index, ring in enumerate(polygon):
            a = abs(_ring_area_and_moment([(p[0] * kx, p[1] * ky) for p in ring])[0])
            total += a if index == 0 else -a
    return total


def ring_is_closed(ring: Ring) -> bool:
    """GeoJSON rings repeat their first position last and have at least four positions."""
    return len(ring) >= 4 and list(ring[0][:2]) == list(ring[-1][:2])


class GridIndex:
    """Finds which of a set of polygons contains a point: a bbox prefilter, then ray casting.

    Built from ``(key, coords)`` pairs; keys are returned as given. When polygons overlap or a point
    lies on a shared edge, the first matching key in sorted key order wins, so answers are
    deterministic. Buckets the bboxes on a coarse lattice so lookups stay fast for hundreds or a few
    thousands of grids.
    """

    def __init__(self, items: Iterable[tuple[str, Any]], cell_deg: float | None = None) -> None:
        entries = sorted(((key, bbox(coords), coords) for key, coords in items), key=lambda e: e[0])
        self._entries = entries
        if not entries:
            self._cell = 1.0
            self._buckets: dict[tuple[int, int], list[int]] = {}
            return
        if cell_deg is None:
            widths = [max(b[2] - b[0], b[3] - b[1]) for _, b, _ in entries]
            cell_deg = max(sorted(widths)[len(widths) // 2], 1e-6)
        self._cell = cell_deg
        self._buckets = {}
        for index, (_, (x0, y0, x1, y1), _) in enumerate(entries):
            for cx in range(self._cell_of(x0), self._cell_of(x1) + 1):
                for cy in range(self._cell_of(y0), self._cell_of(y1) + 1):
                    self._buckets.setdefault((cx, cy), []).append(index)

    def _cell_of(self, value: float) -> int:
        return math.floor(value / self._cell)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, lon: float, lat: float) -> str | None:
        """The key of the polygon containing (lon, lat), or None."""
        for index in self._buckets.get((self._cell_of(lon), self._cell_of(lat)), ()):
            key, (x0, y0, x1, y1), coords = self._entries[index]
            if x0 <= lon <= x1 and y0 <= lat <= y1 and point_in_polygon(lon, lat, coords):
                return key
        return None

    def find_all(self, lon: float, lat: float) -> list[str]:
        """Keys of every polygon containing (lon, lat), in key order."""
        found = []
        for index in self._buckets.get((self._cell_of(lon), self._cell_of(lat)), ()):
            key, (x0, y0, x1, y1), coords = self._entries[index]
            if x0 <= lon <= x1 and y0 <= lat <= y1 and point_in_polygon(lon, lat, coords):
                found.append(key)
        return found
