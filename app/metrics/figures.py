"""Unit and post performance metrics (绩效考核): the report, built the same way on the server and in the
console, and how its values are written.

The pieces, one idea each:
- `app.metrics.definitions`: every figure with its formula and populations (`FIGURES`, `POST_FIGURES`);
- `app.metrics.case_facts`: one case's history → facts charged to each stage's owner;
- `app.metrics.aggregate`: facts summed over a period and a unit scope (the server does this in SQL,
  `server.metrics.facts`);
- `app.metrics.ranking` (peers only) and `app.metrics.composite` (综合指标值);
- this module: `build_report` from aggregates, `compute_offline` from cached cases, and formatting.

The names of those modules are re-exported here: callers keep `from app.metrics import figures as m`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from app.cases.case import Case
from app.metrics import onsite, satisfaction, task_facts
from app.metrics.aggregate import Aggregates, aggregate, closure_cohort, percentile  # noqa: F401
from app.metrics.case_facts import (  # noqa: F401
    CLOSE,
    CLOSE_DUE,
    DISPATCH,
    DISPATCH_DUE,
    DUE_KINDS,
    DURATION_KINDS,
    EVENT_KINDS,
    HANDLE_DUE,
    HANDLED,
    KINDS,
    REGISTER,
    REGISTER_DUE,
    RETURN,
    REWORK,
    TREND_KINDS,
    VERIFIED,
    VERIFY_DUE,
    VOID,
    CaseFact,
    CaseFacts,
    Fact,
    case_facts,
)
from app.metrics.composite import composite
from app.metrics.definitions import (  # noqa: F401
    CTX,
    FIGURES,
    FIGURES_BY_KEY,
    NA,
    PERCENTILE_NOTE,
    POST_FIGURES,
    POSTS,
    RANKABLE,
    RANKING_KEYS,
    FigureDef,
    formula,
    label,
)
from app.metrics.evaluation_settings import DEFAULT as DEFAULT_SETTINGS
from app.metrics.evaluation_settings import EvaluationSettings
from app.metrics.ranking import rank_units, rule_text
from app.metrics.report_model import (  # noqa: F401
    MAX_PERIOD_DAYS,
    UTC,
    CategoryPoint,
    DayPoint,
    Figure,
    MetricsError,
    Period,
    PostFigures,
    Report,
    UnitRanking,
    make_period,
    scope_units,
)
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

DURATION_FIGURE_KIND = {"time_to_register": REGISTER, "time_to_dispatch": DISPATCH, "time_to_handle": HANDLED,
                        "time_to_close": CLOSE, **task_facts.DURATION_FIGURE_KIND}


def _rate(key: str, num: int, den: int) -> Figure:
    d = FIGURES_BY_KEY[key]
    return Figure(key=key, kind="rate", label=d.label, formula=d.formula, numerator=num, denominator=den,
                  value=(num / den) if den else None)


def _count(key: str, n: int) -> Figure:
    d = FIGURES_BY_KEY[key]
    return Figure(key=key, kind="count", label=d.label, formula=d.formula, value=n)


class _Sums:
    """The aggregates of a set of units, by fact kind."""

    def __init__(self, agg: Aggregates, units: set[str | None]):
        self.by_kind: dict[str, tuple[int, int]] = {}
        for (kind, unit), (n, m) in agg.by_unit.items():
            if unit in units:
                a, b = self.by_kind.get(kind, (0, 0))
                self.by_kind[kind] = (a + n, b + m)
        self.resolution = _sum3(agg.resolution, units)
        self.closure = _sum3(agg.closure, units)

    def n(self, kind: str) -> int:
        return self.by_kind.get(kind, (0, 0))[0]

    def met(self, kind: str) -> int:
        return self.by_kind.get(kind, (0, 0))[1]


def _sum3(values: Mapping[str | None, tuple[int, int, int]], units: set[str | None]) -> tuple[int, int, int]:
    total = [0, 0, 0]
    for unit, triple in values.items():
        if unit in units:
            total = [x + y for x, y in zip(total, triple)]
    return total[0], total[1], total[2]


def _figures(s: _Sums, weights: Mapping[str, float]) -> list[Figure]:
    closed_in, timely, open_late = s.resolution
    cohort, cohort_closed, suspended = s.closure
    rates = [
        _rate("on_time_handling_rate", s.met(HANDLE_DUE), s.n(HANDLE_DUE)),
        _rate("on_time_closure_rate", s.met(CLOSE_DUE), s.n(CLOSE_DUE)),
        _rate("closure_rate", cohort_closed, cohort - suspended),
        _rate("timely_resolution_rate", timely, closed_in + open_late),
        _rate("rework_rate", s.n(REWORK), s.n(HANDLED)),
        _rate("return_rate", s.n(RETURN), s.n(DISPATCH)),
    ]
    callbacks = [_rate(key, s.met(kind), s.n(kind)) for key, kind, *_ in satisfaction.RATES]
    callbacks.append(_rate(onsite.FIGURE[0], s.met(onsite.ONSITE_DUE), s.n(onsite.ONSITE_DUE)))
    return [_count("registered", s.n(REGISTER)), _count("dispatched", s.n(DISPATCH)),
            _count("handled", s.n(HANDLED)), _count("closed", s.n(CLOSE)),
            *rates, composite({f.key: f for f in rates}, weights), *callbacks]


def _posts(s: _Sums) -> list[PostFigures]:
    """The center's posts, from the facts charged to no unit (plus the dispatch and return counts)."""
    figs = {
        "intake": [_count("intake_handled", s.n(REGISTER) + s.n(VOID)),
                   _rate("intake_on_time", s.met(REGISTER_DUE), s.n(REGISTER_DUE))],
        "dispatch": [_count("dispatch_handled", s.n(DISPATCH)),
                     _rate("dispatch_on_time", s.met(DISPATCH_DUE), s.n(DISPATCH_DUE)),
                     _rate("dispatch_wrong", s.n(RETURN), s.n(DISPATCH))],
        "inspectors": [_count("inspectors_handled", s.n(VERIFIED)),
                       _rate("inspectors_on_time", s.met(VERIFY_DUE), s.n(VERIFY_DUE)),
                       _rate("inspectors_failed", s.n(REWORK), s.n(VERIFIED))],
        "closing": [_count("closing_handled", s.n(CLOSE)),
                    _rate("closing_on_time", s.met(CLOSE_DUE), s.n(CLOSE_DUE))],
    }
    return [PostFigures(post=post, label=text, figures=figs[post]) for post, text in POSTS]


