"""The MQTT side of sensor ingest: a paho-mqtt 2 subscriber feeding `server.sensors.ingest.SensorIngest`.

Topic `<prefix>/sensors/<sensor_id>/readings` (prefix `ONEGRID_MQTT_TOPIC_PREFIX`, default `onegrid`);
payload a JSON object `{"time": ISO-8601 with zone or epoch seconds, "value": number, "unit": str}` or a
JSON list of them. The sensor id comes from the topic (a `sensor_id` field, if present, must match). A
payload that is not JSON or not shaped like that is counted as a `malformed` rejection of the topic's
sensor; each reading of a payload is then checked on its own with the model the HTTP endpoint uses
(`server.sensors.reading.ReadingIn`), so one bad reading is rejected alone, with its reason.

paho's network thread only parses and queues; the ingest writer thread batches and writes. The client
reconnects by itself with backoff (1 s doubling to 30 s) and re-subscribes on every connect; connection
changes are logged.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)

RECONNECT_MIN_S = 1
RECONNECT_MAX_S = 30
KEEPALIVE_S = 30
ERROR_KEY = "__error__"  # an item the ingest rejects as malformed with this message


class MqttUrlError(ValueError):
    pass


def parse_mqtt_url(url: str) -> tuple[str, int]:
    """`mqtt://host[:port]` (default port 1883) → (host, port)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
        raise MqttUrlError(f"MQTT URL {url!r} must look like mqtt://host[:port]")
    try:
        port = parts.port or 1883
    except ValueError:
        raise MqttUrlError(f"MQTT URL {url!r} has an invalid port") from None
    return parts.hostname, port


def broker_reachable(url: str, timeout_s: float = 1.0) -> bool:
    """Whether a TCP connection to the broker succeeds (used by the demo to fall back in-process)."""
    try:
        host, port = parse_mqtt_url(url)
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except (OSError, MqttUrlError):
        return False


def readings_topic(prefix: str, sensor_id: str) -> str:
    return f"{prefix}/sensors/{sensor_id}/readings"


def payload_items(sensor_id: str, payload: bytes) -> list[dict[str, Any]]:
    """The readings of one message, each with the topic's `sensor_id`; a bad payload becomes one item
    the ingest rejects as malformed (so it is counted against the sensor)."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [{"sensor_id": sensor_id, ERROR_KEY: f"payload is not JSON: {exc}"}]
    except (ValueError, RecursionError) as exc:  # an integer of more than 4,300 digits; nesting too deep
        return [{"sensor_id": sensor_id, ERROR_KEY: f"payload is not JSON this server can read: "
                                                    f"{type(exc).__name__}"}]
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if not isinstance(item, dict):
            out.append({"sensor_id": sensor_id, ERROR_KEY: f"a reading must be a JSON object, not {type(item).__name__}"})
            continue
        sent = item.get("sensor_id", sensor_id)
        if sent != sensor_id:
            out.append({"sensor_id": sensor_id, ERROR_KEY: f"sensor_id {sent!r} does not match the topic's {sensor_id!r}"})
            continue
        out.append({**item, "sensor_id": sensor_id})
    return out


class MqttSubscriber:
    """Subscribes to every sensor's readings topic under `prefix` and submits what arrives to `ingest`."""

    def __init__(self, ingest, url: str, prefix: str = "onegrid", *, qos: int = 1):
        self.ingest = ingest
        self.host, self.port = parse_mqtt_url(url)
        self.url = url
        self.prefix = prefix.rstrip("/")
        self.qos = qos
        self.subscription = f"{self.prefix}/sensors/+/readings"
        self.connected = threading.Event()
        self.messages = 0
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                   client_id=f"onegrid-server-{os.getpid()}-{uuid.uuid4().hex[:8]}",
                                   clean_session=True)
        self._client.reconnect_delay_set(min_delay=RECONNECT_MIN_S, max_delay=RECONNECT_MAX_S)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._was_connected = False

    def start(self) -> None:
        self._client.connect_async(self.host, self.port, keepalive=KEEPALIVE_S)
        self._client.loop_start()  # connects, and reconnects with backoff, in paho's own thread
        log.info("MQTT: subscribing to %s on %s:%d", self.subscription, self.host, self.port)

    def stop(self) -> None:
        try:
            if self._client.is_connected():
                self._client.disconnect()
        finally:
            self._client.loop_stop()
        self.connected.clear()

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    # -- paho callbacks (paho's thread)

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT: broker %s:%d refused the connection: %s", self.host, self.port, reason_code)
            return
        client.subscribe(self.subscription, qos=self.qos)
        self.connected.set()
        log.log(logging.WARNING if self._was_connected else logging.INFO,
                "MQTT: %sconnected to %s:%d", "re" if self._was_connected else "", self.host, self.port)
        self._was_connected = True

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        self.connected.clear()
        if reason_code != 0:
            log.warning("MQTT: lost the connection to %s:%d (%s); reconnecting with backoff",
                        self.host, self.port, reason_code)

    def _on_message(self, _client, _userdata, message) -> None:
        self.messages += 1
        parts = message.topic.split("/")
        # <prefix…>/sensors/<id>/readings
        if len(parts) < 3 or parts[-1] != "readings" or parts[-3] != "sensors":
            log.debug("MQTT: ignoring message on %s", message.topic)
            return
        try:
            self.ingest.submit(payload_items(parts[-2], message.payload), source="mqtt")
        except Exception:
            log.exception("MQTT: could not queue a message from %s", message.topic)
