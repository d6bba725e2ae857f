"""Starting and stopping a server process's sensor ingest (the app's lifespan calls these).

The ingest writer always runs (the HTTP batch endpoint needs it); the MQTT subscriber runs when
`ONEGRID_MQTT_URL` is set. An unreachable broker does not stop the server: the subscriber keeps
retrying with backoff and logs it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.sensors.ingest import SensorIngest
from server.sensors.mqtt import MqttSubscriber

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)


@dataclass
class SensorRuntime:
    ingest: SensorIngest
    subscriber: MqttSubscriber | None = None


def start_sensors(ctx: ServerContext) -> SensorRuntime:
    ingest = SensorIngest(ctx)
    ingest.start()
    ctx.sensor_ingest = ingest
    runtime = SensorRuntime(ingest)
    if ctx.settings.mqtt_url:
        runtime.subscriber = MqttSubscriber(ingest, ctx.settings.mqtt_url, ctx.settings.mqtt_topic_prefix)
        ingest.mqtt = runtime.subscriber
        runtime.subscriber.start()
    return runtime


def stop_sensors(ctx: ServerContext, runtime: SensorRuntime) -> None:
    if runtime.subscriber is not None:
        try:
            runtime.subscriber.stop()
        except Exception:
            log.exception("stopping the MQTT subscriber failed")
    runtime.ingest.stop()
    ctx.sensor_ingest = None
