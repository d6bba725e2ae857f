"""The console's alarm source: the server's alarms as they arrive in the local cache (feed kind
"alarm", see the sensor contract in docs/ARCHITECTURE.md), and the two alarm actions, which need the
server. Qt-free.

The server raises, updates and clears alarms and links their cases; the console only shows them.
`FeedAlarmSource` keeps the parsed alarms in memory (the alarm list asks for one alarm per cell, so it
must not read SQLite each time): `load()` reads them all once, `apply_rows()` takes the rows the feed
changed. Both are plain calls, so the caller decides which thread does the SQLite read (the console
reads on a worker and applies on the GUI thread).

Acknowledge and clear are HTTP calls (blocking: run them off the GUI thread). They are not queued in
the outbox while offline: an alarm's state is the server's, and "acknowledged" means someone at the
centre saw it now, not when the cable comes back. Offline they raise `NeedsServer`, which the list
turns into a plain sentence.
"""
from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.platform.enums import Role
from app.platform.events import EventGroup
from app.sensors.alarms import Alarm, AlarmState
from app.sensors.levels import Reason

if TYPE_CHECKING:
    from app.wire.sensors import AlarmAnswer

log = logging.getLogger(__name__)

KIND_REASON = {"high": Reason.HIGH, "low": Reason.LOW, "rate": Reason.RATE, "silent": Reason.SILENT}
LEVELS = {"warning": 1, "alarm": 2}


class NeedsServer(Exception):
    """The action needs the server and there is no usable connection (offline, or no login there)."""


class BadAlarmData(ValueError):
    """An alarm entity from the feed that does not follow the contract."""


def epoch(value: Any) -> float | None:
    """An ISO-8601 time with zone (or epoch seconds, or None) as epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise BadAlarmData(f"not an ISO-8601 time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise BadAlarmData(f"time without a zone: {value!r}")
    return parsed.timestamp()


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise BadAlarmData(f"not a number: {value!r}") from exc
    return number if math.isfinite(number) else None


def alarm_from_data(data: Mapping[str, Any]) -> Alarm:
    """The contract's alarm JSON as an `Alarm`. Raises BadAlarmData naming what is wrong."""
    if not isinstance(data, Mapping):
        raise BadAlarmData(f"an alarm must be an object, not {type(data).__name__}")
    for key in ("id", "sensor_id", "level", "state", "raised_at"):
        if data.get(key) in (None, ""):
            raise BadAlarmData(f"alarm {data.get('id')!r} has no {key}")
    level = LEVELS.get(str(data["level"]))
    if level is None:
        raise BadAlarmData(f"alarm {data['id']}: unknown level {data['level']!r}")
    state = str(data["state"])
    if state not in {s.value for s in AlarmState}:
        raise BadAlarmData(f"alarm {data['id']}: unknown state {state!r}")
    raised_at = epoch(data["raised_at"])
    acknowledged_at = epoch(data.get("acknowledged_at"))
    cleared_at = epoch(data.get("cleared_at"))
    updated_at = epoch(data.get("updated_at")) or raised_at
    # the state is the server's word; the times must agree with it for Alarm.state to say the same
    if state == AlarmState.CLEARED and cleared_at is None:
        cleared_at = updated_at
    if state != AlarmState.CLEARED:
        cleared_at = None
    if state == AlarmState.ACKNOWLEDGED and acknowledged_at is None:
        acknowledged_at = updated_at
    value = _number(data.get("value"))
    case_id = data.get("case_id")
    return Alarm(
        id=str(data["id"]), sensor_id=str(data["sensor_id"]), level=level,
        reason=int(KIND_REASON.get(str(data.get("kind")), Reason.NONE)),
        value=math.nan if value is None else value, raised_at=raised_at, updated_at=updated_at,
        cleared_at=cleared_at, acknowledged_at=acknowledged_at,
        acknowledged_by=data.get("acknowledged_by") or None,
        case_id=str(case_id) if case_id else None, ack_note=data.get("ack_note") or None,
        cleared_by=data.get("cleared_by") or None, clear_reason=data.get("clear_reason") or None,
        message=str(data.get("message") or ""), threshold=_number(data.get("threshold")),
        peak_value=_number(data.get("peak_value")))


# ------------------------------------------------------------------------------------ who may do what


def _role(actor: Any) -> str:
    role = getattr(actor, "role", None)
    return str(getattr(role, "value", role) or "")


def may_acknowledge(actor: Any, alarm: Alarm, owner_unit_id: str | None) -> bool:
    """Operators, shift leads and the sensor's owner unit's handlers may acknowledge a raised alarm."""
    if alarm.state is not AlarmState.RAISED:
        return False
    role = _role(actor)
    if role in (Role.OPERATOR.value, Role.SHIFT_LEAD.value):
        return True
    return role == Role.UNIT_HANDLER.value and owner_unit_id is not None and \
        getattr(actor, "unit_id", None) == owner_unit_id


