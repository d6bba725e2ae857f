"""Every time the console shows, in one zone and one form.

A dispatch centre works in its city's time, not the workstation's: deadlines, shift slots and the
handover are all reckoned in the calendar's zone (the reference data's `calendar.timezone`, the same
setting the server uses). So every visible time is converted to that zone here and written the same
way — `2026-03-02 20:21` (minutes) or `2026-03-02 20:21:07` (seconds), never microseconds or ISO text —
and the status bar names the zone once (`zone_label`). Qt-free: the docks, the handover PDF, the CLI
and tests share it.

The zone is set by the console when reference data arrives (`set_city_zone`); before that, and in a
process that never sets it, times are shown in this computer's zone.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

from app.platform.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

CTX = "Times"
Style = Literal["minutes", "seconds", "time", "clock", "short"]

_FORMATS = {
    "minutes": "%Y-%m-%d %H:%M",
    "seconds": "%Y-%m-%d %H:%M:%S",
    "time": "%H:%M",
    "clock": "%H:%M:%S",
    "short": "%m-%d %H:%M",
}

_zone: tzinfo | None = None


def set_city_zone(zone: tzinfo | None) -> None:
    """Show every time in `zone` from now on (None: this computer's zone)."""
    global _zone
    if zone != _zone:
        log.info("times shown in %s", getattr(zone, "key", zone) or "the workstation's zone")
    _zone = zone


def city_zone() -> tzinfo | None:
    return _zone


def to_city(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """`moment` (aware; a naive one is taken as UTC, as the server writes them) in the city's zone (or
    `zone` when given: e.g. a report drafted with its own reference data)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = zone or _zone
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def parse(value: datetime | str | None) -> datetime | None:
    """A datetime from a datetime or ISO text; None for nothing or text that is not a time."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def fmt(value: datetime | str | None, style: Style = "minutes", *, zone: tzinfo | None = None) -> str:
    """`value` in the city's zone, written as `style` says; '' for None. Text that is not a time is
    returned as it is (an old or foreign entry is shown rather than hidden)."""
    if value is None or value == "":
        return ""
    moment = parse(value)
    if moment is None:
        return str(value)
    return to_city(moment, zone).strftime(_FORMATS[style])


def fmt_relative_day(value: datetime | str | None, now: datetime) -> str:
    """Only the time (to the second) when `value` is on today's date (city time), else the date and time."""
    moment = parse(value)
    if moment is None:
        return fmt(value)
    local = to_city(moment)
    return local.strftime(_FORMATS["clock"]) if local.date() == to_city(now).date() else local.strftime(_FORMATS["minutes"])


def _offset_text(offset: timedelta | None) -> str:
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(now: datetime) -> str:
    """What the status bar says once: 'Times in Asia/Shanghai (UTC+08:00)'."""
    local = to_city(now)
    name = getattr(_zone, "key", None) if _zone is not None else None
    offset = _offset_text(local.utcoffset())
    if name:
        return translate(CTX, QT_TRANSLATE_NOOP("Times", "Times in {zone} ({offset})")).format(zone=name, offset=offset)
    return translate(CTX, QT_TRANSLATE_NOOP("Times", "Times in this computer's zone ({offset})")).format(offset=offset)


def duration_text(delta: timedelta) -> str:
    """'9 h 49 min', '2 d 3 h', '45 min' (never seconds: deadlines are set to the minute)."""
    minutes = round(abs(delta.total_seconds()) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(translate(CTX, QT_TRANSLATE_NOOP("Times", "{n} d")).format(n=days))
    if hours:
        parts.append(translate(CTX, QT_TRANSLATE_NOOP("Times", "{n} h")).format(n=hours))
    if mins or not parts:
        parts.append(translate(CTX, QT_TRANSLATE_NOOP("Times", "{n} min")).format(n=mins))
    return ("-" if delta.total_seconds() < 0 else "") + " ".join(parts)
