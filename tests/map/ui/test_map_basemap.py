"""The base map, the clusters and the place search in the real map page (Qt WebEngine, offscreen): a
local MBTiles file drawn through the console's URL scheme (GCJ-02 tiles shifted back), 10,000 cases
clustered at city zoom and split as the map zooms in, and the search field driven with the keyboard."""
from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from app.map.datum import offset
from app.map.mbtiles import MBTiles, tile_range, write_package
from app.platform.settings import ConsoleSettings
from app.refdata.loading import demo_dir
from tests.map.ui import test_map as base
from ui.map.interceptor import map_interceptor
from ui.shell.context import ConsoleContext, CoreSignals

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*base.NO_GPU_NOISE)]
small_hub, closing = base.small_hub, base.closing  # the map tests' fixtures

CITY = (120.1454, 30.2417, 120.1743, 30.2587)


def clusters(qtbot, dock) -> dict:
    return json.loads(base.js(qtbot, dock, "OneGrid.clusters()"))


def set_view(qtbot, dock, lat, lon, zoom) -> None:
    base.js(qtbot, dock, f"OneGrid.map.setView([{lat}, {lon}], {zoom}, {{animate: false}}); true")
    qtbot.waitUntil(lambda: clusters(qtbot, dock)["zoom"] == zoom, timeout=10_000)


def test_ten_thousand_cases_cluster_at_city_zoom_and_split_as_it_zooms_in(qtbot, refdata, small_hub, closing):
    ctx = base.map_ctx(refdata, 10_000)
    dock = base.open_map(qtbot, ctx, small_hub)
    closing(dock)
    set_view(qtbot, dock, 30.2502, 120.1598, 13)
    qtbot.waitUntil(lambda: clusters(qtbot, dock)["members"] == 10_000, timeout=20_000)
    city = clusters(qtbot, dock)
    assert city["on"] and not city["cases_layer"]
    assert city["total_shown"] == 10_000                      # every case counted once, all in view
    assert 1 <= city["shown"] < 60                             # a handful of clusters, not 10,000 dots
    assert max(len(c["statuses"]) for c in city["clusters"]) >= 5   # a ring of several status colours
    set_view(qtbot, dock, 30.2502, 120.1598, 14)
    closer = clusters(qtbot, dock)
    assert closer["shown"] > city["shown"]                     # split as the map zooms in
    set_view(qtbot, dock, 30.2502, 120.1598, 16)
    street = clusters(qtbot, dock)
    assert not street["on"] and street["cases_layer"]          # every case its own marker again
    assert base.stats(qtbot, dock)["cases"] == 10_000


def test_clusters_follow_the_case_updates(qtbot, refdata, small_hub, closing):
    ctx = base.map_ctx(refdata, 300)
    dock = base.open_map(qtbot, ctx, small_hub)
    closing(dock)
    set_view(qtbot, dock, 30.2502, 120.1598, 13)
    qtbot.waitUntil(lambda: clusters(qtbot, dock)["members"] == 300, timeout=10_000)
    rows = ctx.cache.rows
    gone = list(rows)[:50]
    for case_id in gone:
        del rows[case_id]
    from app.cache.models import ChangeSet

    ctx.signals.cases_changed.emit(ChangeSet(removed=frozenset(gone)))
    qtbot.waitUntil(lambda: clusters(qtbot, dock)["members"] == 250, timeout=10_000)
    qtbot.waitUntil(lambda: clusters(qtbot, dock)["total_shown"] == 250, timeout=10_000)
    # the layer control's "Cases" box hides the clusters too
    base.js(qtbot, dock, "OneGrid.map.removeLayer(OneGrid.caseLayer); OneGrid.map.fire('overlayremove', "
                         "{layer: OneGrid.caseLayer}); true")
    qtbot.waitUntil(lambda: not clusters(qtbot, dock)["on"], timeout=10_000)


