"""The map's vehicles-and-staff layer from the console's cache: each device drawn with its kind and heading,
moved live when the feed brings a new position (no page reload), greyed when its last report is stale,
filtered per unit, and a click showing who, unit, speed, last report and the current case, whose link
selects the case."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from app.cases.workflow import Actor
from app.platform.enums import Role
from tests.map.ui.test_map import LOAD_TIMEOUT_MS, NO_GPU_NOISE, closing, js  # noqa: F401 - closing: fixture
from tests.support.sensor_fakes import T0 as T0_EPOCH
from tests.support.sensor_fakes import make_ctx, push
from ui.map.dock import MapDock

T0 = datetime.fromtimestamp(T0_EPOCH, timezone.utc)
pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*NO_GPU_NOISE)]


def position(device_id, kind, unit, lat, lon, at, heading=None, person=None, speed=None, case_id=None, name=""):
    return {"device_id": device_id, "kind": kind, "owner_unit_id": unit, "person": person, "name": name,
            "lat": lat, "lon": lon, "speed_kmh": speed, "heading": heading, "time": at.isoformat(),
            "case_id": case_id}


def drawn(qtbot, dock, device_id):
    text = js(qtbot, dock, f"OneGrid.vehicle('{device_id}')")
    return json.loads(text) if text else None


@pytest.fixture
def map_with_fleet(qtbot, demo_cache, closing, cases):  # noqa: F811 - closing: the fixture
    ctx, client = make_ctx(demo_cache, Actor("lead1", Role.SHIFT_LEAD))
    ctx.test_client = client
    ctx.now = lambda: T0 + timedelta(minutes=1)
    case = demo_cache.case(cases.make(status="dispatched"))
    push(demo_cache, "position", {
        "PAT-R1": position("PAT-R1", "patrol_car", "roads", 30.2600, 120.1500, T0, heading=90,
                           person="handler_roads", speed=32.0, case_id=str(case.id), name="道路巡01"),
        "SAN-W01": position("SAN-W01", "sanitation_truck", "sanitation_west", 30.2610, 120.1510, T0, heading=180),
        "HS-I1": position("HS-I1", "inspector_handset", "city_office", 30.2620, 120.1520, T0 - timedelta(minutes=20),
                          person="inspector1"),
    })
    dock = MapDock(ctx)
    closing(dock)
    dock.resize(1000, 700)
    dock.show()
    qtbot.waitUntil(lambda: dock.is_ready, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: drawn(qtbot, dock, "PAT-R1") is not None, timeout=10_000)
    return ctx, dock, case


def test_devices_are_drawn_moved_live_and_greyed_when_stale(qtbot, demo_cache, map_with_fleet):
    ctx, dock, _case = map_with_fleet
    car = drawn(qtbot, dock, "PAT-R1")
    assert (car["kind"], car["lat"], car["stale"], car["arrow"]) == ("patrol_car", 30.26, False, "rotate(90deg)")
    assert drawn(qtbot, dock, "HS-I1")["stale"] is True  # 21 min since its last report
    assert drawn(qtbot, dock, "SAN-W01")["stale"] is False
    loads = dock.load_count
    push(demo_cache, "position", {"PAT-R1": position("PAT-R1", "patrol_car", "roads", 30.2650, 120.1550,
                                                     T0 + timedelta(seconds=50), heading=45)})
    qtbot.waitUntil(lambda: drawn(qtbot, dock, "PAT-R1")["lat"] == 30.265, timeout=10_000)
    assert drawn(qtbot, dock, "PAT-R1")["arrow"] == "rotate(45deg)" and dock.load_count == loads
    ctx.now = lambda: T0 + timedelta(minutes=10)  # the truck has said nothing for 10 minutes
    assert dock.vehicles.refresh_stale() >= 1
    qtbot.waitUntil(lambda: drawn(qtbot, dock, "SAN-W01")["stale"] is True, timeout=10_000)


def test_the_layer_is_filtered_per_unit(qtbot, map_with_fleet):
    _ctx, dock, _case = map_with_fleet
    dock.vehicles.set_units(frozenset({"roads"}))
    qtbot.waitUntil(lambda: drawn(qtbot, dock, "SAN-W01")["shown"] is False, timeout=10_000)
    assert drawn(qtbot, dock, "PAT-R1")["shown"] is True
    dock.vehicles.set_units(None)
    qtbot.waitUntil(lambda: drawn(qtbot, dock, "SAN-W01")["shown"] is True, timeout=10_000)


def test_a_click_shows_who_unit_speed_last_report_and_case(qtbot, map_with_fleet):
    ctx, dock, case = map_with_fleet
    assert js(qtbot, dock, "OneGrid.clickVehicle('PAT-R1')") is True
    qtbot.waitUntil(lambda: bool(js(qtbot, dock, "OneGrid.popupText()")), timeout=10_000)
    text = js(qtbot, dock, "OneGrid.popupText()")
    for words in ("Who", "道路巡01", "Patrol car", "Unit", "Speed", "32 km/h", "Last report", "Current case",
                  case.display_number):
        assert words in text, (words, text)
    assert "handler_roads" in text or "Roads" in text or "道路" in text  # the person's display name
    with qtbot.waitSignal(ctx.signals.case_selected, timeout=10_000) as selected:
        js(qtbot, dock, "document.querySelector('.og-veh-case').click(), true")
    assert selected.args == [case.id]


def test_a_track_is_replayed_along_a_slider(qtbot, map_with_fleet):
    from app.sync.state import Connection
    from app.wire.avl import TrackAnswer

    ctx, dock, _case = map_with_fleet
    asked = []

    def device_track(device_id, start, end):
        asked.append((device_id, end - start))
        return TrackAnswer(device_id=device_id, start=start.isoformat(), end=end.isoformat(), points=[
            {"time": (T0 - timedelta(minutes=3 - i)).isoformat(), "lat": 30.25 + i / 1000, "lon": 120.15,
             "speed_kmh": 20.0 + i, "heading": 0.0} for i in range(4)])

    ctx.test_client.device_track = device_track
    js(qtbot, dock, "OneGrid.clickVehicle('PAT-R1')")
    qtbot.waitUntil(lambda: bool(js(qtbot, dock, "OneGrid.popupText()")), timeout=10_000)
    js(qtbot, dock, "document.querySelector('.og-veh-track').click(), true")
    qtbot.waitUntil(lambda: getattr(dock.vehicles, "replay", None) is not None, timeout=10_000)
    dialog = dock.vehicles.replay
    qtbot.waitUntil(lambda: len(dialog.points) == 4, timeout=10_000)
    assert asked == [("PAT-R1", timedelta(hours=1))]
    qtbot.waitUntil(lambda: json.loads(js(qtbot, dock, "OneGrid.trackInfo()"))["points"] == 4, timeout=10_000)
    assert json.loads(js(qtbot, dock, "OneGrid.trackInfo()"))["at"] == [30.253, 120.15]  # the newest point
    dialog.slider.setValue(1)
    qtbot.waitUntil(lambda: json.loads(js(qtbot, dock, "OneGrid.trackInfo()"))["at"] == [30.251, 120.15],
                    timeout=10_000)
    assert "21 km/h" in dialog.status.text() and "4 positions" in dialog.status.text()
    ctx.engine.state = type(ctx.engine.state)(connection=Connection.OFFLINE)
    dialog.load()
    assert "offline" in dialog.status.text()
    dialog.close()
    qtbot.waitUntil(lambda: json.loads(js(qtbot, dock, "OneGrid.trackInfo()"))["points"] == 0, timeout=10_000)
