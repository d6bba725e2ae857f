"""Case time limits: stage deadlines counted in calendar time or in working time.

A limit is either *calendar* time (elapsed wall time, 24 h a day) or *working* time: only the moments
inside the calendar's working periods (e.g. 08:30-12:00 and 14:00-17:30) on working days count. A
working day is a regular weekday that is not a public holiday, or a make-up working day (调休, a
weekend day declared a working day). Periods and dates are interpreted in the calendar's time zone;
durations are real elapsed time, so a working period that spans a DST change is as long as the clock
actually ran.

Suspension (缓办) stops the clock and an approved extension (延期) moves the deadline. Whether a case
is overdue or was handled on time is always computed from the deadline, never stored as a flag.

Every datetime taken or returned is timezone-aware; results are in UTC. Configuration errors raise
:class:`TimeLimitError`, whose message starts with the offending field.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import ConfigDict, Field, with_config

from app.refdata.time_fields import (
    HANDLE_STAGE,
    MAX_LIMIT_MINUTES,
    STAGES,
    TimeLimitError,
    aware,
    check_unknown_keys,
    is_int,
    is_number,
    join_field,
    require_mapping,
)
from app.refdata.work_calendar import WorkCalendar

_ZERO = timedelta(0)

__all__ = [
    "Limit",
    "TimeLimitPolicy",
    "deadline",
    "remaining",
    "is_overdue",
    "on_time",
    "shift_for_suspension",
    "extend",
]

# --------------------------------------------------------------------------------------------------
# Limit


@with_config(ConfigDict(json_schema_extra={"additionalProperties": False}))  # on the wire: app.wire.refdata
@dataclass(frozen=True)
class Limit:
    """A time limit: ``minutes`` of working time (``working=True``) or of calendar time."""

    minutes: int
    working: Annotated[bool, Field(description="true: working time (the calendar's periods); false: calendar time")]

    def __post_init__(self) -> None:
        if not is_int(self.minutes) or self.minutes <= 0:
            raise TimeLimitError(f"minutes: must be a positive integer, got {self.minutes!r}")
        if self.minutes > MAX_LIMIT_MINUTES:
            raise TimeLimitError(f"minutes: {self.minutes} is more than the maximum {MAX_LIMIT_MINUTES} (10 years)")
        if not isinstance(self.working, bool):
            raise TimeLimitError(f"working: must be true or false, got {self.working!r}")

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @classmethod
    def from_dict(cls, d: dict, cal: WorkCalendar | None = None) -> Limit:
        """Build from ``{"minutes": 120, "working": false}``, ``{"hours": 2, ...}`` or ``{"days": 1, ...}``.

        A working "day" is ``cal.minutes_per_day()`` (the default calendar's when ``cal`` is None);
        a calendar day is 1440 minutes. ``working`` is required.
        """
        return _limit_from_dict(d, cal, "")

    def to_dict(self) -> dict:
        return {"minutes": self.minutes, "working": self.working}


def _limit_from_dict(d: object, cal: WorkCalendar | None, where: str) -> Limit:
    d = require_mapping(d, where or "limit")
    check_unknown_keys(d, ("minutes", "hours", "days", "working"), where)
    if "working" not in d:
        raise TimeLimitError(f"{join_field(where, 'working')}: required (true = working time, false = calendar time)")
    working = d["working"]
    if not isinstance(working, bool):
        raise TimeLimitError(f"{join_field(where, 'working')}: must be true or false, got {working!r}")
    units = [k for k in ("minutes", "hours", "days") if k in d]
    if len(units) != 1:
        raise TimeLimitError(f"{where or 'limit'}: exactly one of 'minutes', 'hours' or 'days' is required, "
                             f"got {units or 'none'}")
    unit = units[0]
    name = join_field(where, unit)
    value = d[unit]
    if unit == "minutes":
        ok = is_int(value) or (isinstance(value, float) and value.is_integer())
        if not ok:
            raise TimeLimitError(f"{name}: must be a positive whole number of minutes, got {value!r}")
        per_unit = 1
    else:
        if not is_number(value):
            raise TimeLimitError(f"{name}: must be a positive number, got {value!r}")
        if unit == "hours":
            per_unit = 60
        elif working:
            per_unit = (cal if cal is not None else WorkCalendar()).minutes_per_day()
            if per_unit <= 0:
                raise TimeLimitError(f"{name}: the calendar has no working minutes per day, so working days "
                                     f"cannot be converted to minutes")
        else:
            per_unit = 24 * 60
    if value != value or value in (float("inf"), float("-inf")) or value <= 0:
        raise TimeLimitError(f"{name}: must be greater than 0, got {value!r}")
    total = value * per_unit
    minutes = round(total)
    if abs(total - minutes) > 1e-6:
        raise TimeLimitError(f"{name}: {value!r} {unit} is not a whole number of minutes ({total!r})")
    if minutes > MAX_LIMIT_MINUTES:
        raise TimeLimitError(f"{name}: {value!r} {unit} is more than the maximum of 10 years")
    return Limit(int(minutes), working)



# --------------------------------------------------------------------------------------------------
# deadlines


def deadline(start: datetime, limit: Limit, cal: WorkCalendar) -> datetime:
    """When a stage that starts at ``start`` with ``limit`` falls due (UTC)."""
    if not isinstance(limit, Limit):
        raise TimeLimitError(f"limit: expected a Limit, got {limit!r}")
    if limit.working:
        return cal.add_working(start, limit.duration)
    return aware(start, "start") + limit.duration


def remaining(now: datetime, due: datetime, working: bool, cal: WorkCalendar) -> timedelta:
    """Time left until ``due``: working time if ``working`` else calendar time; negative when overdue.

    In working mode the overdue amount is working time too, so a deadline missed only outside working
    hours shows zero; use :func:`is_overdue` for the overdue flag.
    """
    if working:
        return cal.working_between(now, due)
    return aware(due, "due") - aware(now, "now")


def is_overdue(due: datetime, now: datetime) -> bool:
    return aware(now, "now") > aware(due, "due")


def on_time(finished_at: datetime, due: datetime) -> bool:
    return aware(finished_at, "finished_at") <= aware(due, "due")


def shift_for_suspension(due: datetime, suspended_at: datetime, resumed_at: datetime, working: bool,
                         cal: WorkCalendar) -> datetime:
    """The deadline after a suspension from ``suspended_at`` to ``resumed_at``.

    The time that was left when the case was suspended is left again on resumption. A case that was
    already overdue (nothing left) stays overdue by the same amount: ``resumed_at + remaining``.
    """
    due = aware(due, "due")
    suspended_at = aware(suspended_at, "suspended_at")
    resumed_at = aware(resumed_at, "resumed_at")
    if resumed_at < suspended_at:
        raise TimeLimitError(f"resumed_at: {resumed_at.isoformat()} is before suspended_at {suspended_at.isoformat()}")
    left = cal.working_between(suspended_at, due) if working else due - suspended_at
    if left <= _ZERO:
        return resumed_at + left
    return cal.add_working(resumed_at, left) if working else resumed_at + left


def extend(due: datetime, extra: Limit, cal: WorkCalendar) -> datetime:
    """The deadline moved later by an approved extension, counted in the extension's own mode."""
    return deadline(due, extra, cal)


# --------------------------------------------------------------------------------------------------
# policy

_DEFAULT_STAGE_LIMITS = {
    "register": Limit(30, False),
    "dispatch": Limit(30, False),
    "verify": Limit(120, False),
}


@dataclass(frozen=True)
class TimeLimitPolicy:
    """The calendar plus the fixed stage limits (the handling limit comes from category × priority)."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    stage_limits: dict[str, Limit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.calendar, WorkCalendar):
            raise TimeLimitError(f"calendar: expected a WorkCalendar, got {self.calendar!r}")
        limits = require_mapping(self.stage_limits, "stage_limits")
        merged = dict(_DEFAULT_STAGE_LIMITS)
        for stage, limit in limits.items():
            _check_stage_name(stage, "stage_limits")
            if not isinstance(limit, Limit):
                raise TimeLimitError(f"stage_limits.{stage}: expected a Limit, got {limit!r}")
            merged[str(stage)] = limit
        object.__setattr__(self, "stage_limits", merged)

    @classmethod
    def from_dict(cls, d: dict) -> TimeLimitPolicy:
        """Build from the whole calendar.json (calendar keys plus ``stage_limits``)."""
        d = require_mapping(d, "calendar.json")
        calendar = WorkCalendar.from_dict(d)
        raw = d.get("stage_limits", {})
        raw = require_mapping(raw, "stage_limits")
        limits = {}
        for stage, v in raw.items():
            _check_stage_name(stage, "stage_limits")
            limits[str(stage)] = _limit_from_dict(v, calendar, f"stage_limits.{stage}")
        return cls(calendar=calendar, stage_limits=limits)

    def to_dict(self) -> dict:
        out = self.calendar.to_dict()
        out["stage_limits"] = {k: self.stage_limits[k].to_dict() for k in STAGES if k in self.stage_limits}
        return out

    def stage_limit(self, stage: str) -> Limit:
        _check_stage_name(stage, "stage")
        return self.stage_limits[str(stage)]


def _check_stage_name(stage: object, where: str) -> None:
    if stage == HANDLE_STAGE:
        raise TimeLimitError(f"{where}: the 'handle' limit comes from the category × priority table, "
                             "not from the stage limits")
    if not isinstance(stage, str) or stage not in STAGES:
        raise TimeLimitError(f"{where}: unknown stage {stage!r}; expected one of {list(STAGES)}")
