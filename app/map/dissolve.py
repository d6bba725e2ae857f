"""Merging grid polygons into one outline (a street, a unit's area) by cancelling the edges two grids share:
neighbouring grids that share their corner points (the demo city's do) merge cleanly; where they don't,
the seams stay visible as inner lines — only the look suffers, not the meaning."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from app.platform.geo import geometry_coords, polygons_of

_Q = 1e7  # coordinates are compared at 1e-7 degrees (about 1 cm)


def _key(pos: Sequence[float]) -> tuple[int, int]:
    return (round(pos[0] * _Q), round(pos[1] * _Q))


def _signed_area(ring: Sequence[tuple[int, int]]) -> float:
    return sum(ring[i][0] * ring[(i + 1) % len(ring)][1] - ring[(i + 1) % len(ring)][0] * ring[i][1]
               for i in range(len(ring))) / 2.0


def _split_edges_at_vertices(edges: list[tuple[tuple[int, int], tuple[int, int]]],
                             vertices: set[tuple[int, int]]) -> list:
    """Split edges at other polygons' vertices lying on them (T-junctions), so shared boundaries
    cancel even where only one side has a vertex. A coarse bucket index keeps this near-linear."""
    if not edges:
        return edges
    cell = max(1, int(max(abs(b[0] - a[0]) + abs(b[1] - a[1]) for a, b in edges)))
    buckets: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for v in vertices:
        buckets[(v[0] // cell, v[1] // cell)].append(v)
    out = []
    for a, b in edges:
        x0, x1 = sorted((a[0], b[0]))
        y0, y1 = sorted((a[1], b[1]))
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        inner = []
        for cx in range(x0 // cell, x1 // cell + 1):
            for cy in range(y0 // cell, y1 // cell + 1):
                for v in buckets.get((cx, cy), ()):
                    if v == a or v == b or not (x0 <= v[0] <= x1 and y0 <= v[1] <= y1):
                        continue
                    cross = dx * (v[1] - a[1]) - dy * (v[0] - a[0])
                    # distance from the line below ~2 quantisation steps
                    if cross * cross <= 4 * length2:
                        inner.append(((v[0] - a[0]) * dx + (v[1] - a[1]) * dy, v))
        if not inner:
            out.append((a, b))
            continue
        points = [a] + [v for _, v in sorted(inner)] + [b]
        out.extend(zip(points, points[1:]))
    return out


def dissolve(geometries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The union of Polygon/MultiPolygon geometries that tile the plane edge to edge, as a
    MultiPolygon: every outer ring is made counter-clockwise, edges shared by two polygons (in
    opposite directions) cancel, and what is left is chained back into rings; clockwise rings are
    holes and go to the outer ring that contains them. Holes of the inputs are ignored."""
    edges: list[tuple[tuple[int, int], tuple[int, int]]] = []
    vertices: set[tuple[int, int]] = set()
    for geometry in geometries:
        if not geometry:
            continue
        for polygon in polygons_of(geometry_coords(geometry)):
            ring = [_key(p) for p in polygon[0]]
            if len(ring) > 1 and ring[0] == ring[-1]:
                ring = ring[:-1]
            ring = [p for i, p in enumerate(ring) if p != ring[i - 1]] if len(ring) > 1 else ring
            if len(ring) < 3:
                continue
            if _signed_area(ring) < 0:
                ring.reverse()
            vertices.update(ring)
            edges.extend(zip(ring, ring[1:] + ring[:1]))
    edges = _split_edges_at_vertices(edges, vertices)
    count: dict[tuple, int] = defaultdict(int)
    for a, b in edges:
        count[(a, b)] += 1
    remaining: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for (a, b), n in count.items():
        back = count.get((b, a), 0)
        for _ in range(max(0, n - back)):
            remaining[a].append(b)
    rings: list[list[tuple[int, int]]] = []
    while remaining:
        start = next(iter(remaining))
        ring = [start]
        current = start
        while True:
            nexts = remaining.get(current)
            if not nexts:
                break
            nxt = nexts.pop()
            if not nexts:
                del remaining[current]
            if nxt == start:
                break
            ring.append(nxt)
            current = nxt
        if len(ring) >= 3:
            rings.append(ring)
    outers = [r for r in rings if _signed_area(r) > 0]
    holes = [r for r in rings if _signed_area(r) < 0]
    polygons: list[list[list[tuple[int, int]]]] = [[r] for r in outers]
    for hole in holes:
        for poly in sorted(polygons, key=lambda p: abs(_signed_area(p[0]))):
            if _point_in_ring_q(hole[0], poly[0]) or _point_in_ring_q(_mid(hole), poly[0]):
                poly.append(hole)
                break

    def out_ring(r: list[tuple[int, int]]) -> list[list[float]]:
        pts = [[x / _Q, y / _Q] for x, y in r]
        return pts + [pts[0]]

    return {"type": "MultiPolygon", "coordinates": [[out_ring(r) for r in poly] for poly in polygons]}


def _mid(ring: list[tuple[int, int]]) -> tuple[float, float]:
    return ((ring[0][0] + ring[1][0]) / 2, (ring[0][1] + ring[1][1]) / 2)


def _point_in_ring_q(p: tuple[float, float], ring: list[tuple[int, int]]) -> bool:
    x, y = p
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < xi + (y - yi) * (xj - xi) / (yj - yi):
            inside = not inside
        j = i
    return inside


def label_point(geometry: dict[str, Any]) -> list[float]:
    """[lat, lon] for a label: the vertex mean of the largest outer ring, or its first vertex when the
    mean falls outside (a concave shape)."""
    polygons = geometry.get("coordinates") or []
    if not polygons:
        return [0.0, 0.0]
    ring = max((p[0] for p in polygons), key=lambda r: abs(_signed_area([_key(q) for q in r])))
    pts = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    lon = sum(p[0] for p in pts) / len(pts)
    lat = sum(p[1] for p in pts) / len(pts)
    if not _point_in_ring_q((lon * _Q, lat * _Q), [_key(p) for p in pts]):
        lon, lat = pts[0][0], pts[0][1]
    return [round(lat, 6), round(lon, 6)]
