"""Unit performance metrics (绩效考核): the definitions, their exact formulas, and the computation from
cases with their full event history.

Every figure the product shows carries its formula text (`FIGURES`), so a shift lead can check it. The
same two steps run on the server and in the console:

1. `case_facts(case, refdata)` turns one case's event history into *facts*: one per counted event
   (registered, dispatched, handled, closed, returned, reworked, with its measured duration), one per
   deadline-bearing stage round (handling, closing: its deadline as it stands after extensions and
   suspensions, and whether it was met), and one `CaseFact` per case (for the timely resolution rate).
   Deadlines of earlier rounds are not stored in a case, so they are recomputed here with the limits in
   force, exactly as `app.cases.workflow` sets them; the last round of each stage uses the case's own value.
2. Aggregation over a period and a unit scope into `Aggregates`, then `build_report`. The server keeps the
   facts in tables (`db.metrics`) written in each command's transaction and aggregates them in one
   SQL statement (`server.metrics.facts`); the console aggregates the facts of its cached cases in Python
   (`compute_offline`). Both feed the same `build_report`, so the numbers agree.

Periods are whole local days of the city's calendar (`refdata.policy.calendar.tz`): [start 00:00, end + 1
day 00:00) local time, cut at `as_of` (now) so that deadlines still in the future have not "fallen due".

Unit attribution: a dispatch counts for the unit it went to, a return for the unit that returned it,
handling, rework and the handling deadline for the unit holding the case then; registration, closure,
the closing deadline and the timely-resolution figures for the case's responsible unit (the unit it is
with now; none while it waits to be re-dispatched after a return). Cases without a unit count city-wide
only. A unit's figures include its sub-units' when rolled up.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from app.cases.case import Case
from app.platform.enums import Action, Stage
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

CTX = "Metrics"
UTC = timezone.utc
MAX_PERIOD_DAYS = 732  # two years: a longer trend is not a report any more


class MetricsError(ValueError):
    """A bad period or unit; the message says what was wrong."""


# --------------------------------------------------------------------------------------------------
# fact kinds

REGISTER = "register"
DISPATCH = "dispatch"
HANDLED = "handled"
CLOSE = "close"
RETURN = "return"
REWORK = "rework"
HANDLE_DUE = "handle_due"  # a handling round's deadline (at = the deadline)
CLOSE_DUE = "close_due"    # a closing round's deadline: the verification stage's
EVENT_KINDS = (REGISTER, DISPATCH, HANDLED, CLOSE, RETURN, REWORK)
DUE_KINDS = (HANDLE_DUE, CLOSE_DUE)
KINDS = EVENT_KINDS + DUE_KINDS
TREND_KINDS = (REGISTER, DISPATCH, HANDLED, CLOSE)
DURATION_KINDS = (REGISTER, DISPATCH, HANDLED, CLOSE)  # report→register, register→dispatch, …


@dataclass(frozen=True)
class Fact:
    """One counted thing of one case. `at` is the event's time, or for a deadline round the deadline
    (None: no running deadline, e.g. suspended before it passed). `day` is `at`'s local date."""

    key: str
    kind: str
    unit_id: str | None
    category_code: str
    at: datetime | None
    day: date | None
    seconds: float | None = None   # measured duration (DURATION_KINDS)
    met: bool | None = None        # deadline rounds: finished by the deadline


@dataclass(frozen=True)
class CaseFact:
    """One per case: for the timely resolution rate. `late_at` is the first moment a stage of the case
    was (or, with the current deadline, will be) past its deadline; None when never."""

    unit_id: str | None
    category_code: str
    created_at: datetime
    closed_at: datetime | None
    voided_at: datetime | None
    late_at: datetime | None


@dataclass(frozen=True)
class CaseFacts:
    facts: tuple[Fact, ...]
    case: CaseFact


# --------------------------------------------------------------------------------------------------
# figures and their formulas