def may_clear(actor: Any, alarm: Alarm, owner_unit_id: str | None) -> bool:
    """Shift leads and the owner unit's handlers may clear an active alarm by hand (with a reason)."""
    if not alarm.active:
        return False
    role = _role(actor)
    if role == Role.SHIFT_LEAD.value:
        return True
    return role == Role.UNIT_HANDLER.value and owner_unit_id is not None and \
        getattr(actor, "unit_id", None) == owner_unit_id


# ------------------------------------------------------------------------------------ the source


class FeedAlarmSource:
    """Alarms from the cache's "alarm" entities; implements `app.sensors.alarms.AlarmSource`.

    `client()` returns the sync client when the console may talk to the server, None otherwise (offline,
    or a session without a server login); `events.alarms_changed(ids)` fires when alarms are added or
    change. A malformed entity is logged and skipped (the rest of the list still shows).
    """

    def __init__(self, cache: Any, client: Callable[[], Any] | None = None):
        self.events = EventGroup("alarms_changed")
        self._cache = cache
        self._client = client or (lambda: None)
        self._alarms: dict[str, Alarm] = {}
        self._lock = threading.Lock()

    # -- reading

    def read_all(self) -> dict[str, Any]:
        """Every alarm row in the cache (blocking SQLite read)."""
        return self._cache.entities("alarm")

    def read(self, ids: Iterable[str]) -> dict[str, Any]:
        return self._cache.entities("alarm", list(ids))

    def load(self) -> list[str]:
        """Read and apply every cached alarm; returns the ids."""
        return self.apply_rows(self.read_all())

    def apply_rows(self, rows: Mapping[str, Any]) -> list[str]:
        """Take the server's JSON of these alarms; returns the ids that changed (and emits them). An
        older version of an alarm (an answer to our own action arrived before the feed) never wins."""
        changed: list[str] = []
        with self._lock:
            for alarm_id, data in rows.items():
                try:
                    alarm = alarm_from_data(data)
                except BadAlarmData as exc:
                    log.warning("skipping alarm %s from the feed: %s", alarm_id, exc)
                    continue
                old = self._alarms.get(alarm.id)
                if old is not None and (old.updated_at > alarm.updated_at or old == alarm):
                    continue
                self._alarms[alarm.id] = alarm
                changed.append(alarm.id)
        if changed:
            self.events.alarms_changed.emit(changed)
        return changed

    def forget(self, ids: Iterable[str]) -> list[str]:
        """Drop alarms the cache no longer holds (they left the user's scope); returns (and emits) them."""
        with self._lock:
            gone = [i for i in ids if self._alarms.pop(i, None) is not None]
        if gone:
            self.events.alarms_changed.emit(gone)
        return gone

    def alarms(self) -> list[Alarm]:
        with self._lock:
            return sorted(self._alarms.values(), key=lambda a: (a.raised_at, a.id))

    def alarm(self, alarm_id: str) -> Alarm | None:
        with self._lock:
            return self._alarms.get(alarm_id)

    def for_case(self, case_id: Any) -> Alarm | None:
        """The alarm whose episode opened this case (the latest one, if re-raised)."""
        key = str(case_id)
        with self._lock:
            found = [a for a in self._alarms.values() if a.case_id == key]
        return max(found, key=lambda a: a.raised_at) if found else None

    def for_sensor(self, sensor_id: str) -> list[Alarm]:
        with self._lock:
            return sorted((a for a in self._alarms.values() if a.sensor_id == sensor_id),
                          key=lambda a: a.raised_at)

    # -- acting (blocking HTTP: call off the GUI thread)

    @property
    def online(self) -> bool:
        return self._client() is not None

    def _need_client(self) -> Any:
        client = self._client()
        if client is None:
            raise NeedsServer("acknowledging or clearing an alarm needs the server; the console is offline")
        return client

    def _answer(self, answer: AlarmAnswer) -> Alarm:
        data = answer.model_dump(mode="json")  # the alarm's feed JSON, as the cache keeps every alarm
        alarm = alarm_from_data(data)
        self.apply_rows({alarm.id: data})
        return self.alarm(alarm.id) or alarm

    def acknowledge(self, alarm_id: str, by: str | None = None, at: float | None = None,
                    note: str | None = None) -> Alarm:
        """Acknowledge on the server (`by`/`at` are the server's to set: the logged-in user, now)."""
        client = self._need_client()
        return self._answer(client.acknowledge_alarm(alarm_id, (note or "").strip() or None))

    def clear(self, alarm_id: str, reason: str) -> Alarm:
        """Clear by hand on the server; `reason` is required."""
        reason = (reason or "").strip()
        if not reason:
            raise ValueError("clearing an alarm by hand needs a reason")
        client = self._need_client()
        return self._answer(client.clear_alarm(alarm_id, reason))
