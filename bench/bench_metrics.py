"""Performance metrics benchmark: a year of history — 1,000,000 cases with their ledger events and metric
facts — on a throw-away PostgreSQL database, then the city-wide monthly report (`server.metrics.facts.report`, the
function behind `GET /api/metrics`: one SQL statement plus building the report) and a unit report with
roll-up.

    python -m bench metrics
    ONEGRID_BENCH_METRICS_QUICK=1 python -m bench metrics     # 50,000 cases: for development

Loading is set-based on the server: one `generate_series` plan table of per-case draws (report time, unit,
category, delays, whether it was returned, reworked, closed), from which `cases`, `case_events` (the
ledger: 8–14 events a case) and the two metric fact tables are filled with `INSERT … SELECT`, so a million
cases load in minutes on two cores without a Python loop. The facts follow `app.metrics.figures.case_facts`'
rules for the generated paths (registration, dispatch, return and re-dispatch, handling, rework, closure;
register and dispatch deadlines 30 min (the center's posts), handling deadline 4 h (one task per dispatch,
rework included), verification and closing deadline 2 h after handling); `cases.data` holds a small stub instead of
the full case JSON (the report never reads it), which keeps the database at a realistic size for what the
report touches. Timings on a shared machine are noisy: the median of several runs is reported.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
import traceback
import uuid
from datetime import date, datetime, timezone

from bench import emit
from bench.harness import (
    ROOT,
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    plain_url,
)
from bench.result import Row

QUICK = os.environ.get("ONEGRID_BENCH_METRICS_QUICK", "") not in ("", "0")
CASES = 50_000 if QUICK else 1_000_000
RUNS = 5
REPORT_TARGET_S = 2.0
UNIT_TARGET_S = 2.0
LOAD_TARGET_S = 900.0
FACTS_TARGET_MS = 5.0

YEAR_START = "2025-12-01 00:00:00+08"   # a year of history ending 2026-12-01 (Asia/Shanghai)
MONTH = (date(2026, 10, 1), date(2026, 10, 31))
AS_OF = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)

NAME_REPORT = f"metrics: city-wide monthly report, {CASES:,} cases (PostgreSQL)"
NAME_UNIT = "metrics: one unit with roll-up, monthly (PostgreSQL)"
NAME_LOAD = f"metrics: load a year of history, {CASES:,} cases"
NAME_FACTS = "metrics: facts of one command (Python, old + new case)"

# ---------------------------------------------------------------------------------------------- loading

PLAN_SQL = """
CREATE UNLOGGED TABLE bench_plan AS
SELECT g AS n,
       md5('onegrid-bench-case-' || g)::uuid AS id,
       u.units[1 + (g::bigint * 7919) %% array_length(u.units, 1)] AS unit_id,
       c.cats[1 + (g::bigint * 104729) %% array_length(c.cats, 1)] AS category_code,
       %(start)s::timestamptz + ((g - 1)::float8 / %(n)s) * INTERVAL '365 days' AS created,
       random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
FROM generate_series(1, %(n)s) AS g, (SELECT %(units)s::text[] AS units) AS u, (SELECT %(cats)s::text[] AS cats) AS c
"""

# Per-case times derived from the draws (minutes). Returned 6 %, reworked 7 %, still open: the last 3 days
# and 4 % of the rest; register 2–44 min (late after 30), dispatch 3–48 min, handling 20 min–12 h against a
# 4 h deadline, closing 15 min–3 h after handling against a 2 h deadline.
TIMES_SQL = """
CREATE UNLOGGED TABLE bench_times AS
SELECT p.*, reg + (3 + r2 * 45) * INTERVAL '1 minute' AS disp,
       r3 < 0.06 AS returned, r4 < 0.07 AS reworked,
       (created < %(end)s::timestamptz - INTERVAL '3 days' AND r5 > 0.04) AS closed
FROM (SELECT *, created + (2 + r1 * 42) * INTERVAL '1 minute' AS reg FROM bench_plan) AS p;
ALTER TABLE bench_times ADD COLUMN ret timestamptz, ADD COLUMN disp2 timestamptz, ADD COLUMN hstart timestamptz,
    ADD COLUMN handled timestamptz, ADD COLUMN fail timestamptz, ADD COLUMN handled2 timestamptz,
    ADD COLUMN closed_at timestamptz;
UPDATE bench_times SET
    ret = CASE WHEN returned THEN disp + INTERVAL '25 minutes' END,
    disp2 = CASE WHEN returned THEN disp + INTERVAL '40 minutes' END;
