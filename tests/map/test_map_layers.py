"""Map payloads (app.map.layers, app.map.areas, app.map.dissolve) and the page HTML (app.map.page): colours by status and time left, unit
areas from the responsibility matrix, sensor colours, and a page that references no other host."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.map import areas
from app.map import layers as ml
from app.map.dissolve import dissolve
from app.map.page import (
    ASSET_DIR,
    CSS_ASSETS,
    JS_ASSETS,
    build_page_html,
    external_urls,
)
from app.platform.enums import Status
from app.platform.geo import area_m2, point_in_polygon
from tests.support import ROOT

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


def summary(status=Status.DISPATCHED, due=timedelta(hours=3), **kw):
    data = {"id": uuid.uuid4(), "number": "2026-000001", "status": status, "priority": "ordinary",
            "category_code": "C0101", "unit_id": "roads", "grid_code": "33010600100101",
            "lat": 30.2568, "lon": 120.1508, "due_at": None if due is None else NOW + due}
    data.update(kw)
    return data


# ------------------------------------------------------------------ case markers


@pytest.mark.parametrize("due, expected", [
    (timedelta(minutes=-1), ml.OVERDUE),
    (timedelta(minutes=30), ml.DUE_SOON_CLASS),
    (timedelta(hours=1), ml.DUE_SOON_CLASS),
    (timedelta(hours=1, minutes=1), ml.ON_TIME),
    (None, ml.NO_DEADLINE),
])
def test_time_left_class(due, expected):
    assert ml.time_left_class(Status.IN_PROGRESS, None if due is None else NOW + due, NOW) == expected


@pytest.mark.parametrize("status", [Status.CLOSED, Status.VOIDED, Status.SUSPENDED])
def test_no_deadline_running_for_closed_voided_suspended(status):
    assert ml.time_left_class(status, NOW - timedelta(days=3), NOW) == ml.NO_DEADLINE


def test_marker_fill_is_status_and_ring_is_time_left():
    overdue = ml.case_marker(summary(Status.DISPATCHED, timedelta(minutes=-5)), NOW)
    fine = ml.case_marker(summary(Status.REPORTED, timedelta(hours=5)), NOW)
    soon = ml.case_marker(summary(Status.REPORTED, timedelta(minutes=20)), NOW)
    assert overdue["f"] == ml.STATUS_COLOURS[Status.DISPATCHED]
    assert fine["f"] == soon["f"] == ml.STATUS_COLOURS[Status.REPORTED]
    assert overdue["r"] == ml.TIME_LEFT_STYLE[ml.OVERDUE][0] and overdue["t"] == "overdue"
    assert soon["r"] == ml.TIME_LEFT_STYLE[ml.DUE_SOON_CLASS][0]
    assert fine["r"] == ml.TIME_LEFT_STYLE[ml.ON_TIME][0]
    assert overdue["w"] > fine["w"]  # the overdue ring is the thickest
    assert len(set(ml.STATUS_COLOURS.values())) == len(Status)  # every status its own colour


def test_marker_from_dataclass_and_iso_strings():
    from app.cases.summary import CaseSummary
    from app.platform.enums import Priority, Source, Stage

    cs = CaseSummary(uuid.uuid4(), None, "P-0001", Status.IN_PROGRESS, Priority.URGENT, "E0401", "drainage",
                     None, 30.25, 120.16, Source.SENSOR_ALARM, NOW, NOW, NOW - timedelta(hours=1),
                     Stage.HANDLE, 0, 0, True, None)
    m = ml.case_marker(cs, NOW)
    assert m["n"] == "P·0001 (offline)" and m["s"] == "in_progress" and m["p"] == "urgent" and m["t"] == "overdue"
    d = ml.case_marker(summary(due=None, due_at="2026-11-23T03:30:00+00:00"), NOW)
    assert d["t"] == ml.ON_TIME and d["due"].startswith("2026-11-23T03:30")


def test_markers_skip_cases_without_position():
    rows = [summary(), summary(lat=None), summary(lon=float("nan"))]
    assert len(ml.case_markers(rows, NOW)) == 1


def test_ten_thousand_markers_are_compact():
    rows = [summary() for _ in range(10_000)]
    text = json.dumps(ml.case_markers(rows, NOW), separators=(",", ":"))
    assert len(text) < 10_000 * 260  # about 2.5 MB at most for 10,000 markers


# ------------------------------------------------------------------ grids, streets, unit areas


def test_grid_layer_has_codes_and_labels(refdata):
    layer = areas.grid_layer(refdata.grids, "zh_CN")
    assert len(layer["features"]) == len(refdata.grids)
    props = layer["features"][0]["properties"]
    assert props["code"] == refdata.grids[0].code
    assert props["short"] == f"{props['code'][9:12]}-{props['code'][12:]}"
    assert props["centroid"] == [round(c, 6) for c in refdata.grids[0].centroid]


def test_dissolve_merges_neighbours_into_one_outline():
    a = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    b = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    # c shares only part of a's top edge (a T-junction at (1, 1) seen from c's side)
    c = {"type": "Polygon", "coordinates": [[[0, 1], [2, 1], [2, 2], [0, 2], [0, 1]]]}
    merged = dissolve([a, b, c])
    assert len(merged["coordinates"]) == 1 and len(merged["coordinates"][0]) == 1
    ring = merged["coordinates"][0][0]
    assert point_in_polygon(1.5, 1.5, merged["coordinates"]) and point_in_polygon(0.5, 0.5, merged["coordinates"])
    assert {tuple(p) for p in ring} >= {(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)}


def test_dissolve_keeps_a_hole():
    cells = [{"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}
             for x in range(3) for y in range(3) if (x, y) != (1, 1)]
    merged = dissolve(cells)
    assert len(merged["coordinates"]) == 1
    assert len(merged["coordinates"][0]) == 2  # outer ring + the hole in the middle
    assert not point_in_polygon(1.5, 1.5, merged["coordinates"])
    assert point_in_polygon(0.5, 1.5, merged["coordinates"])


def test_streets_are_one_outline_each_and_cover_their_grids(refdata):
    streets = areas.street_layer(refdata.grids, "zh_CN")
    by_code = {f["properties"]["code"]: f for f in streets["features"]}
    assert set(by_code) == {g.street for g in refdata.grids}
    for code, feature in by_code.items():
        assert len(feature["geometry"]["coordinates"]) == 1, code  # demo grids tile without gaps
        members = [g for g in refdata.grids if g.street == code]
        total = sum(area_m2(g.geometry["coordinates"]) for g in members)
        assert area_m2(feature["geometry"]["coordinates"]) == pytest.approx(total, rel=1e-3)
        assert feature["properties"]["name"] == members[0].street_name
        for g in members:
            lat, lon = g.centroid
            assert point_in_polygon(lon, lat, feature["geometry"]["coordinates"])


def test_unit_areas_follow_the_responsibility_matrix(refdata):
    per_unit = areas.unit_grid_codes(refdata.grids, refdata.responsibility)
    all_codes = {g.code for g in refdata.grids}
    # a unit with a street rule covers exactly that street's grids (plus any other rule of its own)
    street_rules = [r for r in refdata.responsibility if len(r.area) == 9]
    assert street_rules
    for rule in street_rules:
        assert {g.code for g in refdata.grids if g.street == rule.area} <= per_unit[rule.unit_id]
    layer = areas.unit_area_layer(refdata.grids, refdata.responsibility, refdata.units, "en")
    drawn = {f["properties"]["unit_id"]: f for f in layer["features"]}
    wide = {u["unit_id"] for u in layer["district_wide"]}
    assert wide == {u for u, codes in per_unit.items() if codes == all_codes}
    assert not (set(drawn) & wide)
    for unit_id, feature in drawn.items():
        codes = per_unit[unit_id]
        props = feature["properties"]
        assert props["grids"] == len(codes)
        assert props["kind"] == refdata.unit(unit_id).kind
        assert props["kind"] in layer["kinds"]
        geometry = feature["geometry"]["coordinates"]
        for g in refdata.grids:
            lat, lon = g.centroid
            assert point_in_polygon(lon, lat, geometry) == (g.code in codes), (unit_id, g.code)


def test_sensor_markers_colour_by_state(refdata):
    sensors = refdata.sensors[:3]
    states = {sensors[0].id: {"state": "alarm", "value": 0.31, "at": 1.0},
              sensors[1].id: {"state": "warning", "value": float("nan"), "at": 1.0}}
    markers = ml.sensor_markers(sensors, states, "en")
    assert [m["state"] for m in markers] == ["alarm", "warning", "unknown"]
    assert [m["colour"] for m in markers] == [ml.SENSOR_STATE_COLOURS[k] for k in ("alarm", "warning", "unknown")]
    assert markers[0]["value"] == 0.31 and markers[1]["value"] is None
    assert markers[0]["name"] == sensors[0].name_en


def test_legend_has_every_status_time_class_and_sensor_state():
    legend = ml.legend()
    assert [e["key"] for e in legend["status"]] == [s.value for s in Status]
    assert {e["key"] for e in legend["time_left"]} == set(ml.TIME_LEFT_STYLE)
    assert {e["key"] for e in legend["sensor"]} == set(ml.SENSOR_STATE_COLOURS)
    assert all(e["label"] for section in legend.values() for e in section)


# ------------------------------------------------------------------ the page


def test_page_html_references_only_local_assets(refdata):
    html = build_page_html(refdata, language="zh_CN")
    assert external_urls(html) == []
    for name in JS_ASSETS:
        assert f'<script src="{name}"></script>' in html
    for name in CSS_ASSETS:
        assert f'href="{name}"' in html
    assert "cdn" not in html.lower() and "openstreetmap" not in html.lower()
    assert "preferCanvas" in html and "OneGrid.init(" in html
    assert "明湖街道" in html  # labels in the console's language


def test_page_with_file_assets_and_tiles_stays_local(refdata):
    base = ASSET_DIR.as_uri() + "/"
    html = build_page_html(refdata, asset_base=base, tiles={"url": "onegrid://tiles/{z}/{x}/{y}.png", "on": True})
    assert external_urls(html) == []
    assert f'src="{base}leaflet/leaflet.js"' in html


def test_external_urls_finds_what_it_should():
    text = ('<script src="https://cdn.example/x.js"></script> <link href="//fonts.example/f.css">'
            ' url(http://tiles.example/1/2/3.png) xmlns="http://www.w3.org/2000/svg" onegrid://map/a.js')
    assert external_urls(text) == ["https://cdn.example/x.js", "//fonts.example/f.css",
                                   "http://tiles.example/1/2/3.png"]


def test_vendored_assets_exist_and_make_no_requests():
    for name in (*JS_ASSETS, *CSS_ASSETS, "leaflet/images/layers.png", "leaflet/LICENSE", "README.md"):
        assert (ASSET_DIR / name).is_file(), name
    for name in ("bridge.js", "vehicles.js", "wall.js", "map.css", "qwebchannel.js", "leaflet/leaflet.css"):
        text = (ASSET_DIR / name).read_text(encoding="utf-8")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # leaflet.css cites bug trackers in comments
        assert external_urls(text) == [], name
    # leaflet.js holds only the attribution link text and SVG namespaces, which are never fetched
    leaflet = (ASSET_DIR / "leaflet/leaflet.js").read_text(encoding="utf-8")
    assert set(external_urls(leaflet)) <= {"https://leafletjs.com"}
    assert "1.9.4" in leaflet


def test_building_the_page_imports_no_page_generator():
    """The page is our own template: the console imports no templating stack for it (folium, branca and
    Jinja2 were a seventh of its import time at start)."""
    code = ("import sys; from app.map.page import build_page_html; build_page_html(None); "
            "print(sorted(m for m in ('folium', 'branca', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout
