"""Sensor alarms: lifecycle, episodes, silent sensors and the cases alarms open.

**Lifecycle.** An alarm is `raised` when a sensor's evaluated level (`app.sensors.levels.ThresholdEvaluator`:
thresholds with hysteresis and minimum duration, rate of change) rises from normal; it keeps the highest
level reached (`level`) and the most extreme value (`peak_value`). Rising from warning to alarm level
escalates the same alarm and puts it back to `raised` (an acknowledged warning must be seen again as an
alarm). It is `acknowledged` by a person (`POST /api/alarms/{id}/acknowledge`), and `cleared` either
automatically, by the first evaluated reading back at normal level (`cleared_by` null), or by hand with a
reason (`cleared_by` = the user). After a clear by hand while the sensor is still out of range, no new
alarm is raised until its level rises further or it goes back to normal and out again — a person's clear
is not overruled by the next reading. A sensor that has reported and then sends nothing for its rule's
`silent_after_s` gets a `silent` alarm (warning level; found by the maintenance sweep), cleared
automatically when it reports again. One sensor has at most one active threshold alarm and one active
silent alarm.

**Episode.** An episode is a sensor's period of trouble, for which at most one case is opened. It starts
with the first threshold alarm raised while the sensor has no open episode, and ends when either
(a) the sensor has been back at normal level, with no active threshold alarm, for the quiet period
(`sensor_episode_quiet_min`, default 30 min; checked when a new alarm is raised and by the sweep), or
(b) the episode's case is closed or voided (checked when a new alarm is raised). The first alarm of an
episode that reaches alarm level opens the case: category = the sensor's `category_code`, source
`sensor_alarm`, at the sensor's location and grid, priority urgent, registered and dispatched to the
sensor's owner unit by the automatic desk user `SENSOR_DESK` (an operator role: the workflow lets the
system role create and escalate only). Its description names the alarm and the sensor; the alarm holds
`case_id`. A later alarm of the same episode reaching alarm level adds a note to that case (naming the
new alarm) and links it too.

**Several server processes.** Every transition runs under the sensor's `sensor_states` row lock and acts
on the alarm rows found in the database, so two processes evaluating the same readings raise one alarm.
The case id is derived from the episode id (uuid5) and every command id from it (`system_command_id`), so
create/register/dispatch/note are applied once however many processes (or retries after a crash: the
sweep re-runs `ensure_cases` for alarm-level alarms without a case) issue them.

Here: the lifecycle and episodes as readings are evaluated (`apply_level_changes`) and by people
(`acknowledge`, `clear`); the cases in `server.sensors.alarm_cases`, the maintenance sweep (silent sensors,
ended episodes, missing cases) in `server.sensors.alarm_sweep`.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.platform.enums import Role, Status
from app.refdata.entities import Sensor
from app.refdata.errors import RefDataError
from db.cases import CaseRow
from db.sensors import SensorAlarmRow, SensorStateRow
from server.audit import chain as audit
from server.feed.record import record_change
from server.platform.auth import AuthUser
from server.platform.errors import ApiError
from server.platform.scope import may_see_sensor

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)

ALARM = "alarm"
SENSOR = "sensor"
SENSOR_DESK = AuthUser("system:sensors", "Sensor alarms (automatic)", Role.OPERATOR)
_CLOSED = (str(Status.CLOSED), str(Status.VOIDED), str(Status.MERGED))
_LEVEL_NAMES = {1: "warning", 2: "alarm"}


@dataclass
class Transition:
    """The evaluated level of a sensor changed at `at` (the reading's time)."""

    at: datetime
    old: int
    new: int
    reason: str | None
    value: float


@dataclass
class SensorChange:
    """What one batch did to one sensor (built by `server.sensors.ingest`)."""

    sensor: Sensor
    old_level: int
    old_state: str
    new_level: int = 0
    new_state: str = "unknown"
    reason: str | None = None
    last_time: datetime | None = None
    last_value: float | None = None
    peak: float | None = None
    transitions: list[Transition] = field(default_factory=list)
    back_from_silence: bool = False
    fresh: bool = False  # the batch evaluated new readings of it


@dataclass(frozen=True)
class CaseDue:
    alarm_id: uuid.UUID


# ---------------------------------------------------------------------------- alarm rows

def alarm_data(row: SensorAlarmRow) -> dict[str, Any]:
    return dict(row.data)


def set_fields(row: SensorAlarmRow, now: datetime, **updates: Any) -> None:
    data = dict(row.data)
    for key, value in updates.items():
        data[key] = value.isoformat() if isinstance(value, datetime) else (str(value) if isinstance(value, uuid.UUID) else value)
    data["updated_at"] = now.isoformat()
    row.data = data
    row.updated_at = now
    row.state = data["state"]
    row.level = 2 if data["level"] == "alarm" else 1
    row.kind = data["kind"]
    if "case_id" in updates:
        row.case_id = updates["case_id"]
    if "cleared_at" in updates:
        row.cleared_at = updates["cleared_at"]


def threshold_of(sensor: Sensor, kind: str, level: int) -> float | None:
    r = sensor.rules
    if kind == "high":
        return r.alarm_high if level >= 2 else r.warning_high
    if kind == "low":
        return r.alarm_low if level >= 2 else r.warning_low
    if kind == "rate":
        return r.rate_per_min
    if kind == "silent":
        return float(r.silent_after_s) if r.silent_after_s else None
    return None


def message_of(sensor: Sensor, kind: str, level: int, value: float | None) -> str:
    name = f"{sensor.name_en or sensor.name} ({sensor.id})"
    unit = sensor.unit_of_measure
    threshold = threshold_of(sensor, kind, level)
    what = _LEVEL_NAMES.get(level, "warning")
    if kind == "silent":
        return f"{name}: no reading for more than {sensor.rules.silent_after_s} s"
    shown = "?" if value is None else f"{value:g}"
    if kind == "rate":
        return f"{name}: changing faster than {threshold:g} {unit}/min ({what}; now {shown} {unit})"
    sign = "≥" if kind == "high" else "≤"
    line = "" if threshold is None else f" {sign} {what} line {threshold:g} {unit}"
    return f"{name}: {shown} {unit}{line}"


def new_alarm(session: Session, sensor: Sensor, episode_id: uuid.UUID, kind: str, level: int, at: datetime,
               value: float | None, now: datetime) -> SensorAlarmRow:
    alarm_id = uuid.uuid4()
    data = {"id": str(alarm_id), "sensor_id": sensor.id, "owner_unit_id": sensor.owner_unit_id,
            "jurisdiction": sensor.jurisdiction, "episode_id": str(episode_id), "kind": kind,
            "level": _LEVEL_NAMES[level], "state": "raised", "raised_at": at.isoformat(),
            "updated_at": now.isoformat(), "value": value, "peak_value": value,
            "threshold": threshold_of(sensor, kind, level), "message": message_of(sensor, kind, level, value),
            "acknowledged_by": None, "acknowledged_at": None, "ack_note": None, "cleared_at": None,
            "cleared_by": None, "clear_reason": None, "case_id": None}
    row = SensorAlarmRow(id=alarm_id, sensor_id=sensor.id, episode_id=episode_id, kind=kind, level=level,
                         state="raised", raised_at=at, updated_at=now, cleared_at=None, case_id=None, data=data)
    session.add(row)
    log.info("alarm raised: %s", data["message"])
    return row


def _more_extreme(a: float | None, b: float | None, kind: str) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b) if kind == "low" else max(a, b)


