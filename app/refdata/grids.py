"""grids.geojson: the unit grids (单元网格), GeoJSON polygons with 14-digit grid codes."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.platform.geo import centroid, ring_is_closed
from app.refdata.entities import Grid
from app.refdata.errors import RefDataError, Src
from app.refdata.files import first_duplicate, read_json

__all__ = ["grid_from_props", "parse_grids", "parse_grids_with_src", "validate_grids"]

_GRID_CODE_RE = re.compile(r"^\d{14}$")


def _check_polygon_coords(coords: Any, err: Callable[[str], RefDataError], multi: bool) -> None:
    polygons = coords if multi else [coords]
    if not isinstance(polygons, list) or not polygons:
        raise err("geometry has no coordinates")
    for p, polygon in enumerate(polygons):
        if not isinstance(polygon, list) or not polygon:
            raise err(f"polygon {p} has no rings")
        for r, ring in enumerate(polygon):
            where = f"ring {r} of polygon {p}"
            if not isinstance(ring, list):
                raise err(f"{where} is not a list of positions")
            for k, pos in enumerate(ring):
                if (not isinstance(pos, list) or len(pos) < 2
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                   and math.isfinite(v) for v in pos[:2])):
                    raise err(f"{where}: position {k} is not [lon, lat]: {pos!r}")
                if not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                    raise err(f"{where}: position {k} {pos[:2]!r} is outside lon -180..180 / "
                              "lat -90..90 (coordinates are [lon, lat])")
            if len(ring) < 4:
                raise err(f"polygon not closed: {where} has {len(ring)} positions "
                          "(a closed ring needs at least 4, the last equal to the first)")
            if not ring_is_closed(ring):
                raise err(f"polygon not closed: {where} starts at {ring[0][:2]!r} "
                          f"but ends at {ring[-1][:2]!r}")


def grid_from_props(props: Mapping[str, Any], geometry: Any, err: Callable[[str], RefDataError],
                    centroid_latlon: Any = None) -> Grid:
    code = props.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not _GRID_CODE_RE.match(code.strip()):
        raise err(f"grid code {code!r} is not 14 digits (county 6 + street 3 + community 3 + "
                  "grid 2)")
    code = code.strip()

    def text(key: str, required: bool = False) -> str:
        value = props.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise err(f"grid {code}: {key!r} must be a string, got {value!r}")
        if required and not value.strip():
            raise err(f"grid {code}: {key!r} is missing or empty")
        return value.strip()

    def prefix(key: str, start: int, end: int) -> str:
        value = props.get(key)
        if value is None or value == "":
            return code[:end]
        value = str(value).strip()
        if value == code[:end] or value == code[start:end]:
            return code[:end]
        raise err(f"grid {code}: {key} {value!r} does not match the grid code "
                  f"(expected {code[:end]!r} or {code[start:end]!r})")

    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        raise err(f"grid {code}: geometry must be a Polygon or MultiPolygon, got {kind!r}")
    coords = geometry.get("coordinates")
    _check_polygon_coords(coords, lambda p: err(f"grid {code}: {p}"),
                          geometry["type"] == "MultiPolygon")
    geometry = {"type": geometry["type"], "coordinates": coords}
    if centroid_latlon is None:
        lon, lat = centroid(coords)
        cent = (round(lat, 7), round(lon, 7))
    else:
        if (not isinstance(centroid_latlon, (list, tuple)) or len(centroid_latlon) != 2
                or not all(isinstance(v, (int, float)) for v in centroid_latlon)):
            raise err(f"grid {code}: centroid must be [lat, lon], got {centroid_latlon!r}")
        cent = (float(centroid_latlon[0]), float(centroid_latlon[1]))
    inspectors = props.get("inspectors") or []
    if not isinstance(inspectors, list) or not all(isinstance(u, str) and u.strip() for u in inspectors):
        raise err(f"grid {code}: 'inspectors' must be a list of usernames, got {inspectors!r}")
    return Grid(code=code, name=text("name", required=True), name_en=text("name_en"),
                street=prefix("street", 6, 9), street_name=text("street_name"),
                community=prefix("community", 9, 12), community_name=text("community_name"),
                geometry=geometry, centroid=cent, inspectors=tuple(dict.fromkeys(u.strip() for u in inspectors)))


def validate_grids(grids: Sequence[Grid], src: Src) -> None:
    dup = first_duplicate(g.code for g in grids)
    if dup:
        raise src.error(dup[1], f"duplicate grid code {dup[2]!r} (first at {src.at(dup[0])})")


def parse_grids(path: Path) -> list[Grid]:
    """Read a GeoJSON FeatureCollection of unit grids (Polygon/MultiPolygon, lon/lat WGS84)."""
    path = Path(path)
    grids, _ = parse_grids_with_src(path)
    return grids


def parse_grids_with_src(path: Path) -> tuple[list[Grid], Src]:
    data = read_json(path)
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise RefDataError("expected a GeoJSON FeatureCollection with a 'features' list",
                           file=path.name)
    features = data["features"]
    src = Src.items(path.name, len(features), "feature")
    grids = []
    for i, feature in enumerate(features):
        def err(p: str, i: int = i) -> RefDataError:
            return src.error(i, p)
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise err("not a GeoJSON Feature")
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            raise err("feature has no properties object")
        grids.append(grid_from_props(props, feature.get("geometry"), err))
    validate_grids(grids, src)
    return grids, src
