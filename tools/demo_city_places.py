"""Where things are in the fictional demo city (`tools/make_demo_city.py` writes it out): its grids, drawn
as a lattice with an irregular outline (and the second district's plain one), and its sensors, placed in
those grids. Each draws from the random stream it is given, in a fixed order, so the files stay the same."""
from __future__ import annotations

import random

from demo_city_tables import (
    BRIDGES,
    CENTER_LAT,
    CENTER_LON,
    COLS2,
    COUNTY,
    COUNTY2,
    ROADS,
    ROWS2,
    STREETS,
    STREETS2,
    street_prefix,
)

from app.platform.geo import centroid, point_in_polygon

# --------------------------------------------------------------------------------------------------
# grids

COLS, ROWS = 9, 6
DX, DY = 0.0031, 0.0027            # ≈ 298 m × 300 m at lat 30.25
REMOVED = {(0, 0), (7, 0), (8, 0), (0, 5), (8, 5), (8, 4)}   # irregular district outline


INSPECTORS = 3  # inspector1..3 (`make_users`)


def street_inspectors(s_code: str) -> list[str]:
    """The grid inspectors (监督员) of a street's grids: the street's own, then the next one as a stand-in."""
    n = (int(s_code) - 1) % INSPECTORS
    return [f"inspector{n + 1}", f"inspector{(n + 1) % INSPECTORS + 1}"]


def make_grids(rng: random.Random) -> list[dict]:
    x0 = CENTER_LON - COLS * DX / 2
    y0 = CENTER_LAT - ROWS * DY / 2
    # jittered vertex lattice shared by all cells
    vert: dict[tuple[int, int], tuple[float, float]] = {}
    for i in range(COLS + 1):
        for j in range(ROWS + 1):
            jx = rng.uniform(-0.2, 0.2) * DX
            jy = rng.uniform(-0.2, 0.2) * DY
            vert[(i, j)] = (round(x0 + i * DX + jx, 6), round(y0 + j * DY + jy, 6))
    # optional bend in the middle of each edge, shared by the two cells on either side
    mid: dict[tuple, tuple[float, float] | None] = {}

    def edge_mid(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float] | None:
        key = (min(a, b), max(a, b))
        if key not in mid:
            if rng.random() < 0.45:
                (ax, ay), (bx, by) = vert[key[0]], vert[key[1]]
                horizontal = key[0][1] == key[1][1]
                off = rng.uniform(-0.12, 0.12)
                mx = (ax + bx) / 2 + (0 if horizontal else off * DX)
                my = (ay + by) / 2 + (off * DY if horizontal else 0)
                mid[key] = (round(mx, 6), round(my, 6))
            else:
                mid[key] = None
        return mid[key]

    cells = [(i, j) for j in range(ROWS) for i in range(COLS) if (i, j) not in REMOVED]
    rings: dict[tuple[int, int], list[list[float]]] = {}
    for i, j in cells:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]   # counter-clockwise
        ring: list[list[float]] = []
        for k in range(4):
            a, b = corners[k], corners[(k + 1) % 4]
            ring.append(list(vert[a]))
            m = edge_mid(a, b)
            if m is not None:
                ring.append(list(m))
        ring.append(ring[0][:])
        rings[(i, j)] = ring

    # streets: quadrants (north-west 001, north-east 002, south-west 003, south-east 004)
    def street_of(cell: tuple[int, int]) -> str:
        i, j = cell
        west, north = i <= 4, j >= 3
        return {(True, True): "001", (False, True): "002", (True, False): "003",
                (False, False): "004"}[(west, north)]

    features = []
    for s_code, s_name, s_en, communities in STREETS:
        s_cells = sorted((c for c in cells if street_of(c) == s_code), key=lambda c: (c[0], c[1]))
        n = len(s_cells)
        bounds = [round(n * k / len(communities)) for k in range(len(communities) + 1)]
        for k, (c_code, c_name, c_en) in enumerate(communities):
            c_cells = sorted(s_cells[bounds[k]:bounds[k + 1]], key=lambda c: (-c[1], c[0]))
            for serial, cell in enumerate(c_cells, start=1):
                code = f"{COUNTY}{s_code}{c_code}{serial:02d}"
                features.append({
                    "type": "Feature",
                    "properties": {
                        "code": code,
                        "name": f"{s_name}{c_name}{serial:02d}网格",
                        "name_en": f"{c_en} Grid {serial:02d}, {s_en}",
                        "street": street_prefix(s_code),
                        "street_name": s_name,
                        "community": street_prefix(s_code) + c_code,
                        "community_name": c_name,
                        "inspectors": street_inspectors(s_code),
                    },
                    "geometry": {"type": "Polygon", "coordinates": [rings[cell]]},
                })
    features.sort(key=lambda f: f["properties"]["code"])
    return features


