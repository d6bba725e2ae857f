"""The live map (ui/map/dock.py) in a real Qt WebEngine page, offscreen: no network requests with 10,000
markers, the bridge round trip (marker click → case selected), selection from elsewhere, incremental
updates without a reload, pick-location mode, sensors, and tiles served from the local cache."""
from __future__ import annotations

import dataclasses
import json
import random
import re
import struct
import uuid
import zlib
from datetime import datetime, timedelta, timezone

import pytest
import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage

from app.cache.models import ChangeSet
from app.cases.summary import CaseSummary
from app.map import areas as map_areas
from app.map import layers as map_layers
from app.map.tile_cache import TileCache
from app.platform.enums import STAGE_OF_STATUS, Action, Priority, Source, Status
from app.platform.events import EventGroup
from server.demo.sensor_readings import SimulatedSensorFeed
from tests.support import ROOT as CHECKOUT
from tests.support.simulated_sensor_hub import SimulatedSensorHub
from ui.map.dock import MapDock
from ui.map.interceptor import map_interceptor, map_profile, track_page
from ui.shell.context import ConsoleContext, CoreSignals

# What Qt WebEngine says on a machine without a GPU or display server (the offscreen platform in CI):
# platform capabilities it probes for and falls back from. Nothing from our code is ignored.
NO_GPU_NOISE = (
    r"^QRhiGles2: Failed to create",
    r"^Failed to create RHI for backend",
    r"^This plugin does not support (createPlatformVulkanInstance|propagateSizeHints)",
    r"^QVulkanInstance: Failed to initialize Vulkan",
    r"^GBM is not supported",
    r"^GPUInfo not initialized",
)

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*NO_GPU_NOISE)]

NOW = datetime.now(timezone.utc)
LOAD_TIMEOUT_MS = 60_000


class FakeCache:
    """The reads the map makes of `app.cache.LocalCache`, over an in-memory dict (no vehicles)."""

    def __init__(self, refdata, summaries=()):
        self._refdata = refdata
        self.rows = {s.id: s for s in summaries}
        self.events = EventGroup("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed")

    def refdata(self):
        return self._refdata

    def summaries(self, ids=None):
        if ids is None:
            return list(self.rows.values())
        return [self.rows[i] for i in ids if i in self.rows]

    def entities(self, kind):  # the vehicles layer's positions by device (ui/avl/fleet.py): none here
        return {}


class FakeSession:
    username = "op1"


def make_summary(refdata, rnd, number, status=None, due_in=None):
    (south, west), (north, east) = map_areas.bounds(refdata)
    while True:
        lat, lon = rnd.uniform(south, north), rnd.uniform(west, east)
        grid = refdata.grid_at(lat, lon)
        if grid is not None:
            break
    status = status or rnd.choice(list(Status))
    due = NOW + (due_in if due_in is not None else timedelta(minutes=rnd.uniform(-120, 600)))
    return CaseSummary(uuid.UUID(int=rnd.getrandbits(128)), f"2026-{number:06d}", None, status,
                       Priority.ORDINARY, "C0101", "roads", grid.code, lat, lon, Source.HOTLINE, NOW, NOW,
                       due, STAGE_OF_STATUS.get(status), 0, 0, False, 1)


def map_ctx(refdata, n):
    rnd = random.Random(n)
    cache = FakeCache(refdata, [make_summary(refdata, rnd, i + 1) for i in range(n)])
    return ConsoleContext(cache=cache, session=FakeSession(), signals=CoreSignals())


@pytest.fixture
def small_hub(refdata, qtbot):
    """A hub with ten minutes of simulated history (quick to load), not ticking by itself."""
    feed = SimulatedSensorFeed(refdata.sensors)
    hub = SimulatedSensorHub(feed, history_s=600, interval_ms=3_600_000)
    hub.start()
    qtbot.waitUntil(lambda: hub.is_ready, timeout=LOAD_TIMEOUT_MS)
    yield hub
    hub.stop()


