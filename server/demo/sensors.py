"""The demo city's sensors: realistic readings published over MQTT, so `--demo` shows alarms rise, cases
appear and alarms clear through the real ingest path.

Values come from `server.demo.sensor_readings.SimulatedSensorFeed` (daily cycles, noise, a storm that began 50
minutes before start and drives several underpass water levels over their alarm lines — and another
every 4 hours — a gas leak, a lifted manhole cover). Every `PERIOD_S` each sensor publishes the readings since its last message (1 Hz
values, one every `STEP_S`) to `<prefix>/sensors/<id>/readings`. One sensor (`SILENT_SENSOR`) goes
quiet for `SILENT_FOR_S` every `SILENT_EVERY_S`, long enough for its silent alarm to rise and clear.
At start the last `BACKFILL_S` are fed once (in-process: they are old news), so plots have history and
the storm's first alarms are there at once.

Where readings go:
- `ONEGRID_MQTT_URL` set: published under the server's own topic prefix; its subscriber takes them.
- not set: published to the local broker (mqtt://127.0.0.1:1883) under a private prefix
  (`onegrid-demo-<random>`, so two demos on one machine never mix), with a subscriber of our own;
- broker unreachable (at start, or disconnected later): a warning is logged and the same readings are
  handed to the ingest in-process, so the demo works on a machine without a broker.
"""
from __future__ import annotations

import json
import logging
import math
import threading
import uuid
from typing import TYPE_CHECKING

import numpy as np

from server.demo.sensor_readings import RainEvent, SimulatedSensorFeed
from server.sensors.mqtt import (
    MqttSubscriber,
    broker_reachable,
    parse_mqtt_url,
    readings_topic,
)

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)

DEFAULT_BROKER = "mqtt://127.0.0.1:1883"
PERIOD_S = 2.0
STEP_S = 5.0           # one reading per sensor every 5 s (the feed's values are 1 Hz)
BACKFILL_S = 2 * 3600
BACKFILL_STEP_S = 30.0
SILENT_SENSOR = "gs-002"
STORM_EVERY_S = 4 * 3600
STORMS = 12            # two days of weather
SILENT_EVERY_S = 40 * 60
SILENT_FOR_S = 9 * 60  # its rule: silent after 300 s


