"""Alarms as the console's alarm list reads them: one alarm of one sensor, and the source protocol. The
product's source is `app.sensors.alarm_source.FeedAlarmSource` (the server's alarms)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from app.platform.events import EventGroup

# The longest acknowledgement note or clearing reason the server accepts (server/sensors/api.py); the
# console's alarm dialog counts against the same number.
ALARM_TEXT_MAX = 2000


class AlarmState(StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


@dataclass(frozen=True)
class Alarm:
    """One alarm of one sensor: raised when its level leaves normal, cleared when it returns.
    `level` is the highest level reached; `value` the latest reading at a level change;
    `case_id` links the case opened for it (by the server; None until known)."""

    id: str
    sensor_id: str
    level: int
    reason: int
    value: float
    raised_at: float
    updated_at: float
    cleared_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    case_id: str | None = None
    # what the server says on top (app.sensors.alarm_source.alarm_from_data); the stand-in leaves them empty
    ack_note: str | None = None
    cleared_by: str | None = None        # None with cleared_at set: cleared automatically
    clear_reason: str | None = None
    message: str = ""
    threshold: float | None = None
    peak_value: float | None = None

    @property
    def state(self) -> AlarmState:
        if self.cleared_at is not None:
            return AlarmState.CLEARED
        if self.acknowledged_at is not None:
            return AlarmState.ACKNOWLEDGED
        return AlarmState.RAISED

    @property
    def active(self) -> bool:
        return self.cleared_at is None


@runtime_checkable
class AlarmSource(Protocol):
    """What the alarm list reads. `events.alarms_changed(ids: list[str])` fires (on any thread) when
    alarms are added or change."""

    events: EventGroup

    def alarms(self) -> list[Alarm]:
        """Every alarm kept, oldest first."""

    def alarm(self, alarm_id: str) -> Alarm | None: ...

    def acknowledge(self, alarm_id: str, by: str, at: float | None = None) -> Alarm:
        """Mark an alarm acknowledged (KeyError for an unknown id)."""