def open_map(qtbot, ctx, hub, **kw) -> MapDock:
    dock = MapDock(ctx, hub=hub, **kw)
    qtbot.addWidget(dock)
    dock.resize(1000, 700)
    dock.show()
    expected = len(ctx.cache.rows)
    qtbot.waitUntil(lambda: dock.is_ready, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: stats(qtbot, dock)["cases"] == expected, timeout=LOAD_TIMEOUT_MS)
    return dock


def js(qtbot, dock: MapDock, script: str):
    """Run JavaScript in the map page and wait for its result."""
    box = []
    dock.run_js(script, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    return box[0]


def stats(qtbot, dock):
    return json.loads(js(qtbot, dock, "OneGrid.stats()"))


def marker(qtbot, dock, case_id):
    text = js(qtbot, dock, f"OneGrid.marker({json.dumps(str(case_id))})")
    return json.loads(text) if text else None


@pytest.fixture
def closing():
    docks = []
    yield docks.append
    for dock in docks:
        dock.dispose()
        dock.close()
        shiboken6.delete(dock)


# ------------------------------------------------------------------ network


def test_ten_thousand_markers_make_no_network_request(qtbot, refdata, small_hub, closing):
    interceptor = map_interceptor()
    start = len(interceptor.requests)
    ctx = map_ctx(refdata, 10_000)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    qtbot.wait(500)  # let anything late (images, fonts) ask too
    seen = interceptor.requests[start:]
    assert [r for r in seen if r.scheme in ("http", "https", "ws", "wss", "ftp")] == []
    assert not any(r.blocked for r in seen)
    urls = {r.url for r in seen}
    assert any(u.startswith("onegrid://map/") and u.endswith(".html") for u in urls)
    assert "onegrid://map/leaflet/leaflet.js" in urls and "onegrid://map/bridge.js" in urls
    assert stats(qtbot, dock)["sensors"] == len(refdata.sensors)


def test_interceptor_blocks_and_records_outside_requests(qtbot):
    """The control for the test above: the interceptor does see (and stop) a request to a host."""
    interceptor = map_interceptor()
    start = len(interceptor.requests)
    page = QWebEnginePage(map_profile())
    track_page(page)
    with qtbot.waitSignal(page.loadFinished, timeout=LOAD_TIMEOUT_MS) as finished:
        page.setUrl(QUrl("http://127.0.0.1:9/never.png"))
    assert finished.args == [False]
    seen = interceptor.requests[start:]
    assert [(r.scheme, r.blocked) for r in seen if r.url.startswith("http://127.0.0.1:9")] == [("http", True)]
    shiboken6.delete(page)


# ------------------------------------------------------------------ bridge and selection


def test_marker_click_round_trips_through_the_bridge(qtbot, refdata, small_hub, closing):
    ctx = map_ctx(refdata, 50)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    case_id = list(ctx.cache.rows)[7]
    with qtbot.waitSignal(dock.bridge.case_clicked, timeout=10_000) as clicked:
        with qtbot.waitSignal(ctx.signals.case_selected, timeout=10_000) as selected:
            assert js(qtbot, dock, f"OneGrid.clickCase('{case_id}')") is True
    assert json.loads(clicked.args[0]) == {"type": "case_clicked", "id": str(case_id)}
    assert selected.args == [case_id] and ctx.selected_case == case_id
    # …and the selection comes back to the map as the highlight
    qtbot.waitUntil(lambda: stats(qtbot, dock)["selected"] == str(case_id), timeout=10_000)


def test_selection_elsewhere_highlights_and_pans(qtbot, refdata, small_hub, closing):
    ctx = map_ctx(refdata, 200)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    case_id = list(ctx.cache.rows)[123]
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: stats(qtbot, dock)["selected"] == str(case_id), timeout=10_000)
    s = stats(qtbot, dock)
    assert s["selectedInView"] is True and s["zoom"] >= 16
    assert marker(qtbot, dock, case_id)["radius"] > marker(qtbot, dock, list(ctx.cache.rows)[0])["radius"]
    ctx.select_case(None)
    qtbot.waitUntil(lambda: stats(qtbot, dock)["selected"] is None, timeout=10_000)


# ------------------------------------------------------------------ incremental updates