class SensorSimulator:
    def __init__(self, ctx: ServerContext, *, broker_url: str | None = None, prefix: str | None = None,
                 own_subscriber: bool = False):
        self.ctx = ctx
        self.sensors = list(ctx.refdata.sensors)
        start = ctx.now().timestamp()
        # the first storm began 50 minutes ago (alarms at once); another every STORM_EVERY_S after it
        storms = [RainEvent(start - 50 * 60 + k * STORM_EVERY_S) for k in range(STORMS)]
        self.feed = SimulatedSensorFeed(self.sensors, clock=lambda: ctx.now().timestamp(), rain_events=storms)
        self.start_time = self.feed.now()
        self.broker_url = broker_url
        self.prefix = prefix
        self.own_subscriber = own_subscriber
        self.subscriber: MqttSubscriber | None = None
        self._client = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: dict[str, float] = {}
        self.published = 0
        self.in_process = 0
        self._warned = False

    # -- lifecycle

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sensor-simulator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._client is not None:
            if self._client.is_connected():
                self._client.disconnect()
            self._client.loop_stop()
        if self.subscriber is not None:
            self.subscriber.stop()

    def _connect(self) -> None:
        if not self.broker_url or not broker_reachable(self.broker_url):
            log.warning("demo sensors: no MQTT broker at %s; feeding the readings in-process instead",
                        self.broker_url or "(none configured)")
            return
        import paho.mqtt.client as mqtt

        host, port = parse_mqtt_url(self.broker_url)
        if self.own_subscriber:
            self.subscriber = MqttSubscriber(self.ctx.sensor_ingest, self.broker_url, self.prefix)
            self.subscriber.start()
            self.subscriber.wait_connected(5)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"onegrid-demo-sensors-{uuid.uuid4().hex[:8]}")
        client.reconnect_delay_set(1, 30)
        client.connect_async(host, port, keepalive=30)
        client.loop_start()
        self._client = client
        log.info("demo sensors: publishing %d sensors to %s under %s/", len(self.sensors), self.broker_url, self.prefix)

    def _run(self) -> None:
        try:
            self._connect()
            self._backfill()
        except Exception:
            log.exception("demo sensors: start-up failed")
        while not self._stop.wait(PERIOD_S):
            try:
                self.tick()
            except Exception:
                log.exception("demo sensors: a tick failed")

    # -- readings

    def _silent(self, sensor_id: str, t: np.ndarray) -> np.ndarray:
        if sensor_id != SILENT_SENSOR:
            return np.zeros(len(t), bool)
        phase = (t - self.start_time) % SILENT_EVERY_S
        return (phase >= 5 * 60) & (phase < 5 * 60 + SILENT_FOR_S)

    def _readings(self, sensor, start: float, end: float, step: float) -> list[dict]:
        first = math.floor(start / step + 1) * step
        if first > end:
            return []
        t = np.arange(first, end + step / 2, step)
        t = t[t <= end]
        v = self.feed.values(sensor.id, t)
        keep = ~self._silent(sensor.id, t)
        return [{"time": float(ti), "value": round(float(vi), 4), "unit": sensor.unit_of_measure}
                for ti, vi in zip(t[keep], v[keep])]

    def _backfill(self) -> None:
        end = self.feed.now()
        items = []
        for sensor in self.sensors:
            for item in self._readings(sensor, end - BACKFILL_S, end, BACKFILL_STEP_S):
                items.append({**item, "sensor_id": sensor.id})
            self._last[sensor.id] = math.floor(end / STEP_S) * STEP_S
        if self.ctx.sensor_ingest is not None and items:
            self.ctx.sensor_ingest.submit(items, source="demo-backfill")
            log.info("demo sensors: fed %d readings of the last %d minutes", len(items), BACKFILL_S // 60)

    def tick(self) -> None:
        now = self.feed.now()
        connected = self._client is not None and self._client.is_connected()
        if self._client is not None and not connected and not self._warned:
            log.warning("demo sensors: the MQTT broker is unreachable; feeding the readings in-process meanwhile")
            self._warned = True
        elif connected:
            self._warned = False
        pending = []
        for sensor in self.sensors:
            last = self._last.get(sensor.id, now - STEP_S)
            items = self._readings(sensor, last, now, STEP_S)
            if not items:
                continue
            self._last[sensor.id] = items[-1]["time"]
            if connected:
                self._client.publish(readings_topic(self.prefix, sensor.id), json.dumps(items), qos=1)
                self.published += len(items)
            else:
                pending += [{**item, "sensor_id": sensor.id} for item in items]
        if pending and self.ctx.sensor_ingest is not None:
            self.ctx.sensor_ingest.submit(pending, source="demo")
            self.in_process += len(pending)


def sensor_demo_hooks():
    """(on_startup, on_shutdown) lifespan hooks running the demo sensors inside a server app."""
    holder: dict[str, SensorSimulator] = {}

    def start(ctx) -> None:
        settings = ctx.settings
        if settings.mqtt_url:
            sim = SensorSimulator(ctx, broker_url=settings.mqtt_url, prefix=settings.mqtt_topic_prefix)
        else:
            sim = SensorSimulator(ctx, broker_url=DEFAULT_BROKER, prefix=f"onegrid-demo-{uuid.uuid4().hex[:10]}",
                                  own_subscriber=True)
        holder["sim"] = sim
        sim.start()

    def stop(_ctx) -> None:
        if "sim" in holder:
            holder.pop("sim").stop()

    return [start], [stop]