UPDATE bench_times SET hstart = coalesce(disp2, disp);
UPDATE bench_times SET handled = hstart + (20 + r4 * r4 * 700) * INTERVAL '1 minute';
UPDATE bench_times SET
    fail = CASE WHEN reworked THEN handled + INTERVAL '50 minutes' END,
    handled2 = CASE WHEN reworked THEN handled + (110 + r1 * 200) * INTERVAL '1 minute' END;
UPDATE bench_times SET closed_at = CASE WHEN closed THEN coalesce(handled2, handled)
                                        + (15 + r2 * 165) * INTERVAL '1 minute' END;
"""

CASES_SQL = """
INSERT INTO cases (id, number, status, priority, category_code, unit_id, grid_code, created_at, updated_at, due_at,
                   version, data)
SELECT id, '2026-B' || lpad(n::text, 7, '0'), CASE WHEN closed THEN 'closed' ELSE 'handled' END, 'ordinary',
       category_code, unit_id, NULL, created, coalesce(closed_at, handled2, handled),
       CASE WHEN closed THEN NULL ELSE coalesce(handled2, handled) + INTERVAL '2 hours' END, 8,
       json_build_object('bench', true, 'id', id)
FROM bench_times
"""

# The ledger: one row per event, from a template of the paths (seq order = time order).
EVENTS_SQL = """
INSERT INTO case_events (case_id, seq, action, actor, actor_role, at, client_time, offline, console_id, command_id,
                         from_status, to_status, payload)
SELECT t.id, e.k - CASE WHEN e.k >= 6 AND NOT t.returned THEN 2 ELSE 0 END
       - CASE WHEN e.k >= 12 AND NOT t.reworked THEN 3 ELSE 0 END, e.action, e.actor, e.role, e.at, e.at, false,
       NULL, NULL, e.from_status, e.to_status, e.payload
FROM bench_times AS t
CROSS JOIN LATERAL (VALUES
    (1, 'create', 'operator1', 'operator', t.created, NULL, 'reported', '{}'::json),
    (2, 'register', 'operator1', 'operator', t.reg, 'reported', 'registered', '{}'::json),
    (3, 'dispatch', 'operator1', 'operator', t.disp, 'registered', 'dispatched', json_build_object('unit_id', t.unit_id)),
    (4, 'return', 'handler', 'unit_handler', t.ret, 'dispatched', 'returned', json_build_object('unit_id', t.unit_id)),
    (5, 'dispatch', 'operator1', 'operator', t.disp2, 'returned', 'dispatched', json_build_object('unit_id', t.unit_id)),
    (6, 'accept', 'handler', 'unit_handler', t.hstart + INTERVAL '5 minutes', 'dispatched', 'in_progress', '{}'::json),
    (7, 'report_handled', 'handler', 'unit_handler', t.handled, 'in_progress', 'handled', '{}'::json),
    (8, 'send_verify', 'operator1', 'operator', t.handled + INTERVAL '10 minutes', 'handled', 'verifying', '{}'::json),
    (9, 'verify_fail', 'inspector1', 'inspector', t.fail, 'verifying', 'in_progress', '{}'::json),
    (10, 'report_handled', 'handler', 'unit_handler', t.handled2, 'in_progress', 'handled', '{}'::json),
    (11, 'send_verify', 'operator1', 'operator', t.handled2 + INTERVAL '10 minutes', 'handled', 'verifying', '{}'::json),
    (12, 'verify_pass', 'inspector1', 'inspector', t.closed_at - INTERVAL '5 minutes', 'verifying', 'verifying', '{}'::json),
    (13, 'close', 'lead1', 'shift_lead', t.closed_at, 'verifying', 'closed', '{}'::json)
) AS e(k, action, actor, role, at, from_status, to_status, payload)
WHERE e.at IS NOT NULL
"""

FACTS_SQL = """
INSERT INTO metric_facts (case_id, fact_key, kind, unit_id, category_code, at, day, seconds, met)
SELECT id, 'e2', 'register', unit_id, category_code, reg, (reg AT TIME ZONE 'Asia/Shanghai')::date,
       extract(epoch FROM reg - created)::float8, NULL::boolean FROM bench_times
UNION ALL
SELECT id, 'e3', 'dispatch', unit_id, category_code, disp, (disp AT TIME ZONE 'Asia/Shanghai')::date,
       extract(epoch FROM disp - reg), NULL FROM bench_times
