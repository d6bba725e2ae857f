"""Unit performance metrics on the server: the facts written in each command's transaction, and a report
computed in one SQL statement (PostgreSQL and SQLite).

`app.metrics` defines the figures and turns a case's history into facts; this module stores those facts
(`db.metrics_schema`) and aggregates them in SQL with exactly the windows and scope of
`app.metrics.aggregate`, its Python twin that the console runs on its cache. One statement answers a
report: per unit (for the ranking and roll-up, summed in Python over at most a few hundred groups), per
day, per category, the duration percentiles, and the timely-resolution counts.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from app import metrics as m
from app.case import Case
from db.metrics_schema import MetricCaseRow, MetricFactRow
from db.server_schema import CaseRow, UTCDateTime

log = logging.getLogger(__name__)

_FACTS = MetricFactRow.__table__
_CASES = MetricCaseRow.__table__


# --------------------------------------------------------------------------------------------------
# writing facts (inside the command's transaction)

def _fact_values(case_id, f: m.Fact) -> dict:
    return {"case_id": case_id, "fact_key": f.key, "kind": f.kind, "unit_id": f.unit_id,
            "category_code": f.category_code, "at": f.at, "day": f.day, "seconds": f.seconds, "met": f.met}


def _case_values(case_id, c: m.CaseFact) -> dict:
    return {"case_id": case_id, "unit_id": c.unit_id, "category_code": c.category_code, "created_at": c.created_at,
            "closed_at": c.closed_at, "voided_at": c.voided_at, "late_at": c.late_at}


def record_facts(session: Session, old: Case | None, new: Case, refdata) -> None:
    """Bring the case's metric facts from `old`'s to `new`'s: inserts, updates and deletes of the rows
    that differ only, no SELECT (both sets are computed from the two cases in memory)."""
    before = m.case_facts(old, refdata) if old is not None else None
    after = m.case_facts(new, refdata)
    old_facts = {f.key: f for f in before.facts} if before is not None else {}
    new_facts = {f.key: f for f in after.facts}
    added = [_fact_values(new.id, f) for k, f in new_facts.items() if k not in old_facts]
    changed = [_fact_values(new.id, f) for k, f in new_facts.items() if k in old_facts and old_facts[k] != f]
    removed = [k for k in old_facts if k not in new_facts]
    if added:
        session.execute(insert(_FACTS), added)
    if changed:
        stmt = (update(_FACTS).where(_FACTS.c.case_id == bindparam("b_case_id"),
                                     _FACTS.c.fact_key == bindparam("b_fact_key"))
                .values({c: bindparam(f"v_{c}") for c in ("kind", "unit_id", "category_code", "at", "day",
                                                           "seconds", "met")}))
        session.connection().execute(stmt, [{"b_case_id": v["case_id"], "b_fact_key": v["fact_key"],
                                             **{f"v_{k}": val for k, val in v.items()
                                                if k not in ("case_id", "fact_key")}} for v in changed])
    if removed:
        session.execute(delete(_FACTS).where(_FACTS.c.case_id == new.id, _FACTS.c.fact_key.in_(removed)))
    if before is None:
        session.execute(insert(_CASES), [_case_values(new.id, after.case)])
    elif before.case != after.case:
        values = _case_values(new.id, after.case)
        del values["case_id"]
        session.execute(update(_CASES).where(_CASES.c.case_id == new.id).values(values))


def rebuild_facts(session: Session, refdata, *, batch: int = 2000) -> int:
    """Recompute every case's facts from `cases` (after a change of limits or time zone, or an upgrade
    from a version without metrics). Runs in the caller's transaction; returns the number of cases."""
    session.execute(delete(_FACTS))
    session.execute(delete(_CASES))
    count = 0
    facts: list[dict] = []
    cases: list[dict] = []
    for (data,) in session.execute(select(CaseRow.data).execution_options(yield_per=batch)):
        case = Case.model_validate(data)
        cf = m.case_facts(case, refdata)
        facts += [_fact_values(case.id, f) for f in cf.facts]
        cases.append(_case_values(case.id, cf.case))
        count += 1
        if len(cases) >= batch:
            _flush_rebuild(session, facts, cases)
    _flush_rebuild(session, facts, cases)
    log.info("metric facts rebuilt for %d cases", count)
    return count


def _flush_rebuild(session: Session, facts: list[dict], cases: list[dict]) -> None:
    if cases:
        session.execute(insert(_CASES), cases)
    if facts:
        session.execute(insert(_FACTS), facts)
    facts.clear()
    cases.clear()


# --------------------------------------------------------------------------------------------------
# the report: one statement

_EVENT_KINDS_SQL = ", ".join(f"'{k}'" for k in m.TREND_KINDS)


