"""Fakes for the server-backed sensor and alarm tests: a sync engine whose connection the test sets, an
HTTP client answering the sensor contract, and a helper that puts sensor/alarm entities into a real
LocalCache through its feed path (`apply_changes`), as the sync engine would."""
from __future__ import annotations

import itertools
from datetime import datetime

import numpy as np

from app.sync.client import ServerRefused
from app.sync.state import Connection, SyncState
from app.wire.feed import Change
from app.wire.sensors import AlarmAnswer, ReadingsAnswer

T0 = 1_796_104_800.0  # 2026-12-01T06:00:00Z
_positions = itertools.count(1)


def iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s).astimezone().isoformat()


class FakeAlarmAnswer(AlarmAnswer):
    """The server's alarm answer, with the fakes' short names ("a1") where the server sends UUIDs."""

    id: str
    episode_id: str
    owner_unit_id: str | None = None


def alarm_data(alarm_id="a1", sensor_id="wl-001", *, level="alarm", state="raised", at=T0, case_id=None, **over):
    data = {"id": alarm_id, "sensor_id": sensor_id, "episode_id": f"ep-{alarm_id}", "kind": "high",
            "level": level, "state": state, "raised_at": iso(at), "updated_at": iso(at), "value": 0.31,
            "peak_value": 0.31, "threshold": 0.27, "message": "water over the alarm line",
            "acknowledged_by": None, "acknowledged_at": None, "ack_note": None, "cleared_at": None,
            "cleared_by": None, "clear_reason": None, "case_id": case_id}
    if state == "cleared":
        data["cleared_at"] = iso(at + 60)
        data["updated_at"] = iso(at + 60)
    data.update(over)
    return data


def sensor_data(sensor_id="wl-001", state="alarm", value=0.31, at=T0):
    level = state if state in ("normal", "warning", "alarm") else "normal"
    return {"sensor_id": sensor_id, "last_time": iso(at), "last_value": value, "level": level,
            "state": state, "reason": "high" if level != "normal" else None, "rejected": 0,
            "updated_at": iso(at)}


def push(cache, kind: str, rows: dict) -> None:
    """Put entities into the cache the way a feed page does (emits entities_changed)."""
    changes = [Change(position=next(_positions) + 1000, kind=kind, id=str(i), data=d) for i, d in rows.items()]
    cache.apply_changes(changes, changes[-1].position)


class FakeClient:
    """The sensor half of the HTTP contract, in memory. `refuse` makes the next action fail like the
    server would (e.g. 409 wrong_state)."""

    token = "t0k"
    clock_offset_s = 0.0
    base_url = "http://fake"

    def __init__(self, actor_name="operator1"):
        self.calls: list[tuple] = []
        self.refuse: ServerRefused | None = None
        self.actor_name = actor_name
        self.alarms: dict[str, dict] = {}

    def sensor_readings(self, sensor_id, start, end, resolution="auto"):
        self.calls.append(("readings", sensor_id, start.timestamp(), end.timestamp(), resolution))
        s, e = start.timestamp(), end.timestamp()
        t = np.arange(np.ceil(s), np.floor(e) + 1, 10.0)
        return ReadingsAnswer(sensor_id=sensor_id, resolution="raw", times=t.tolist(),
                              values=(0.2 + 0.1 * np.sin(t / 600)).tolist(), min=None, max=None)

    def _act(self, name, alarm_id, **changes):
        self.calls.append((name, alarm_id, *changes.values()))
        if self.refuse is not None:
            exc, self.refuse = self.refuse, None
            raise exc
        data = dict(self.alarms[alarm_id], **changes)
        self.alarms[alarm_id] = data
        return FakeAlarmAnswer.model_validate(data)

    def acknowledge_alarm(self, alarm_id, note=None):
        return self._act("ack", alarm_id, ack_note=note, state="acknowledged", acknowledged_by=self.actor_name,
                         acknowledged_at=iso(T0 + 30), updated_at=iso(T0 + 30))

    def clear_alarm(self, alarm_id, reason):
        return self._act("clear", alarm_id, clear_reason=reason, state="cleared", cleared_by=self.actor_name,
                         cleared_at=iso(T0 + 40), updated_at=iso(T0 + 40))


class FakeEngine:
    """What the hub reads of the sync engine: `state.connection` and `client`."""

    def __init__(self, client, connection=Connection.ONLINE):
        self.client = client
        self.state = SyncState(connection=connection)

    def set_connection(self, ctx, connection: Connection) -> None:
        self.state = SyncState(connection=connection)
        ctx.signals.sync_state_changed.emit(self.state)


def make_ctx(cache, actor, connection=Connection.ONLINE):
    """A console context over `cache` whose sync engine is a FakeEngine with a FakeClient."""
    from app.sync.session import Session
    from ui.shell.context import ConsoleContext, CoreSignals

    session = Session(actor=actor, display_name=actor.username, token="t0k", offline=False)
    ctx = ConsoleContext(cache=cache, session=session, signals=CoreSignals())
    ctx.connect_core()  # the cache's entities_changed → ctx.signals (engine events are the fake's own)
    client = FakeClient(actor.username)
    ctx.engine = FakeEngine(client, connection)
    return ctx, client
