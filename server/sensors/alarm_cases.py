"""The cases sensor alarms open: the first alarm of an episode at alarm level opens one case (created,
registered and dispatched to the sensor's owner unit by the automatic desk user `SENSOR_DESK`), a later
one adds a note to it; the case id derives from the episode id and every command id from the case, so any
number of processes (or the sweep's retries) apply each command once. See `server.sensors.alarms`."""
from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.cases.commands import Command
from app.platform.enums import Action, Priority, Source, Status
from app.refdata.errors import RefDataError
from db.sensors import SensorAlarmRow, SensorStateRow
from server.cases.commands import apply_command, system_command_id
from server.feed.record import record_change
from server.sensors.alarms import ALARM, SENSOR_DESK, CaseDue, alarm_data, set_fields

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)


def episode_case_id(episode_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid:sensor-episode:{episode_id}")


def ensure_cases(ctx: ServerContext, dues: list[CaseDue]) -> None:
    """Open (or add a note to) the episode's case for each alarm at alarm level, and link it."""
    for due in dues:
        try:
            _ensure_case(ctx, due.alarm_id)
        except Exception:
            log.exception("opening the case of sensor alarm %s failed (the sweep retries)", due.alarm_id)


def _ensure_case(ctx: ServerContext, alarm_id: uuid.UUID) -> None:
    refdata = ctx.refdata
    with ctx.db.reader() as session:
        alarm = session.get(SensorAlarmRow, alarm_id)
        if alarm is None or alarm.case_id is not None or alarm.level < 2:
            return
        existing = session.execute(
            select(SensorAlarmRow.case_id).where(SensorAlarmRow.episode_id == alarm.episode_id,
                                                 SensorAlarmRow.case_id.is_not(None)).limit(1)
        ).scalar()
        data = alarm_data(alarm)
    try:
        sensor = refdata.sensor(alarm.sensor_id)
    except RefDataError:
        log.warning("alarm %s names sensor %s, no longer in the reference data", alarm_id, alarm.sensor_id)
        return
    now = ctx.now()
    if existing is not None:
        case_id = existing
        text = (f"Sensor alarm raised again in the same episode: {data['message']} "
                f"(alarm {alarm_id}, sensor {sensor.id}, raised {data['raised_at']})")
        _system(ctx, Command(command_id=system_command_id(case_id, f"sensor_alarm_note:{alarm_id}"), case_id=case_id,
                             action=Action.NOTE, payload={"text": text[:4000]}, issued_at=now, console_id="server"))
    else:
        case_id = episode_case_id(alarm.episode_id)
        description = (f"Sensor alarm: {data['message']}. Sensor {sensor.id} «{sensor.name}», alarm {alarm_id}, "
                       f"raised {data['raised_at']}.")
        create = {"source": str(Source.SENSOR_ALARM), "category_code": sensor.category_code,
                  "description": description[:4000], "priority": str(Priority.URGENT), "alarm_id": str(alarm_id),
                  "location": {"lat": sensor.lat, "lon": sensor.lon, "address": (sensor.name or sensor.id)[:300],
                               "grid_code": sensor.grid_code or None}}
        steps = [(Action.CREATE, create), (Action.REGISTER, {"note": f"automatic: sensor alarm {alarm_id}"}),
                 (Action.DISPATCH, {"unit_id": sensor.owner_unit_id,
                                    "note": f"automatic: owner unit of sensor {sensor.id}"})]
        for action, payload in steps:
            result = _system(ctx, Command(command_id=system_command_id(case_id, f"sensor_episode:{action}"),
                                          case_id=case_id, action=action, payload=payload, issued_at=now,
                                          console_id="server"))
            if result.status != "accepted":
                log.warning("sensor case %s: %s refused (%s: %s)", case_id, action, result.reason, result.message)
                if action == Action.CREATE:
                    return
            elif result.case is not None and result.case.status == Status.MERGED:
                # a repeat of an open case (`server.cases.repeats`): the work goes on in its master
                log.info("sensor case %s is a repeat of %s: not registered or dispatched itself", case_id,
                         result.case.merged_number or result.case.merged_into)
                break
    with ctx.db.writer() as session, session.begin():
        row = session.execute(select(SensorAlarmRow).where(SensorAlarmRow.id == alarm_id).with_for_update()).scalar_one()
        if row.case_id is not None:
            return
        state = session.execute(select(SensorStateRow).where(SensorStateRow.sensor_id == row.sensor_id)
                                .with_for_update()).scalar_one_or_none()
        if state is not None and state.episode_id == row.episode_id:
            state.episode_case_id = case_id
        set_fields(row, ctx.now(), case_id=case_id)
        session.flush()
        record_change(session, ALARM, str(row.id), alarm_data(row))
    log.info("sensor alarm %s linked to case %s", alarm_id, case_id)


def _system(ctx: ServerContext, command: Command):
    return apply_command(ctx.db.writer, SENSOR_DESK, command, ctx.refdata, ctx.now, before_commit=ctx.before_commit)
