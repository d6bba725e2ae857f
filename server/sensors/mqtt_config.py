"""Where and how the server meets its MQTT broker: the broker URL (`mqtt://` or, over TLS, `mqtts://`,
with `user:password@` when the broker wants a login) and the session settings of a server worker.

A server worker that ingests for real (`MqttOptions.client_id` set) keeps a **persistent session**
(MQTT 5, clean start off, a session expiry interval): QoS 1 readings published while it is down are
queued by the broker and delivered when it connects again with the same client id. Its subscription is
**shared** (`$share/<group>/<prefix>/sensors/+/readings`): the broker hands each reading to one worker
of the group, so every reading is stored and evaluated once however many workers run. The client id is
stable per worker *slot* (`server.sensors.runtime` claims the lowest free slot), so a restarted worker
picks up the session, and what was queued for it, of the worker it replaces.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

PLAIN_SCHEMES = ("mqtt", "tcp")
TLS_SCHEMES = ("mqtts", "ssl")


class MqttUrlError(ValueError):
    pass


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    def display(self) -> str:
        """For logs: never the password."""
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


@dataclass(frozen=True)
class MqttOptions:
    """A subscriber's session and security. Without a `client_id`: a random id and a clean session (the
    demo's own subscriber, tests)."""

    client_id: str | None = None
    share_group: str = ""            # "" = a plain subscription (every worker gets every reading)
    session_expiry_s: int = 0        # how long the broker keeps a disconnected worker's session and queue
    receive_maximum: int = 0         # unacknowledged messages the broker may send at once (0 = its default)
    ca_file: str = ""                # "" = the system's trusted CAs (with mqtts://)
    cert_file: str = ""              # a client certificate, for brokers that authenticate by certificate
    key_file: str = ""


def broker_address(url: str) -> BrokerAddress:
    """`mqtt://[user[:password]@]host[:port]` (default port 1883) or `mqtts://…` (TLS, default port 8883)."""
    parts = urlsplit(url)
    if parts.scheme not in PLAIN_SCHEMES + TLS_SCHEMES or not parts.hostname:
        raise MqttUrlError(f"MQTT URL {url!r} must look like mqtt://host[:port] or mqtts://[user:password@]host[:port]")
    tls = parts.scheme in TLS_SCHEMES
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise MqttUrlError(f"MQTT URL {url!r} has an invalid port") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MqttUrlError("MQTT URL must not have a path, query or fragment (the topic prefix is a setting of its own)")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return BrokerAddress(parts.hostname, port, tls, username, password)


def parse_mqtt_url(url: str) -> tuple[str, int]:
    """The broker's (host, port)."""
    address = broker_address(url)
    return address.host, address.port


def broker_reachable(url: str, timeout_s: float = 1.0) -> bool:
    """Whether a TCP connection to the broker succeeds (used by the demo to fall back in-process)."""
    try:
        host, port = parse_mqtt_url(url)
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except (OSError, MqttUrlError):
        return False


def default_client_id(topic_prefix: str) -> str:
    """The client id base of a deployment's workers: one per topic prefix, so two deployments (or test
    runs) on one broker never take each other's sessions."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in topic_prefix)
    return f"onegrid-server-{safe}"
