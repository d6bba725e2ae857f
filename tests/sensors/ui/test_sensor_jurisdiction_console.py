"""A district operator's console (the demo's `operator_cj`, 澄江区 330108) logged in at a real server: its
cache receives only its district's sensors and alarms, and its sensor panel lists and its map draws only
its district's sensors; the city operator's console, from the same server, all of them."""
from __future__ import annotations

import asyncio
import json
import random
from datetime import timedelta

import httpx
import pytest

from app.cache import LocalCache
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from app.sync.session import login_online
from server.admin.bootstrap import add_user
from tests.map.ui.test_map import LOAD_TIMEOUT_MS, NO_GPU_NOISE, closing, js  # noqa: F401 - closing: fixture
from tests.sensors.server.test_sensors_jurisdictions import AWAY, HOME
from tests.support.live_server import LiveServer
from tests.support.sensor_fakes import make_ctx
from tests.support.sensor_support import HEADERS, KEY, reading
from tests.support.sync_helpers import PASSWORDS
from ui.map.dock import MapDock
from ui.sensors.hub import SensorHub
from ui.sensors.sensor_dock import SensorDock

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*NO_GPU_NOISE)]

DISTRICT = "330108"


@pytest.fixture
def server(tmp_path, refdata):
    (tmp_path / "server").mkdir()
    srv = LiveServer(tmp_path / "server", refdata, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)
    srv.start()
    add_user(srv.database_url, "operator_cj", "demo-operator_cj", "operator", jurisdictions=(DISTRICT,))
    now = srv.ctx.now()
    # a rain gauge over its warning line in each district: a state and an alarm in each
    for minute in range(6):
        at = now - timedelta(minutes=6 - minute)
        r = httpx.post(f"{srv.url}/api/sensors/readings", headers=HEADERS,
                       json={"readings": [reading(HOME, at, 30.0), reading(AWAY, at, 30.0)]})
        assert r.status_code == 200, r.text
    yield srv
    srv.stop()


def _console(directory, url, username, password):
    cache = LocalCache(directory)
    client = ServerClient(url, timeout=(1.0, 5.0), retries=1)
    session = login_online(client, cache, username, password)
    engine = SyncEngine(cache, client, wait_s=0.2, rng=random.Random(0))
    asyncio.run(engine.sync_once())
    client.close()
    return cache, session


def _shown(qtbot, ctx):
    """What the console shows: the sensor panel's list and the map's sensor markers."""
    hub = SensorHub.for_context(ctx)
    qtbot.waitUntil(lambda: hub.is_ready, timeout=10_000)
    panel = SensorDock(ctx, hub=hub)
    qtbot.addWidget(panel)
    return hub, panel


def test_the_district_console_caches_and_shows_only_its_district(qtbot, server, tmp_path, refdata, request):
    close_later = request.getfixturevalue("closing")  # the map page's (tests.map.ui.test_map)
    mine = {s.id for s in refdata.sensors if s.jurisdiction.startswith(DISTRICT)}
    assert AWAY in mine and HOME not in mine
    cache, session = _console(tmp_path / "cj", server.url, "operator_cj", "demo-operator_cj")
    assert session.actor.jurisdictions == (DISTRICT,)
    assert set(cache.entities("sensor")) == {AWAY}  # the feed brought its district's reporting gauge only
    alarms = cache.entities("alarm")
    assert alarms and {a["sensor_id"] for a in alarms.values()} == {AWAY}
    ctx, _client = make_ctx(cache, session.actor)
    hub, panel = _shown(qtbot, ctx)
    assert set(panel._items) == mine and set(hub.sensors) == mine
    panel.search.setText(refdata.sensor(AWAY).name_en.split()[0])
    assert not panel._items[AWAY].isHidden()
    dock = MapDock(ctx, hub=hub)
    close_later(dock)
    dock.resize(1000, 700)
    dock.show()
    qtbot.waitUntil(lambda: dock.is_ready, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: json.loads(js(qtbot, dock, "OneGrid.stats()"))["sensors"] == len(mine), timeout=10_000)
    assert json.loads(js(qtbot, dock, f"OneGrid.sensor('{AWAY}')"))["state"] == "warning"
    assert js(qtbot, dock, f"!OneGrid.sensor('{HOME}')") is True  # not drawn at all
    assert js(qtbot, dock, "document.querySelectorAll('.og-sensor').length") == len(mine)
    cache.close()


def test_the_city_console_shows_every_sensor(qtbot, server, tmp_path, refdata):
    cache, session = _console(tmp_path / "city", server.url, "operator1", PASSWORDS["operator1"])
    assert {HOME, AWAY} <= set(cache.entities("sensor"))
    ctx, _client = make_ctx(cache, session.actor)
    _hub, panel = _shown(qtbot, ctx)
    assert set(panel._items) == {s.id for s in refdata.sensors}
    cache.close()
