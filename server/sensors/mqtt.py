"""The MQTT side of sensor ingest: a paho-mqtt 2 (MQTT 5) subscriber feeding `server.sensors.ingest.SensorIngest`.

Topic `<prefix>/sensors/<sensor_id>/readings` (prefix `ONEGRID_MQTT_TOPIC_PREFIX`, default `onegrid`);
payload a JSON object `{"time": ISO-8601 with zone or epoch seconds, "value": number, "unit": str}` or a
JSON list of them. The sensor id comes from the topic (a `sensor_id` field, if present, must match). A
payload that is not JSON or not shaped like that is counted as a `malformed` rejection of the topic's
sensor; each reading of a payload is then checked on its own with the model the HTTP endpoint uses
(`server.sensors.reading.ReadingIn`), so one bad reading is rejected alone, with its reason.

paho's network thread only parses and queues; the ingest writer thread batches and writes, and a QoS 1
message is acknowledged to the broker only once its readings are committed (manual acknowledgement): a
worker that stops or dies before that gets it delivered again (to its session's next connection), and
the database drops what was stored already. Session, shared subscription, TLS and login: see
`server.sensors.mqtt_config`. The client reconnects by itself with backoff (1 s doubling to 30 s) and
subscribes again on every connect; connection changes are logged.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from server.sensors.mqtt_config import (  # noqa: F401 - re-exported for the demo and tests
    MqttOptions,
    MqttUrlError,
    broker_address,
    broker_reachable,
    parse_mqtt_url,
)

log = logging.getLogger(__name__)

RECONNECT_MIN_S = 1
RECONNECT_MAX_S = 30
KEEPALIVE_S = 30
ERROR_KEY = "__error__"  # an item the ingest rejects as malformed with this message


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

    def __init__(self, ingest, url: str, prefix: str = "onegrid", *, qos: int = 1,
                 options: MqttOptions | None = None):
        self.ingest = ingest
        self.address = broker_address(url)
        self.host, self.port = self.address.host, self.address.port
        self.url = url
        self.prefix = prefix.rstrip("/")
        self.qos = qos
        self.options = options = options or MqttOptions()
        self.topic = f"{self.prefix}/sensors/+/readings"
        self.subscription = f"$share/{options.share_group}/{self.topic}" if options.share_group else self.topic
        self.client_id = options.client_id or f"onegrid-server-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.connected = threading.Event()
        self.messages = 0
        self.session_present: bool | None = None  # as the broker said at the last connect
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                                   protocol=mqtt.MQTTv5, manual_ack=True)
        if self.address.tls:
            self._client.tls_set(ca_certs=options.ca_file or None, certfile=options.cert_file or None,
                                 keyfile=options.key_file or None)
        if self.address.username:
            self._client.username_pw_set(self.address.username, self.address.password)
        self._client.reconnect_delay_set(min_delay=RECONNECT_MIN_S, max_delay=RECONNECT_MAX_S)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._was_connected = False

    def start(self) -> None:
        persistent = self.options.client_id is not None
        properties = Properties(PacketTypes.CONNECT)
        if persistent and self.options.session_expiry_s > 0:
            properties.SessionExpiryInterval = int(self.options.session_expiry_s)
        if self.options.receive_maximum > 0:
            properties.ReceiveMaximum = int(self.options.receive_maximum)
        self._client.connect_async(self.host, self.port, keepalive=KEEPALIVE_S, clean_start=not persistent,
                                   properties=properties)
        self._client.loop_start()  # connects, and reconnects with backoff, in paho's own thread
        log.info("MQTT: subscribing to %s on %s as %s (%s session)", self.subscription, self.address.display(),
                 self.client_id, "persistent" if persistent else "clean")

    def stop(self) -> None:
        try:
            if self._client.is_connected():
                self._client.disconnect()  # the session (and its queue) stays for its expiry interval
        finally:
            self._client.loop_stop()
        self.connected.clear()

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    # -- paho callbacks (paho's thread)

    def _on_connect(self, client, _userdata, flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT: broker %s refused the connection: %s", self.address.display(), reason_code)
            return
        self.session_present = bool(getattr(flags, "session_present", False))
        client.subscribe(self.subscription, qos=self.qos)
        self.connected.set()
        log.log(logging.WARNING if self._was_connected else logging.INFO,
                "MQTT: %sconnected to %s as %s (session %s)", "re" if self._was_connected else "",
                self.address.display(), self.client_id, "resumed" if self.session_present else "new")
        self._was_connected = True

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        self.connected.clear()
        if reason_code != 0:
            log.warning("MQTT: lost the connection to %s (%s); reconnecting with backoff",
                        self.address.display(), reason_code)

    def _on_message(self, client, _userdata, message) -> None:
        self.messages += 1
        mid, qos = message.mid, message.qos

        def ack() -> None:
            client.ack(mid, qos)

        parts = message.topic.split("/")
        # <prefix…>/sensors/<id>/readings
        if len(parts) < 3 or parts[-1] != "readings" or parts[-3] != "sensors":
            log.debug("MQTT: ignoring message on %s", message.topic)
            ack()
            return
        try:
            self.ingest.submit(payload_items(parts[-2], message.payload), source="mqtt", on_done=ack)
        except Exception:
            log.exception("MQTT: could not queue a message from %s", message.topic)
            ack()