def sensor_clusters(qtbot, dock) -> dict:
    return json.loads(base.js(qtbot, dock, "OneGrid.sensorClusters()"))


def test_sensors_cluster_at_city_zoom_by_state_colour_and_split_as_it_zooms_in(qtbot, refdata, small_hub,
                                                                               closing):
    from app.map import layers as map_layers

    ctx = base.map_ctx(refdata, 20)
    dock = base.open_map(qtbot, ctx, small_hub)
    closing(dock)
    n = len(refdata.sensors)
    # all normal but one in alarm and two silent: the hub tells the map, as readings would
    states = {k: {**v, "state": "normal"} for k, v in small_hub.states().items()}
    alarmed, silent = refdata.sensors[0].id, [s.id for s in refdata.sensors[1:3]]
    states[alarmed]["state"] = "alarm"
    for sid in silent:
        states[sid]["state"] = "silent"
    small_hub.states_changed.emit(states)
    set_view(qtbot, dock, 30.2502, 120.1598, 12)
    qtbot.waitUntil(lambda: sensor_clusters(qtbot, dock)["members"] == n, timeout=10_000)
    qtbot.waitUntil(lambda: any(c["alarm"] for c in sensor_clusters(qtbot, dock)["clusters"]), timeout=10_000)
    city = sensor_clusters(qtbot, dock)
    assert city["on"] and not city["sensors_pane"]            # clusters, the single markers hidden
    assert city["total_shown"] == n                          # every sensor counted once, all in view
    assert 1 <= city["shown"] < n
    counted: dict[str, int] = {}
    for c in city["clusters"]:
        for state, k in c["states"].items():
            counted[state] = counted.get(state, 0) + k
    assert counted.get("alarm") == 1 and counted.get("silent") == 2
    alarm = next(c for c in city["clusters"] if c["alarm"])
    assert alarm["states"].get("alarm") == 1                  # the pulsing cluster is the one holding it
    assert all(not c["alarm"] for c in city["clusters"] if "alarm" not in c["states"])
    r, g, b = (int(map_layers.SENSOR_STATE_COLOURS["alarm"][i:i + 2], 16) for i in (1, 3, 5))
    assert f"rgb({r}, {g}, {b})" in alarm["ring"]             # its ring has the alarm's colour
    # the alarm clears: the cluster stops pulsing
    states[alarmed]["state"] = "normal"
    small_hub.states_changed.emit(states)
    qtbot.waitUntil(lambda: not any(c["alarm"] for c in sensor_clusters(qtbot, dock)["clusters"]),
                    timeout=10_000)
    set_view(qtbot, dock, 30.2502, 120.1598, 14)
    closer = sensor_clusters(qtbot, dock)
    assert closer["shown"] > city["shown"] or closer["total_shown"] < n   # split (or some out of view)
    set_view(qtbot, dock, 30.2502, 120.1598, 16)
    street = sensor_clusters(qtbot, dock)
    assert not street["on"] and street["sensors_pane"]        # every sensor its own marker again
    assert base.stats(qtbot, dock)["sensors"] == n
    # back at city zoom, the layer control's "Sensors" box hides the clusters too
    set_view(qtbot, dock, 30.2502, 120.1598, 12)
    assert sensor_clusters(qtbot, dock)["on"]
    base.js(qtbot, dock, "OneGrid.map.removeLayer(OneGrid.sensorLayer); OneGrid.map.fire('overlayremove', "
                         "{layer: OneGrid.sensorLayer}); true")
    qtbot.waitUntil(lambda: not sensor_clusters(qtbot, dock)["on"], timeout=10_000)


