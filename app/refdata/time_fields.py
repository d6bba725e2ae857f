"""The checks every time-limit field goes through (times, dates, mappings, aware datetimes), shared by
`app.refdata.timelimits` and `app.refdata.work_calendar`; a bad value raises :class:`TimeLimitError`,
whose message starts with the offending field."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone

UTC = timezone.utc
_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
# Upper bound on a single limit: ten years of calendar minutes. Anything larger is a typo, and keeping
# limits bounded keeps every computed deadline far from datetime's year-9999 ceiling.
MAX_LIMIT_MINUTES = 10 * 366 * 24 * 60

_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

STAGES = ("register", "dispatch", "verify")
HANDLE_STAGE = "handle"


class TimeLimitError(ValueError):
    """A bad time-limit configuration or argument; the message names the field and the bad value."""


# --------------------------------------------------------------------------------------------------
# small validation helpers


def aware(dt: object, name: str) -> datetime:
    """Return ``dt`` in UTC, refusing anything that is not a timezone-aware datetime."""
    if not isinstance(dt, datetime):
        raise TimeLimitError(f"{name}: expected a timezone-aware datetime, got {type(dt).__name__} {dt!r}")
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise TimeLimitError(f"naive datetime for {name}: {dt.isoformat()} (times must carry a zone)")
    return dt.astimezone(UTC)


def is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def fmt_time(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def parse_time(v: object, where: str) -> time:
    if not isinstance(v, str):
        raise TimeLimitError(f"{where}: expected a time string 'HH:MM', got {v!r}")
    m = _TIME_RE.match(v.strip())
    if not m:
        raise TimeLimitError(f"{where}: bad time {v!r} (expected 'HH:MM', 00:00-23:59)")
    hh, mm = int(m.group(1)), int(m.group(2))
    if hh > 23 or mm > 59:
        raise TimeLimitError(f"{where}: bad time {v!r} (hour must be 00-23 and minute 00-59)")
    return time(hh, mm)


def parse_date(v: object, where: str) -> date:
    if not isinstance(v, str) or not _DATE_RE.match(v.strip()):
        raise TimeLimitError(f"{where}: bad date {v!r} (expected 'YYYY-MM-DD')")
    try:
        return date.fromisoformat(v.strip())
    except ValueError as exc:
        raise TimeLimitError(f"{where}: bad date {v!r} ({exc})") from None


def require_mapping(d: object, where: str) -> Mapping:
    if not isinstance(d, Mapping):
        raise TimeLimitError(f"{where}: expected an object/dict, got {type(d).__name__} {d!r}")
    return d


def require_list(v: object, where: str) -> list | tuple:
    if not isinstance(v, (list, tuple)):
        raise TimeLimitError(f"{where}: expected a list, got {type(v).__name__} {v!r}")
    return v


def check_unknown_keys(d: Mapping, allowed: Iterable[str], where: str) -> None:
    allowed = set(allowed)
    unknown = sorted(str(k) for k in d if k not in allowed and not (isinstance(k, str) and k.startswith("_")))
    if unknown:
        prefix = f"{where}: " if where else ""
        raise TimeLimitError(f"{prefix}unknown key(s) {unknown}; expected some of {sorted(allowed)}")


def join_field(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
