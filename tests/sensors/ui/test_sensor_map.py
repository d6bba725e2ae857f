"""The map's sensor layer over the server-backed hub: each marker drawn in its server state's colour
(normal / warning / alarm / silent / fault), a state change from the feed recolouring it live through
the bridge without reloading the page, and a click on a marker selecting the sensor."""
from __future__ import annotations

import json

import pytest

from app.cases.workflow import Actor
from app.map import layers as map_layers
from app.platform.enums import Role
from tests.map.ui.test_map import LOAD_TIMEOUT_MS, NO_GPU_NOISE, closing, js  # noqa: F401 - closing: fixture
from tests.support.sensor_fakes import make_ctx, push, sensor_data
from ui.map.dock import MapDock
from ui.sensors.hub import SensorHub

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*NO_GPU_NOISE)]

STATES = {"wl-001": "alarm", "rf-001": "warning", "gs-001": "silent", "bd-001": "fault", "tl-001": "normal"}


def drawn(qtbot, dock, sensor_id):
    return json.loads(js(qtbot, dock, f"OneGrid.sensor('{sensor_id}')"))


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_sensor_markers_take_the_server_state_live(qtbot, demo_cache, refdata, closing):
    ctx, _client = make_ctx(demo_cache, Actor("operator1", Role.OPERATOR))
    push(demo_cache, "sensor", {sid: sensor_data(sid, state) for sid, state in STATES.items()})
    hub = SensorHub.for_context(ctx)
    qtbot.waitUntil(lambda: hub.is_ready, timeout=10_000)
    dock = MapDock(ctx, hub=hub)
    closing(dock)
    dock.resize(1000, 700)
    dock.show()
    qtbot.waitUntil(lambda: dock.is_ready, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: drawn(qtbot, dock, "wl-001")["state"] == "alarm", timeout=10_000)
    for sid, state in STATES.items():
        marker = drawn(qtbot, dock, sid)
        colour = map_layers.SENSOR_STATE_COLOURS[state]
        assert marker["state"] == state and marker["colour"] == colour and marker["drawn"] == rgb(colour), sid
    others = [s.id for s in refdata.sensors if s.id not in STATES]
    assert drawn(qtbot, dock, others[0])["state"] == "unknown"  # the feed has not reported it yet
    loads = dock.load_count
    push(demo_cache, "sensor", {"wl-001": sensor_data("wl-001", "normal", value=0.05)})
    qtbot.waitUntil(lambda: drawn(qtbot, dock, "wl-001")["state"] == "normal", timeout=10_000)
    assert drawn(qtbot, dock, "wl-001")["drawn"] == rgb(map_layers.SENSOR_STATE_COLOURS["normal"])
    assert dock.load_count == loads  # updated through runJavaScript, not a reload
    with qtbot.waitSignal(ctx.signals.sensor_selected, timeout=10_000) as selected:
        assert js(qtbot, dock, "OneGrid.clickSensor('rf-001')") is True
    assert selected.args == ["rf-001"]
