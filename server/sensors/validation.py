"""The checks of a reading that need the reference data and the clock (its shape was checked when it
arrived, `server.sensors.reading`): a known sensor, its unit, a value within the sensor's valid range,
a time neither too far ahead of the server clock nor older than the raw retention window."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.refdata.errors import RefDataError
from server.platform.settings import ServerSettings
from server.sensors.outcomes import BatchOutcome, IngestJob, Reading, Rejection
from server.sensors.reading import CheckedItem, display

_MESSAGE_MAX = 500


def utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc)


def validate(jobs: list[IngestJob], now: datetime, refdata, settings: ServerSettings,
             ) -> tuple[list[list[Reading]], list[BatchOutcome], list[Rejection]]:
    """Per job the readings that pass and an outcome holding its rejections; and all the rejections."""
    future_limit = now + timedelta(seconds=settings.sensor_future_s)
    oldest = now - timedelta(hours=settings.sensor_raw_retention_h)
    valid: list[list[Reading]] = []
    outcomes: list[BatchOutcome] = []
    all_rejected: list[Rejection] = []
    for job in jobs:
        outcome = BatchOutcome()
        readings: list[Reading] = []
        for item in job.items:
            rejection, reading = check(item, refdata, settings, future_limit, oldest)
            if rejection is not None:
                outcome.rejected.append(rejection)
                all_rejected.append(rejection)
            else:
                readings.append(reading)
        valid.append(readings)
        outcomes.append(outcome)
    return valid, outcomes, all_rejected


def check(item: CheckedItem, refdata, settings: ServerSettings, future_limit: datetime,
          oldest: datetime) -> tuple[Rejection | None, Reading | None]:
    def reject(reason: str, message: str, at: datetime | None = None) -> tuple[Rejection, None]:
        return Rejection(item.index, item.sensor_id, reason, display(message, _MESSAGE_MAX), at), None

    r = item.reading
    if r is None:
        return reject(item.reason, item.message)
    try:
        sensor = refdata.sensor(r.sensor_id)
    except RefDataError:
        return reject("unknown_sensor", f"no sensor {r.sensor_id!r} in the reference data")
    if r.unit != sensor.unit_of_measure:
        return reject("wrong_unit", f"unit {r.unit!r} is not {sensor.id}'s unit {sensor.unit_of_measure!r}")
    t, value = utc(r.time), r.value
    rules = sensor.rules
    if (rules.min_valid is not None and value < rules.min_valid) or \
            (rules.max_valid is not None and value > rules.max_valid):
        return reject("impossible_value", f"value {value:g} {sensor.unit_of_measure} is outside {sensor.id}'s "
                                          f"valid range [{rules.min_valid}, {rules.max_valid}]", t)
    if t > future_limit:
        return reject("future_time", f"time {t.isoformat()} is more than {settings.sensor_future_s:g} s "
                                     f"ahead of the server clock")
    if t < oldest:
        return reject("too_old", f"time {t.isoformat()} is older than the raw retention window "
                                 f"({settings.sensor_raw_retention_h:g} h)")
    return None, Reading(sensor.id, t, value)
