"""The MQTT door of position ingest: topic `<prefix>/positions/<device_id>`, payload one report
`{time, lat, lon, speed_kmh?, heading?}` or a JSON list of them (the device id comes from the topic; a
`device_id` field, if sent, must match it). The connection, session, shared subscription, TLS and manual
acknowledgement (a message is acknowledged once its reports are committed) are the sensors' subscriber's
(`server.sensors.mqtt`), with its own client id so the two sessions never share a queue."""
from __future__ import annotations

import json
import logging
from typing import Any

from server.sensors.mqtt import MqttSubscriber

log = logging.getLogger(__name__)


def positions_topic(prefix: str, device_id: str) -> str:
    return f"{prefix}/positions/{device_id}"


def payload_items(device_id: str, payload: bytes) -> list[Any]:
    """The reports of one message, each with the topic's device id; a payload that is not JSON, or an
    item that is not an object, becomes an item the ingest refuses as malformed (counted for the device)."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return [{"device_id": device_id, "time": None, "__error__": f"payload is not JSON: {type(exc).__name__}"}]
    items = data if isinstance(data, list) else [data]
    out: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            out.append({"device_id": device_id, "__error__": "a report must be a JSON object"})
        elif item.get("device_id", device_id) != device_id:
            out.append({"device_id": device_id, "__error__": f"device_id {str(item.get('device_id'))[:64]!r} "
                                                             f"does not match the topic"})
        else:
            out.append({**item, "device_id": device_id})
    return out


class PositionSubscriber(MqttSubscriber):
    """Subscribes to every device's positions topic under `prefix` and submits what arrives to `ingest`."""

    def __init__(self, ingest, url: str, prefix: str = "onegrid", **kwargs) -> None:
        super().__init__(ingest, url, prefix, **kwargs)
        self.topic = f"{self.prefix}/positions/+"
        share = self.options.share_group
        self.subscription = f"$share/{share}/{self.topic}" if share else self.topic

    def _on_message(self, client, _userdata, message) -> None:
        self.messages += 1
        mid, qos = message.mid, message.qos

        def ack() -> None:
            client.ack(mid, qos)

        parts = message.topic.split("/")
        if len(parts) < 2 or parts[-2] != "positions" or not parts[-1]:
            ack()
            return
        try:
            self.ingest.submit(payload_items(parts[-1], message.payload), source="mqtt", on_done=ack)
        except Exception:
            log.exception("MQTT: could not queue a message from %s", message.topic)
            ack()
