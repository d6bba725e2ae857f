"""The sensor alarms' maintenance sweep (`server.maintenance`): silent sensors get a `silent` alarm, the
silent alarm of a sensor reporting again is cleared, episodes quiet for long enough end, and alarms at
alarm level still without a case get one (`server.sensors.alarm_cases`). See `server.sensors.alarms`."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.refdata.entities import Sensor
from db.sensors import SensorAlarmRow, SensorStateRow
from server.feed.record import record_change
from server.sensors.alarm_cases import ensure_cases
from server.sensors.alarms import (
    ALARM,
    SENSOR,
    CaseDue,
    alarm_data,
    new_alarm,
    set_fields,
)
from server.sensors.states import state_row_data

if TYPE_CHECKING:
    from server.context import ServerContext

_CASE_LOOKBACK = timedelta(hours=24)  # the sweep retries missing cases of alarms raised this recently


def sweep(ctx: ServerContext, ingest=None) -> dict[str, int]:
    """Silent sensors, silent alarms of sensors reporting again, ended episodes, missing cases."""
    now = ctx.now()
    refdata = ctx.refdata
    sensors = {s.id: s for s in refdata.sensors}
    counts = {"silent": 0, "unsilenced": 0, "episodes_ended": 0, "cases": 0}
    quiet = timedelta(minutes=ctx.settings.sensor_episode_quiet_min)
    with ctx.db.reader() as session:
        states = session.execute(select(SensorStateRow.sensor_id, SensorStateRow.last_time, SensorStateRow.state,
                                        SensorStateRow.episode_id, SensorStateRow.normal_since)).all()
        silent_active = {r.sensor_id: r.id for r in session.execute(
            select(SensorAlarmRow.sensor_id, SensorAlarmRow.id)
            .where(SensorAlarmRow.kind == "silent", SensorAlarmRow.state != "cleared"))}
        rule_active = set(session.execute(
            select(SensorAlarmRow.sensor_id).where(SensorAlarmRow.kind != "silent",
                                                   SensorAlarmRow.state != "cleared")).scalars())
        missing_cases = list(session.execute(
            select(SensorAlarmRow.id).where(SensorAlarmRow.level >= 2, SensorAlarmRow.case_id.is_(None),
                                            SensorAlarmRow.kind != "silent",
                                            SensorAlarmRow.raised_at >= now - _CASE_LOOKBACK)).scalars())
    for sid, last_time, state, episode_id, normal_since in states:
        sensor = sensors.get(sid)
        if sensor is None:
            continue
        after = sensor.rules.silent_after_s or 0
        if after and last_time is not None and now - last_time > timedelta(seconds=after) and sid not in silent_active:
            if _raise_silent(ctx, sensor, now):
                counts["silent"] += 1
                if ingest is not None:
                    ingest.forget_silence(sid)
        elif sid in silent_active and state != "silent":
            if _clear_silent(ctx, silent_active[sid], now):
                counts["unsilenced"] += 1
        if episode_id is not None and normal_since is not None and now - normal_since >= quiet \
                and sid not in rule_active:
            with ctx.db.writer() as session, session.begin():
                row = session.execute(select(SensorStateRow).where(SensorStateRow.sensor_id == sid)
                                      .with_for_update()).scalar_one()
                if row.episode_id == episode_id and row.normal_since is not None and now - row.normal_since >= quiet:
                    row.episode_id = None
                    row.episode_case_id = None
                    counts["episodes_ended"] += 1
    if missing_cases:
        ensure_cases(ctx, [CaseDue(a) for a in missing_cases])
        counts["cases"] = len(missing_cases)
    return counts


def _raise_silent(ctx: ServerContext, sensor: Sensor, now: datetime) -> bool:

    with ctx.db.writer() as session, session.begin():
        state = session.execute(select(SensorStateRow).where(SensorStateRow.sensor_id == sensor.id)
                                .with_for_update()).scalar_one_or_none()
        after = timedelta(seconds=sensor.rules.silent_after_s)
        if state is None or state.last_time is None or now - state.last_time <= after:
            return False
        exists = session.execute(select(SensorAlarmRow.id).where(
            SensorAlarmRow.sensor_id == sensor.id, SensorAlarmRow.kind == "silent",
            SensorAlarmRow.state != "cleared")).first()
        if exists is not None:
            return False
        row = new_alarm(session, sensor, uuid.uuid4(), "silent", 1, now, state.last_value, now)
        state.state = "silent"
        state.reason = "silent"
        state.updated_at = now
        session.flush()
        record_change(session, SENSOR, sensor.id, state_row_data(state, sensor.owner_unit_id, sensor.jurisdiction))
        record_change(session, ALARM, str(row.id), alarm_data(row))
    return True


def _clear_silent(ctx: ServerContext, alarm_id: uuid.UUID, now: datetime) -> bool:
    with ctx.db.writer() as session, session.begin():
        row = session.execute(select(SensorAlarmRow).where(SensorAlarmRow.id == alarm_id).with_for_update()).scalar_one()
        if row.state == "cleared":
            return False
        set_fields(row, now, state="cleared", cleared_at=now, cleared_by=None, clear_reason="reporting again")
        session.flush()
        record_change(session, ALARM, str(row.id), alarm_data(row))
    return True