def test_incremental_update_changes_markers_without_reload(qtbot, refdata, small_hub, closing):
    ctx = map_ctx(refdata, 300)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    loaded_at = stats(qtbot, dock)["loadedAt"]
    rows = ctx.cache.rows
    changed_id, removed_id = list(rows)[10], list(rows)[11]
    old = rows[changed_id]
    changes = {"status": Status.HANDLED, "lat": old.lat + 0.0005, "due_at": NOW - timedelta(minutes=5)}
    rows[changed_id] = old._replace(**changes) if hasattr(old, "_replace") else dataclasses.replace(old, **changes)
    added = make_summary(refdata, random.Random(99), 9999, Status.REPORTED, timedelta(minutes=30))
    rows[added.id] = added
    del rows[removed_id]
    ctx.signals.cases_changed.emit(ChangeSet(added=frozenset({added.id}), updated=frozenset({changed_id}),
                                             removed=frozenset({removed_id})))

    def updated():
        m = marker(qtbot, dock, changed_id)
        # the ring too: the random row may have been handled already, so the fill alone proves no update
        return (m and m["fill"] == map_layers.STATUS_COLOURS[Status.HANDLED]
                and m["ring"] == map_layers.TIME_LEFT_STYLE["overdue"][0])

    qtbot.waitUntil(updated, timeout=10_000)
    m = marker(qtbot, dock, changed_id)
    assert m["ring"] == map_layers.TIME_LEFT_STYLE["overdue"][0] and m["lat"] == pytest.approx(old.lat + 0.0005)
    new = marker(qtbot, dock, added.id)
    assert new["fill"] == map_layers.STATUS_COLOURS[Status.REPORTED]
    assert new["ring"] == map_layers.TIME_LEFT_STYLE["due_soon"][0]
    assert marker(qtbot, dock, removed_id) is None
    s = stats(qtbot, dock)
    assert s["cases"] == 300 and s["loadedAt"] == loaded_at  # same page, never reloaded
    assert dock.load_count == 1


def test_an_update_redraws_only_the_changed_markers_once(qtbot, refdata, small_hub, closing):
    """100 changed cases spread over the district: one canvas redraw of their own rectangles (not the whole
    canvas, which would draw every marker again), and the canvas then shows what a full redraw does."""
    ctx = map_ctx(refdata, 2000)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock)  # the case canvas shows from the cluster threshold on
    qtbot.wait(200)  # the first push's frames are drawn
    before = json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))
    rows = ctx.cache.rows
    chosen = list(rows)[::20][:100]
    for case_id in chosen:
        old = rows[case_id]
        status = Status.REPORTED if old.status != Status.REPORTED else Status.HANDLED
        rows[case_id] = old._replace(status=status)
    ctx.signals.cases_changed.emit(ChangeSet(updated=frozenset(chosen)))

    def redrawn():
        return json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))["partial"] > before["partial"]

    qtbot.waitUntil(redrawn, timeout=10_000)
    qtbot.wait(100)
    after = json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))
    assert after["partial"] == before["partial"] + 1 and after["full"] == before["full"]
    assert all(marker(qtbot, dock, i)["status"] == rows[i].status.value for i in chosen[:5])
    # The canvas then shows what a full redraw does: no marker missing or left behind (that would differ by
    # ~230 of 255, a 0.9-opaque fill). Antialiasing of neighbours cut by a rectangle's edge may differ by a
    # few tens on edge pixels, as it does after any of Leaflet's own single-marker redraws.
    moved = json.loads(js(qtbot, dock, "OneGrid.redrawCases()"))
    assert moved["max"] < 100, moved


def street_zoom(qtbot, dock, zoom: float = 15) -> None:
    js(qtbot, dock, f"OneGrid.map.setZoom({zoom}, {{animate: false}}); true")
    qtbot.waitUntil(lambda: stats(qtbot, dock)["zoom"] == zoom, timeout=10_000)


