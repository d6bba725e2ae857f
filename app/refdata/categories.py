"""categories.csv: component (部件) and event (事件) categories with a time limit per priority.

Limit strings: a positive number and a unit — ``m`` minutes, ``h`` hours, ``d`` days (calendar time),
``wm`` / ``wh`` / ``wd`` working minutes / hours / days (a working day is the calendar's working minutes
per day, 7 h for 08:30-12:00 + 14:00-17:30): ``30m``, ``2h``, ``4wh``, ``1wd``, ``3wd``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.platform.enums import Priority
from app.refdata.entities import CRITERIA_FIELDS, PHOTO_FIELDS, Category, as_priority
from app.refdata.errors import RefDataError, Src
from app.refdata.files import first_duplicate, read_csv
from app.refdata.time_fields import TimeLimitError
from app.refdata.timelimits import Limit
from app.refdata.work_calendar import WorkCalendar

__all__ = ["CATEGORY_COLUMNS", "category_from_row", "format_limit", "parse_categories",
           "parse_categories_with_src", "parse_limit", "validate_categories"]

_CATEGORY_CODE_RE = re.compile(r"^[CE]\d{4}$")
_TWO_DIGITS_RE = re.compile(r"^\d{2}$")
_LIMIT_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(wm|wh|wd|m|h|d)$")
_KIND_LETTER = {"component": "C", "event": "E"}

CATEGORY_COLUMNS = ("code", "kind", "major", "minor", "name", "name_en", "default_priority",
                    "urgent_limit", "ordinary_limit", "complex_limit", "emergency")


def parse_limit(text: str, calendar: WorkCalendar | None = None) -> Limit:
    """Parse ``30m``, ``2h``, ``1d`` (calendar) or ``30wm``, ``4wh``, ``1wd`` (working time).

    Working days are converted with ``calendar.minutes_per_day()`` (the default calendar when None).
    Raises RefDataError (without a file) for a bad string.
    """
    if not isinstance(text, str):
        raise RefDataError(f"bad limit {text!r} (expected e.g. 30m, 2h, 4wh, 1wd)")
    m = _LIMIT_RE.match(text.strip())
    if not m:
        raise RefDataError(f"bad limit {text!r} (expected a number and m, h, d, wm, wh or wd, "
                           "e.g. 30m, 2h, 4wh, 1wd)")
    number = float(m.group(1))
    value: int | float = int(number) if number.is_integer() else number
    unit = m.group(2)
    working = unit.startswith("w")
    key = {"m": "minutes", "h": "hours", "d": "days"}[unit[-1]]
    try:
        return Limit.from_dict({key: value, "working": working}, calendar)
    except TimeLimitError as exc:
        raise RefDataError(f"bad limit {text!r}: {exc}") from None


def format_limit(limit: Limit, calendar: WorkCalendar | None = None) -> str:
    """The compact string for a limit, the inverse of :func:`parse_limit` (``1wd``, ``2h``, ``30m``)."""
    minutes = limit.minutes
    if limit.working:
        per_day = (calendar or WorkCalendar()).minutes_per_day()
        if per_day and minutes % per_day == 0:
            return f"{minutes // per_day}wd"
        if minutes % 60 == 0:
            return f"{minutes // 60}wh"
        return f"{minutes}wm"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def category_from_row(row: Mapping[str, Any], err: Callable[[str], RefDataError],
                      calendar: WorkCalendar | None) -> Category:
    code, kind, major, minor = row["code"], row["kind"], row["major"], row["minor"]
    if kind not in _KIND_LETTER:
        raise err(f"category {code!r}: unknown kind {kind!r} (expected component or event)")
    for label, value in (("major", major), ("minor", minor)):
        if not _TWO_DIGITS_RE.match(value) or value == "00":
            raise err(f"category {code!r}: bad {label} {value!r} (expected two digits, 01-99)")
    expected = _KIND_LETTER[kind] + major + minor
    if not _CATEGORY_CODE_RE.match(code) or code != expected:
        raise err(f"bad category code {code!r}: must be kind letter + major + minor, "
                  f"here {expected!r}")
    if not row["name"]:
        raise err(f"category {code!r}: name is empty")
    try:
        default_priority = as_priority(row["default_priority"])
    except RefDataError as exc:
        raise err(f"category {code!r}: {exc.problem}") from None
    limits: dict[Priority, Limit] = {}
    for p in Priority:
        raw = row["limits"][p] if "limits" in row else row[f"{p.value}_limit"]
        try:
            limits[p] = raw if isinstance(raw, Limit) else parse_limit(raw, calendar)
        except RefDataError as exc:
            raise err(f"category {code!r}: {p.value}_limit: {exc.problem}") from None
    emergency = row["emergency"]
    if isinstance(emergency, str):
        if emergency not in ("0", "1"):
            raise err(f"category {code!r}: emergency must be 0 or 1, got {emergency!r}")
        emergency = emergency == "1"
    criteria = {k: str(row.get(k) or "").strip() for k in CRITERIA_FIELDS}
    target = row.get("onsite_target_min")
    if target in (None, ""):
        target = None
    else:
        try:
            target = int(target)
        except (TypeError, ValueError):
            target = -1
        if isinstance(row.get("onsite_target_min"), bool) or not 1 <= target <= 24 * 60:
            raise err(f"category {code!r}: onsite_target_min must be whole minutes 1-1440, "
                      f"got {row.get('onsite_target_min')!r}")
    photos = {}
    for k in PHOTO_FIELDS:
        value = row.get(k, False)
        if isinstance(value, str):
            if value not in ("", "0", "1"):
                raise err(f"category {code!r}: {k} must be 0 or 1, got {value!r}")
            value = value == "1"
        if not isinstance(value, bool):
            raise err(f"category {code!r}: {k} must be true or false, got {value!r}")
        photos[k] = value
    return Category(code=code, kind=kind, major=major, minor=minor, name=row["name"],
                    name_en=row["name_en"], default_priority=default_priority, limits=limits,
                    emergency=bool(emergency), onsite_target_min=target, **criteria, **photos,
                    **merge_rule_fields(row, code, err))


MERGE_RADIUS_MAX_M = 1000.0   # the repeat check reads at most 11 x 11 index cells (app.cases.merging)
MERGE_WINDOW_MAX_H = 24 * 30.0
_GROUP_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def _positive(row: Mapping[str, Any], key: str, code: str, most: float, unit: str,
              err: Callable[[str], RefDataError]) -> float | None:
    value = row.get(key)
    if value in (None, ""):
        return None
    try:
        number = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        number = -1.0
    if not 0 < number <= most:
        raise err(f"category {code!r}: {key} must be a number of {unit} above 0 and at most {most:g}, got {value!r}")
    return number


def merge_rule_fields(row: Mapping[str, Any], code: str, err: Callable[[str], RefDataError]) -> dict[str, Any]:
    """The category's repeat rule from its optional columns (empty: the defaults, no group)."""
    group = row.get("merge_group") or ""
    if not isinstance(group, str) or (group and not _GROUP_RE.match(group.strip())):
        raise err(f"category {code!r}: merge_group must be a short name (letters, digits, _ . -), got {group!r}")
    return {"merge_radius_m": _positive(row, "merge_radius_m", code, MERGE_RADIUS_MAX_M, "metres", err),
            "merge_window_h": _positive(row, "merge_window_h", code, MERGE_WINDOW_MAX_H, "hours", err),
            "merge_group": group.strip()}


def validate_categories(categories: Sequence[Category], src: Src) -> None:
    dup = first_duplicate(c.code for c in categories)
    if dup:
        raise src.error(dup[1], f"duplicate category code {dup[2]!r} (first at {src.at(dup[0])})")


def parse_categories(path: Path, calendar: WorkCalendar | None = None) -> list[Category]:
    """Read categories.csv. Working-day limits are converted with ``calendar`` (default calendar
    when None: 7 working hours a day)."""
    path = Path(path)
    cats, _ = parse_categories_with_src(path, calendar)
    return cats


def parse_categories_with_src(path: Path, calendar: WorkCalendar | None) -> tuple[list[Category], Src]:
    rows = read_csv(path, CATEGORY_COLUMNS)
    src = Src(path.name, tuple(f"line {line}" for line, _ in rows))
    cats = []
    for i, (_, row) in enumerate(rows):
        cats.append(category_from_row(row, lambda p, i=i: src.error(i, p), calendar))
    validate_categories(cats, src)
    return cats, src