def make_grids2(rng: random.Random) -> list[dict]:
    """The second district's grids: a plain lattice east of the first district (never overlapping it)."""
    x0 = CENTER_LON + COLS * DX / 2 + 0.004
    y0 = CENTER_LAT - ROWS2 * DY / 2
    vert = {(i, j): (round(x0 + i * DX + rng.uniform(-0.15, 0.15) * DX, 6),
                     round(y0 + j * DY + rng.uniform(-0.15, 0.15) * DY, 6))
            for i in range(COLS2 + 1) for j in range(ROWS2 + 1)}
    features = []
    for s_index, (s_code, s_name, s_en, communities) in enumerate(STREETS2):
        # street 001 the west half, 002 the east half; the first community two columns, the second one
        for k, (c_code, c_name, c_en) in enumerate(communities):
            columns = [s_index * 3 + c for c in ((0, 1) if k == 0 else (2,))]
            cells = [(i, j) for i in columns for j in range(ROWS2 - 1, -1, -1)]
            for serial, (i, j) in enumerate(cells, start=1):
                corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
                ring = [list(vert[c]) for c in corners] + [list(vert[corners[0]])]
                street = COUNTY2 + s_code
                features.append({
                    "type": "Feature",
                    "properties": {
                        "code": f"{street}{c_code}{serial:02d}",
                        "name": f"{s_name}{c_name}{serial:02d}网格",
                        "name_en": f"{c_en} Grid {serial:02d}, {s_en}",
                        "street": street, "street_name": s_name,
                        "community": street + c_code, "community_name": c_name,
                        "inspectors": ["inspector_cj"],
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                })
    features.sort(key=lambda f: f["properties"]["code"])
    return features


# --------------------------------------------------------------------------------------------------
# sensors

SENSOR_RULES = {
    # type: (unit, interval_s, baseline, rules)
    "water_level_underpass": ("m", 60, 0.0, dict(
        warning_high=0.15, alarm_high=0.27, warning_low=None, alarm_low=None, rate_per_min=0.03,
        hysteresis=0.02, min_duration_s=60, silent_after_s=300, min_valid=0.0, max_valid=3.0)),
    "water_level_well": ("m", 60, 0.4, dict(
        warning_high=1.6, alarm_high=2.1, warning_low=None, alarm_low=None, rate_per_min=0.1,
        hysteresis=0.05, min_duration_s=120, silent_after_s=300, min_valid=0.0, max_valid=3.5)),
    "rainfall": ("mm/h", 300, 0.0, dict(
        warning_high=20.0, alarm_high=50.0, warning_low=None, alarm_low=None, rate_per_min=None,
        hysteresis=2.0, min_duration_s=300, silent_after_s=1200, min_valid=0.0, max_valid=300.0)),
    "bridge_displacement": ("mm", 600, 0.0, dict(
        warning_high=15.0, alarm_high=25.0, warning_low=-15.0, alarm_low=-25.0, rate_per_min=2.0,
        hysteresis=1.0, min_duration_s=120, silent_after_s=2400, min_valid=-200.0,
        max_valid=200.0)),
    "settlement": ("mm", 900, 0.0, dict(
        warning_high=10.0, alarm_high=20.0, warning_low=-10.0, alarm_low=-20.0, rate_per_min=1.0,
        hysteresis=0.5, min_duration_s=300, silent_after_s=3600, min_valid=-300.0,
        max_valid=300.0)),
    "strain": ("µε", 600, 120.0, dict(
        warning_high=450.0, alarm_high=650.0, warning_low=-250.0, alarm_low=-400.0,
        rate_per_min=50.0, hysteresis=10.0, min_duration_s=60, silent_after_s=2400,
        min_valid=-2000.0, max_valid=2000.0)),
    "tilt": ("°", 1800, 0.05, dict(
        warning_high=0.5, alarm_high=1.0, warning_low=-0.5, alarm_low=-1.0, rate_per_min=0.1,
        hysteresis=0.05, min_duration_s=300, silent_after_s=7200, min_valid=-10.0,
        max_valid=10.0)),
    "gas_concentration": ("%LEL", 60, 0.0, dict(
        warning_high=10.0, alarm_high=25.0, warning_low=None, alarm_low=None, rate_per_min=5.0,
        hysteresis=2.0, min_duration_s=10, silent_after_s=300, min_valid=0.0, max_valid=100.0)),
    # manhole cover state: 0 closed, 1 tilted/ajar, 2 open or missing
    "manhole_cover": ("state", 600, 0.0, dict(
        warning_high=1.0, alarm_high=2.0, warning_low=None, alarm_low=None, rate_per_min=None,
        hysteresis=0.0, min_duration_s=5, silent_after_s=3600, min_valid=0.0, max_valid=2.0)),
}


def point_in_grid(rng: random.Random, feature: dict) -> tuple[float, float]:
    coords = feature["geometry"]["coordinates"]
    clon, clat = centroid(coords)
    for _ in range(1000):
        lon = round(clon + rng.uniform(-0.35, 0.35) * DX, 6)
        lat = round(clat + rng.uniform(-0.35, 0.35) * DY, 6)
        if point_in_polygon(lon, lat, coords):
            return lat, lon
    raise RuntimeError(f"no point found in {feature['properties']['code']}")


def make_sensors(rng: random.Random, grids: list[dict]) -> list[dict]:
    by_code = {g["properties"]["code"]: g for g in grids}
    codes = sorted(by_code)
    sensors: list[dict] = []

    def add(sid: str, kind: str, rule_key: str, name: str, name_en: str, grid_code: str,
            owner: str, category: str) -> None:
        uom, interval, baseline, rules = SENSOR_RULES[rule_key]
        lat, lon = point_in_grid(rng, by_code[grid_code])
        if baseline:
            baseline = round(baseline * rng.uniform(0.8, 1.2), 3)
        sensors.append({
            "id": sid, "type": kind, "name": name, "name_en": name_en, "unit_of_measure": uom,
            "lat": lat, "lon": lon, "grid_code": grid_code, "owner_unit_id": owner,
            "interval_s": interval, "category_code": category, "baseline": float(baseline),
            "rules": dict(rules),
        })

    picks = rng.sample(codes, 15)
    for n, grid_code in enumerate(picks[:8], start=1):
        road, road_en = ROADS[(n * 7) % len(ROADS)]
        add(f"wl-{n:03d}", "water_level", "water_level_underpass", f"{road}下穿通道积水监测点",
            f"{road_en} underpass water depth", grid_code, "drainage_maint", "E0401")
    for n, grid_code in enumerate(picks[8:], start=9):
        road, road_en = ROADS[(n * 4) % len(ROADS)]
        add(f"wl-{n:03d}", "water_level", "water_level_well", f"{road}{n}号雨水井水位计",
            f"{road_en} storm well {n} level", grid_code, "drainage", "E0406")
    for n, grid_code in enumerate(rng.sample(codes, 3), start=1):
        road, road_en = ROADS[(n * 4 + 1) % len(ROADS)]
        add(f"rf-{n:03d}", "rainfall", "rainfall", f"{road}雨量站", f"{road_en} rain gauge",
            grid_code, "drainage", "E0401")
    # three bridges, each in a fixed grid near the middle of the district
    bridge_grids = [codes[len(codes) // 2 - 7], codes[len(codes) // 2], codes[len(codes) // 2 + 9]]
    bd = st = sg = 0
    for b, ((bname, ben), grid_code) in enumerate(zip(BRIDGES, bridge_grids)):
        for side, side_en in (("东", "east"), ("西", "west"))[: 2 if b == 0 else 1]:
            bd += 1
            add(f"bd-{bd:03d}", "bridge_displacement", "bridge_displacement",
                f"{bname}{side}支座位移计", f"{ben} {side_en} bearing displacement", grid_code,
                "bridges", "E0408")
        st += 1
        add(f"st-{st:03d}", "settlement", "settlement", f"{bname}桥墩沉降计",
            f"{ben} pier settlement", grid_code, "bridges", "E0408")
        sg += 1
        add(f"sg-{sg:03d}", "strain", "strain", f"{bname}主梁应变计", f"{ben} main girder strain",
            grid_code, "bridges", "E0408")
    st += 1
    add(f"st-{st:03d}", "settlement", "settlement", "清源大道地铁施工段地面沉降监测点",
        "Qingyuan Avenue metro works ground settlement", codes[5], "roads", "E0412")
    for n, grid_code in enumerate(rng.sample(codes, 2), start=1):
        add(f"tl-{n:03d}", "tilt", "tilt", f"青石巷{n * 7}号老旧房屋倾斜监测",
            f"Qingshi Lane No.{n * 7} old building tilt", grid_code, "housing", "E0411")
    for n, grid_code in enumerate(rng.sample(codes, 3), start=1):
        road, road_en = ROADS[(n * 2 + 3) % len(ROADS)]
        add(f"gs-{n:03d}", "gas_concentration", "gas_concentration", f"{road}燃气阀门井可燃气体监测",
            f"{road_en} gas valve well combustible gas", grid_code, "gas", "E0403")
    owners = ["drainage", "water_supply", "telecom", "gas"]
    for n, grid_code in enumerate(rng.sample(codes, 4), start=1):
        road, road_en = ROADS[(n * 6) % len(ROADS)]
        add(f"mc-{n:03d}", "manhole_cover", "manhole_cover", f"{road}智能井盖{n:02d}",
            f"{road_en} smart manhole cover {n:02d}", grid_code, owners[n - 1], "E0405")
    return sensors


def make_sensors2(rng: random.Random, grids2: list[dict]) -> list[dict]:
    """The second district's few sensors (a district operator there has its own to watch), drawn from
    their own random stream after the first district's: those are as they were."""
    by_code = {g["properties"]["code"]: g for g in grids2}
    codes = sorted(by_code)
    out = []
    for sid, rule_key, name, name_en, category, grid_code in (
            ("wl-016", "water_level_underpass", "澄湖路下穿通道积水监测点", "Chenghu Road underpass water depth",
             "E0401", codes[3]),
            ("wl-017", "water_level_well", "江岸路3号雨水井水位计", "Jiang'an Road storm well 3 level", "E0406",
             codes[-4]),
            ("rf-004", "rainfall", "澄江区雨量站", "Chengjiang District rain gauge", "E0401", codes[len(codes) // 2])):
        uom, interval, baseline, rules = SENSOR_RULES[rule_key]
        lat, lon = point_in_grid(rng, by_code[grid_code])
        if baseline:
            baseline = round(baseline * rng.uniform(0.8, 1.2), 3)
        out.append({"id": sid, "type": rule_key.split("_underpass")[0].split("_well")[0], "name": name,
                    "name_en": name_en, "unit_of_measure": uom, "lat": lat, "lon": lon, "grid_code": grid_code,
                    "owner_unit_id": "cj_roads", "interval_s": interval, "category_code": category,
                    "baseline": float(baseline), "rules": dict(rules)})
    return out
