"""Draws raster base-map tiles from a small GeoJSON city plan with Pillow. Qt-free.

The plan (``resources/demo_city/basemap.geojson``, made by ``tools/make_base_map.py``) has features of
kind ``water``, ``stream``, ``park``, ``lane``, ``road``, ``avenue`` and ``landmark``, each with a
``name``. A tile is drawn in world pixel coordinates (Web Mercator, 256 px tiles, as Leaflet) shifted to
the tile's origin, and every tile draws every label that touches it, so a road name crossing a tile
edge continues on the next tile. Each tile is drawn at twice its size and scaled down (smooth lines
without a vector renderer), then stored as a palette PNG (a few kB).
"""
from __future__ import annotations

import io
import json
import logging
import math
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.map.mbtiles import NAMES_KEY, plan_names, tile_range, write_package
from app.platform.paths import resource

log = logging.getLogger(__name__)

SCALE = 2          # drawn at 512 px, stored at 256
MIN_ZOOM, MAX_ZOOM = 11, 18
FONT = resource("fonts") / "wqy-microhei.ttc"

LAND = (242, 239, 233)
BLOCK = (232, 226, 216)
WATER = (170, 211, 223)
PARK = (200, 230, 190)
ROAD_CASING = (205, 195, 180)
ROAD = (255, 255, 255)
AVENUE = (252, 214, 164)
AVENUE_CASING = (220, 170, 110)
LANE = (253, 252, 250)
TEXT = (70, 64, 58)
WATER_TEXT = (50, 100, 150)
PARK_TEXT = (60, 110, 60)
HALO = (255, 255, 255)

# width in metres of each line kind (drawn at least 1 px wide)
_WIDTH_M = {"avenue": 24.0, "road": 15.0, "lane": 6.0, "stream": 18.0}


def world_px(lon: float, lat: float, z: int) -> tuple[float, float]:
    """World pixel of a point at zoom `z` (256 px tiles)."""
    size = 256 * (1 << z)
    x = (lon + 180.0) / 360.0 * size
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * size
    return x, y


def metres_per_px(lat: float, z: int) -> float:
    return 156543.03392 * math.cos(math.radians(lat)) / (1 << z)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


class Plan:
    """The features of a plan, with their world pixels cached per zoom."""

    def __init__(self, geojson: dict):
        self.features = geojson["features"]
        lons, lats = [], []
        for f in self.features:
            for lon, lat in _points(f["geometry"]):
                lons.append(lon)
                lats.append(lat)
        self.bounds = (min(lons), min(lats), max(lons), max(lats))
        self.lat = (self.bounds[1] + self.bounds[3]) / 2
        self._px: dict[int, list] = {}

    def projected(self, z: int) -> list[tuple[dict, list[list[tuple[float, float]]]]]:
        if z not in self._px:
            out = []
            for f in self.features:
                parts = [[world_px(lon, lat, z) for lon, lat in part] for part in _parts(f["geometry"])]
                out.append((f, parts))
            self._px[z] = out
        return self._px[z]


def _parts(geometry: dict) -> list[list[list[float]]]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [[coords]]
    if kind == "LineString":
        return [coords]
    if kind == "Polygon":
        return list(coords)
    return [ring for poly in coords for ring in poly] if kind == "MultiPolygon" else []


def _points(geometry: dict) -> Iterator[tuple[float, float]]:
    for part in _parts(geometry):
        for p in part:
            yield p[0], p[1]


def render_tile(plan: Plan, z: int, x: int, y: int) -> bytes:
    """One 256 px PNG tile."""
    size = 256 * SCALE
    ox, oy = x * 256, y * 256
    img = Image.new("RGB", (size, size), LAND)
    draw = ImageDraw.Draw(img)
    mpp = metres_per_px(plan.lat, z)

    def local(parts):
        return [[((px - ox) * SCALE, (py - oy) * SCALE) for px, py in part] for part in parts]

    def width(kind: str) -> int:
        return max(SCALE, round(_WIDTH_M[kind] / mpp * SCALE))

    projected = plan.projected(z)
    order = ("water", "park", "stream", "lane", "road", "avenue")
    for layer in order:
        if layer == "lane" and z < 15:
            continue
        for f, parts in projected:
            if f["properties"]["kind"] != layer:
                continue
            pts = local(parts)
            if layer == "water":
                draw.polygon(pts[0], fill=WATER)
            elif layer == "park":
                draw.polygon(pts[0], fill=PARK)
            elif layer == "stream":
                draw.line(pts[0], fill=WATER, width=width("stream"), joint="curve")
            else:
                w = width(layer)
                casing = AVENUE_CASING if layer == "avenue" else ROAD_CASING
                if z >= 14:
                    draw.line(pts[0], fill=casing, width=w + 2 * SCALE, joint="curve")
                draw.line(pts[0], fill=AVENUE if layer == "avenue" else (LANE if layer == "lane" else ROAD),
                          width=w, joint="curve")
    if z >= 14:
        _labels(img, plan, projected, z, ox, oy)
    out = img.resize((256, 256), Image.Resampling.LANCZOS).quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    buf = io.BytesIO()
    out.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _label(img: Image.Image, text: str, cx: float, cy: float, angle: float, size: int, colour) -> None:
    font = _font(size * SCALE)
    left, top, right, bottom = font.getbbox(text, stroke_width=2 * SCALE)
    w, h = right - left + 4, bottom - top + 4
    if cx + w < 0 or cy + w < 0 or cx - w > img.width or cy - w > img.height:
        return
    tile = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((2 - left, 2 - top), text, font=font, fill=colour + (255,),
                              stroke_width=2 * SCALE, stroke_fill=HALO + (230,))
    if angle:
        tile = tile.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    img.paste(tile, (round(cx - tile.width / 2), round(cy - tile.height / 2)), tile)