UNION ALL
SELECT id, 'e4', 'return', unit_id, category_code, ret, (ret AT TIME ZONE 'Asia/Shanghai')::date, NULL, NULL
FROM bench_times WHERE returned
UNION ALL
SELECT id, 'e5', 'dispatch', unit_id, category_code, disp2, (disp2 AT TIME ZONE 'Asia/Shanghai')::date,
       extract(epoch FROM disp2 - ret), NULL FROM bench_times WHERE returned
UNION ALL
SELECT id, 'e7', 'handled', unit_id, category_code, handled, (handled AT TIME ZONE 'Asia/Shanghai')::date,
       extract(epoch FROM handled - hstart), NULL FROM bench_times
UNION ALL
SELECT id, 'r1', 'register_due', NULL, category_code, created + INTERVAL '30 minutes',
       ((created + INTERVAL '30 minutes') AT TIME ZONE 'Asia/Shanghai')::date, NULL,
       reg <= created + INTERVAL '30 minutes' FROM bench_times
UNION ALL
SELECT id, 'd2', 'dispatch_due', NULL, category_code, reg + INTERVAL '30 minutes',
       ((reg + INTERVAL '30 minutes') AT TIME ZONE 'Asia/Shanghai')::date, NULL,
       disp <= reg + INTERVAL '30 minutes' FROM bench_times
UNION ALL
SELECT id, 'd4', 'dispatch_due', NULL, category_code, ret + INTERVAL '30 minutes',
       ((ret + INTERVAL '30 minutes') AT TIME ZONE 'Asia/Shanghai')::date, NULL,
       disp2 <= ret + INTERVAL '30 minutes' FROM bench_times WHERE returned
UNION ALL
SELECT id, 'h' || CASE WHEN returned THEN 5 ELSE 3 END, 'handle_due', unit_id, category_code,
       hstart + INTERVAL '4 hours', ((hstart + INTERVAL '4 hours') AT TIME ZONE 'Asia/Shanghai')::date, NULL,
       handled <= hstart + INTERVAL '4 hours' AND NOT reworked FROM bench_times
UNION ALL
SELECT id, 'e9', 'rework', unit_id, category_code, fail, (fail AT TIME ZONE 'Asia/Shanghai')::date, NULL, NULL
FROM bench_times WHERE reworked
UNION ALL
SELECT id, 'e10', 'handled', unit_id, category_code, handled2, (handled2 AT TIME ZONE 'Asia/Shanghai')::date,
       extract(epoch FROM handled2 - fail), NULL FROM bench_times WHERE reworked
UNION ALL
SELECT id, 'e9v', 'verified', NULL, category_code, fail, (fail AT TIME ZONE 'Asia/Shanghai')::date, NULL, NULL
FROM bench_times WHERE reworked
UNION ALL
SELECT id, 'e12', 'verified', NULL, category_code, closed_at - INTERVAL '5 minutes',
       ((closed_at - INTERVAL '5 minutes') AT TIME ZONE 'Asia/Shanghai')::date, NULL, NULL FROM bench_times WHERE closed
UNION ALL
SELECT id, 'v7i', 'verify_due', NULL, category_code, handled + INTERVAL '2 hours',
       ((handled + INTERVAL '2 hours') AT TIME ZONE 'Asia/Shanghai')::date, NULL,
       coalesce(coalesce(fail, closed_at - INTERVAL '5 minutes') <= handled + INTERVAL '2 hours', false)
FROM bench_times
UNION ALL
SELECT id, 'v10i', 'verify_due', NULL, category_code, handled2 + INTERVAL '2 hours',
       ((handled2 + INTERVAL '2 hours') AT TIME ZONE 'Asia/Shanghai')::date, NULL,
       coalesce(closed_at - INTERVAL '5 minutes' <= handled2 + INTERVAL '2 hours', false)
FROM bench_times WHERE reworked
UNION ALL
SELECT id, 'v' || CASE WHEN reworked THEN 10 ELSE 7 END, 'close_due', NULL, category_code,
       coalesce(handled2, handled) + INTERVAL '2 hours',
       ((coalesce(handled2, handled) + INTERVAL '2 hours') AT TIME ZONE 'Asia/Shanghai')::date, NULL,
       coalesce(closed_at <= coalesce(handled2, handled) + INTERVAL '2 hours', false) FROM bench_times
