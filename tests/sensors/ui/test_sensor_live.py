"""End to end against a real OneGrid server (uvicorn on loopback, its own SQLite file): a gateway batch of
readings drives a drainage point over its alarm line; the alarm and the sensor state reach a console's
cache through the real changes feed; the console's alarm list shows the alarm and its case, the plot
fetches the readings over HTTP, and a shift lead acknowledges (with a note) and clears (with a reason)
through the real endpoints — the server's answers and the next feed pages agree."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QItemSelectionModel

from app.cache import LocalCache
from app.cases.workflow import Actor
from app.platform.enums import Role
from app.sensors.alarms import AlarmState
from app.sync.client import ServerClient, page_cursor
from app.sync.session import Session
from app.sync.state import Connection
from server.admin.bootstrap import add_user
from tests.support.live_server import LiveServer
from tests.support.sensor_fakes import FakeEngine
from tests.support.sync_helpers import PASSWORDS
from ui.sensors.alarm_dock import AlarmDock
from ui.sensors.hub import SensorHub
from ui.sensors.sensor_dock import SensorDock
from ui.shell.context import ConsoleContext, CoreSignals

pytestmark = pytest.mark.qt

SENSOR = "wl-001"  # alarm_high 0.27 m, min_duration 60 s


@pytest.fixture
def server(tmp_path, refdata):
    (tmp_path / "server").mkdir()
    live = LiveServer(tmp_path / "server", refdata, users=("lead1",))
    add_user(live.database_url, "gateway_admin", "admin-pass-123", Role.ADMIN)
    live.start()
    yield live
    live.stop()


def pull(client: ServerClient, cache: LocalCache) -> None:
    """What the sync engine's pull loop does: feed pages into the cache until caught up."""
    while True:
        after = cache.feed_cursor()  # a position per feed partition: the server partitions by default
        page = client.changes(after)
        cache.apply_changes(page.changes, page_cursor(page, after))
        if not page.more:
            return


def test_alarm_from_real_readings_to_acknowledge_and_clear(qtbot, tmp_path, server, refdata):
    gateway = ServerClient(server.url)
    gateway.login("gateway_admin", "admin-pass-123")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    readings = [{"sensor_id": SENSOR, "time": (now - timedelta(seconds=300 - i)).isoformat(),
                 "value": 0.05 if i < 120 else 0.35, "unit": "m"} for i in range(0, 300, 2)]
    answer = gateway._json(gateway._request("POST", "/api/sensors/readings", json={"readings": readings}))
    assert answer["accepted"] == len(readings) and answer["rejected"] == []

    client = ServerClient(server.url)
    client.login("lead1", PASSWORDS["lead1"])
    cache = LocalCache(tmp_path / "console")
    cache.store_refdata(refdata.to_dict())
    try:
        actor = Actor("lead1", Role.SHIFT_LEAD)
        ctx = ConsoleContext(cache=cache, session=Session(actor=actor, display_name="Lead 1", token=client.token,
                                                          offline=False), signals=CoreSignals())
        ctx.connect_core()
        ctx.engine = FakeEngine(client, Connection.ONLINE)  # the real client; the connection state as the engine's
        pull(client, cache)
        hub = SensorHub.for_context(ctx)
        qtbot.waitUntil(lambda: hub.is_ready, timeout=10_000)
        assert hub.states()[SENSOR]["state"] == "alarm"
        alarms = [a for a in hub.alarms.alarms() if a.sensor_id == SENSOR]
        assert len(alarms) == 1 and alarms[0].state is AlarmState.RAISED and alarms[0].level == 2
        alarm = alarms[0]
        assert alarm.case_id, "an alarm-level alarm opens a case"
        # the list endpoints say the same as the feed
        listed = {s.sensor_id: s for s in client.sensors()}
        assert listed[SENSOR].state == "alarm" and set(listed) == {s.id for s in refdata.sensors}
        assert [str(a.id) for a in client.alarms(active=True, sensor_id=SENSOR)] == [alarm.id]
        sensors = SensorDock(ctx, hub=hub)
        dock = AlarmDock(ctx, hub=hub)
        for widget in (sensors, dock):
            qtbot.addWidget(widget)
        row = dock.model.row_of(alarm.id)
        dock.view.selectionModel().select(dock.proxy.mapFromSource(dock.model.index(row, 0)),
                                          QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
        assert str(ctx.selected_case) == alarm.case_id and SENSOR in sensors.plots
        series = hub.series(SENSOR)
        qtbot.waitUntil(lambda: len(series) >= len(readings), timeout=10_000)  # fetched over HTTP
        _t, values, _lv = series.arrays()
        assert max(values) == pytest.approx(0.35) and min(values) == pytest.approx(0.05)
        assert dock.ack_button.isEnabled() and dock.clear_button.isEnabled()

        dock.acknowledge(alarm.id, "pump crew sent")
        qtbot.waitUntil(lambda: hub.alarms.alarm(alarm.id).state is AlarmState.ACKNOWLEDGED, timeout=10_000)
        assert hub.alarms.alarm(alarm.id).acknowledged_by == "lead1"
        pull(client, cache)  # the feed says the same
        assert cache.entity("alarm", alarm.id)["ack_note"] == "pump crew sent"

        dock.clear(alarm.id, "level gauge checked: debris")
        qtbot.waitUntil(lambda: hub.alarms.alarm(alarm.id).state is AlarmState.CLEARED, timeout=10_000)
        pull(client, cache)
        stored = cache.entity("alarm", alarm.id)
        assert stored["state"] == "cleared" and stored["cleared_by"] == "lead1"
        assert stored["clear_reason"] == "level gauge checked: debris"

        assert client.alarms(active=True, sensor_id=SENSOR) == []
        dock.acknowledge(alarm.id)  # the server refuses: the alarm is cleared
        qtbot.waitUntil(lambda: dock.message.property("feedback") == "error", timeout=10_000)
        assert "already cleared" in dock.message.text()
    finally:
        cache.close()
        client.close()
        gateway.close()