def _labels(img, plan: Plan, projected, z: int, ox: float, oy: float) -> None:
    size = 11 if z < 16 else (12 if z < 18 else 13)
    for f, parts in projected:
        props = f["properties"]
        kind, name = props["kind"], props.get("name")
        if not name:
            continue
        if kind in ("road", "avenue") or (kind == "lane" and z >= 17):
            step = {14: 6, 15: 4, 16: 2}.get(z, 1) if kind != "lane" else 1
            line = parts[0]
            for k in range(step // 2, len(line) - 1, max(step, 1)):
                (ax, ay), (bx, by) = line[k], line[min(k + max(step, 1), len(line) - 1)]
                if k % (2 * step) != step // 2 and z < 17:
                    continue
                angle = -math.degrees(math.atan2(by - ay, bx - ax))
                if angle > 90:
                    angle -= 180
                elif angle < -90:
                    angle += 180
                cx, cy = ((ax + bx) / 2 - ox) * SCALE, ((ay + by) / 2 - oy) * SCALE
                _label(img, name, cx, cy, angle, size - (1 if kind == "lane" else 0), TEXT)
        elif kind in ("water", "park", "stream") and z >= 15:
            xs = [p[0] for p in parts[0]]
            ys = [p[1] for p in parts[0]]
            colour = PARK_TEXT if kind == "park" else WATER_TEXT
            if kind == "stream":
                mid = parts[0][len(parts[0]) * 3 // 4]
                _label(img, name, (mid[0] - ox) * SCALE, (mid[1] - oy + 14) * SCALE, 0, size, colour)
            else:
                _label(img, name, ((min(xs) + max(xs)) / 2 - ox) * SCALE, ((min(ys) + max(ys)) / 2 - oy) * SCALE,
                       0, size + (2 if kind == "water" else 0), colour)
        elif kind == "landmark" and z >= 15:
            px, py = parts[0][0]
            cx, cy = (px - ox) * SCALE, (py - oy) * SCALE
            draw = ImageDraw.Draw(img)
            r = 4 * SCALE
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(200, 90, 70), outline=HALO, width=SCALE)
            if z >= 16:
                _label(img, name, cx, cy - 14 * SCALE, 0, size, (120, 50, 40))


def tiles_of(plan: Plan, min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM) -> Iterator[tuple[int, int, int]]:
    for z in range(min_zoom, max_zoom + 1):
        x0, y0, x1, y1 = tile_range(plan.bounds, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y


def render_package(geojson: dict, out: Path, *, min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM,
                   name: str = "清源区 demo base map") -> int:
    """Draw every tile of the plan's bounds at zooms `min_zoom`..`max_zoom` into an MBTiles file."""
    plan = Plan(geojson)
    w, s, e, n = plan.bounds
    meta = {"name": name, "format": "png", "type": "baselayer", "version": "1",
            "bounds": f"{w:.6f},{s:.6f},{e:.6f},{n:.6f}", "minzoom": str(min_zoom), "maxzoom": str(max_zoom),
            "center": f"{(w + e) / 2:.6f},{(s + n) / 2:.6f},15", "onegrid:datum": "wgs84",
            "attribution": "OneGrid demo city (generated)", "description": "made by tools/make_base_map.py",
            NAMES_KEY: json.dumps(plan_names(geojson), ensure_ascii=False, separators=(",", ":"))}
    tmp = out.with_name(out.name + ".part")
    count = write_package(tmp, meta, ((z, x, y, render_tile(plan, z, x, y)) for z, x, y in tiles_of(plan, min_zoom, max_zoom)))
    tmp.replace(out)
    log.info("base map drawn: %s tiles into %s", count, out)
    return count
