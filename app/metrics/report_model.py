"""The report a shift lead reads (also the HTTP answer of GET /api/metrics), its period and its scope.

Periods are whole local days of the city's calendar (`refdata.policy.calendar.tz`): [start 00:00, end + 1
day 00:00) local time, cut at `as_of` (now) so that deadlines still in the future have not "fallen due".
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

UTC = timezone.utc
MAX_PERIOD_DAYS = 732  # two years: a longer trend is not a report any more


class MetricsError(ValueError):
    """A bad period or unit; the message says what was wrong."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Model):
    """`value`: a count, a rate as a fraction (0.5 = 50 %) or a duration in seconds; None = n/a (a rate
    with a zero denominator, a time with no sample). For a duration `median`/`p90` are set, `value` is the
    median and `denominator` the number of samples. The composite has neither numerator nor denominator:
    its `formula` names its weights."""

    key: str
    kind: Literal["count", "rate", "duration"]
    label: str
    formula: str
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    p90: float | None = None


class UnitRanking(_Model):
    """One unit in the ranking. `rank` is within its peer group (same level; same parent when a parent is
    selected), None when the unit is listed but not ranked, with `unranked_reason` saying why."""

    unit_id: str
    level: int
    parent_id: str | None = None
    peer_group: str = ""
    rank: int | None
    unranked_reason: str = ""
    figures: list[Figure]


class PostFigures(_Model):
    """The center's own evaluation of one post (intake, dispatch, inspectors, closing)."""

    post: str
    label: str
    figures: list[Figure]


class DayPoint(_Model):
    day: date
    registered: int
    dispatched: int
    handled: int
    closed: int


class CategoryPoint(_Model):
    category_code: str
    registered: int
    handled: int
    closed: int
    handling_due: int
    handled_on_time: int


class DetectionRate(_Model):
    """A camera's (or drone's) false-positive rate for one detection type (`app.metrics.detection_rates`):
    `value` = rejected ÷ (confirmed + rejected); None = n/a (none decided)."""

    camera_id: str
    camera_name: str
    type_code: str
    type_name: str
    type_name_zh: str = ""
    confirmed: int
    rejected: int
    value: float | None


class Period(_Model):
    start: date
    end: date                 # inclusive
    timezone: str
    start_at: datetime        # UTC, inclusive
    end_at: datetime          # UTC, exclusive: min(end + 1 day 00:00 local, as_of)
    as_of: datetime


class Report(_Model):
    period: Period
    unit_id: str | None       # None: city-wide
    rollup: bool
    source: Literal["server", "cache"]
    figures: list[Figure]
    ranking: list[UnitRanking]
    trend: list[DayPoint]
    categories: list[CategoryPoint]
    complete: bool = True     # False: the cache does not hold the whole period
    note: str = ""
    ranking_by: str = "timely_resolution_rate"
    ranking_rule: str = ""
    min_cases_to_rank: int = 5
    weights: dict[str, float] = Field(default_factory=dict)
    posts: list[PostFigures] = Field(default_factory=list)  # city-wide only
    jurisdiction: str | None = None  # only the cases that lie in this city, district or street; None: all
    # per camera and detection type, the detections an operator decided in the period (city-wide only; with a
    # jurisdiction, those seen in it)
    detection_rates: list[DetectionRate] = Field(default_factory=list)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def make_period(start: date, end: date, refdata: RefData, as_of: datetime) -> Period:
    """[start 00:00, end + 1 day 00:00) in the city's time zone, cut at `as_of`."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise MetricsError("start and end must be dates (YYYY-MM-DD)")
    if end < start:
        raise MetricsError(f"end {end.isoformat()} is before start {start.isoformat()}")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise MetricsError(f"the period {start.isoformat()}..{end.isoformat()} is longer than "
                           f"{MAX_PERIOD_DAYS} days")
    if as_of.tzinfo is None:
        raise MetricsError("as_of must carry a time zone")
    tz = refdata.policy.calendar.tz
    start_at = datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC)
    end_at = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    as_of = as_of.astimezone(UTC)
    return Period(start=start, end=end, timezone=tz.key, start_at=start_at,
                  end_at=max(start_at, min(end_at, as_of)), as_of=as_of)


def scope_units(refdata: RefData, unit_id: str | None, rollup: bool) -> tuple[str, ...] | None:
    """The unit ids whose facts count (None: city-wide, every fact including those without a unit)."""
    if unit_id is None:
        return None
    if not refdata.has_unit(unit_id):
        raise MetricsError(f"unknown unit {unit_id!r}")
    return (unit_id, *refdata.descendants(unit_id)) if rollup else (unit_id,)
