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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "TimeLimitError",
    "Limit",
    "WorkCalendar",
    "TimeLimitPolicy",
    "deadline",
    "remaining",
    "is_overdue",
    "on_time",
    "shift_for_suspension",
    "extend",
]

UTC = timezone.utc
_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
# Upper bound on a single limit: ten years of calendar minutes. Anything larger is a typo, and keeping
# limits bounded keeps every computed deadline far from datetime's year-9999 ceiling.
MAX_LIMIT_MINUTES = 10 * 366 * 24 * 60

_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

STAGES = ("register", "dispatch", "verify")
_HANDLE_STAGE = "handle"


class TimeLimitError(ValueError):
    """A bad time-limit configuration or argument; the message names the field and the bad value."""


# --------------------------------------------------------------------------------------------------
# small validation helpers


def _aware(dt: object, name: str) -> datetime:
    """Return ``dt`` in UTC, refusing anything that is not a timezone-aware datetime."""
    if not isinstance(dt, datetime):
        raise TimeLimitError(f"{name}: expected a timezone-aware datetime, got {type(dt).__name__} {dt!r}")
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise TimeLimitError(f"naive datetime for {name}: {dt.isoformat()} (times must carry a zone)")
    return dt.astimezone(UTC)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _fmt_time(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _parse_time(v: object, where: str) -> time:
    if not isinstance(v, str):
        raise TimeLimitError(f"{where}: expected a time string 'HH:MM', got {v!r}")
    m = _TIME_RE.match(v.strip())
    if not m:
        raise TimeLimitError(f"{where}: bad time {v!r} (expected 'HH:MM', 00:00-23:59)")
    hh, mm = int(m.group(1)), int(m.group(2))
    if hh > 23 or mm > 59:
        raise TimeLimitError(f"{where}: bad time {v!r} (hour must be 00-23 and minute 00-59)")
    return time(hh, mm)


def _parse_date(v: object, where: str) -> date:
    if not isinstance(v, str) or not _DATE_RE.match(v.strip()):
        raise TimeLimitError(f"{where}: bad date {v!r} (expected 'YYYY-MM-DD')")
    try:
        return date.fromisoformat(v.strip())
    except ValueError as exc:
        raise TimeLimitError(f"{where}: bad date {v!r} ({exc})") from None


def _require_mapping(d: object, where: str) -> Mapping:
    if not isinstance(d, Mapping):
        raise TimeLimitError(f"{where}: expected an object/dict, got {type(d).__name__} {d!r}")
    return d


def _require_list(v: object, where: str) -> list | tuple:
    if not isinstance(v, (list, tuple)):
        raise TimeLimitError(f"{where}: expected a list, got {type(v).__name__} {v!r}")
    return v


def _check_unknown_keys(d: Mapping, allowed: Iterable[str], where: str) -> None:
    allowed = set(allowed)
    unknown = sorted(str(k) for k in d if k not in allowed and not (isinstance(k, str) and k.startswith("_")))
    if unknown:
        prefix = f"{where}: " if where else ""
        raise TimeLimitError(f"{prefix}unknown key(s) {unknown}; expected some of {sorted(allowed)}")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# --------------------------------------------------------------------------------------------------
# Limit


@dataclass(frozen=True)
class Limit:
    """A time limit: ``minutes`` of working time (``working=True``) or of calendar time."""

    minutes: int
    working: bool

    def __post_init__(self) -> None:
        if not _is_int(self.minutes) or self.minutes <= 0:
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
    d = _require_mapping(d, where or "limit")
    _check_unknown_keys(d, ("minutes", "hours", "days", "working"), where)
    if "working" not in d:
        raise TimeLimitError(f"{_join(where, 'working')}: required (true = working time, false = calendar time)")
    working = d["working"]
    if not isinstance(working, bool):
        raise TimeLimitError(f"{_join(where, 'working')}: must be true or false, got {working!r}")
    units = [k for k in ("minutes", "hours", "days") if k in d]
    if len(units) != 1:
        raise TimeLimitError(f"{where or 'limit'}: exactly one of 'minutes', 'hours' or 'days' is required, "
                             f"got {units or 'none'}")
    unit = units[0]
    name = _join(where, unit)
    value = d[unit]
    if unit == "minutes":
        ok = _is_int(value) or (isinstance(value, float) and value.is_integer())
        if not ok:
            raise TimeLimitError(f"{name}: must be a positive whole number of minutes, got {value!r}")
        per_unit = 1
    else:
        if not _is_number(value):
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
# WorkCalendar

_DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
_DEFAULT_PERIODS = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
_CAL_KEYS = ("timezone", "periods", "weekdays", "holidays", "extra_workdays")


def _zone(v: object, where: str) -> ZoneInfo:
    if isinstance(v, ZoneInfo):
        return v
    if not isinstance(v, str) or not v.strip():
        raise TimeLimitError(f"{where}: expected an IANA time zone name such as 'Asia/Shanghai', got {v!r}")
    try:
        return ZoneInfo(v.strip())
    except (ValueError, KeyError, OSError, TypeError):
        raise TimeLimitError(f"{where}: unknown time zone {v!r}") from None


@dataclass(frozen=True)
class WorkCalendar:
    """Working periods per day, working weekdays, public holidays and make-up working days (调休)."""

    tz: ZoneInfo = _DEFAULT_TZ
    periods: tuple[tuple[time, time], ...] = _DEFAULT_PERIODS
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()  # weekend days that are working days (调休)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "tz", _zone(self.tz, "timezone"))
        set_(self, "periods", _validate_periods(self.periods))
        set_(self, "weekdays", _validate_weekdays(self.weekdays))
        set_(self, "holidays", _validate_dates(self.holidays, "holidays"))
        set_(self, "extra_workdays", _validate_dates(self.extra_workdays, "extra_workdays"))
        both = sorted(self.holidays & self.extra_workdays)
        if both:
            raise TimeLimitError(f"extra_workdays: {both[0].isoformat()} is also listed in holidays")

    # ---- configuration ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: dict) -> WorkCalendar:
        """Build from the calendar part of calendar.json; every key is optional.

        Unlike the constructor, a configuration with no working time at all (empty ``periods`` or
        empty ``weekdays``) is refused here.
        """
        d = _require_mapping(d, "calendar")
        _check_unknown_keys(d, (*_CAL_KEYS, "stage_limits"), "")
        kwargs: dict = {}
        if "timezone" in d:
            kwargs["tz"] = _zone(d["timezone"], "timezone")
        if "periods" in d:
            raw = _require_list(d["periods"], "periods")
            periods = []
            for i, p in enumerate(raw):
                where = f"periods[{i}]"
                if not isinstance(p, (list, tuple)) or len(p) != 2:
                    raise TimeLimitError(f"{where}: expected [\"HH:MM\", \"HH:MM\"], got {p!r}")
                periods.append((_parse_time(p[0], where), _parse_time(p[1], where)))
            if not periods:
                raise TimeLimitError("periods: at least one working period is required, got []")
            kwargs["periods"] = tuple(periods)
        if "weekdays" in d:
            raw = _require_list(d["weekdays"], "weekdays")
            for v in raw:
                if not _is_int(v) or not 0 <= v <= 6:
                    raise TimeLimitError(f"weekdays: {v!r} is not a weekday number 0-6 (Monday = 0)")
            if not raw:
                raise TimeLimitError("weekdays: no working days: at least one weekday (0-6, Monday = 0) is required, "
                                     "got []")
            kwargs["weekdays"] = frozenset(raw)
        for key in ("holidays", "extra_workdays"):
            if key in d:
                raw = _require_list(d[key], key)
                kwargs[key] = frozenset(_parse_date(v, f"{key}[{i}]") for i, v in enumerate(raw))
        return cls(**kwargs)

    def to_dict(self) -> dict:
        return {
            "timezone": self.tz.key,
            "periods": [[_fmt_time(s), _fmt_time(e)] for s, e in self.periods],
            "weekdays": sorted(self.weekdays),
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "extra_workdays": sorted(d.isoformat() for d in self.extra_workdays),
        }

    # ---- queries ------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True for a local date that has working periods (an aware datetime is taken at its local date)."""
        if isinstance(d, datetime):
            d = _aware(d, "d").astimezone(self.tz).date()
        elif not isinstance(d, date):
            raise TimeLimitError(f"d: expected a date, got {type(d).__name__} {d!r}")
        if d in self.holidays:
            return False
        if d in self.extra_workdays:
            return True
        return d.weekday() in self.weekdays

    def minutes_per_day(self) -> int:
        """Nominal working minutes in one working day (the sum of the periods)."""
        return sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in self.periods)

    def _intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of local date ``d`` as UTC ``[start, end)`` pairs, in order."""
        if not self.is_working_day(d):
            return []
        out = []
        for s, e in self.periods:
            a = datetime.combine(d, s, tzinfo=self.tz).astimezone(UTC)
            b = datetime.combine(d, e, tzinfo=self.tz).astimezone(UTC)
            if b > a:  # a period swallowed by a DST gap has no length that day
                out.append((a, b))
        return out

    def _last_working_day(self) -> date | None:
        """None when working days never run out; else the last one (``date.min`` when there are none)."""
        if self.weekdays:
            return None
        days = self.extra_workdays - self.holidays
        return max(days) if days else date.min

    def add_working(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of working time after ``start`` (UTC).

        Outside working time the count begins at the next working moment. A duration that ends exactly
        at the end of a working period ends there (12:00, not 14:00). Runs in O(calendar days spanned).
        """
        start = _aware(start, "start")
        if not isinstance(duration, timedelta):
            raise TimeLimitError(f"duration: expected a timedelta, got {type(duration).__name__} {duration!r}")
        if duration < _ZERO:
            raise TimeLimitError(f"duration: must not be negative, got {duration}")
        if duration == _ZERO:
            return start
        if not self.periods:
            raise TimeLimitError("periods: the calendar has no working periods, so no working time can be counted")
        last = self._last_working_day()
        left = duration
        d = start.astimezone(self.tz).date()
        while True:
            if last is not None and d > last:
                raise TimeLimitError("weekdays: the calendar has no working days "
                                     f"after {start.isoformat()}, so {duration} of working time never elapses")
            for a, b in self._intervals(d):
                if b <= start:
                    continue
                seg_start = a if a > start else start
                avail = b - seg_start
                if left <= avail:
                    return seg_start + left
                left -= avail
            try:
                d += _ONE_DAY
            except OverflowError:
                raise TimeLimitError(f"duration: {duration} of working time from {start.isoformat()} "
                                     "runs past the year 9999") from None

    def working_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``; negative (minus the working time in ``[b, a)``) when ``b < a``."""
        a = _aware(a, "a")
        b = _aware(b, "b")
        if b < a:
            return -self.working_between(b, a)
        total = _ZERO
        d = a.astimezone(self.tz).date()
        end = b.astimezone(self.tz).date()
        while d <= end:
            for s, e in self._intervals(d):
                lo = s if s > a else a
                hi = e if e < b else b
                if hi > lo:
                    total += hi - lo
            if d == end:
                break
            d += _ONE_DAY
        return total


def _validate_periods(periods: object) -> tuple[tuple[time, time], ...]:
    if isinstance(periods, (str, bytes)) or not isinstance(periods, Iterable):
        raise TimeLimitError(f"periods: expected a sequence of (start, end) times, got {periods!r}")
    out = []
    for i, p in enumerate(periods):
        where = f"periods[{i}]"
        if not isinstance(p, (tuple, list)) or len(p) != 2:
            raise TimeLimitError(f"{where}: expected a (start, end) pair of times, got {p!r}")
        s, e = p
        for t in (s, e):
            if not isinstance(t, time):
                raise TimeLimitError(f"{where}: expected datetime.time values, got {t!r}")
            if t.tzinfo is not None:
                raise TimeLimitError(f"{where}: times are local wall-clock times and must not carry a zone, got {t!r}")
            if t.second or t.microsecond:
                raise TimeLimitError(f"{where}: times must be whole minutes, got {t.isoformat()}")
        if not s < e:
            raise TimeLimitError(f"{where}: start {_fmt_time(s)} must be before end {_fmt_time(e)}")
        out.append((s, e))
    out.sort()
    for (s1, e1), (s2, e2) in zip(out, out[1:]):
        if s2 < e1:
            raise TimeLimitError(f"periods: {_fmt_time(s1)}-{_fmt_time(e1)} overlaps {_fmt_time(s2)}-{_fmt_time(e2)}")
    return tuple(out)


def _validate_weekdays(weekdays: object) -> frozenset[int]:
    if isinstance(weekdays, (str, bytes)) or not isinstance(weekdays, Iterable):
        raise TimeLimitError(f"weekdays: expected a set of weekday numbers 0-6, got {weekdays!r}")
    out = set()
    for v in weekdays:
        if not _is_int(v) or not 0 <= v <= 6:
            raise TimeLimitError(f"weekdays: {v!r} is not a weekday number 0-6 (Monday = 0)")
        out.add(v)
    return frozenset(out)


def _validate_dates(dates: object, name: str) -> frozenset[date]:
    if isinstance(dates, (str, bytes)) or not isinstance(dates, Iterable):
        raise TimeLimitError(f"{name}: expected a set of dates, got {dates!r}")
    out = set()
    for v in dates:
        if isinstance(v, datetime) or not isinstance(v, date):
            raise TimeLimitError(f"{name}: expected datetime.date values, got {v!r}")
        out.add(v)
    return frozenset(out)


# --------------------------------------------------------------------------------------------------
# deadlines


def deadline(start: datetime, limit: Limit, cal: WorkCalendar) -> datetime:
    """When a stage that starts at ``start`` with ``limit`` falls due (UTC)."""
    if not isinstance(limit, Limit):
        raise TimeLimitError(f"limit: expected a Limit, got {limit!r}")
    if limit.working:
        return cal.add_working(start, limit.duration)
    return _aware(start, "start") + limit.duration


def remaining(now: datetime, due: datetime, working: bool, cal: WorkCalendar) -> timedelta:
    """Time left until ``due``: working time if ``working`` else calendar time; negative when overdue.

    In working mode the overdue amount is working time too, so a deadline missed only outside working
    hours shows zero; use :func:`is_overdue` for the overdue flag.
    """
    if working:
        return cal.working_between(now, due)
    return _aware(due, "due") - _aware(now, "now")


def is_overdue(due: datetime, now: datetime) -> bool:
    return _aware(now, "now") > _aware(due, "due")


def on_time(finished_at: datetime, due: datetime) -> bool:
    return _aware(finished_at, "finished_at") <= _aware(due, "due")


def shift_for_suspension(due: datetime, suspended_at: datetime, resumed_at: datetime, working: bool,
                         cal: WorkCalendar) -> datetime:
    """The deadline after a suspension from ``suspended_at`` to ``resumed_at``.

    The time that was left when the case was suspended is left again on resumption. A case that was
    already overdue (nothing left) stays overdue by the same amount: ``resumed_at + remaining``.
    """
    due = _aware(due, "due")
    suspended_at = _aware(suspended_at, "suspended_at")
    resumed_at = _aware(resumed_at, "resumed_at")
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
        limits = _require_mapping(self.stage_limits, "stage_limits")
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
        d = _require_mapping(d, "calendar.json")
        calendar = WorkCalendar.from_dict(d)
        raw = d.get("stage_limits", {})
        raw = _require_mapping(raw, "stage_limits")
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
    if stage == _HANDLE_STAGE:
        raise TimeLimitError(f"{where}: the 'handle' limit comes from the category × priority table, "
                             "not from the stage limits")
    if not isinstance(stage, str) or stage not in STAGES:
        raise TimeLimitError(f"{where}: unknown stage {stage!r}; expected one of {list(STAGES)}")