def test_a_sensor_alone_at_city_zoom_is_drawn_and_clicked_as_a_sensor(qtbot, refdata, small_hub, closing):
    ctx = base.map_ctx(refdata, 5)
    dock = base.open_map(qtbot, ctx, small_hub)
    closing(dock)
    set_view(qtbot, dock, 30.2502, 120.1598, 14)   # one step below the threshold: some sensors stand alone
    qtbot.waitUntil(lambda: sensor_clusters(qtbot, dock)["on"], timeout=10_000)
    alone = base.js(qtbot, dock, "document.querySelectorAll('#map, .leaflet-container')[0]"
                                 ".querySelectorAll('.og-sensor-one').length")
    assert alone >= 1
    title = base.js(qtbot, dock, "document.querySelector('.og-sensor-one').title")
    with qtbot.waitSignal(ctx.signals.sensor_selected, timeout=10_000) as selected:
        base.js(qtbot, dock, "document.querySelector('.og-sensor-one').dispatchEvent(new MouseEvent('click', "
                             "{bubbles: true, cancelable: true, view: window})); true")
    from app.map import layers as map_layers
    from ui.shell.i18n import current_language

    drawn = map_layers.sensor_marker(small_hub.sensors[selected.args[0]], None, current_language())
    assert title.startswith(f"{drawn['name']} · ")            # the one drawn there