CLUSTER_ICONS = """(function () {  // each case cluster on the map: its icon's tooltip and its cases' statuses
  var out = [];
  OneGrid.map.eachLayer(function (l) {  // (sensor clusters, og-scluster, count sensor states instead)
    if (!l.getAllChildMarkers || !l._icon || !l._icon.classList.contains("og-cluster")) return;
    var counts = {};
    l.getAllChildMarkers().forEach(function (m) { counts[m.og.s] = (counts[m.og.s] || 0) + 1; });
    out.push({tip: l._icon.querySelector(".ring").title, counts: counts});
  });
  return JSON.stringify(out);
})()"""


def test_at_city_zoom_an_update_restyles_the_clusters_and_draws_the_hidden_canvas_only_when_shown(
        qtbot, refdata, small_hub, closing):
    """Below the cluster threshold the case canvas is hidden: a sync's update redraws the cluster icons
    (each counting its cases' new statuses) and draws nothing on the canvas; zooming in draws it whole,
    with the new states."""
    ctx = map_ctx(refdata, 2000)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock, 13)
    qtbot.wait(200)
    before = json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))
    rows = ctx.cache.rows
    chosen = list(rows)[::20][:100]
    for case_id in chosen:
        old = rows[case_id]
        rows[case_id] = old._replace(status=Status.REPORTED if old.status != Status.REPORTED else Status.HANDLED)
    ctx.signals.cases_changed.emit(ChangeSet(updated=frozenset(chosen)))
    qtbot.waitUntil(lambda: all(marker(qtbot, dock, i)["status"] == rows[i].status.value for i in chosen),
                    timeout=10_000)
    qtbot.wait(200)  # frames after the update
    assert json.loads(js(qtbot, dock, "OneGrid.caseCanvas()")) == before  # the hidden canvas was not drawn
    icons = json.loads(js(qtbot, dock, CLUSTER_ICONS))
    assert icons and sum(sum(i["counts"].values()) for i in icons) > 1000
    for icon in icons:  # every icon counts its cases as they are now
        shown = sorted(int(n) for n in re.findall(r": (\d+)", icon["tip"]))
        assert shown == sorted(icon["counts"].values()), icon
    street_zoom(qtbot, dock)
    qtbot.waitUntil(lambda: json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))["full"] > before["full"],
                    timeout=10_000)
    moved = json.loads(js(qtbot, dock, "OneGrid.redrawCases()"))  # it shows what a full redraw does
    assert moved["max"] < 100 and moved["off"] == 0, moved


def test_time_left_recolours_with_the_clock(qtbot, refdata, small_hub, closing):
    ctx = map_ctx(refdata, 100)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    open_ids = [i for i, s in ctx.cache.rows.items()
                if s.status not in (Status.CLOSED, Status.VOIDED, Status.MERGED, Status.SUSPENDED)]
    assert dock.refresh_at(NOW + timedelta(days=2)) > 0
    red = map_layers.TIME_LEFT_STYLE["overdue"][0]
    qtbot.waitUntil(lambda: marker(qtbot, dock, open_ids[0])["ring"] == red, timeout=10_000)
    assert all(marker(qtbot, dock, i)["ring"] == red for i in open_ids[:10])


def test_cases_from_the_real_cache_reach_the_map(qtbot, make_ctx, cases, small_hub, closing):
    """Integrated: LocalCache → cases_changed → the map adds, then restyles, the case's marker."""
    ctx = make_ctx()
    dock = MapDock(ctx, hub=small_hub)
    qtbot.addWidget(dock)
    closing(dock)
    qtbot.waitUntil(lambda: dock.is_ready, timeout=LOAD_TIMEOUT_MS)
    case_id = cases.make(Status.REPORTED)
    qtbot.waitUntil(lambda: marker(qtbot, dock, case_id) is not None, timeout=10_000)
    assert marker(qtbot, dock, case_id)["fill"] == map_layers.STATUS_COLOURS[Status.REPORTED]
    cases.act(case_id, Action.REGISTER)
    qtbot.waitUntil(lambda: marker(qtbot, dock, case_id)["status"] == "registered", timeout=10_000)
    assert marker(qtbot, dock, case_id)["fill"] == map_layers.STATUS_COLOURS[Status.REGISTERED]
    assert dock.load_count == 1


# ------------------------------------------------------------------ pick a location, sensors


