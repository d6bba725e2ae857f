"""Starting and stopping a server process's position ingest (the app's lifespan calls these): the writer
always (the HTTP door needs it), the MQTT subscriber when `ONEGRID_MQTT_URL` is set."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.avl.ingest import PositionIngest
from server.avl.mqtt import PositionSubscriber
from server.sensors.mqtt_config import MqttOptions

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)


@dataclass
class AvlRuntime:
    ingest: PositionIngest
    subscriber: PositionSubscriber | None = None


def start_avl(ctx: ServerContext) -> AvlRuntime:
    ingest = PositionIngest(ctx)
    ingest.start()
    ctx.position_ingest = ingest
    runtime = AvlRuntime(ingest)
    s = ctx.settings
    if s.mqtt_url:
        # a clean session of its own: positions are superseded within seconds, a backlog is not worth keeping
        options = MqttOptions(client_id=None, share_group=s.mqtt_share_group, receive_maximum=s.mqtt_receive_maximum,
                              ca_file=s.mqtt_ca_file, cert_file=s.mqtt_cert_file, key_file=s.mqtt_key_file)
        runtime.subscriber = PositionSubscriber(ingest, s.mqtt_url, s.mqtt_topic_prefix, options=options)
        ingest.mqtt = runtime.subscriber
        runtime.subscriber.start()
    return runtime


def stop_avl(ctx: ServerContext, runtime: AvlRuntime) -> None:
    runtime.ingest.stop()
    if runtime.subscriber is not None:
        try:
            runtime.subscriber.stop()
        except Exception:
            log.exception("stopping the positions subscriber failed")
    ctx.position_ingest = None
