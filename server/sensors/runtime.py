"""Starting and stopping a server process's sensor ingest (the app's lifespan calls these).

The ingest writer always runs (the HTTP batch endpoint needs it); the MQTT subscriber runs when
`ONEGRID_MQTT_URL` is set. An unreachable broker does not stop the server: the subscriber keeps
retrying with backoff and logs it.

Each subscriber first claims a **worker slot**, the lowest number no other running process holds (an
advisory lock on PostgreSQL, a file lock beside the SQLite database), and connects as
`<client id>-<slot>`: the persistent session of that slot, with whatever the broker queued for it while
no process held it, follows the slot across restarts (`server.sensors.mqtt_config`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from server.platform.advisory import FileSlot
from server.sensors.ingest import SensorIngest
from server.sensors.mqtt import MqttSubscriber
from server.sensors.mqtt_config import MqttOptions, default_client_id

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)

MAX_SLOTS = 64


@dataclass
class SensorRuntime:
    ingest: SensorIngest
    subscriber: MqttSubscriber | None = None
    release_slot: Callable[[], None] | None = None


def claim_slot(ctx: ServerContext, client_id: str) -> tuple[int, Callable[[], None]]:
    """The lowest worker slot of `client_id` no other process holds, and how to give it back."""
    if ctx.locks is not None:
        for slot in range(MAX_SLOTS):
            name = f"onegrid:mqtt-slot:{client_id}:{slot}"
            if ctx.locks.try_lock(name):
                return slot, lambda: ctx.locks.unlock(name)
        raise RuntimeError(f"all {MAX_SLOTS} MQTT worker slots of {client_id} are taken")
    database = make_url(ctx.db.url).database
    folder = Path(database).resolve().parent if database and database != ":memory:" else None
    for slot in range(MAX_SLOTS):
        if folder is None:
            return slot, lambda: None
        lock = FileSlot(folder / f".{Path(database).name}.{client_id}-{slot}.lock")
        if lock.try_take():
            return slot, lock.release
    raise RuntimeError(f"all {MAX_SLOTS} MQTT worker slots of {client_id} are taken")


def mqtt_options(ctx: ServerContext, client_id: str) -> MqttOptions:
    s = ctx.settings
    return MqttOptions(client_id=client_id, share_group=s.mqtt_share_group, session_expiry_s=s.mqtt_session_expiry_s,
                       receive_maximum=s.mqtt_receive_maximum, ca_file=s.mqtt_ca_file, cert_file=s.mqtt_cert_file,
                       key_file=s.mqtt_key_file)


def start_sensors(ctx: ServerContext) -> SensorRuntime:
    ingest = SensorIngest(ctx)
    ingest.start()
    ctx.sensor_ingest = ingest
    runtime = SensorRuntime(ingest)
    settings = ctx.settings
    if settings.mqtt_url:
        base = settings.mqtt_client_id or default_client_id(settings.mqtt_topic_prefix)
        slot, runtime.release_slot = claim_slot(ctx, base)
        runtime.subscriber = MqttSubscriber(ingest, settings.mqtt_url, settings.mqtt_topic_prefix,
                                            options=mqtt_options(ctx, f"{base}-{slot}"))
        ingest.mqtt = runtime.subscriber
        runtime.subscriber.start()
    return runtime


def stop_sensors(ctx: ServerContext, runtime: SensorRuntime) -> None:
    # The writer first, while the subscriber is still connected: what it writes is acknowledged to the
    # broker; a message that arrives after it is left unacknowledged and is delivered again next start.
    runtime.ingest.stop()
    if runtime.subscriber is not None:
        try:
            runtime.subscriber.stop()
        except Exception:
            log.exception("stopping the MQTT subscriber failed")
    if runtime.release_slot is not None:
        runtime.release_slot()
    ctx.sensor_ingest = None
