"""The map's area layers, drawn once at load: unit grids, street outlines and member-unit areas.

Member-unit areas are approximate, by street: a unit's area is the union of the grids its rows of the
responsibility matrix name (a ``*`` row makes it district-wide; a street, community or grid prefix adds
those grids), over every category; the grids are merged by `app.map.dissolve`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from app.map.dissolve import dissolve, label_point
from app.map.fields import get, is_chinese, name_in
from app.platform.geo import geometry_coords, polygons_of
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

CTX = "MapLayers"

def _grid_street(grid: Any) -> str:
    return get(grid, "street") or str(get(grid, "code"))[:9]


def _grid_community(grid: Any) -> str:
    return get(grid, "community") or str(get(grid, "code"))[:12]


def grid_layer(grids: Sequence[Any], language: str | None = None) -> dict[str, Any]:
    """Unit grids as a FeatureCollection. Properties: code, name, street, community, `short` (the
    community and serial digits, e.g. ``001-01``, for labels at middle zoom) and `centroid` [lat, lon]."""
    features = []
    for grid in grids:
        code = str(get(grid, "code"))
        centroid = get(grid, "centroid") or (0.0, 0.0)
        features.append({
            "type": "Feature",
            "geometry": get(grid, "geometry"),
            "properties": {
                "code": code,
                "name": name_in(grid, language),
                "street": _grid_street(grid),
                "community": _grid_community(grid),
                "community_name": get(grid, "community_name") or "",
                "short": f"{code[9:12]}-{code[12:14]}" if len(code) == 14 else code,
                "centroid": [round(centroid[0], 6), round(centroid[1], 6)],
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _street_name(grid: Any, language: str | None) -> str:
    zh = get(grid, "street_name") or ""
    if not is_chinese(language):
        en = get(grid, "name_en") or ""
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
        geometry = dissolve([get(g, "geometry") for g in members])
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {"code": street, "name": _street_name(members[0], language),
                           "label_at": label_point(geometry), "grids": len(members)},
        })
    return {"type": "FeatureCollection", "features": features}


def unit_grid_codes(grids: Sequence[Any], rules: Iterable[Any]) -> dict[str, set[str]]:
    """Unit id → the codes of the grids it is responsible for under any category (area prefixes of
    the responsibility matrix; ``*`` = every grid)."""
    codes = [str(get(g, "code")) for g in grids]
    out: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        unit, area = get(rule, "unit_id"), str(get(rule, "area") or "*")
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
    by_code = {str(get(g, "code")): g for g in grids}
    all_codes = set(by_code)
    unit_by_id = {get(u, "id"): u for u in units}
    per_unit = unit_grid_codes(grids, rules)
    features = []
    district_wide = []
    kinds: dict[str, str] = {}
    local_units = sorted(u for u, codes in per_unit.items() if codes and codes != all_codes)

    def kind_of(unit_id: str) -> str:
        record = unit_by_id.get(unit_id)
        return str(get(record, "kind", "") or "other") if record is not None else "other"

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
        geometry = dissolve([get(by_code[c], "geometry") for c in codes])
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {"unit_id": unit, "name": name_in(record, language) if record else unit,
                           "kind": kind, "level": int(get(record, "level", 0) or 0) if record else 0,
                           "streets": streets, "grids": len(codes),
                           "colour": _palette(siblings.index(unit), len(siblings)),
                           "label_at": label_point(geometry)},
        })
    for unit, codes in sorted(per_unit.items()):
        if codes == all_codes and all_codes:
            record = unit_by_id.get(unit)
            district_wide.append({"unit_id": unit, "name": name_in(record, language) if record else unit})
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


def static_layers(refdata: Any, language: str | None = None) -> dict[str, Any]:
    """Everything the page draws once at load: grids, streets and member-unit areas."""
    grids = list(get(refdata, "grids", ()) or ())
    return {
        "grids": grid_layer(grids, language),
        "streets": street_layer(grids, language),
        "unit_areas": unit_area_layer(grids, get(refdata, "responsibility", ()) or (),
                                      get(refdata, "units", ()) or (), language),
    }


def bounds(refdata: Any) -> list[list[float]] | None:
    """[[south, west], [north, east]] of all grids, or None without grids."""
    lats: list[float] = []
    lons: list[float] = []
    for grid in get(refdata, "grids", ()) or ():
        for polygon in polygons_of(geometry_coords(get(grid, "geometry"))):
            for pos in polygon[0]:
                lons.append(pos[0])
                lats.append(pos[1])
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
