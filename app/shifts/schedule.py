"""The shift schedule: named daily slots in the city's time zone, e.g. day 08:00–20:00 and
night 20:00–08:00, kept in the server settings (`ONEGRID_SHIFT_SCHEDULE`).

Text form: `name=HH:MM-HH:MM` entries separated by commas. The slots must tile the 24-hour day exactly
(no gap, no overlap), because every moment belongs to exactly one shift; a slot that ends at or before
its start runs past midnight. Pure functions, no I/O: the settings validate with `parse_schedule`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_SCHEDULE = "day=08:00-20:00,night=20:00-08:00"
_ENTRY = re.compile(r"^\s*([a-z][a-z0-9_]{0,31})\s*=\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DAY_MIN = 24 * 60


class ScheduleError(ValueError):
    """The schedule text is not valid; the message says which entry and why."""


@dataclass(frozen=True)
class Slot:
    name: str
    start: time
    end: time

    @property
    def minutes(self) -> int:
        length = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return length if length > 0 else length + _DAY_MIN

    def to_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M"),
                "minutes": self.minutes}


@dataclass(frozen=True)
class Occurrence:
    """One concrete shift of the schedule: a slot on a given local day, as zone-aware datetimes."""

    slot: Slot
    start: datetime
    end: datetime


def _clock(entry: str, hour: str, minute: str) -> time:
    h, m = int(hour), int(minute)
    if h > 23 or m > 59:
        raise ScheduleError(f"shift schedule entry {entry.strip()!r}: {hour}:{minute} is not a time of day "
                            f"(00:00–23:59)")
    return time(h, m)


def parse_schedule(text: str) -> tuple[Slot, ...]:
    """The slots of `text`, ordered by start time; ScheduleError names the first problem found."""
    if not text or not text.strip():
        raise ScheduleError("the shift schedule is empty; expected e.g. 'day=08:00-20:00,night=20:00-08:00'")
    slots: list[Slot] = []
    for entry in text.split(","):
        match = _ENTRY.match(entry)
        if match is None:
            raise ScheduleError(f"shift schedule entry {entry.strip()!r} is not of the form name=HH:MM-HH:MM "
                                f"(name: lower-case letters, digits, _)")
        name, h1, m1, h2, m2 = match.groups()
        if any(s.name == name for s in slots):
            raise ScheduleError(f"shift schedule names {name!r} twice")
        start, end = _clock(entry, h1, m1), _clock(entry, h2, m2)
        if start == end and len(text.split(",")) > 1:
            raise ScheduleError(f"shift schedule entry {entry.strip()!r} lasts 24 hours but is not the only shift")
        slots.append(Slot(name, start, end))
    slots.sort(key=lambda s: (s.start.hour, s.start.minute))
    total = sum(s.minutes for s in slots) if len(slots) > 1 or slots[0].start != slots[0].end else _DAY_MIN
    for current, following in zip(slots, slots[1:] + slots[:1]):
        if len(slots) > 1 and current.end != following.start:
            raise ScheduleError(f"shift {current.name!r} ends at {current.end:%H:%M} but the next shift "
                                f"{following.name!r} starts at {following.start:%H:%M}: shifts must follow each "
                                f"other without gap or overlap")
    if total != _DAY_MIN:
        raise ScheduleError(f"the shifts cover {total // 60} h {total % 60:02d} min, not the whole day (24 h)")
    return tuple(slots)


def occurrences(slots: tuple[Slot, ...], tz: ZoneInfo, around: datetime) -> list[Occurrence]:
    """Every occurrence starting on the local day before, of and after `around`, in time order."""
    local_day = around.astimezone(tz).date()
    found = []
    for offset in (-1, 0, 1):
        day = local_day + timedelta(days=offset)
        for slot in slots:
            start = datetime.combine(day, slot.start, tz)
            found.append(Occurrence(slot, start, start + timedelta(minutes=slot.minutes)))
    return sorted(found, key=lambda o: o.start)


def occurrence_at(slots: tuple[Slot, ...], tz: ZoneInfo, when: datetime) -> Occurrence:
    """The occurrence that contains `when`."""
    return next(o for o in occurrences(slots, tz, when) if o.start <= when < o.end)


def occurrence_to_open(slots: tuple[Slot, ...], tz: ZoneInfo, now: datetime, name: str | None,
                       early: timedelta = timedelta(minutes=30)) -> Occurrence:
    """The shift a lead opening at `now` means: the named slot's occurrence whose start is nearest to
    `now`; without a name, the shift under way — or the next one if it starts within `early`
    (leads take over a little before the hour)."""
    if name is not None:
        if not any(s.name == name for s in slots):
            raise ScheduleError(f"the schedule has no shift named {name!r} (it has: "
                                f"{', '.join(s.name for s in slots)})")
        candidates = [o for o in occurrences(slots, tz, now) if o.slot.name == name]
        return min(candidates, key=lambda o: abs((o.start - now).total_seconds()))
    return occurrence_at(slots, tz, now + early)