def city_package(path, datum: str = "wgs84") -> None:
    def png(z, x, y):
        out = io.BytesIO()
        Image.new("RGB", (256, 256), (x % 200, y % 200, 150)).save(out, "PNG")
        return out.getvalue()
    tiles = []
    for z in (14, 15, 16):
        x0, y0, x1, y1 = tile_range(CITY, z)
        tiles += [(z, x, y, png(z, x, y)) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    write_package(path, {"name": "test", "format": "png", "onegrid:datum": datum}, tiles)


def file_ctx(refdata, path) -> ConsoleContext:
    ctx = base.map_ctx(refdata, 20)
    return ConsoleContext(cache=ctx.cache, session=ctx.session, signals=CoreSignals(),
                          settings=ConsoleSettings(base_map_file=str(path), language="en"))


def test_a_local_mbtiles_file_is_the_base_map(qtbot, refdata, small_hub, closing, tmp_path):
    city_package(tmp_path / "city.mbtiles")
    interceptor = map_interceptor()
    start = len(interceptor.requests)
    dock = base.open_map(qtbot, file_ctx(refdata, tmp_path / "city.mbtiles"), small_hub)
    closing(dock)
    assert isinstance(dock.tile_cache, MBTiles)
    qtbot.waitUntil(lambda: dock.tile_cache.stats.hits > 0, timeout=base.LOAD_TIMEOUT_MS)
    seen = interceptor.requests[start:]
    assert any(r.url.startswith("onegrid://tiles/1") for r in seen)
    assert not [r for r in seen if r.scheme in ("http", "https")]
    assert base.js(qtbot, dock, "OneGrid.baseShift ? OneGrid.baseShift() : 'none'") == "none"  # WGS-84


def test_gcj02_tiles_are_shifted_back_by_the_datum_offset(qtbot, refdata, small_hub, closing, tmp_path):
    city_package(tmp_path / "gcj.mbtiles", datum="gcj02")
    dock = base.open_map(qtbot, file_ctx(refdata, tmp_path / "gcj.mbtiles"), small_hub)
    closing(dock)
    set_view(qtbot, dock, 30.25, 120.16, 16)
    qtbot.waitUntil(lambda: base.js(qtbot, dock, "OneGrid.baseShift()") not in (None, ""), timeout=10_000)
    shift = base.js(qtbot, dock, "OneGrid.baseShift()")
    dx, dy = (float(v.strip().removesuffix("px")) for v in shift.removeprefix("translate(").rstrip(")").split(","))
    # GCJ-02 moves the city ≈ 0.00468° east and 0.00234° south; at zoom 16 that is ≈ 218 px and 126 px,
    # so the tiles move back west and north by as much
    from ui.map.dock import _centre

    d_lat, d_lon = offset("gcj02", *_centre(refdata))  # one shift for the view: the city centre's
    assert dx == pytest.approx(-d_lon / 360 * 256 * 2**16, abs=2)
    assert dy < -100 and dx < -200


def test_a_bad_base_map_file_leaves_the_map_without_tiles(qtbot, refdata, small_hub, closing, tmp_path):
    (tmp_path / "bad.mbtiles").write_text("not a database")
    dock = base.open_map(qtbot, file_ctx(refdata, tmp_path / "bad.mbtiles"), small_hub)
    closing(dock)
    assert dock.tile_cache is None and base.stats(qtbot, dock)["cases"] == 20


class LookupCache(base.FakeCache):
    """The cache's lookup by address (`LocalCache.lookup`) over the stand-in's summaries: every case here
    is at 文澜路 and its number."""

    def lookup(self, query, limit=30):
        from app.cache.case_lookup import Hit

        hits = []
        for s in list(self.rows.values())[:limit]:
            address = f"文澜路{s.number[-2:]}号"
            if query in address:
                hits.append(Hit(s.id, s.number, s.status, s.category_code, "address", address, 3))
        return hits

    def case(self, case_id):
        s = self.rows[case_id]
        return SimpleNamespace(location=SimpleNamespace(lat=s.lat, lon=s.lon, address=f"文澜路{s.number[-2:]}号"))


def test_the_search_field_finds_a_road_by_initials_and_flies_there(qtbot, refdata, small_hub, closing):
    plain = base.map_ctx(refdata, 20)
    # the demo city's base map: its street names come with the package
    ctx = ConsoleContext(cache=LookupCache(refdata, plain.cache.rows.values()), session=plain.session,
                         signals=CoreSignals(), settings=ConsoleSettings(
                             base_map_file=str(demo_dir() / "basemap.mbtiles"), language="en"))
    dock = base.open_map(qtbot, ctx, small_hub)
    closing(dock)
    base.js(qtbot, dock, "OneGrid.noAnimation = true; true")
    search = dock.search
    assert search.isVisible()
    search.field.setFocus()
    qtbot.keyClicks(search.field, "xfj")    # 学府街, by its initials
    qtbot.waitUntil(lambda: search.results.isVisible() and search.results.count() > 0, timeout=20_000)
    first = search.results.item(0).text()
    assert first.startswith("学府") and "Road" in first
    qtbot.keyClick(search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: base.js(qtbot, dock, "OneGrid.placeMark()") is not None, timeout=10_000)
    mark = json.loads(base.js(qtbot, dock, "OneGrid.placeMark()"))
    assert mark["zoom"] == 17 and search.last_flown.name.startswith("学府")
    assert (mark["lat"], mark["lon"]) == (pytest.approx(search.last_flown.lat), pytest.approx(search.last_flown.lon))
    assert not search.results.isVisible()
    # a grid code by its digits; Down picks the second
    search.field.clear()
    qtbot.keyClicks(search.field, "330106003")
    qtbot.waitUntil(lambda: search.results.isVisible() and search.results.count() >= 2, timeout=10_000)
    qtbot.keyClick(search.field, Qt.Key.Key_Down)
    qtbot.keyClick(search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: search.last_flown.kind == "grid", timeout=10_000)
    assert search.last_flown.detail.startswith("330106003")
    # a case's address, from the cache
    search.field.clear()
    search.field.setText("文澜路")     # (the offscreen platform types no Chinese; an input method would)
    qtbot.keyClicks(search.field, "07")
    qtbot.waitUntil(lambda: search.results.count() == 1, timeout=10_000)
    qtbot.keyClick(search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: search.last_flown.kind == "address", timeout=10_000)
    case = next(s for s in ctx.cache.rows.values() if s.number.endswith("07"))
    assert (search.last_flown.lat, search.last_flown.lon) == (case.lat, case.lon)
    # Esc clears
    qtbot.keyClick(search.field, Qt.Key.Key_Escape)
    assert search.field.text() == "" and not search.results.isVisible()


