"""Unit performance metrics on the server: the facts written in each command's transaction, and a report
computed in one SQL statement (PostgreSQL and SQLite).

`app.metrics.figures` defines the figures and turns a case's history into facts; this module stores those facts
(`db.metrics`) and aggregates them in SQL with exactly the windows and scope of
`app.metrics.figures.aggregate`, its Python twin that the console runs on its cache. One statement answers a
report: per unit (for the ranking and roll-up, summed in Python over at most a few hundred groups), per
day, per category, the duration percentiles, and the timely-resolution counts.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, insert, select, text
from sqlalchemy.orm import Session

from app.cases.case import Case
from app.metrics import figures as m
from db.base import UTCDateTime
from db.cases import CaseRow
from db.metrics import MetricCaseRow, MetricFactRow
from server.platform.many_rows import insert_rows

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
            "closed_at": c.closed_at, "voided_at": c.voided_at, "late_at": c.late_at,
            "registered_at": c.registered_at, "suspended_at": c.suspended_at, "resumed_at": c.resumed_at}


def record_facts(session: Session, old: Case | None, new: Case, refdata) -> None:
    """Bring the case's metric facts from `old`'s to `new`'s: upserts of the rows that differ and deletes of
    the rows that went, no SELECT (both sets are computed from the two cases in memory). Upserts rather than
    plain inserts, so stored facts that drifted from a recomputation (reference data changed since) never
    make a command fail."""
    before = m.case_facts(old, refdata) if old is not None else None
    after = m.case_facts(new, refdata)
    old_facts = {f.key: f for f in before.facts} if before is not None else {}
    new_facts = {f.key: f for f in after.facts}
    written = [_fact_values(new.id, f) for k, f in new_facts.items() if old_facts.get(k) != f]
    removed = [k for k in old_facts if k not in new_facts]
    if written:
        _upsert(session, _FACTS, written, ("case_id", "fact_key"))
    if removed:
        session.execute(_DELETE_FACTS, {"case_id": new.id, "keys": removed})
    if before is None or before.case != after.case:
        _upsert(session, _CASES, [_case_values(new.id, after.case)], ("case_id",))


def record_facts_many(session: Session, changes: list[tuple[Case | None, Case]], refdata) -> None:
    """`record_facts` for many cases at once (a group of commands, `server.cases.group_commit`): one
    upsert per table for all of them, and the deletes, instead of statements per case."""
    facts, cases = [], []
    for old, new in changes:
        before = m.case_facts(old, refdata) if old is not None else None
        after = m.case_facts(new, refdata)
        old_facts = {f.key: f for f in before.facts} if before is not None else {}
        new_facts = {f.key: f for f in after.facts}
        facts += [_fact_values(new.id, f) for k, f in new_facts.items() if old_facts.get(k) != f]
        removed = [k for k in old_facts if k not in new_facts]
        if removed:
            session.execute(_DELETE_FACTS, {"case_id": new.id, "keys": removed})
        if before is None or before.case != after.case:
            cases.append(_case_values(new.id, after.case))
    if facts:
        _upsert(session, _FACTS, facts, ("case_id", "fact_key"))
    if cases:
        _upsert(session, _CASES, cases, ("case_id",))


def _upsert(session: Session, table, rows: list[dict], keys: tuple[str, ...]) -> None:
    if len(rows) > 1:  # a group's cases, each key once: one statement for all of them
        insert_rows(session, table, rows, conflict=keys)
        return
    session.execute(_upsert_statement(session.get_bind().dialect.name, table, keys), rows)


_DELETE_FACTS = delete(_FACTS).where(_FACTS.c.case_id == bindparam("case_id"),
                                     _FACTS.c.fact_key.in_(bindparam("keys", expanding=True)))
_UPSERTS: dict[tuple[str, str, tuple[str, ...]], object] = {}


def _upsert_statement(dialect: str, table, keys: tuple[str, ...]):
    """The upsert of `table`, built once per dialect (building it on every command cost ~9% of a command's
    time in bench_sync's outbox drain); the values come as parameters. Racing builders build equal ones."""
    key = (dialect, table.name, keys)
    stmt = _UPSERTS.get(key)
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        stmt = dialect_insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=list(keys),
                                          set_={c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys})
        _UPSERTS[key] = stmt
    return stmt


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