UNION ALL
SELECT id, 'e13', 'close', unit_id, category_code, closed_at, (closed_at AT TIME ZONE 'Asia/Shanghai')::date,
       extract(epoch FROM closed_at - created), NULL FROM bench_times WHERE closed
"""

CASE_FACTS_SQL = """
INSERT INTO metric_cases (case_id, unit_id, category_code, created_at, closed_at, voided_at, late_at,
                          registered_at, suspended_at, resumed_at)
SELECT id, unit_id, category_code, created, closed_at, NULL,
       least(CASE WHEN coalesce(handled2, handled) > hstart + INTERVAL '4 hours' THEN hstart + INTERVAL '4 hours' END,
             fail),
       reg, NULL, NULL
FROM bench_times
"""


# Bulk loading: the ledger's and the facts' constraints and indexes are dropped first and rebuilt after.
_DEFERRED = (
    ("case_events", "fk_case_events_case_id_cases", "FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE"),
    ("case_events", "pk_case_events", "PRIMARY KEY (case_id, seq)"),
    ("metric_facts", "fk_metric_facts_case_id_cases", "FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE"),
    ("metric_facts", "pk_metric_facts", "PRIMARY KEY (case_id, fact_key)"),
    ("metric_cases", "fk_metric_cases_case_id_cases", "FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE"),
)
_INDEXES = (
    "CREATE INDEX ix_case_events_at ON case_events (at)",
    "CREATE INDEX ix_case_events_action_at ON case_events (action, at)",
    "CREATE INDEX ix_metric_facts_at ON metric_facts (at)",
    "CREATE INDEX ix_metric_cases_closed_at ON metric_cases (closed_at)",
    "CREATE INDEX ix_metric_cases_late_at ON metric_cases (late_at)",
    "CREATE INDEX ix_metric_cases_registered_at ON metric_cases (registered_at)",
    "CREATE INDEX ix_metric_facts_unit_at ON metric_facts (unit_id, at)",
    "CREATE INDEX ix_metric_facts_timed ON metric_facts (at) INCLUDE (kind, seconds) WHERE seconds IS NOT NULL",
)


def load(url: str, refdata) -> float:
    import psycopg

    units = [u.id for u in refdata.units if u.parent_id is not None]
    cats = [c.code for c in refdata.categories]
    plain = plain_url(url)
    started = time.monotonic()
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SELECT setseed(0.42)")
        conn.execute("SET maintenance_work_mem = '256MB'")
        for table, name, _definition in _DEFERRED:
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for statement in _INDEXES:
            conn.execute(f"DROP INDEX {statement.split()[2]}")
        steps = [("plan", PLAN_SQL, {"start": YEAR_START, "n": CASES, "units": units, "cats": cats}),
                 ("times", TIMES_SQL, {"end": "2026-12-01 00:00:00+08"}),
                 ("cases", CASES_SQL, None), ("case_events", EVENTS_SQL, None),
                 ("metric_facts", FACTS_SQL, None), ("metric_cases", CASE_FACTS_SQL, None)]
        for name, sql, params in steps:
            t0 = time.monotonic()
            if params is None:
                conn.execute(sql)
            else:
                with conn.cursor() as cur:
                    for statement in [s for s in sql.split(";") if s.strip()]:
                        cur.execute(statement, params if "%(" in statement else None)
            log(f"loaded {name} in {time.monotonic() - t0:.1f} s")
        t0 = time.monotonic()
        for table, name, definition in _DEFERRED:
            conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for statement in _INDEXES:
            conn.execute(statement)
        log(f"constraints and indexes rebuilt in {time.monotonic() - t0:.1f} s")
        conn.execute("DROP TABLE bench_times")
        conn.execute("DROP TABLE bench_plan")
        conn.execute("VACUUM ANALYZE metric_facts")
        conn.execute("VACUUM ANALYZE metric_cases")
        conn.execute("ANALYZE cases")
        conn.execute("ANALYZE case_events")
        sizes = conn.execute("SELECT (SELECT count(*) FROM case_events), (SELECT count(*) FROM metric_facts)").fetchone()
    log(f"{CASES:,} cases, {sizes[0]:,} events, {sizes[1]:,} facts loaded")
    return time.monotonic() - started


def time_reports(url: str, refdata) -> tuple[list[float], list[float], dict]:
    from server.metrics import facts as server_metrics
    from server.platform.database import Database

    db = Database(url)
    try:
        with db.reader() as session:
            rep = server_metrics.report(session, refdata, *MONTH, None, True, AS_OF)  # warm the cache
        city, unit = [], []
        for _ in range(RUNS):
            with db.reader() as session:
                t0 = time.perf_counter()
                rep = server_metrics.report(session, refdata, *MONTH, None, True, AS_OF)
                city.append(time.perf_counter() - t0)
            with db.reader() as session:
                t0 = time.perf_counter()
                server_metrics.report(session, refdata, *MONTH, "enforcement", True, AS_OF)
                unit.append(time.perf_counter() - t0)
    finally:
        db.dispose()
    figures = {f.key: f for f in rep.figures}
    return city, unit, figures


def _reworked_case(refdata):
    """An 11-event case: handled late, verification failed (rework), handled again, closed."""
    from datetime import datetime, timedelta, timezone

    from app.cases.workflow import Actor, apply, new_command
    from app.platform.enums import Action

    start, minute = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc), timedelta(minutes=1)
    lat, lon = refdata.grids[0].centroid
    case_id = uuid.uuid5(uuid.NAMESPACE_URL, "onegrid:bench:metrics:reworked")
    steps = [(0, "operator1", Action.CREATE, {"source": "hotline", "category_code": "C0101", "priority": "urgent",
                                               "description": "bench case",
                                               "location": {"lat": lat, "lon": lon, "address": "Hubin Rd 1"}}),
             (5, "operator1", Action.REGISTER, {}), (10, "operator1", Action.DISPATCH, {"unit_id": "water_supply"}),
             (11, "handler_water_supply", Action.ACCEPT, {}),
             (180, "handler_water_supply", Action.REPORT_HANDLED, {"note": "done"}),
             (185, "operator1", Action.SEND_VERIFY, {"inspector": "inspector1"}),
             (210, "inspector1", Action.VERIFY_FAIL, {"reason": "still broken"}),
             (240, "handler_water_supply", Action.REPORT_HANDLED, {"note": "fixed again"}),
             (245, "operator1", Action.SEND_VERIFY, {"inspector": "inspector1"}),
             (265, "inspector1", Action.VERIFY_PASS, {}), (270, "lead1", Action.CLOSE, {})]
    case = None
    for offset, username, action, payload in steps:
        user, at = refdata.user(username), start + offset * minute
        case = apply(case, new_command(case_id, action, payload, at), Actor(user.username, user.role, user.unit_id),
                     refdata, at)
    return case


def time_facts(refdata) -> float:
    """Microbenchmark of the per-command Python work: facts of the old and the new case."""
    from app.metrics import figures as m

    case = _reworked_case(refdata)
    t0 = time.perf_counter()
    n = 300
    for _ in range(n):
        m.case_facts(case, refdata)
        m.case_facts(case, refdata)
    return (time.perf_counter() - t0) / n * 1000


def main() -> int:
    install_sigterm_cleanup()
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    try:
        emit.emit(Row(NAME_FACTS, time_facts(refdata), "ms", FACTS_TARGET_MS,
                      note="app.metrics.figures.case_facts twice (old and new case) for an 11-event case"))
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        emit.emit(Row(NAME_FACTS, None, "ms", FACTS_TARGET_MS, note=f"failed: {exc}"[:120]))
    try:
        drop_stale_databases()
        with fresh_database("metrics") as url:
            init_db(url, refdata=refdata)
            load_s = load(url, refdata)
            emit.emit(Row(NAME_LOAD, load_s, "s", LOAD_TARGET_S,
                          note="generate_series plan → cases, case_events, metric facts (INSERT … SELECT)"))
            city, unit, figures = time_reports(url, refdata)
            reg = figures["registered"].value
            on_time = figures["on_time_handling_rate"]
            emit.emit(Row(NAME_REPORT, statistics.median(city), "s", REPORT_TARGET_S,
                          note=f"median of {RUNS} (max {max(city):.2f} s), October 2026: {reg:,.0f} registered, "
                               f"on-time handling {on_time.numerator:,}/{on_time.denominator:,}; shared machine"))
            emit.emit(Row(NAME_UNIT, statistics.median(unit), "s", UNIT_TARGET_S,
                          note=f"enforcement and its sub-units; median of {RUNS}"))
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down or a bug: the rows say so
        traceback.print_exc()
        for name, unit_, target in ((NAME_LOAD, "s", LOAD_TARGET_S), (NAME_REPORT, "s", REPORT_TARGET_S),
                                    (NAME_UNIT, "s", UNIT_TARGET_S)):
            emit.emit(Row(name, None, unit_, target, note=f"failed: {exc}"[:120]))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
