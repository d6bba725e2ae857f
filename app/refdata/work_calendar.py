"""The working calendar: working periods per day, working weekdays, public holidays and make-up working
days (调休), and the working-time arithmetic on it (`app.refdata.timelimits` counts working limits here)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.refdata.time_fields import (
    UTC,
    TimeLimitError,
    aware,
    check_unknown_keys,
    fmt_time,
    is_int,
    parse_date,
    parse_time,
    require_list,
    require_mapping,
)

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)

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
        d = require_mapping(d, "calendar")
        check_unknown_keys(d, (*_CAL_KEYS, "stage_limits"), "")
        kwargs: dict = {}
        if "timezone" in d:
            kwargs["tz"] = _zone(d["timezone"], "timezone")
        if "periods" in d:
            raw = require_list(d["periods"], "periods")
            periods = []
            for i, p in enumerate(raw):
                where = f"periods[{i}]"
                if not isinstance(p, (list, tuple)) or len(p) != 2:
                    raise TimeLimitError(f"{where}: expected [\"HH:MM\", \"HH:MM\"], got {p!r}")
                periods.append((parse_time(p[0], where), parse_time(p[1], where)))
            if not periods:
                raise TimeLimitError("periods: at least one working period is required, got []")
            kwargs["periods"] = tuple(periods)
        if "weekdays" in d:
            raw = require_list(d["weekdays"], "weekdays")
            for v in raw:
                if not is_int(v) or not 0 <= v <= 6:
                    raise TimeLimitError(f"weekdays: {v!r} is not a weekday number 0-6 (Monday = 0)")
            if not raw:
                raise TimeLimitError("weekdays: no working days: at least one weekday (0-6, Monday = 0) is required, "
                                     "got []")
            kwargs["weekdays"] = frozenset(raw)
        for key in ("holidays", "extra_workdays"):
            if key in d:
                raw = require_list(d[key], key)
                kwargs[key] = frozenset(parse_date(v, f"{key}[{i}]") for i, v in enumerate(raw))
        return cls(**kwargs)

    def to_dict(self) -> dict:
        return {
            "timezone": self.tz.key,
            "periods": [[fmt_time(s), fmt_time(e)] for s, e in self.periods],
            "weekdays": sorted(self.weekdays),
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "extra_workdays": sorted(d.isoformat() for d in self.extra_workdays),
        }

    # ---- queries ------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True for a local date that has working periods (an aware datetime is taken at its local date)."""
        if isinstance(d, datetime):
            d = aware(d, "d").astimezone(self.tz).date()
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
        start = aware(start, "start")
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
        a = aware(a, "a")
        b = aware(b, "b")
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
            raise TimeLimitError(f"{where}: start {fmt_time(s)} must be before end {fmt_time(e)}")
        out.append((s, e))
    out.sort()
    for (s1, e1), (s2, e2) in zip(out, out[1:]):
        if s2 < e1:
            raise TimeLimitError(f"periods: {fmt_time(s1)}-{fmt_time(e1)} overlaps {fmt_time(s2)}-{fmt_time(e2)}")
    return tuple(out)


def _validate_weekdays(weekdays: object) -> frozenset[int]:
    if isinstance(weekdays, (str, bytes)) or not isinstance(weekdays, Iterable):
        raise TimeLimitError(f"weekdays: expected a set of weekday numbers 0-6, got {weekdays!r}")
    out = set()
    for v in weekdays:
        if not is_int(v) or not 0 <= v <= 6:
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
