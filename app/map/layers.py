"""The map's data, as plain JSON-ready payloads: unit grids, street outlines, member-unit areas, case
markers and sensor markers, plus the legend. Qt-free; `ui/map/dock.py` sends these to the page.

Colours
* A case marker's **fill** says its status, its **ring** says its time left on the running stage:
  red and thick when overdue, orange when due within `DUE_SOON` (default 1 h), a thin dark ring
  otherwise (or grey for cases that have no deadline running: closed, voided, suspended).
* A sensor marker is coloured by its display state (`app.sensors.levels.SensorState`): normal, warning,
  alarm, silent (no data for longer than its rules allow), fault (invalid readings), unknown.

Member-unit areas are approximate, by street: a unit's area is the union of the grids its rows of the
responsibility matrix name (a ``*`` row makes it district-wide; a street, community or grid prefix adds
those grids), over every category. Grids are dissolved by cancelling the edges two grids share, so
neighbouring grids that share their corner points (the demo city's do) merge cleanly; where they don't,
the seams stay visible as inner lines — only the look suffers, not the meaning.

Compact case-marker records keep 10,000 markers small on the wire:
``{"id", "n" (display number), "lat", "lon", "s" (status), "p" (priority), "c" (category), "u" (unit),
"f" (fill colour), "r" (ring colour), "w" (ring weight), "t" (time-left class), "due" (ISO or null)}``.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from app.platform.enums import Status
from app.platform.geo import geometry_coords, polygons_of
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.labels import status_label
from app.cases.numbers import number_text

CTX = "MapLayers"

DUE_SOON = timedelta(hours=1)

STATUS_COLOURS: dict[Status, str] = {
    Status.REPORTED: "#2563eb",     # blue: new, nobody has looked yet
    Status.REGISTERED: "#0891b2",   # cyan
    Status.RETURNED: "#db2777",     # pink: bounced back to the dispatch queue
    Status.DISPATCHED: "#7c3aed",   # violet
    Status.IN_PROGRESS: "#059669",  # green: being worked on
    Status.HANDLED: "#65a30d",      # lime
    Status.VERIFYING: "#0d9488",    # teal
    Status.SUSPENDED: "#a16207",    # brown
    Status.CLOSED: "#9ca3af",       # grey
    Status.VOIDED: "#d1d5db",       # light grey
}

# time-left classes → (ring colour, ring weight)
OVERDUE, DUE_SOON_CLASS, ON_TIME, NO_DEADLINE = "overdue", "due_soon", "on_time", "none"
TIME_LEFT_STYLE: dict[str, tuple[str, float]] = {
    OVERDUE: ("#dc2626", 3.0),
    DUE_SOON_CLASS: ("#f97316", 2.5),
    ON_TIME: ("#1f2937", 1.0),
    NO_DEADLINE: ("#6b7280", 1.0),
}

SENSOR_STATE_COLOURS: dict[str, str] = {
    "normal": "#16a34a",
    "warning": "#f59e0b",
    "alarm": "#dc2626",
    "silent": "#6b7280",
    "fault": "#7c3aed",
    "unknown": "#94a3b8",
}

_TIME_LEFT_LABELS = {
    OVERDUE: QT_TRANSLATE_NOOP("MapLayers", "Overdue"),
    DUE_SOON_CLASS: QT_TRANSLATE_NOOP("MapLayers", "Due within 1 hour"),
    ON_TIME: QT_TRANSLATE_NOOP("MapLayers", "On time"),
    NO_DEADLINE: QT_TRANSLATE_NOOP("MapLayers", "No deadline running"),
}

_SENSOR_STATE_LABELS = {
    "normal": QT_TRANSLATE_NOOP("MapLayers", "Normal"),
    "warning": QT_TRANSLATE_NOOP("MapLayers", "Warning"),
    "alarm": QT_TRANSLATE_NOOP("MapLayers", "Alarm"),
    "silent": QT_TRANSLATE_NOOP("MapLayers", "Silent (no data)"),
    "fault": QT_TRANSLATE_NOOP("MapLayers", "Invalid readings"),
    "unknown": QT_TRANSLATE_NOOP("MapLayers", "Unknown"),
}

_STATUS_BY_VALUE = {s.value: s for s in Status}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or mapping access, so summaries may be CaseSummary objects or plain dicts."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _is_chinese(language: str | None) -> bool:
    return bool(language) and language.lower().replace("-", "_").startswith("zh")


def _name(item: Any, language: str | None, zh: str = "name", en: str = "name_en") -> str:
    a, b = _get(item, zh, "") or "", _get(item, en, "") or ""
    return (a or b) if _is_chinese(language) else (b or a)


# ------------------------------------------------------------------------------------ case markers


def time_left_class(status: Status | str, due_at: datetime | str | None, now: datetime,
                    due_soon: timedelta = DUE_SOON) -> str:
    """`overdue`, `due_soon`, `on_time` or `none` (no deadline running: terminal, suspended, no due)."""
    status = _STATUS_BY_VALUE.get(str(status), status)
    if status in (Status.CLOSED, Status.VOIDED, Status.SUSPENDED):
        return NO_DEADLINE
    due = _as_datetime(due_at)
    if due is None:
        return NO_DEADLINE
    left = due - now
    if left < timedelta(0):
        return OVERDUE
    if left <= due_soon:
        return DUE_SOON_CLASS
    return ON_TIME


def case_marker(summary: Any, now: datetime, due_soon: timedelta = DUE_SOON) -> dict[str, Any] | None:
    """The compact marker record of one case summary; None when it has no usable position."""
    lat, lon = _get(summary, "lat"), _get(summary, "lon")
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    status = _STATUS_BY_VALUE.get(str(_get(summary, "status")), Status.REPORTED)
    due = _as_datetime(_get(summary, "due_at"))
    cls = time_left_class(status, due, now, due_soon)
    ring, weight = TIME_LEFT_STYLE[cls]
    number = number_text(_get(summary, "number"), _get(summary, "provisional_number"), _get(summary, "id"))
    return {
        "id": str(_get(summary, "id")),
        "n": number,
        "lat": round(float(lat), 6),
        "lon": round(float(lon), 6),
        "s": status.value,
        "p": str(_get(summary, "priority") or ""),
        "c": _get(summary, "category_code") or "",
        "u": _get(summary, "unit_id") or "",
        "f": STATUS_COLOURS[status],
        "r": ring,
        "w": weight,
        "t": cls,
        "due": due.isoformat() if due else None,
    }


def case_markers(summaries: Iterable[Any], now: datetime, due_soon: timedelta = DUE_SOON) -> list[dict]:
    out = []
    for summary in summaries:
        marker = case_marker(summary, now, due_soon)
        if marker is not None:
            out.append(marker)
    return out


# ------------------------------------------------------------------------------------ grids and areas


def _grid_street(grid: Any) -> str:
    return _get(grid, "street") or str(_get(grid, "code"))[:9]


def _grid_community(grid: Any) -> str:
    return _get(grid, "community") or str(_get(grid, "code"))[:12]


def grid_layer(grids: Sequence[Any], language: str | None = None) -> dict[str, Any]:
    """Unit grids as a FeatureCollection. Properties: code, name, street, community, `short` (the
    community and serial digits, e.g. ``001-01``, for labels at middle zoom) and `centroid` [lat, lon]."""
    features = []
    for grid in grids:
        code = str(_get(grid, "code"))
        centroid = _get(grid, "centroid") or (0.0, 0.0)
        features.append({
            "type": "Feature",
            "geometry": _get(grid, "geometry"),
            "properties": {
                "code": code,
                "name": _name(grid, language),
                "street": _grid_street(grid),
                "community": _grid_community(grid),
                "community_name": _get(grid, "community_name") or "",
                "short": f"{code[9:12]}-{code[12:14]}" if len(code) == 14 else code,
                "centroid": [round(centroid[0], 6), round(centroid[1], 6)],
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _street_name(grid: Any, language: str | None) -> str:
    zh = _get(grid, "street_name") or ""
    if not _is_chinese(language):
        en = _get(grid, "name_en") or ""
        # the demo city's English grid names end with ", <Street> Subdistrict"
        if "," in en:
            return en.rsplit(",", 1)[1].strip()
    return zh or _grid_street(grid)


def street_layer(grids: Sequence[Any], language: str | None = None) -> dict[str, Any]:
    """Streets (街道 / subdistricts) as dissolved outlines of their grids, with a name and a label
    position (the centre of the largest part)."""
    by_street: dict[str, list[Any]] = defaultdict(list)
    for grid in grids:
        by_street[_grid_street(grid)].append(grid)
    features = []
    for street, members in sorted(by_street.items()):
        geometry = dissolve([_get(g, "geometry") for g in members])
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {"code": street, "name": _street_name(members[0], language),
                           "label_at": _label_point(geometry), "grids": len(members)},
        })
    return {"type": "FeatureCollection", "features": features}


def unit_grid_codes(grids: Sequence[Any], rules: Iterable[Any]) -> dict[str, set[str]]:
    """Unit id → the codes of the grids it is responsible for under any category (area prefixes of
    the responsibility matrix; ``*`` = every grid)."""
    codes = [str(_get(g, "code")) for g in grids]
    out: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        unit, area = _get(rule, "unit_id"), str(_get(rule, "area") or "*")
        if not unit:
            continue
        if area == "*":
            out[unit].update(codes)
        else:
            out[unit].update(c for c in codes if c.startswith(area))
    return dict(out)


_UNIT_KIND_LABELS = {
    "law_enforcement": QT_TRANSLATE_NOOP("MapLayers", "Law enforcement"),   # 城管执法
    "sanitation": QT_TRANSLATE_NOOP("MapLayers", "Sanitation"),             # 环卫
    "roads": QT_TRANSLATE_NOOP("MapLayers", "Roads"),                       # 市政道路
    "drainage": QT_TRANSLATE_NOOP("MapLayers", "Drainage"),                 # 排水
    "greenery": QT_TRANSLATE_NOOP("MapLayers", "Parks and greenery"),       # 园林绿化
    "street_lighting": QT_TRANSLATE_NOOP("MapLayers", "Street lighting"),   # 路灯
    "bridges": QT_TRANSLATE_NOOP("MapLayers", "Bridges and tunnels"),       # 桥隧
    "traffic_police": QT_TRANSLATE_NOOP("MapLayers", "Traffic police"),     # 交警
    "housing": QT_TRANSLATE_NOOP("MapLayers", "Housing"),                   # 房管
    "water_supply": QT_TRANSLATE_NOOP("MapLayers", "Water supply"),         # 供水
    "gas": QT_TRANSLATE_NOOP("MapLayers", "Gas"),                           # 燃气
    "power": QT_TRANSLATE_NOOP("MapLayers", "Power"),                       # 电力
    "telecom": QT_TRANSLATE_NOOP("MapLayers", "Telecom"),                   # 通信
    "coordination": QT_TRANSLATE_NOOP("MapLayers", "Coordination"),         # 城管办
}


def unit_kind_label(kind: str) -> str:
    text = _UNIT_KIND_LABELS.get(kind)
    return translate(CTX, text) if text else kind


def unit_area_layer(grids: Sequence[Any], rules: Iterable[Any], units: Sequence[Any] = (),
                    language: str | None = None) -> dict[str, Any]:
    """Member-unit areas: one feature per unit with a local area (not the whole district), the
    dissolved union of its grids, with the unit's name, kind, level, the streets it covers and a
    colour. Units of one kind usually split the district between them (the street squads of law
    enforcement, west and east sanitation), so the page offers one toggle per kind (`kinds`: kind →
    translated label). Units that answer for the whole district are listed in `district_wide` instead
    of being drawn (they would all cover the same outline)."""
    by_code = {str(_get(g, "code")): g for g in grids}
    all_codes = set(by_code)
    unit_by_id = {_get(u, "id"): u for u in units}
    per_unit = unit_grid_codes(grids, rules)
    features = []
    district_wide = []
    kinds: dict[str, str] = {}
    local_units = sorted(u for u, codes in per_unit.items() if codes and codes != all_codes)

    def kind_of(unit_id: str) -> str:
        record = unit_by_id.get(unit_id)
        return str(_get(record, "kind", "") or "other") if record is not None else "other"

    per_kind: dict[str, list[str]] = defaultdict(list)
    for unit in local_units:
        per_kind[kind_of(unit)].append(unit)
    for unit in local_units:
        codes = sorted(per_unit[unit])
        record = unit_by_id.get(unit)
        kind = kind_of(unit)
        kinds.setdefault(kind, unit_kind_label(kind))
        siblings = per_kind[kind]
        streets = sorted({_street_name(by_code[c], language) for c in codes})
        geometry = dissolve([_get(by_code[c], "geometry") for c in codes])
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {"unit_id": unit, "name": _name(record, language) if record else unit,
                           "kind": kind, "level": int(_get(record, "level", 0) or 0) if record else 0,
                           "streets": streets, "grids": len(codes),
                           "colour": _palette(siblings.index(unit), len(siblings)),
                           "label_at": _label_point(geometry)},
        })
    for unit, codes in sorted(per_unit.items()):
        if codes == all_codes and all_codes:
            record = unit_by_id.get(unit)
            district_wide.append({"unit_id": unit, "name": _name(record, language) if record else unit})
    return {"type": "FeatureCollection", "features": features, "kinds": kinds,
            "district_wide": district_wide}


def _palette(index: int, count: int) -> str:
    """Distinct, fairly dark hues (outlines on a light map)."""
    hue = (index * 360.0 / max(count, 1) + 17) % 360
    return _hsl_to_hex(hue, 0.65, 0.40)


def _hsl_to_hex(h: float, s: float, lum: float) -> str:
    c = (1 - abs(2 * lum - 1)) * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = lum - c / 2
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][int(h // 60) % 6]
    return "#{:02x}{:02x}{:02x}".format(*(round((v + m) * 255) for v in (r, g, b)))


# ------------------------------------------------------------------------------------ dissolve


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


def _label_point(geometry: dict[str, Any]) -> list[float]:
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


# ------------------------------------------------------------------------------------ sensors


def sensor_marker(sensor: Any, state: Mapping[str, Any] | None = None,
                  language: str | None = None) -> dict[str, Any]:
    """One sensor marker: position, name, type, and its display state with colour and last value.
    `state` is ``{"state": "alarm", "value": 0.31, "at": epoch seconds}`` or None (unknown)."""
    state = state or {}
    name = _name(sensor, language)
    kind = str(state.get("state") or "unknown")
    value = state.get("value")
    return {
        "id": _get(sensor, "id"),
        "name": name,
        "type": _get(sensor, "type"),
        "lat": _get(sensor, "lat"),
        "lon": _get(sensor, "lon"),
        "uom": _get(sensor, "unit_of_measure") or "",
        "state": kind,
        "colour": SENSOR_STATE_COLOURS.get(kind, SENSOR_STATE_COLOURS["unknown"]),
        "value": None if value is None or not math.isfinite(float(value)) else round(float(value), 4),
        "at": state.get("at"),
    }


def sensor_markers(sensors: Iterable[Any], states: Mapping[str, Mapping[str, Any]] | None = None,
                   language: str | None = None) -> list[dict[str, Any]]:
    states = states or {}
    return [sensor_marker(s, states.get(_get(s, "id")), language) for s in sensors]


# ------------------------------------------------------------------------------------ legend


def legend() -> dict[str, list[dict[str, str]]]:
    """Legend sections with translated labels: case status (fill), time left (ring), sensor state."""
    return {
        "status": [{"key": s.value, "colour": STATUS_COLOURS[s], "label": status_label(s)}
                   for s in Status],
        "time_left": [{"key": k, "colour": TIME_LEFT_STYLE[k][0], "weight": str(TIME_LEFT_STYLE[k][1]),
                       "label": translate(CTX, _TIME_LEFT_LABELS[k])} for k in _TIME_LEFT_LABELS],
        "sensor": [{"key": k, "colour": SENSOR_STATE_COLOURS[k],
                    "label": translate(CTX, _SENSOR_STATE_LABELS[k])} for k in _SENSOR_STATE_LABELS],
    }


def static_layers(refdata: Any, language: str | None = None) -> dict[str, Any]:
    """Everything the page draws once at load: grids, streets and member-unit areas."""
    grids = list(_get(refdata, "grids", ()) or ())
    return {
        "grids": grid_layer(grids, language),
        "streets": street_layer(grids, language),
        "unit_areas": unit_area_layer(grids, _get(refdata, "responsibility", ()) or (),
                                      _get(refdata, "units", ()) or (), language),
    }


def bounds(refdata: Any) -> list[list[float]] | None:
    """[[south, west], [north, east]] of all grids, or None without grids."""
    lats: list[float] = []
    lons: list[float] = []
    for grid in _get(refdata, "grids", ()) or ():
        for polygon in polygons_of(geometry_coords(_get(grid, "geometry"))):
            for pos in polygon[0]:
                lons.append(pos[0])
                lats.append(pos[1])
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