@dataclass(frozen=True)
class FigureDef:
    key: str
    kind: Literal["count", "rate", "duration"]
    label: str
    formula: str


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("registered", "count", QT_TRANSLATE_NOOP("Metrics", "Registered (立案数)"),
              QT_TRANSLATE_NOOP("Metrics", "cases registered in the period")),
    FigureDef("dispatched", "count", QT_TRANSLATE_NOOP("Metrics", "Dispatched (派遣数)"),
              QT_TRANSLATE_NOOP("Metrics", "dispatches in the period: first dispatches, re-dispatches after a return and "
                            "reassignments")),
    FigureDef("handled", "count", QT_TRANSLATE_NOOP("Metrics", "Handled (处置数)"),
              QT_TRANSLATE_NOOP("Metrics", "handling reports in the period (a case handled again after rework counts again)")),
    FigureDef("closed", "count", QT_TRANSLATE_NOOP("Metrics", "Closed (结案数)"),
              QT_TRANSLATE_NOOP("Metrics", "cases closed in the period")),
    FigureDef("on_time_handling_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "On-time handling rate (按期处置率)"),
              QT_TRANSLATE_NOOP("Metrics", "handled by the deadline ÷ handling deadlines that fell in the period (deadlines "
                            "as moved by extensions and suspensions; a handling round ended by a return is "
                            "not counted)")),
    FigureDef("on_time_closure_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "On-time closure rate (按期结案率)"),
              QT_TRANSLATE_NOOP("Metrics", "closed by the deadline ÷ closing deadlines that fell in the period (the "
                            "verification stage's deadline; a round ended by a failed verification is not "
                            "counted)")),
    FigureDef("closure_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Closure rate (结案率)"),
              QT_TRANSLATE_NOOP("Metrics", "closed ÷ registered")),
    FigureDef("timely_resolution_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Timely resolution rate (问题及时解决率)"),
              QT_TRANSLATE_NOOP("Metrics", "cases closed in the period with no stage ever past its deadline ÷ (cases closed "
                            "in the period + cases still open at the end of the period with a stage past "
                            "its deadline)")),
    FigureDef("rework_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Rework rate (返工率)"),
              QT_TRANSLATE_NOOP("Metrics", "verification failures ÷ handled")),
    FigureDef("return_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Return rate (退单率)"),
              QT_TRANSLATE_NOOP("Metrics", "returns ÷ dispatched")),
    FigureDef("time_to_register", "duration", QT_TRANSLATE_NOOP("Metrics", "Report → register"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from the report to registration, cases registered in the period")),
    FigureDef("time_to_dispatch", "duration", QT_TRANSLATE_NOOP("Metrics", "Register → dispatch"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from registration (or the last return) to dispatch, dispatches in "
                            "the period")),
    FigureDef("time_to_handle", "duration", QT_TRANSLATE_NOOP("Metrics", "Dispatch → handled"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from the dispatch (or the failed verification sending it back) to "
                            "the handling report, handling reports in the period")),
    FigureDef("time_to_close", "duration", QT_TRANSLATE_NOOP("Metrics", "Report → close"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from the report to closure, cases closed in the period")),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}
RANKING_KEYS = ("registered", "dispatched", "handled", "closed", "on_time_handling_rate", "on_time_closure_rate",
                "closure_rate", "timely_resolution_rate", "rework_rate", "return_rate")
DURATION_FIGURE_KIND = {"time_to_register": REGISTER, "time_to_dispatch": DISPATCH, "time_to_handle": HANDLED,
                        "time_to_close": CLOSE}
PERCENTILE_NOTE = QT_TRANSLATE_NOOP("Metrics", "median and 90th percentile (p90), interpolated linearly between ranks")
NA = QT_TRANSLATE_NOOP("Metrics", "n/a")


def label(key: str) -> str:
    return translate(CTX, FIGURES_BY_KEY[key].label)


def formula(key: str) -> str:
    return translate(CTX, FIGURES_BY_KEY[key].formula)


# --------------------------------------------------------------------------------------------------
# the report (also the HTTP answer of GET /api/metrics)

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Model):
    """`value`: a count, a rate as a fraction (0.5 = 50 %) or a duration in seconds; None = n/a (a rate
    with a zero denominator, a time with no sample). For a duration `median`/`p90` are set, `value` is the
    median and `denominator` the number of samples."""

    key: str
    kind: Literal["count", "rate", "duration"]
    label: str
    formula: str
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    p90: float | None = None


class UnitRanking(_Model):
    unit_id: str
    level: int
    rank: int
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

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


# --------------------------------------------------------------------------------------------------
# periods and scopes

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


# --------------------------------------------------------------------------------------------------
# step 1: facts of one case

@dataclass
class _Round:
    stage: Stage
    key: str
    start: datetime
    due: datetime | None
    working: bool
    unit_id: str | None
    done_at: datetime | None = None
    outcome: str | None = None  # "done" | "returned" | "reworked" | "voided"


def _limit(case: Case, stage: Stage, refdata: RefData) -> timelimits.Limit | None:
    try:
        if stage == Stage.HANDLE:
            return refdata.handle_limit(case.category_code, case.priority)
        return refdata.policy.stage_limit(str(stage))
    except Exception:  # a category removed from the reference data: fall back on the case's own values
        return None


def _parse_dt(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            return None
        return dt if dt.tzinfo is not None else None
    return None


def case_facts(case: Case, refdata: RefData) -> CaseFacts:
    """The metric facts of one case, from its event history (see the module docstring)."""
    cal = refdata.policy.calendar
    tz = cal.tz
    cat = case.category_code
    facts: list[Fact] = []
    rounds: list[_Round] = []
    current: _Round | None = None
    holder: str | None = None
    queue_since: datetime | None = None
    suspended_at: datetime | None = None
    closed_at = voided_at = None

    def day(at: datetime | None) -> date | None:
        return None if at is None else at.astimezone(tz).date()

    def event_fact(seq: int, kind: str, unit: str | None, at: datetime, seconds: float | None = None) -> None:
        facts.append(Fact(f"e{seq}", kind, unit, cat, at, day(at), seconds))

    def start(stage: Stage, seq: int, at: datetime, unit: str | None) -> _Round:
        limit = _limit(case, stage, refdata)
        due = timelimits.deadline(at, limit, cal) if limit is not None else None
        r = _Round(stage, f"{stage.value[0]}{seq}", at, due, bool(limit and limit.working), unit)
        rounds.append(r)
        return r

    def end(r: _Round | None, at: datetime, outcome: str) -> None:
        if r is not None and r.done_at is None:
            r.done_at, r.outcome = at, outcome

    created = case.created_at
    for ev in case.events:
        at, a = ev.at, ev.action
        if a == Action.CREATE:
            created = at
            current = start(Stage.REGISTER, ev.seq, at, None)
        elif a == Action.REGISTER:
            end(current, at, "done")
            event_fact(ev.seq, REGISTER, None, at, (at - created).total_seconds())
            current = start(Stage.DISPATCH, ev.seq, at, None)
            queue_since = at
        elif a == Action.VOID:
            end(current, at, "voided")
            current, voided_at = None, at
        elif a == Action.DISPATCH:
            holder = ev.payload.get("unit_id")
            end(current, at, "done")
            wait = (at - queue_since).total_seconds() if queue_since is not None else None
            event_fact(ev.seq, DISPATCH, holder, at, wait)
            current = start(Stage.HANDLE, ev.seq, at, holder)
        elif a == Action.REASSIGN:
            holder = ev.payload.get("unit_id")
            event_fact(ev.seq, DISPATCH, holder, at)
            if current is not None and current.stage == Stage.HANDLE:
                current.unit_id = holder
        elif a == Action.RETURN:
            event_fact(ev.seq, RETURN, ev.payload.get("unit_id") or holder, at)
            end(current, at, "returned")
            holder, queue_since = None, at
            current = start(Stage.DISPATCH, ev.seq, at, None)
        elif a == Action.REPORT_HANDLED:
            began = current.start if current is not None and current.stage == Stage.HANDLE else None
            event_fact(ev.seq, HANDLED, holder, at, (at - began).total_seconds() if began else None)
            end(current, at, "done")
            current = start(Stage.VERIFY, ev.seq, at, None)
        elif a == Action.VERIFY_FAIL:
            event_fact(ev.seq, REWORK, holder, at)
            end(current, at, "reworked")
            current = start(Stage.HANDLE, ev.seq, at, holder)
        elif a == Action.CLOSE:
            end(current, at, "done")
            current, closed_at = None, at
            event_fact(ev.seq, CLOSE, case.unit_id, at, (at - created).total_seconds())
        elif a == Action.APPROVE_EXTENSION and current is not None:
            new_due = _parse_dt(ev.payload.get("new_due_at"))
            if new_due is None and current.due is not None:
                extra = timelimits.Limit(int(ev.payload.get("minutes", 0)) or 1, bool(ev.payload.get("working")))
                new_due = timelimits.extend(current.due, extra, cal)
            current.due = new_due
        elif a == Action.SUSPEND:
            suspended_at = at
        elif a == Action.RESUME:
            if current is not None and current.due is not None and suspended_at is not None:
                current.due = timelimits.shift_for_suspension(current.due, suspended_at, at, current.working, cal)
            suspended_at = None

    # The last round of each stage: the case's own deadline is authoritative.
    last_of_stage: dict[Stage, _Round] = {r.stage: r for r in rounds}
    for stage, r in last_of_stage.items():
        if stage in case.deadlines:
            r.due = case.deadlines[stage]
    if current is not None and suspended_at is not None and current.due is not None \
            and current.due > suspended_at:
        current.due = None  # the clock is stopped before the deadline: nothing falls due while suspended

    late_at: datetime | None = None
    for r in rounds:
        if r.outcome == "voided" or r.due is None:
            continue
        if r.done_at is None or r.done_at > r.due:
            late_at = r.due if late_at is None else min(late_at, r.due)
        if r.stage == Stage.HANDLE and r.outcome != "returned":
            met = r.done_at is not None and r.done_at <= r.due
            facts.append(Fact(r.key, HANDLE_DUE, r.unit_id if r.unit_id is not None else holder, cat, r.due,
                              day(r.due), met=met))
        elif r.stage == Stage.VERIFY and r.outcome != "reworked":
            met = r.done_at is not None and r.outcome == "done" and r.done_at <= r.due
            facts.append(Fact(r.key, CLOSE_DUE, case.unit_id, cat, r.due, day(r.due), met=met))
    # Registration's unit is the responsible unit, known only later: fill it in now.
    facts = [Fact(f.key, f.kind, case.unit_id, f.category_code, f.at, f.day, f.seconds, f.met)
             if f.kind == REGISTER else f for f in facts]
    return CaseFacts(tuple(facts), CaseFact(case.unit_id, cat, created, closed_at, voided_at, late_at))


# --------------------------------------------------------------------------------------------------
# step 2: aggregation (the server does this part in SQL)

@dataclass
class Aggregates:
    """What one report needs, already restricted to the period and the unit scope."""

    by_unit: dict[tuple[str, str | None], tuple[int, int]] = field(default_factory=dict)   # (kind, unit) → n, met
    by_day: dict[tuple[str, date], int] = field(default_factory=dict)                       # (kind, day) → n
    by_category: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)      # (kind, cat) → n, met
    resolution: dict[str | None, tuple[int, int, int]] = field(default_factory=dict)        # unit → closed, timely, open_late
    durations: dict[str, tuple[float | None, float | None, int]] = field(default_factory=dict)  # kind → p50, p90, n


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont): position (n − 1)·q."""
    n = len(sorted_values)
    if n == 0:
        return None
    h = (n - 1) * q
    lo = math.floor(h)
    if lo + 1 >= n:
        return float(sorted_values[lo])
    return sorted_values[lo] + (h - lo) * (sorted_values[lo + 1] - sorted_values[lo])


def aggregate(all_facts: Iterable[CaseFacts], period: Period, units: tuple[str, ...] | None) -> Aggregates:
    """The Python twin of `server.metrics.facts`' SQL: same windows, same scope, same counting."""
    lo, hi = period.start_at, period.end_at
    wanted = None if units is None else set(units)
    agg = Aggregates()
    samples: dict[str, list[float]] = {k: [] for k in DURATION_KINDS}
    for cf in all_facts:
        for f in cf.facts:
            if f.at is None or not lo <= f.at < hi or (wanted is not None and f.unit_id not in wanted):
                continue
            met = 1 if f.met else 0
            n, m = agg.by_unit.get((f.kind, f.unit_id), (0, 0))
            agg.by_unit[(f.kind, f.unit_id)] = (n + 1, m + met)
            n, m = agg.by_category.get((f.kind, f.category_code), (0, 0))
            agg.by_category[(f.kind, f.category_code)] = (n + 1, m + met)
            if f.kind in TREND_KINDS and f.day is not None:
                agg.by_day[(f.kind, f.day)] = agg.by_day.get((f.kind, f.day), 0) + 1
            if f.seconds is not None and f.kind in samples:
                samples[f.kind].append(f.seconds)
        c = cf.case
        if wanted is not None and c.unit_id not in wanted:
            continue
        closed_in = c.closed_at is not None and lo <= c.closed_at < hi
        open_late = (c.created_at < hi and (c.closed_at is None or c.closed_at >= hi)
                     and (c.voided_at is None or c.voided_at >= hi) and c.late_at is not None and c.late_at < hi)
        if closed_in or open_late:
            closed, timely, late = agg.resolution.get(c.unit_id, (0, 0, 0))
            agg.resolution[c.unit_id] = (closed + closed_in, timely + (closed_in and c.late_at is None),
                                         late + open_late)
    for kind, values in samples.items():
        if values:
            values.sort()
            agg.durations[kind] = (percentile(values, 0.5), percentile(values, 0.9), len(values))
    return agg


# --------------------------------------------------------------------------------------------------
# step 3: the report

def _rate(key: str, num: int, den: int) -> Figure:
    d = FIGURES_BY_KEY[key]
    return Figure(key=key, kind="rate", label=d.label, formula=d.formula, numerator=num, denominator=den,
                  value=(num / den) if den else None)


def _count(key: str, n: int) -> Figure:
    d = FIGURES_BY_KEY[key]
    return Figure(key=key, kind="count", label=d.label, formula=d.formula, value=n)


def _figures(by_kind: Mapping[str, tuple[int, int]], resolution: tuple[int, int, int]) -> list[Figure]:
    def n(kind: str) -> int:
        return by_kind.get(kind, (0, 0))[0]

    def met(kind: str) -> int:
        return by_kind.get(kind, (0, 0))[1]

    closed_in, timely, open_late = resolution
    return [
        _count("registered", n(REGISTER)), _count("dispatched", n(DISPATCH)), _count("handled", n(HANDLED)),
        _count("closed", n(CLOSE)),
        _rate("on_time_handling_rate", met(HANDLE_DUE), n(HANDLE_DUE)),
        _rate("on_time_closure_rate", met(CLOSE_DUE), n(CLOSE_DUE)),
        _rate("closure_rate", n(CLOSE), n(REGISTER)),
        _rate("timely_resolution_rate", timely, closed_in + open_late),
        _rate("rework_rate", n(REWORK), n(HANDLED)),
        _rate("return_rate", n(RETURN), n(DISPATCH)),
    ]


def _sum_units(agg: Aggregates, units: Iterable[str | None]) -> tuple[dict[str, tuple[int, int]], tuple[int, int, int]]:
    units = set(units)
    by_kind: dict[str, tuple[int, int]] = {}
    for (kind, unit), (n, m) in agg.by_unit.items():
        if unit in units:
            a, b = by_kind.get(kind, (0, 0))
            by_kind[kind] = (a + n, b + m)
    res = [0, 0, 0]
    for unit, values in agg.resolution.items():
        if unit in units:
            res = [x + y for x, y in zip(res, values)]
    return by_kind, (res[0], res[1], res[2])


def build_report(agg: Aggregates, period: Period, refdata: RefData, unit_id: str | None, rollup: bool,
                 source: Literal["server", "cache"], *, complete: bool = True, note: str = "") -> Report:
    units = scope_units(refdata, unit_id, rollup)
    every = {u for _, u in agg.by_unit} | set(agg.resolution)
    by_kind, res = _sum_units(agg, every if units is None else units)
    figures = _figures(by_kind, res)
    for key, kind in DURATION_FIGURE_KIND.items():
        d = FIGURES_BY_KEY[key]
        p50, p90, count = agg.durations.get(kind, (None, None, 0))
        figures.append(Figure(key=key, kind="duration", label=d.label, formula=d.formula, value=p50, p90=p90,
                              denominator=count))
    # The ranking: the units below the selected one (city-wide: below the city office), each with its own
    # sub-units when rolled up; a unit with none below it is ranked alone.
    top = refdata.root_unit_id if unit_id is None else unit_id
    ranked = refdata.descendants(top) or [top]
    rows = []
    for uid in ranked:
        members = [uid, *refdata.descendants(uid)] if rollup else [uid]
        u_by_kind, u_res = _sum_units(agg, members)
        rows.append((uid, _figures(u_by_kind, u_res)))

    def sort_key(row: tuple[str, list[Figure]]):
        f = {x.key: x for x in row[1]}
        timely = f["timely_resolution_rate"].value
        return (timely is None, -(timely or 0.0), -(f["closed"].value or 0), row[0])

    rows.sort(key=sort_key)
    ranking = [UnitRanking(unit_id=uid, level=refdata.unit(uid).level, rank=i, figures=figs)
               for i, (uid, figs) in enumerate(rows, start=1)]
    trend = []
    d = period.start
    last = period.end_at.astimezone(refdata.policy.calendar.tz).date() if period.end_at > period.start_at else d
    last = min(last, period.end)
    while d <= last:
        trend.append(DayPoint(day=d, registered=agg.by_day.get((REGISTER, d), 0),
                              dispatched=agg.by_day.get((DISPATCH, d), 0), handled=agg.by_day.get((HANDLED, d), 0),
                              closed=agg.by_day.get((CLOSE, d), 0)))
        d += timedelta(days=1)
    cats = sorted({c for _, c in agg.by_category})
    categories = [CategoryPoint(category_code=c, registered=agg.by_category.get((REGISTER, c), (0, 0))[0],
                                handled=agg.by_category.get((HANDLED, c), (0, 0))[0],
                                closed=agg.by_category.get((CLOSE, c), (0, 0))[0],
                                handling_due=agg.by_category.get((HANDLE_DUE, c), (0, 0))[0],
                                handled_on_time=agg.by_category.get((HANDLE_DUE, c), (0, 0))[1])
                  for c in cats]
    categories.sort(key=lambda p: (-p.registered, p.category_code))
    return Report(period=period, unit_id=unit_id, rollup=rollup, source=source, figures=figures, ranking=ranking,
                  trend=trend, categories=categories, complete=complete, note=note)


# --------------------------------------------------------------------------------------------------
# offline: from the console's cache

def cache_coverage(cases: Iterable[Case]) -> datetime | None:
    """The earliest report time among the cached cases (None for an empty cache)."""
    return min((c.created_at for c in cases), default=None)


def compute_offline(cases: Iterable[Case], refdata: RefData, start: date, end: date, unit_id: str | None,
                    rollup: bool, as_of: datetime, *, held_since: datetime | None = None) -> Report:
    """The report from cached cases (the server's snapshots, not pending local edits). `held_since`: the
    cache holds every case reported since then; a period starting earlier is flagged incomplete."""
    period = make_period(start, end, refdata, as_of)
    units = scope_units(refdata, unit_id, rollup)
    agg = aggregate((case_facts(c, refdata) for c in cases), period, units)
    complete = held_since is None or held_since <= period.start_at
    note = "" if complete else QT_TRANSLATE_NOOP(
        "Metrics", "The cache does not hold the whole period: the figures cover only the cases it holds.")
    return build_report(agg, period, refdata, unit_id, rollup, "cache", complete=complete, note=note)


def format_value(fig: Figure) -> str:
    """`52.4 %` / `17` / `1 h 05 min` / `n/a`: the value as the product shows it."""
    if fig.value is None:
        return translate(CTX, NA)
    if fig.kind == "count":
        return str(int(fig.value))
    if fig.kind == "rate":
        return f"{fig.value * 100:.1f} %"
    return format_duration(fig.value)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return translate(CTX, NA)
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return translate(CTX, QT_TRANSLATE_NOOP("Metrics", "{m} min")).format(m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return translate(CTX, QT_TRANSLATE_NOOP("Metrics", "{h} h {m:02d} min")).format(h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return translate(CTX, QT_TRANSLATE_NOOP("Metrics", "{d} d {h} h")).format(d=days, h=hours)


def format_fraction(fig: Figure) -> str:
    """`= 11 / 21` for a rate, `(n = 40, p90 = …)` for a duration, empty for a count."""
    if fig.kind == "rate":
        return f"= {fig.numerator} / {fig.denominator}"
    if fig.kind == "duration":
        return translate(CTX, QT_TRANSLATE_NOOP("Metrics", "median; p90 {p90}; n = {n}")).format(
            p90=format_duration(fig.p90), n=fig.denominator or 0)
    return ""