def test_pick_location_returns_the_next_click(qtbot, refdata, small_hub, closing):
    ctx = map_ctx(refdata, 20)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    picked, cancelled = [], []
    dock.pick_location(lambda lat, lon: picked.append((lat, lon)), lambda: cancelled.append(True))
    qtbot.waitUntil(lambda: stats(qtbot, dock)["pick"] is True, timeout=10_000)
    js(qtbot, dock, "OneGrid.clickMap(30.2501, 120.1602)")
    qtbot.waitUntil(lambda: bool(picked), timeout=10_000)
    assert picked == [(pytest.approx(30.2501), pytest.approx(120.1602))]
    assert not dock.picking and stats(qtbot, dock)["pick"] is False
    # a click on a case marker while picking gives its position, not a selection
    dock.pick_location(lambda lat, lon: picked.append((lat, lon)), lambda: cancelled.append(True))
    qtbot.waitUntil(lambda: stats(qtbot, dock)["pick"] is True, timeout=10_000)
    case_id = list(ctx.cache.rows)[3]
    js(qtbot, dock, f"OneGrid.clickCase('{case_id}')")
    qtbot.waitUntil(lambda: len(picked) == 2, timeout=10_000)
    assert ctx.selected_case is None
    # Esc cancels
    dock.pick_location(lambda lat, lon: picked.append((lat, lon)), lambda: cancelled.append(True))
    qtbot.waitUntil(lambda: stats(qtbot, dock)["pick"] is True, timeout=10_000)
    js(qtbot, dock, "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'})); true")
    qtbot.waitUntil(lambda: bool(cancelled), timeout=10_000)
    assert len(picked) == 2 and not dock.picking


def test_sensors_coloured_by_state_and_clickable(qtbot, refdata, small_hub, closing):
    ctx = map_ctx(refdata, 10)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    states = small_hub.states()
    assert set(states) == {s.id for s in refdata.sensors}
    assert js(qtbot, dock, "document.querySelectorAll('.og-sensor').length") == len(refdata.sensors)
    for sensor in refdata.sensors[:8]:
        drawn = json.loads(js(qtbot, dock, f"OneGrid.sensor('{sensor.id}')"))
        state = states[sensor.id]["state"]
        assert drawn["state"] == state and drawn["colour"] == map_layers.SENSOR_STATE_COLOURS[state]
        r, g, b = (int(map_layers.SENSOR_STATE_COLOURS[state][i:i + 2], 16) for i in (1, 3, 5))
        assert drawn["drawn"] == f"rgb({r}, {g}, {b})"
    sid = refdata.sensors[0].id
    with qtbot.waitSignal(ctx.signals.sensor_selected, timeout=10_000) as selected:
        assert js(qtbot, dock, f"OneGrid.clickSensor('{sid}')") is True
    assert selected.args == [sid]


# ------------------------------------------------------------------ tiles


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xc8\xc8\xc8")) + chunk(b"IEND", b""))


def test_base_map_tiles_come_from_the_local_cache_through_the_scheme(qtbot, refdata, small_hub, closing,
                                                                     tmp_path):
    fetched = []
    cache = TileCache(tmp_path, "http://tiles.example/{z}/{x}/{y}.png",
                      fetch=lambda url, timeout: fetched.append(url) or _png())
    interceptor = map_interceptor()
    start = len(interceptor.requests)
    ctx = map_ctx(refdata, 5)
    dock = open_map(qtbot, ctx, small_hub, tile_cache=cache)
    closing(dock)
    qtbot.waitUntil(lambda: cache.tile_count() > 0, timeout=LOAD_TIMEOUT_MS)
    qtbot.wait(300)
    seen = interceptor.requests[start:]
    assert any(r.url.startswith("onegrid://tiles/") for r in seen)
    assert not [r for r in seen if r.scheme in ("http", "https")]  # the page never asked a tile server
    assert fetched and all(u.startswith("http://tiles.example/") for u in fetched)  # the cache did


