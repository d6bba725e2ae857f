#!/usr/bin/env python3
"""Generate the demo city's base map deterministically: its geometry, then its raster tiles.

    .venv/bin/python tools/make_base_map.py                 # rewrite resources/demo_city/basemap.geojson
    .venv/bin/python tools/make_base_map.py --check         # exit 1 if the file on disk differs
    .venv/bin/python tools/make_base_map.py --tiles OUT.mbtiles   # also draw the tiles (zooms 11-18)

The geometry follows the demo city's grids (``resources/demo_city/grids.geojson``, made by
``tools/make_demo_city.py``): the roads run along the grid edges (the grid lattice is recovered from the
polygons' corners), so a grid's outline is always a street, and they carry the road names the sensors and
case addresses use. Around them: 明湖 (a lake north of the district), 桂溪 (a stream across the south
with its bridges), parks inside some grids, lanes inside the others, and landmarks. The city's second
district (澄江区, east of the first) gets its own roads along its grid lines, the 澄江 river north of it, a
park and landmarks. No downloads; the same input gives byte-identical output. The tiles are drawn by
``app/map/basemap_render.py`` into ``resources/demo_city/basemap.mbtiles``, which the demo server imports
at its start (``server/map/demo.py``).
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.platform.geo import centroid  # noqa: E402

GRIDS = ROOT / "resources" / "demo_city" / "grids.geojson"
OUT = ROOT / "resources" / "demo_city" / "basemap.geojson"
SEED = 20261207
CENTER_LAT, CENTER_LON = 30.25, 120.16
COLS, ROWS = 9, 6
DX, DY = 0.0031, 0.0027

# west → east (north-south roads), south → north (east-west roads); names as the sensors use them
NS_ROADS = [("云栖路", "Yunqi Road"), ("柳岸街", "Liu'an Street"), ("松岭路", "Songling Road"),
            ("青石巷", "Qingshi Lane"), ("学府街", "Xuefu Street"), ("湖滨大道", "Hubin Avenue"),
            ("文澜路", "Wenlan Road"), ("桂园路", "Guiyuan Road"), ("竹苑路", "Zhuyuan Road"),
            ("清泰街", "Qingtai Street")]
EW_ROADS = [("云溪路", "Yunxi Road"), ("梅坞路", "Meiwu Road"), ("茶山路", "Chashan Road"),
            ("清源大道", "Qingyuan Avenue"), ("荷风路", "Hefeng Road"), ("明湖路", "Minghu Road"),
            ("湖滨路", "Hubin Road")]
AVENUES = {"湖滨大道", "清源大道", "滨江大道"}
# the second district (tools/demo_city_places.py `make_grids2`): a plain lattice east of the first
COUNTY1, COUNTY2 = "330106", "330108"
COLS2, ROWS2 = 6, 3
NS_ROADS2 = [("澄江路", "Chengjiang Road"), ("望湖街", "Wanghu Street"), ("澄心路", "Chengxin Road"),
             ("滨江大道", "Binjiang Avenue"), ("江畔路", "Jiangpan Road"), ("渔港路", "Yugang Road"),
             ("观澜街", "Guanlan Street")]
EW_ROADS2 = [("江南路", "Jiangnan Road"), ("澄明路", "Chengming Road"), ("江晖路", "Jianghui Road"),
             ("沿江路", "Yanjiang Road")]
LANDMARKS2 = [((1, 1), "澄江区人民政府", "Chengjiang District Government", "government"),
              ((2, 2), "澄江中学", "Chengjiang Middle School", "school"),
              ((5, 0), "渔港市场", "Yugang Market", "market")]
PARK2 = ((4, 1), "江畔公园", "Jiangpan Park")
PARKS = [((1, 4), "湖畔公园", "Hupan Park"), ((6, 1), "茶山公园", "Chashan Park"),
         ((3, 2), "松岭公园", "Songling Park"), ((5, 4), "学府广场", "Xuefu Square")]
LANDMARKS = [((4, 3), "清源区人民政府", "Qingyuan District Government", "government"),
             ((5, 3), "区城市管理指挥中心", "District City Management Command Centre", "government"),
             ((2, 1), "清源区第一人民医院", "Qingyuan No. 1 People's Hospital", "hospital"),
             ((6, 4), "学府中学", "Xuefu Middle School", "school"),
             ((7, 2), "云栖地铁站", "Yunqi Metro Station", "metro"),
             ((1, 2), "松岭菜市场", "Songling Market", "market"),
             ((3, 4), "明湖图书馆", "Minghu Library", "library"),
             ((7, 3), "桂园体育馆", "Guiyuan Stadium", "stadium")]


def lattice() -> tuple[dict[tuple[int, int], tuple[float, float]], dict[tuple, list[list[float]]]]:
    """The grid lattice's corners by (column, row) and each lattice edge's points (corner, bend?, corner)."""
    x0, y0 = CENTER_LON - COLS * DX / 2, CENTER_LAT - ROWS * DY / 2
    corners: dict[tuple[int, int], tuple[float, float]] = {}
    edges: dict[tuple, list[list[float]]] = {}
    features = json.loads(GRIDS.read_text(encoding="utf-8"))["features"]

    def index(p: list[float]) -> tuple[int, int] | None:
        i, j = round((p[0] - x0) / DX), round((p[1] - y0) / DY)
        near = abs(p[0] - (x0 + i * DX)) <= 0.25 * DX and abs(p[1] - (y0 + j * DY)) <= 0.25 * DY
        return (i, j) if near else None

    for feature in features:
        if not feature["properties"]["code"].startswith(COUNTY1):
            continue  # the second district has its own lattice (`district2`)
        ring = feature["geometry"]["coordinates"][0][:-1]
        marks = [index(p) for p in ring]
        for k, (p, m) in enumerate(zip(ring, marks)):
            if m is None:
                continue
            corners[m] = (p[0], p[1])
            nxt = (k + 1) % len(ring)
            run = [p]
            while marks[nxt] is None:
                run.append(ring[nxt])
                nxt = (nxt + 1) % len(ring)
            run.append(ring[nxt])
            key = tuple(sorted((m, marks[nxt])))
            if key[0] != m:
                run = run[::-1]
            edges[key] = [list(q) for q in run]
    return corners, edges


def _corner(corners, i: int, j: int) -> tuple[float, float]:
    """A lattice corner, or where it would be for corners no grid uses (outside the district)."""
    if (i, j) in corners:
        return corners[(i, j)]
    x0, y0 = CENTER_LON - COLS * DX / 2, CENTER_LAT - ROWS * DY / 2
    return (round(x0 + i * DX, 6), round(y0 + j * DY, 6))


def road_line(corners, edges, fixed: int, vertical: bool, reach: int = 2) -> list[list[float]]:
    """One road along lattice line `fixed`, extended `reach` steps beyond the district at both ends."""
    count = ROWS if vertical else COLS
    points: list[list[float]] = []
    for k in range(-reach, count + reach):
        a = (fixed, k) if vertical else (k, fixed)
        b = (fixed, k + 1) if vertical else (k + 1, fixed)
        run = edges.get((a, b)) or [list(_corner(corners, *a)), list(_corner(corners, *b))]
        points.extend(run if not points else run[1:])
    return [[round(p[0], 6), round(p[1], 6)] for p in points]


def _inset(ring: list[list[float]], factor: float) -> list[list[float]]:
    cx = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    cy = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    return [[round(cx + (p[0] - cx) * factor, 6), round(cy + (p[1] - cy) * factor, 6)] for p in ring]


def _feature(kind: str, geometry: dict, **props) -> dict:
    return {"type": "Feature", "properties": {"kind": kind, **props}, "geometry": geometry}


def make_features() -> list[dict]:
    rng = random.Random(SEED)
    corners, edges = lattice()
    x0, y0 = CENTER_LON - COLS * DX / 2, CENTER_LAT - ROWS * DY / 2
    features: list[dict] = []

    # the lake north-west of the district, and the stream across its south
    lake = []
    cx, cy, rx, ry = x0 + 2.2 * DX, y0 + (ROWS + 1.9) * DY, 2.6 * DX, 1.1 * DY
    for k in range(48):
        t = 2 * math.pi * k / 48
        wobble = 1 + 0.08 * math.sin(3 * t) + 0.05 * math.cos(5 * t)
        lake.append([round(cx + rx * wobble * math.cos(t), 6), round(cy + ry * wobble * math.sin(t), 6)])
    lake.append(lake[0])
    features.append(_feature("water", {"type": "Polygon", "coordinates": [lake]}, name="明湖", name_en="Ming Lake"))
    stream = []
    for k in range(61):
        x = x0 - 2.5 * DX + k * (COLS + 5) * DX / 60
        y = y0 + 1.45 * DY + 0.35 * DY * math.sin(k / 60 * 3 * math.pi)
        stream.append([round(x, 6), round(y, 6)])
    features.append(_feature("stream", {"type": "LineString", "coordinates": stream}, name="桂溪",
                             name_en="Gui Stream"))

    # parks (a grid's inner part, green) and lanes (a small street across the other grids)
    park_cells = {cell for cell, _, _ in PARKS}
    for (i, j), name, name_en in PARKS:
        ring = [list(_corner(corners, i, j)), list(_corner(corners, i + 1, j)),
                list(_corner(corners, i + 1, j + 1)), list(_corner(corners, i, j + 1))]
        ring.append(ring[0])
        features.append(_feature("park", {"type": "Polygon", "coordinates": [_inset(ring, 0.78)]},
                                 name=name, name_en=name_en))
    lane_no = 0
    for j in range(-1, ROWS + 1):
        for i in range(-1, COLS + 1):
            if (i, j) in park_cells:
                continue
            a, b = _corner(corners, i, j), _corner(corners, i + 1, j + 1)
            c, d = _corner(corners, i + 1, j), _corner(corners, i, j + 1)
            t = rng.uniform(0.35, 0.65)
            if rng.random() < 0.5:   # west → east
                line = [[a[0] + (d[0] - a[0]) * t, a[1] + (d[1] - a[1]) * t],
                        [c[0] + (b[0] - c[0]) * t, c[1] + (b[1] - c[1]) * t]]
            else:
                line = [[a[0] + (c[0] - a[0]) * t, a[1] + (c[1] - a[1]) * t],
                        [d[0] + (b[0] - d[0]) * t, d[1] + (b[1] - d[1]) * t]]
            lane_no += 1
            named = 0 <= i < COLS and 0 <= j < ROWS and lane_no % 3 == 0
            props = {"name": f"{NS_ROADS[i][0][:2]}{lane_no % 9 + 1}弄", "name_en": f"Lane {lane_no % 9 + 1}, "
                     + NS_ROADS[i][1]} if named else {}
            features.append(_feature("lane", {"type": "LineString", "coordinates": [
                [round(p[0], 6), round(p[1], 6)] for p in line]}, **props))

    # the roads along the grid lines
    for i, (name, name_en) in enumerate(NS_ROADS):
        features.append(_feature("avenue" if name in AVENUES else "road",
                                 {"type": "LineString", "coordinates": road_line(corners, edges, i, True)},
                                 name=name, name_en=name_en))
    for j, (name, name_en) in enumerate(EW_ROADS):
        features.append(_feature("avenue" if name in AVENUES else "road",
                                 {"type": "LineString", "coordinates": road_line(corners, edges, j, False)},
                                 name=name, name_en=name_en))

    # landmarks at their grid's middle; the bridges where the stream meets a road
    for (i, j), name, name_en, kind in LANDMARKS:
        ring = [_corner(corners, i, j), _corner(corners, i + 1, j), _corner(corners, i + 1, j + 1),
                _corner(corners, i, j + 1), _corner(corners, i, j)]
        lon, lat = centroid([[list(p) for p in ring]])
        features.append(_feature("landmark", {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                                 name=name, name_en=name_en, icon=kind))
    for i, (name, name_en) in ((2, ("桂溪桥", "Guixi Bridge")), (5, ("明湖大桥", "Minghu Bridge"))):
        lon = _corner(corners, i, 1)[0]
        k = min(range(len(stream)), key=lambda n: abs(stream[n][0] - lon))
        features.append(_feature("landmark", {"type": "Point", "coordinates": [round(lon, 6), stream[k][1]]},
                                 name=name, name_en=name_en, icon="bridge"))
    return features + district2()


def district2() -> list[dict]:
    """The second district: roads along its lattice's lines (corners from its grids, one step beyond its
    edge), the 澄江 river along its north, a park and landmarks."""
    x0, y0 = CENTER_LON + COLS * DX / 2 + 0.004, CENTER_LAT - ROWS2 * DY / 2  # as make_demo_city.py places it
    corners: dict[tuple[int, int], tuple[float, float]] = {}
    for feature in json.loads(GRIDS.read_text(encoding="utf-8"))["features"]:
        if feature["properties"]["code"].startswith(COUNTY2):
            for p in feature["geometry"]["coordinates"][0][:-1]:
                corners[(round((p[0] - x0) / DX), round((p[1] - y0) / DY))] = (p[0], p[1])

    def corner(i: int, j: int) -> list[float]:
        p = corners.get((i, j)) or (x0 + i * DX, y0 + j * DY)
        return [round(p[0], 6), round(p[1], 6)]

    features = []
    river = []
    for k in range(41):
        x = x0 - 1.0 * DX + k * (COLS2 + 2) * DX / 40
        river.append([round(x, 6), round(y0 + (ROWS2 + 0.75) * DY + 0.25 * DY * math.sin(k / 40 * 2 * math.pi), 6)])
    features.append(_feature("stream", {"type": "LineString", "coordinates": river}, name="澄江",
                             name_en="Cheng River"))
    (pi, pj), name, name_en = PARK2
    ring = [corner(pi, pj), corner(pi + 1, pj), corner(pi + 1, pj + 1), corner(pi, pj + 1)]
    ring.append(ring[0])
    features.append(_feature("park", {"type": "Polygon", "coordinates": [_inset(ring, 0.78)]}, name=name,
                             name_en=name_en))
    for i, (name, name_en) in enumerate(NS_ROADS2):
        features.append(_feature("avenue" if name in AVENUES else "road", {"type": "LineString", "coordinates": [
            corner(i, j) for j in range(-1, ROWS2 + 2)]}, name=name, name_en=name_en))
    for j, (name, name_en) in enumerate(EW_ROADS2):
        features.append(_feature("avenue" if name in AVENUES else "road", {"type": "LineString", "coordinates": [
            corner(i, j) for i in range(-1, COLS2 + 2)]}, name=name, name_en=name_en))
    for (i, j), name, name_en, kind in LANDMARKS2:
        ring = [corner(i, j), corner(i + 1, j), corner(i + 1, j + 1), corner(i, j + 1), corner(i, j)]
        lon, lat = centroid([ring])
        features.append(_feature("landmark", {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                                 name=name, name_en=name_en, icon=kind))
    return features


def geojson_text() -> str:
    doc = {"type": "FeatureCollection",
           "properties": {"name": "清源区 · 澄江区 demo base map", "made_by": "tools/make_base_map.py", "seed": SEED},
           "features": make_features()}
    return json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if basemap.geojson differs")
    parser.add_argument("--tiles", metavar="MBTILES", help="also draw the tiles into this MBTiles file")
    args = parser.parse_args(argv)
    text = geojson_text()
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("basemap.geojson up to date" if same else "basemap.geojson differs: run tools/make_base_map.py")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text) // 1024} KiB)")
    if args.tiles:
        from app.map.basemap_render import render_package

        count = render_package(json.loads(text), Path(args.tiles))
        print(f"wrote {args.tiles}: {count} tiles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