REPORT_WORK_MEM = "64MB"
_EVENT_KINDS_SQL = ", ".join(f"'{k}'" for k in m.TREND_KINDS)


def _sqlite_percentiles_sql() -> str:
    """SQLite has no percentile_cont: the same linear interpolation from ranks (position (n − 1)·q)."""
    def interp(q: float) -> str:
        h = f"((n - 1) * {q})"
        lo = f"CAST({h} AS INTEGER)"
        v_lo = f"max(CASE WHEN i = {lo} THEN seconds END)"
        v_hi = f"coalesce(max(CASE WHEN i = {lo} + 1 THEN seconds END), {v_lo})"
        return f"({v_lo} + ({h} - {lo}) * ({v_hi} - {v_lo}))"

    return ("SELECT 'p' AS part, kind AS k, NULL AS g, NULL AS d, max(n) AS n, 0 AS mt, 0 AS o, "
            f"{interp(0.5)} AS x, {interp(0.9)} AS y FROM ("
            "SELECT kind, seconds, row_number() OVER (PARTITION BY kind ORDER BY seconds) - 1 AS i, "
            "count(*) OVER (PARTITION BY kind) AS n FROM f WHERE seconds IS NOT NULL) AS ranked GROUP BY kind")


def _resolution_sql(unit: str) -> str:
    closed_in = "(closed_at >= :lo AND closed_at < :hi)"
    return (
        f"SELECT 'r', NULL, unit_id, NULL, sum(CASE WHEN {closed_in} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {closed_in} AND late_at IS NULL THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {closed_in} THEN 0 ELSE 1 END), NULL, NULL FROM metric_cases "
        f"WHERE ({closed_in} OR (late_at < :hi AND created_at < :hi AND (closed_at IS NULL OR closed_at >= :hi) "
        f"AND (voided_at IS NULL OR voided_at >= :hi))){unit} GROUP BY unit_id"
    )


def _closure_sql(unit: str) -> str:
    """The closure rate's cohort per unit (`app.metrics.aggregate.closure_cohort`): registered in the period
    and not voided by its end; closed by its end; suspended at its end."""
    closed = "(closed_at IS NOT NULL AND closed_at < :hi)"
    return (
        f"SELECT 'k', NULL, unit_id, NULL, count(*), sum(CASE WHEN {closed} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN NOT {closed} AND suspended_at < :hi AND (resumed_at IS NULL OR resumed_at >= :hi) "
        "THEN 1 ELSE 0 END), NULL, NULL FROM metric_cases "
        f"WHERE registered_at >= :lo AND registered_at < :hi AND (voided_at IS NULL OR voided_at >= :hi){unit} "
        "GROUP BY unit_id"
    )


def report_sql(dialect: str, scoped: bool, jurisdiction: bool = False) -> str:
    """The one statement of a report (exposed for EXPLAIN in the benchmark).

    PostgreSQL computes the per-unit, per-day and per-category counts in one pass (GROUPING SETS) and the
    percentiles in a second scan of the same index range; SQLite, which has neither GROUPING SETS nor
    percentile_cont, aggregates a common table expression three times. The rows are the same."""
    unit = " AND unit_id IN :units" if scoped else ""
    if jurisdiction:  # the cases that lie in a jurisdiction (`cases.jurisdiction`: a street; a code prefixes it)
        unit += " AND case_id IN (SELECT id FROM cases WHERE jurisdiction LIKE :jurisdiction)"
    window = f"at >= :lo AND at < :hi{unit}"
    if dialect == "postgresql":
        return (
            "SELECT CASE GROUPING(unit_id, day, category_code) WHEN 3 THEN 'u' WHEN 5 THEN 'd' ELSE 'c' END AS part, "
            "kind AS k, CASE WHEN GROUPING(unit_id) = 0 THEN unit_id ELSE category_code END AS g, day AS d, "
            "count(*) AS n, sum(CASE WHEN met THEN 1 ELSE 0 END) AS mt, 0 AS o, "
            "CAST(NULL AS DOUBLE PRECISION) AS x, CAST(NULL AS DOUBLE PRECISION) AS y "
            f"FROM metric_facts WHERE {window} "
            "GROUP BY GROUPING SETS ((kind, unit_id), (kind, day), (kind, category_code)) "
            "UNION ALL "
            "SELECT 'p', kind, NULL, NULL, count(*), 0, 0, "
            "(percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY seconds))[1], "
            "(percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY seconds))[2] "
            f"FROM metric_facts WHERE {window} AND seconds IS NOT NULL GROUP BY kind "
            f"UNION ALL {_resolution_sql(unit)} UNION ALL {_closure_sql(unit)}"
        )
    return (
        f"WITH f AS (SELECT kind, unit_id, category_code, day, seconds, met FROM metric_facts WHERE {window}) "
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
        f"{_sqlite_percentiles_sql()} "
        f"UNION ALL {_resolution_sql(unit)} UNION ALL {_closure_sql(unit)}"
    )