# ---------------------------------------------------------------------------- from ingest

def apply_level_changes(session: Session, ctx: ServerContext, changes: dict[str, SensorChange],
                        locked: set[str], now: datetime, feed: list[tuple[str, str, dict]]) -> list[CaseDue]:
    """Raise, escalate, update and clear alarms for one ingest batch, inside its transaction. `locked`:
    the sensors whose state rows the batch wrote (and so holds locked); only they are handled here (a
    sensor with a level change or back from silence is always among them). Appends feed entries."""
    if not locked:
        return []
    active: dict[str, dict[str, SensorAlarmRow]] = {}
    rows = session.execute(
        select(SensorAlarmRow).where(SensorAlarmRow.sensor_id.in_(sorted(locked)), SensorAlarmRow.state != "cleared")
    ).scalars()
    for row in rows:
        active.setdefault(row.sensor_id, {})["silent" if row.kind == "silent" else "rule"] = row
    quiet = timedelta(minutes=ctx.settings.sensor_episode_quiet_min)
    dues: list[CaseDue] = []
    touched: dict[uuid.UUID, SensorAlarmRow] = {}
    for sid in sorted(locked):
        ch = changes[sid]
        mine = active.get(sid, {})
        silent = mine.get("silent")
        if silent is not None and ch.fresh:
            set_fields(silent, now, state="cleared", cleared_at=now, cleared_by=None, clear_reason="reporting again")
            touched[silent.id] = silent
        rule = mine.get("rule")
        state_row: SensorStateRow | None = None
        for tr in ch.transitions:
            if state_row is None:
                state_row = session.get(SensorStateRow, sid)
            if tr.new > 0:
                if rule is None:
                    if tr.new > tr.old:
                        episode = _episode_for(session, state_row, tr.at, quiet)
                        rule = new_alarm(session, ch.sensor, episode, tr.reason or "high", tr.new, tr.at, tr.value, now)
                        state_row.normal_since = None
                elif tr.new > rule.level:
                    kind = tr.reason or rule.kind
                    set_fields(rule, now, level=_LEVEL_NAMES[tr.new], kind=kind, state="raised", value=tr.value,
                         peak_value=_more_extreme(rule.data.get("peak_value"), tr.value, kind),
                         threshold=threshold_of(ch.sensor, kind, tr.new),
                         message=message_of(ch.sensor, kind, tr.new, tr.value),
                         acknowledged_by=None, acknowledged_at=None, ack_note=None)
                    log.info("alarm escalated: %s", rule.data["message"])
                else:
                    set_fields(rule, now, value=tr.value,
                         peak_value=_more_extreme(rule.data.get("peak_value"), tr.value, rule.kind))
                if rule is not None:
                    touched[rule.id] = rule
                    if rule.level >= 2 and rule.case_id is None:
                        dues.append(CaseDue(rule.id))
                    state_row.normal_since = None
            else:
                if rule is not None:
                    set_fields(rule, now, state="cleared", cleared_at=tr.at, cleared_by=None, value=tr.value,
                         clear_reason="back to normal")
                    touched[rule.id] = rule
                    log.info("alarm cleared automatically: %s", rule.data["message"])
                    rule = None
                state_row.normal_since = tr.at
        if rule is not None and rule.id not in touched and ch.last_value is not None:
            peak = _more_extreme(rule.data.get("peak_value"), ch.peak, rule.kind)
            if ch.last_value != rule.data.get("value") or peak != rule.data.get("peak_value"):
                set_fields(rule, now, value=ch.last_value, peak_value=peak)
                touched[rule.id] = rule
    session.flush()
    for row in touched.values():
        feed.append((ALARM, str(row.id), alarm_data(row)))
    return list(dict.fromkeys(dues))