FALLBACK_SCRIPT = r"""
import sys, time
import PySide6.QtWebEngineWidgets
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)            # created before ui.map.interceptor is imported: no scheme
from app.refdata.loading import load_demo_refdata
from ui.shell.context import ConsoleContext, CoreSignals
from ui.map.dock import MapDock
from ui.map.interceptor import scheme_registered
from tests.map.ui.test_map import map_ctx
ctx = map_ctx(load_demo_refdata(), 25)
dock = MapDock(ctx)
def wait(ms):
    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()
started = time.time()
while not dock.is_ready and time.time() - started < 60:
    wait(100)
box = []
dock.run_js("OneGrid.stats()", box.append)
while not box and time.time() - started < 60:
    wait(50)
schemes = sorted({r.scheme for r in dock.interceptor.requests})
dock.resize(900, 600)                   # shown later (a dock in a background tab): fits the district then
dock.show()
wait(1500)
shown = []
dock.run_js("OneGrid.stats()", shown.append)
while not shown and time.time() - started < 60:
    wait(50)
print("RESULT", scheme_registered(), dock.is_ready, box[0] if box else None, schemes)
print("SHOWN", shown[0] if shown else None)
dock.dispose()
"""


def test_map_still_works_when_the_scheme_was_registered_too_late(tmp_path):
    """If the application object exists before ui.map.interceptor is imported, the page falls back to
    file:// URLs (still local, no tiles). The dock starts hidden, as in a background tab, and fits the
    district once shown. Runs in its own process: scheme registration happens once per process."""
    import os
    import subprocess
    import sys

    root = CHECKOUT
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " --no-sandbox").strip()
    proc = subprocess.run([sys.executable, "-c", FALLBACK_SCRIPT], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    assert line is not None, proc.stdout + proc.stderr
    assert line.startswith("RESULT False True ")
    assert '"cases":25' in line and "['file']" in line
    shown = next(l for l in proc.stdout.splitlines() if l.startswith("SHOWN"))
    assert json.loads(shown.split(" ", 1)[1])["zoom"] >= 14, shown


# ------------------------------------------------------------------ theme


def test_map_follows_the_console_theme_live(qtbot, refdata, small_hub, closing):
    """The vector map, its legend and Leaflet's controls go dark with the console, without a reload."""
    from ui.shell import theme

    ctx = map_ctx(refdata, 50)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    loaded_at = stats(qtbot, dock)["loadedAt"]
    background = "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
    legend = "getComputedStyle(document.querySelector('.og-legend')).backgroundColor"
    zoom = "getComputedStyle(document.querySelector('.leaflet-bar a')).backgroundColor"
    assert stats(qtbot, dock)["theme"] == "light"
    light = (js(qtbot, dock, background), js(qtbot, dock, legend), js(qtbot, dock, zoom))
    try:
        theme.apply_theme("dark")
        qtbot.waitUntil(lambda: stats(qtbot, dock)["theme"] == "dark", timeout=10_000)
        assert js(qtbot, dock, background) == "rgb(13, 17, 23)"  # ui.shell.theme's dark window colour
        assert js(qtbot, dock, legend).startswith("rgba(21, 27, 35")
        assert js(qtbot, dock, zoom) == "rgb(33, 38, 45)"
        grid = json.loads(js(qtbot, dock, "OneGrid.gridStyle()"))
        assert grid["line"] == "#3d4b5c"
        assert grid["fill"] in ("#1f2a36", "#1c2b26", "#1b2638", "#2c2230", "#252238", "#2a2a20")
    finally:
        theme.apply_theme("light")
    qtbot.waitUntil(lambda: stats(qtbot, dock)["theme"] == "light", timeout=10_000)
    assert (js(qtbot, dock, background), js(qtbot, dock, legend), js(qtbot, dock, zoom)) == light
    assert json.loads(js(qtbot, dock, "OneGrid.gridStyle()"))["line"] == "#94a3b8"
    assert stats(qtbot, dock)["loadedAt"] == loaded_at and dock.load_count == 1  # never reloaded


def test_markers_from_the_columns_are_the_case_markers(refdata):
    """The map builds its markers from numpy columns; they equal map_layers.case_marker of the summary
    (every status, no deadline, suspended, overdue, due soon, provisional numbers, no unit, bad position)."""
    from app.cases.queue_columns import QueueColumns
    from ui.map.case_markers import column_markers

    rnd = random.Random(4)
    rows = [make_summary(refdata, rnd, i, status, timedelta(minutes=m))
            for i, (status, m) in enumerate((s, m) for s in Status for m in (-30, 20, 600))]
    rows.append(rows[0]._replace(id=uuid.uuid4(), due_at=None, unit_id=None, number=None,
                                 provisional_number="P-ABC123-7"))
    rows.append(rows[1]._replace(id=uuid.uuid4(), number=None, due_at=NOW.replace(microsecond=0)))
    rows.append(rows[2]._replace(id=uuid.uuid4(), lat=float("nan")))
    cols = QueueColumns()
    slots, _added = cols.put_many(rows)
    assert column_markers(cols, slots, NOW) == [map_layers.case_marker(s, NOW) for s in rows]


def test_a_changed_read_holds_each_case_once_the_last_read_winning(refdata):
    """The dock puts a changed read into its columns as a batch known to hold each case once (no repeat check
    on the GUI thread): a case the cache returns twice is there once, as it was read last, its marker too."""
    from ui.map.case_markers import _read_changed_cases

    rnd = random.Random(9)
    first, other = make_summary(refdata, rnd, 1, Status.RETURNED), make_summary(refdata, rnd, 2)
    again = first._replace(status=Status.HANDLED)

    class Twice:
        def summaries(self, ids):
            return [first, other, again]

    batch, markers = _read_changed_cases(Twice(), [first.id, other.id], NOW)
    assert [i.decode() for i in batch.ids.tolist()] == [str(first.id), str(other.id)]
    assert markers == [map_layers.case_marker(again, NOW), map_layers.case_marker(other, NOW)]



def map_sharing_queue(qtbot, ctx, hub, closing):
    """A map dock drawing from a queue model's columns, as in the main window, loaded: (model, dock)."""
    from ui.cases.queue_model import CaseQueueModel

    model = CaseQueueModel(ctx, tick_ms=10**8)
    dock = MapDock(ctx, hub=hub)
    dock.share_columns(model)
    qtbot.addWidget(dock)
    closing(dock)
    qtbot.waitUntil(lambda: dock.is_ready and dock._have_summaries, timeout=LOAD_TIMEOUT_MS)
    return model, dock


def test_map_shares_the_queue_columns(qtbot, make_ctx, cases, small_hub, closing):
    """In the main window the map draws from the queue model's columns (one copy of the cases): the first
    push comes from them, and every batch the model applies restyles, adds or removes markers."""
    existing = [cases.make(Status.REPORTED) for _ in range(3)]
    closed = cases.make(Status.CLOSED)
    ctx = make_ctx()
    model, dock = map_sharing_queue(qtbot, ctx, small_hub, closing)
    assert dock._cols is model.cols  # no second copy
    qtbot.waitUntil(lambda: stats(qtbot, dock)["cases"] == 4, timeout=10_000)
    assert marker(qtbot, dock, closed)["fill"] == map_layers.STATUS_COLOURS[Status.CLOSED]
    case_id = cases.make(Status.REPORTED)
    qtbot.waitUntil(lambda: marker(qtbot, dock, case_id) is not None, timeout=10_000)
    cases.act(existing[0], Action.REGISTER)
    qtbot.waitUntil(lambda: marker(qtbot, dock, existing[0])["status"] == "registered", timeout=10_000)
    ghost = model.cols.summaries[model.cols.slot_of[existing[1]]]._replace(id=uuid.uuid4())
    model.apply([ghost])
    qtbot.waitUntil(lambda: marker(qtbot, dock, ghost.id) is not None, timeout=10_000)
    ctx.signals.cases_changed.emit(ChangeSet(removed=frozenset({ghost.id})))  # the cache no longer has it
    qtbot.waitUntil(lambda: marker(qtbot, dock, ghost.id) is None, timeout=10_000)
    assert stats(qtbot, dock)["cases"] == 5 and dock.marker_count() == 5 and dock.load_count == 1
