"""The demo city's sensor simulator: readings over the real broker when there is one, in-process when
there is none, the storm raising alarms and opening cases, and the silent sensor going quiet."""
from __future__ import annotations

import socket
import time
from types import SimpleNamespace

import numpy as np
import pytest

from app.refdata.loading import load_demo_refdata
from server.demo import sensors as sensor_simulator
from server.demo.sensors import SILENT_SENSOR, SensorSimulator
from tests.support.sensor_support import alarms, cases, raw_count

N_SENSORS = len(load_demo_refdata().sensors)  # both districts'


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def lite(make_harness, sqlite_url):
    return make_harness(sqlite_url, sensor_batch_ms=20)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_a_broker_the_readings_are_fed_in_process(lite, clock, caplog):
    sim = SensorSimulator(lite.ctx, broker_url=f"mqtt://127.0.0.1:{closed_port()}", prefix="unused")
    try:
        sim._connect()
        assert "no MQTT broker" in caplog.text
        sim._backfill()
        assert wait_for(lambda: raw_count(lite) > N_SENSORS * 200)  # two hours at 30 s for every sensor
        before = raw_count(lite)
        clock.advance(seconds=30)
        sim.tick()
        assert sim.in_process == N_SENSORS * 6 and sim.published == 0
        assert wait_for(lambda: raw_count(lite) == before + N_SENSORS * 6)
        # the storm that began 50 minutes ago has pushed underpasses and rain gauges over their alarm lines
        assert wait_for(lambda: len(cases(lite)) >= 3)
        at_alarm = [a for a in alarms(lite) if a["level"] == "alarm"]
        assert {a["sensor_id"][:2] for a in at_alarm} >= {"wl", "rf"}
        assert all(a["case_id"] for a in at_alarm)
    finally:
        sim.stop()


def test_with_the_broker_the_readings_go_over_mqtt(lite, clock):
    sim = SensorSimulator(lite.ctx, broker_url=sensor_simulator.DEFAULT_BROKER,
                          prefix=f"onegrid-test-demo-{time.monotonic_ns()}", own_subscriber=True)
    try:
        sim._connect()
        assert sim.subscriber is not None and sim.subscriber.wait_connected(10)
        assert wait_for(lambda: sim._client.is_connected(), 10)
        time.sleep(0.2)
        sim._last = {s.id: clock.now.timestamp() for s in sim.sensors}
        clock.advance(seconds=20)
        sim.tick()
        assert sim.published == N_SENSORS * 4 and sim.in_process == 0
        assert wait_for(lambda: raw_count(lite) == N_SENSORS * 4)
        assert sim.subscriber.messages == N_SENSORS
    finally:
        sim.stop()


def test_the_silent_sensor_goes_quiet_for_a_while(refdata, now):
    ctx = SimpleNamespace(refdata=refdata, now=lambda: now)
    sim = SensorSimulator(ctx)
    t = sim.start_time + np.arange(0, sensor_simulator.SILENT_EVERY_S, 5.0)
    quiet = sim._silent(SILENT_SENSOR, t)
    assert quiet.sum() * 5 == sensor_simulator.SILENT_FOR_S
    silent_after = refdata.sensor(SILENT_SENSOR).rules.silent_after_s
    assert sensor_simulator.SILENT_FOR_S > silent_after + 120  # long enough for the sweep to see it
    assert not sim._silent("wl-001", t).any()
    assert sim._readings(refdata.sensor(SILENT_SENSOR), sim.start_time + 300, sim.start_time + 400, 5.0) == []
    assert len(sim._readings(refdata.sensor("wl-001"), sim.start_time + 300, sim.start_time + 400, 5.0)) == 20
