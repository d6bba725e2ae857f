"""The server-backed sensor hub and the sensor panel over it: states from the cache's "sensor"
entities, history fetched per plotted sensor through the (fake) client and extended by live points,
and offline the plot showing what it has and saying that the history needs the server."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.cases.workflow import Actor
from app.platform.enums import Role
from app.sync.client import ServerRefused
from app.sync.state import Connection
from tests.support.sensor_fakes import T0, alarm_data, make_ctx, push, sensor_data
from ui.sensors.hub import SensorHub
from ui.sensors.sensor_dock import SensorDock

pytestmark = pytest.mark.qt

OPERATOR = Actor("operator1", Role.OPERATOR)


def ready_hub(qtbot, ctx):
    hub = SensorHub.for_context(ctx)
    qtbot.waitUntil(lambda: hub.is_ready, timeout=10_000)
    return hub


def test_states_come_from_the_feed(qtbot, demo_cache, refdata):
    ctx, _client = make_ctx(demo_cache, OPERATOR)
    push(demo_cache, "sensor", {"wl-001": sensor_data("wl-001", "alarm")})
    hub = ready_hub(qtbot, ctx)
    assert SensorHub.for_context(ctx) is hub  # one hub per console
    states = hub.states()
    assert set(states) == {s.id for s in refdata.sensors}
    assert states["wl-001"]["state"] == "alarm" and states["rf-001"]["state"] == "unknown"
    with qtbot.waitSignal(hub.states_changed, timeout=5_000) as changed:
        push(demo_cache, "sensor", {"rf-001": sensor_data("rf-001", "silent", value=None)})
    assert changed.args[0]["rf-001"]["state"] == "silent" and changed.args[0]["wl-001"]["state"] == "alarm"


def test_a_sensor_and_an_alarm_that_left_the_users_scope_leave_the_hub(qtbot, demo_cache):
    ctx, _client = make_ctx(demo_cache, OPERATOR)
    push(demo_cache, "sensor", {"wl-001": sensor_data("wl-001", "alarm")})
    push(demo_cache, "alarm", {"a1": alarm_data("a1", "wl-001")})
    hub = ready_hub(qtbot, ctx)
    assert hub.states()["wl-001"]["state"] == "alarm" and hub.alarms.alarm("a1") is not None
    with qtbot.waitSignal(hub.alarms_changed, timeout=5_000) as gone, \
            qtbot.waitSignal(hub.states_changed, timeout=5_000) as states:
        push(demo_cache, "scope_exit", {"wl-001": {"kind": "sensor"}})  # e.g. given to another unit
        push(demo_cache, "scope_exit", {"a1": {"kind": "alarm"}})
    assert gone.args[0] == ["a1"] and hub.alarms.alarm("a1") is None
    assert states.args[0]["wl-001"]["state"] == "unknown"
    assert demo_cache.entities("sensor") == {} and demo_cache.entities("alarm") == {}


def test_panel_fetches_history_and_grows_with_live_points(qtbot, demo_cache):
    ctx, client = make_ctx(demo_cache, OPERATOR)
    hub = ready_hub(qtbot, ctx)
    dock = SensorDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    dock.show_sensor("wl-001")
    plot = dock.plots["wl-001"]

    def points():
        x, _ = plot.curve.getOriginalDataset()
        return 0 if x is None else len(x)

    qtbot.waitUntil(lambda: points() > 0, timeout=5_000)
    call = next(c for c in client.calls if c[0] == "readings")
    assert call[1] == "wl-001" and call[3] - call[2] == pytest.approx(6 * 3600, abs=5) and call[4] == "auto"
    x, _ = plot.curve.getOriginalDataset()
    assert plot.note.isHidden()
    # a live point from the feed (the sensor's latest reading) extends the plot without a fetch
    fetches = len(client.calls)
    later = float(x[-1]) + 15
    with qtbot.waitSignal(hub.updated, timeout=5_000):
        push(demo_cache, "sensor", {"wl-001": sensor_data("wl-001", "warning", value=0.2, at=later)})
    qtbot.waitUntil(lambda: plot.curve.getOriginalDataset()[0][-1] == later, timeout=5_000)
    assert len(client.calls) == fetches
    # the periodic refresh fetches only the tail
    hub.refresh_wanted()
    qtbot.waitUntil(lambda: len(client.calls) > fetches, timeout=5_000)
    tail = client.calls[-1]
    assert tail[3] - tail[2] < 600
    # a wider window fetches the day as per-minute aggregates
    dock.window_box.setCurrentIndex(2)
    qtbot.waitUntil(lambda: client.calls[-1][4] == "minute", timeout=5_000)
    qtbot.waitUntil(lambda: not hub._loading, timeout=5_000)
    fetches = len(client.calls)
    dock._items["wl-001"].setCheckState(0, Qt.CheckState.Unchecked)
    hub.refresh_wanted()
    assert len(client.calls) == fetches  # no longer plotted: not fetched


def test_offline_the_plot_says_history_needs_the_server(qtbot, demo_cache):
    ctx, client = make_ctx(demo_cache, OPERATOR, Connection.OFFLINE)
    push(demo_cache, "sensor", {"wl-001": sensor_data("wl-001", "alarm", at=T0)})
    hub = ready_hub(qtbot, ctx)
    dock = SensorDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    dock.show_sensor("wl-001")
    plot = dock.plots["wl-001"]
    assert not plot.note.isHidden() and "needs the server" in plot.note.text()
    x, _ = plot.curve.getOriginalDataset()
    assert list(x) == [T0]  # what the console has: the latest reading from the feed
    assert client.calls == []
    ctx.engine.set_connection(ctx, Connection.ONLINE)  # back online: the plotted history loads
    qtbot.waitUntil(lambda: plot.note.isHidden(), timeout=5_000)
    assert client.calls and client.calls[0][1] == "wl-001"
    ctx.engine.set_connection(ctx, Connection.OFFLINE)  # the cable is pulled: the plot says so at once
    assert not plot.note.isHidden() and "needs the server" in plot.note.text()
    assert len(plot.curve.getOriginalDataset()[0]) > 1  # and keeps the history it fetched


def test_a_refused_history_is_said_on_the_plot(qtbot, demo_cache):
    ctx, client = make_ctx(demo_cache, OPERATOR)

    def refuse(*_args, **_kw):
        raise ServerRefused(404, "not_found", "no sensor wl-001 in your scope")

    client.sensor_readings = refuse
    hub = ready_hub(qtbot, ctx)
    dock = SensorDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    dock.show_sensor("wl-001")
    plot = dock.plots["wl-001"]
    qtbot.waitUntil(lambda: "no sensor wl-001 in your scope" in plot.note.text(), timeout=5_000)


def test_a_unit_handler_sees_the_sensors_of_its_scope(qtbot, demo_cache, refdata):
    actor = Actor("handler_gas", Role.UNIT_HANDLER, "gas")
    ctx, _client = make_ctx(demo_cache, actor)
    hub = ready_hub(qtbot, ctx)
    scope = {"gas", *refdata.descendants("gas")}
    assert set(hub.sensors) == {s.id for s in refdata.sensors if s.owner_unit_id in scope}
    assert {"gs-001", "mc-004"} <= set(hub.sensors) and "wl-001" not in hub.sensors