def _episode_for(session: Session, state_row: SensorStateRow, at: datetime, quiet: timedelta) -> uuid.UUID:
    """The open episode of the sensor, or a new one (see the module docstring for when one ends)."""
    episode = state_row.episode_id
    if episode is not None:
        over = state_row.normal_since is not None and at - state_row.normal_since >= quiet
        if not over and state_row.episode_case_id is not None:
            status = session.execute(select(CaseRow.status).where(CaseRow.id == state_row.episode_case_id)).scalar()
            over = status in _CLOSED
        if over:
            episode = None
    if episode is None:
        episode = uuid.uuid4()
        state_row.episode_id = episode
        state_row.episode_case_id = None
    return episode


# ---------------------------------------------------------------------------- people

def _sensor_of(refdata, sensor_id: str) -> Sensor | None:
    try:
        return refdata.sensor(sensor_id)
    except RefDataError:
        return None


def acknowledge(ctx: ServerContext, alarm_id: uuid.UUID, user: AuthUser, note: str | None) -> dict[str, Any]:
    """operator, shift_lead, or a unit handler of the sensor's owner unit (that unit exactly)."""
    return _human(ctx, alarm_id, user, "acknowledge", note, (Role.OPERATOR, Role.SHIFT_LEAD))


def clear(ctx: ServerContext, alarm_id: uuid.UUID, user: AuthUser, reason: str) -> dict[str, Any]:
    """shift_lead, or a unit handler of the sensor's owner unit (that unit exactly)."""
    return _human(ctx, alarm_id, user, "clear", reason, (Role.SHIFT_LEAD,))