def _statement(dialect: str, units: tuple[str, ...] | None, jurisdiction: str | None = None):
    stmt = text(report_sql(dialect, units is not None, jurisdiction is not None))
    params = [bindparam("lo", type_=UTCDateTime()), bindparam("hi", type_=UTCDateTime())]
    if units is not None:
        params.append(bindparam("units", expanding=True))
    return stmt.bindparams(*params)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def aggregate_sql(session: Session, period: m.Period, units: tuple[str, ...] | None,
                  jurisdiction: str | None = None) -> m.Aggregates:
    """`jurisdiction`: only the cases that lie in it (a city, district or street code)."""
    dialect = session.get_bind().dialect.name
    params: dict = {"lo": period.start_at, "hi": period.end_at}
    if jurisdiction is not None:
        params["jurisdiction"] = jurisdiction + "%"
    if units is not None:
        params["units"] = list(units)
    if dialect == "postgresql":
        # A report is one large aggregate: JIT compilation costs more than it saves here (over 1 s of a
        # 2 s budget at a million cases), and the sorts for the percentiles should stay in memory.
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    agg = m.Aggregates()
    for part, kind, group, day, n, met, other, x, y in session.execute(_statement(dialect, units, jurisdiction),
                                                                        params):
        if part == "u":
            agg.by_unit[(kind, group)] = (int(n), int(met or 0))
        elif part == "d":
            if kind in m.TREND_KINDS:  # PostgreSQL's grouping set has every kind; the trend needs four
                agg.by_day[(kind, _as_date(day))] = int(n)
        elif part == "c":
            agg.by_category[(kind, group)] = (int(n), int(met or 0))
        elif part == "p":
            agg.durations[kind] = (float(x) if x is not None else None, float(y) if y is not None else None, int(n))
        elif part == "r":
            agg.resolution[group] = (int(n or 0), int(met or 0), int(other or 0))
        elif part == "k":
            agg.closure[group] = (int(n or 0), int(met or 0), int(other or 0))
    return agg


def report(session: Session, refdata, start: date, end: date, unit_id: str | None, rollup: bool,
           as_of: datetime, settings: m.EvaluationSettings = m.DEFAULT_SETTINGS,
           jurisdiction: str | None = None) -> m.Report:
    """The report for [start, end] (local dates, inclusive) and a unit (None: city-wide), of the cases that
    lie in `jurisdiction` (None: all). Raises `app.metrics.figures.MetricsError` for a bad period or an
    unknown unit."""
    period = m.make_period(start, end, refdata, as_of)
    units = m.scope_units(refdata, unit_id, rollup)
    agg = aggregate_sql(session, period, units, jurisdiction)
    rep = m.build_report(agg, period, refdata, unit_id, rollup, "server", settings=settings)
    return rep.model_copy(update={"jurisdiction": jurisdiction}) if jurisdiction else rep


def window_evaluation(session: Session, start: datetime, end: datetime, tz_name: str = "UTC") -> dict:
    """The city-wide rates and the center posts' figures of a window that is not whole days (a shift), for
    the handover report: each figure as JSON with its formula, numerator and denominator."""
    from datetime import timezone

    period = m.Period(start=start.date(), end=end.date(), timezone=tz_name, start_at=start.astimezone(timezone.utc),
                      end_at=max(start, end).astimezone(timezone.utc), as_of=end.astimezone(timezone.utc))
    figures, posts = m.window_figures(aggregate_sql(session, period, None))
    rates = [f.model_dump(mode="json") for f in figures if f.kind == "rate"]
    return {"figures": rates, "posts": [p.model_dump(mode="json") for p in posts]}


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
