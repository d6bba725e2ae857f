"""The sync engine's state as the UI shows it: one immutable value, replaced on every change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Connection(StrEnum):
    ONLINE = "online"              # caught up with the feed, outbox being sent as it fills
    OFFLINE = "offline"            # the server did not answer; retrying with backoff
    SYNCING = "syncing"            # connected and catching up (feed pages or outbox batches in flight)
    AUTH_EXPIRED = "auth_expired"  # the server wants a new login; nothing is sent until relogin()
    STOPPED = "stopped"            # the engine is not running


@dataclass(frozen=True)
class SyncState:
    connection: Connection = Connection.STOPPED
    last_sync: datetime | None = None     # when the cache last caught up with the server
    outbox: int = 0                       # commands waiting for an answer
    conflicts: int = 0                    # refused commands waiting for the operator
    clock_offset_s: float | None = None   # server clock minus this console's clock
    last_error: str | None = None