def _percentiles_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return ("SELECT 'p' AS part, kind AS k, NULL AS g, NULL AS d, count(*) AS n, 0 AS mt, 0 AS o, "
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS x, "
                "percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS y "
                "FROM f WHERE seconds IS NOT NULL GROUP BY kind")

    # SQLite has no percentile_cont: the same linear interpolation from ranks (position (n − 1)·q).
    def interp(q: float) -> str:
        h = f"((n - 1) * {q})"
        lo = f"CAST({h} AS INTEGER)"
        v_lo = f"max(CASE WHEN i = {lo} THEN seconds END)"
        v_hi = f"coalesce(max(CASE WHEN i = {lo} + 1 THEN seconds END), {v_lo})"
        return f"({v_lo} + ({h} - {lo}) * ({v_hi} - {v_lo}))"

    return (f"SELECT 'p' AS part, kind AS k, NULL AS g, NULL AS d, max(n) AS n, 0 AS mt, 0 AS o, "
            f"{interp(0.5)} AS x, {interp(0.9)} AS y FROM ("
            "SELECT kind, seconds, row_number() OVER (PARTITION BY kind ORDER BY seconds) - 1 AS i, "
            "count(*) OVER (PARTITION BY kind) AS n FROM f WHERE seconds IS NOT NULL) AS ranked GROUP BY kind")


def report_sql(dialect: str, scoped: bool) -> str:
    """The one statement of a report (exposed for EXPLAIN in the benchmark)."""
    unit = " AND unit_id IN :units" if scoped else ""
    closed_in = "(closed_at >= :lo AND closed_at < :hi)"
    return (
        f"WITH f AS (SELECT kind, unit_id, category_code, day, seconds, met FROM metric_facts "
        f"WHERE at >= :lo AND at < :hi{unit}) "
        "SELECT 'u' AS part, kind AS k, unit_id AS g, CAST(NULL AS DATE) AS d, count(*) AS n, "
        "sum(CASE WHEN met THEN 1 ELSE 0 END) AS mt, 0 AS o, CAST(NULL AS DOUBLE PRECISION) AS x, "
        "CAST(NULL AS DOUBLE PRECISION) AS y FROM f GROUP BY kind, unit_id "
        "UNION ALL "
        f"SELECT 'd', kind, NULL, day, count(*), 0, 0, NULL, NULL FROM f WHERE kind IN ({_EVENT_KINDS_SQL}) "
        "GROUP BY kind, day "
        "UNION ALL "
        "SELECT 'c', kind, category_code, NULL, count(*), sum(CASE WHEN met THEN 1 ELSE 0 END), 0, NULL, NULL "
        "FROM f GROUP BY kind, category_code "
        "UNION ALL "
        f"{_percentiles_sql(dialect)} "
        "UNION ALL "
        f"SELECT 'r', NULL, unit_id, NULL, sum(CASE WHEN {closed_in} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {closed_in} AND late_at IS NULL THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {closed_in} THEN 0 ELSE 1 END), NULL, NULL FROM metric_cases "
        f"WHERE ({closed_in} OR (late_at < :hi AND created_at < :hi AND (closed_at IS NULL OR closed_at >= :hi) "
        f"AND (voided_at IS NULL OR voided_at >= :hi))){unit} GROUP BY unit_id"
    )


def _statement(dialect: str, units: tuple[str, ...] | None):
    stmt = text(report_sql(dialect, units is not None))
    params = [bindparam("lo", type_=UTCDateTime()), bindparam("hi", type_=UTCDateTime())]
    if units is not None:
        params.append(bindparam("units", expanding=True))
    return stmt.bindparams(*params)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def aggregate_sql(session: Session, period: m.Period, units: tuple[str, ...] | None) -> m.Aggregates:
    dialect = session.get_bind().dialect.name
    params: dict = {"lo": period.start_at, "hi": period.end_at}
    if units is not None:
        params["units"] = list(units)
    agg = m.Aggregates()
    for part, kind, group, day, n, met, other, x, y in session.execute(_statement(dialect, units), params):
        if part == "u":
            agg.by_unit[(kind, group)] = (int(n), int(met or 0))
        elif part == "d":
            agg.by_day[(kind, _as_date(day))] = int(n)
        elif part == "c":
            agg.by_category[(kind, group)] = (int(n), int(met or 0))
        elif part == "p":
            agg.durations[kind] = (float(x) if x is not None else None, float(y) if y is not None else None, int(n))
        elif part == "r":
            agg.resolution[group] = (int(n or 0), int(met or 0), int(other or 0))
    return agg


def report(session: Session, refdata, start: date, end: date, unit_id: str | None, rollup: bool,
           as_of: datetime) -> m.Report:
    """The report for [start, end] (local dates, inclusive) and a unit (None: city-wide). Raises
    `app.metrics.MetricsError` for a bad period or an unknown unit."""
    period = m.make_period(start, end, refdata, as_of)
    units = m.scope_units(refdata, unit_id, rollup)
    agg = aggregate_sql(session, period, units)
    return m.build_report(agg, period, refdata, unit_id, rollup, "server")


def fact_counts(session: Session) -> tuple[int, int]:
    """(metric_facts rows, metric_cases rows), for `onegrid-ctl metrics` and checks."""
    return (session.execute(select(func.count()).select_from(_FACTS)).scalar_one(),
            session.execute(select(func.count()).select_from(_CASES)).scalar_one())


def facts_of(cases: Iterable[Case], refdata) -> list[m.CaseFacts]:
    return [m.case_facts(c, refdata) for c in cases]


def _now() -> datetime:
    """The clock of `onegrid-ctl metrics` (tests replace it)."""
    from datetime import timezone

    return datetime.now(timezone.utc)