def window_figures(agg: Aggregates, settings: EvaluationSettings = DEFAULT_SETTINGS) -> tuple[list[Figure],
                                                                                       list[PostFigures]]:
    """The city-wide figures and the posts' of any window (a shift, for its handover report)."""
    scope = _Sums(agg, {u for _, u in agg.by_unit} | set(agg.resolution) | set(agg.closure))
    return _figures(scope, settings.weights), _posts(scope)


def build_report(agg: Aggregates, period: Period, refdata: RefData, unit_id: str | None, rollup: bool,
                 source: Literal["server", "cache"], *, complete: bool = True, note: str = "",
                 settings: EvaluationSettings = DEFAULT_SETTINGS) -> Report:
    units = scope_units(refdata, unit_id, rollup)
    every = {u for _, u in agg.by_unit} | set(agg.resolution) | set(agg.closure)
    scope = _Sums(agg, every if units is None else set(units))
    figures = _figures(scope, settings.weights)
    for key, kind in DURATION_FIGURE_KIND.items():
        d = FIGURES_BY_KEY[key]
        p50, p90, count = agg.durations.get(kind, (None, None, 0))
        figures.append(Figure(key=key, kind="duration", label=d.label, formula=d.formula, value=p50, p90=p90,
                              denominator=count))

    def unit_figures(uid: str) -> list[Figure]:
        members = {uid, *refdata.descendants(uid)} if rollup else {uid}
        return _figures(_Sums(agg, members), settings.weights)

    ranking = rank_units(refdata, unit_id, unit_figures, settings)
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
                  trend=trend, categories=categories, complete=complete, note=note, ranking_by=settings.rank_by,
                  ranking_rule=rule_text(settings, unit_id), min_cases_to_rank=settings.min_cases_to_rank,
                  weights=dict(settings.weights), posts=_posts(scope) if unit_id is None else [])


# --------------------------------------------------------------------------------------------------
# offline: from the console's cache

def cache_coverage(cases: Iterable[Case]) -> datetime | None:
    """The earliest report time among the cached cases (None for an empty cache)."""
    return min((c.created_at for c in cases), default=None)


def compute_offline(cases: Iterable[Case], refdata: RefData, start: date, end: date, unit_id: str | None,
                    rollup: bool, as_of: datetime, *, held_since: datetime | None = None,
                    settings: EvaluationSettings = DEFAULT_SETTINGS) -> Report:
    """The report from cached cases (the server's snapshots, not pending local edits). `held_since`: the
    cache holds every case reported since then; a period starting earlier is flagged incomplete."""
    period = make_period(start, end, refdata, as_of)
    units = scope_units(refdata, unit_id, rollup)
    agg = aggregate((case_facts(c, refdata) for c in cases), period, units)
    complete = held_since is None or held_since <= period.start_at
    note = "" if complete else QT_TRANSLATE_NOOP(
        "Metrics", "The cache does not hold the whole period: the figures cover only the cases it holds.")
    return build_report(agg, period, refdata, unit_id, rollup, "cache", complete=complete, note=note,
                        settings=settings)


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
    """`= 11 / 21` for a rate, `(n = 40, p90 = …)` for a duration, empty for a count or the composite."""
    if fig.kind == "rate":
        return "" if fig.numerator is None else f"= {fig.numerator} / {fig.denominator}"
    if fig.kind == "duration":
        return translate(CTX, QT_TRANSLATE_NOOP("Metrics", "median; p90 {p90}; n = {n}")).format(
            p90=format_duration(fig.p90), n=fig.denominator or 0)
    return ""