def _human(ctx: ServerContext, alarm_id: uuid.UUID, user: AuthUser, action: str, text: str | None,
           roles: tuple[Role, ...]) -> dict[str, Any]:
    refdata = ctx.refdata
    now = ctx.now()
    with ctx.db.writer() as session, session.begin():
        row = session.execute(select(SensorAlarmRow).where(SensorAlarmRow.id == alarm_id).with_for_update()
                              ).scalar_one_or_none()
        if row is None:
            raise ApiError(404, "not_found", f"no alarm {alarm_id}")
        sensor = _sensor_of(refdata, row.sensor_id)
        owner = sensor.owner_unit_id if sensor is not None else None
        visible = sensor is None or may_see_sensor(user, sensor, refdata)
        handler_ok = user.role == Role.UNIT_HANDLER and owner is not None and user.unit_id == owner
        if user.role not in roles and not handler_ok:
            who = " or ".join(str(r) for r in roles)
            # The owner unit only to whom may see the alarm: to others it would say whose sensor alarmed.
            owner_unit = f"the owner unit '{owner}'" if visible else "the owner unit"
            raise ApiError(403, "forbidden", f"{user.role} '{user.username}' may not {action} alarm {alarm_id} "
                                             f"(needs {who}, or a unit handler of {owner_unit})")
        if not visible:  # a desk user of another jurisdiction: nothing of the alarm (not its sensor, nor its state)
            raise ApiError(403, "out_of_scope", f"alarm {alarm_id} is not in the jurisdictions of "
                                                f"{user.role} '{user.username}'")
        if row.state == "cleared":
            raise ApiError(409, "wrong_state", f"alarm {alarm_id} was already cleared at {row.data.get('cleared_at')}")
        changed = True
        if action == "acknowledge":
            if row.state == "acknowledged":
                changed = False
            else:
                set_fields(row, now, state="acknowledged", acknowledged_by=user.username, acknowledged_at=now,
                     ack_note=text or None)
        else:
            set_fields(row, now, state="cleared", cleared_at=now, cleared_by=user.username, clear_reason=text)
        data = alarm_data(row)
        session.flush()
        if changed:
            record_change(session, ALARM, str(row.id), data)
        audit.record(session, at=now, actor=user.username, role=str(user.role), action=f"alarm_{action}",
                     entity_kind="alarm", entity_id=str(alarm_id), result="ok", reason=None if changed else "unchanged",
                     detail={"sensor_id": row.sensor_id, "text": text, "case_id": data.get("case_id")})
    log.info("alarm %s %s by %s", alarm_id, "acknowledged" if action == "acknowledge" else "cleared", user.username)
    return data
