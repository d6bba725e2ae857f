"""Part 2 of bench/bench_server_load.py: the initial sync of CASES cases into an empty console cache
(LocalCache + SyncEngine.sync_once) from a server whose database was filled straight through its schema
(`fill_cases`); the note splits its time and CPU seconds."""
from __future__ import annotations

import asyncio
import gc
import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from app.platform.gc_tuning import tune_collector
from bench.command_sender import DISTINCT_PROBLEMS
from bench.harness import (
    HANDLED_UNITS,
    CpuMeter,
    LastCall,
    ServerProcess,
    Timed,
    create_payload,
    fresh_database,
    log,
    now_utc,
    password_of,
    psql_scalar,
    wait_for_quiet,
)
from bench.result import Row

CASES = 100_000
SYNC_TARGET_S = 5.0  # a console whose scope holds 100,000 cases (the first bar was 20 s)

NAME_SYNC = "sync: initial sync of 100,000 cases into an empty cache"
ROWS = {NAME_SYNC: ("s", SYNC_TARGET_S, True)}  # (unit, target, lower is better)


def _case_templates(refdata) -> list:
    """Valid cases in several states, built by the workflow itself (varied categories, grids, units)."""
    from app.cases.workflow import Actor, apply, new_command
    from app.platform.enums import Action, Role

    operator = Actor("operator1", Role.OPERATOR)
    now = now_utc()
    templates = []
    for k in range(12):
        case_id = uuid.uuid4()
        case = apply(None, new_command(case_id, Action.CREATE, create_payload(refdata, k * 7), now), operator,
                     refdata, now)
        unit = HANDLED_UNITS[k % len(HANDLED_UNITS)]
        handler = Actor(f"handler_{unit}", Role.UNIT_HANDLER, unit)
        steps = [(operator, Action.REGISTER, {}), (operator, Action.DISPATCH, {"unit_id": unit}),
                 (handler, Action.ACCEPT, {}), (handler, Action.NOTE, {"text": "crew on site"})][:k % 5]
        for actor, action, payload in steps:
            case = apply(case, new_command(case_id, action, payload, now), actor, refdata, now)
        templates.append(case)
    return templates


def fill_cases(url: str, refdata, count: int) -> dict:
    """Write `count` cases and their feed rows straight into the server schema (no HTTP): a few templates
    with fresh ids, numbers and command ids; feed positions 1..count; counters `feed` and the case number."""
    from sqlalchemy import insert, text
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    from app.platform.scope import case_scope
    from db.cases import CaseRow
    from db.feed import FeedRow
    from db.platform import CASE_NUMBER_COUNTER_PREFIX, FEED_COUNTER, CounterRow
    from server.platform.database import make_engine

    templates = [(t, t.model_dump(mode="json")) for t in _case_templates(refdata)]
    year = now_utc().astimezone(refdata.policy.calendar.tz).year
    engine = make_engine(url)
    started = time.perf_counter()
    json_bytes = 0
    try:
        batch = 5000
        for first in range(0, count, batch):
            cases, feed = [], []
            for i in range(first, min(first + batch, count)):
                case, data = templates[i % len(templates)]
                case_id = uuid.uuid4()
                number = f"{year}-{i + 1:06d}"
                data = {**data, "id": str(case_id), "number": number,
                        "events": [{**e, "command_id": str(uuid.uuid4())} for e in data["events"]]}
                cases.append({"id": case_id, "number": number, "status": str(case.status),
                              "priority": str(case.priority), "category_code": case.category_code,
                              "unit_id": case.unit_id, "grid_code": case.location.grid_code,
                              "created_at": case.created_at, "updated_at": case.updated_at, "due_at": case.due_at,
                              "version": case.version, "data": data})
                feed.append({"kind": "case", "entity_id": str(case_id), "position": i + 1, "case_id": case_id,
                             "data": None, "scope": case_scope(case)})
            if first == 0:
                json_bytes = len(json.dumps(cases[0]["data"])) * count
            with engine.begin() as conn:
                conn.execute(insert(CaseRow.__table__), cases)
                conn.execute(insert(FeedRow.__table__), feed)
        with engine.begin() as conn:
            for name in (FEED_COUNTER, f"{CASE_NUMBER_COUNTER_PREFIX}{year}"):
                stmt = pg_insert(CounterRow.__table__).values(name=name, value=count)
                conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"value": count}))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return {"seconds": time.perf_counter() - started, "approx_json_mb": json_bytes / 1e6}


def bench_initial_sync(emit: Callable[[Row], None]) -> None:
    from app.cache import LocalCache
    from app.refdata.loading import load_demo_refdata
    from app.sync.client import ServerClient
    from app.sync.engine import SyncEngine
    from app.sync.session import login_online
    from server.admin.bootstrap import init_db

    tune_collector()  # as the console and onegrid-ctl do at start (app.platform.gc_tuning)
    refdata = load_demo_refdata()
    with fresh_database("sync100k") as url:
        init_db(url, demo_users=True)
        log(f"writing {CASES:,} cases straight into the server database")
        filled = fill_cases(url, refdata, CASES)
        log(f"filled in {filled['seconds']:.1f} s (~{filled['approx_json_mb']:.0f} MB of case JSON)")
        assert psql_scalar(url, "SELECT count(*) FROM feed") == CASES
        with ServerProcess(url, env=DISTINCT_PROBLEMS) as server:
            workdir = Path(tempfile.mkdtemp(prefix="onegrid-bench-cache-"))
            try:
                cache = LocalCache(workdir / "console")
                client = ServerClient(server.url)
                login_online(client, cache, "operator1", password_of("operator1"))
                engine = SyncEngine(cache, client)
                fetch = client.fetch_changes = Timed(client.fetch_changes)
                parse = client.parse_changes = Timed(client.parse_changes)
                last_apply = LastCall(cache.apply_changes)
                apply_ = cache.apply_changes = Timed(last_apply)
                wait_for_quiet()
                meter = CpuMeter(server.pid)
                log("timing SyncEngine.sync_once() from cursor 0")
                meter.start()
                started = time.perf_counter()
                asyncio.run(asyncio.wait_for(engine.sync_once(), 600))
                took = time.perf_counter() - started
                meter.stop()
                held = cache.case_count()
                cursor = cache.cursor()
                size_mb = sum(f.stat().st_size for f in (workdir / "console").iterdir()) / 1e6
                engine.close()
                client.close()
                cache.close()
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
    ok = held == CASES and cursor == CASES
    cpu = meter.result
    note = (f"{fetch.calls} pages (the first of {engine.page} cases, the rest of up to {engine.bulk_page}), each fetched on a network thread while the previous one is "
            f"applied, and parsed and read into rows there while that one commits: HTTP exchange incl. server read/serialise/gzip and the client's gunzip "
            f"{fetch.seconds:.1f} s, client page parse {parse.seconds:.1f} s (CPU {parse.cpu_seconds:.1f} s), "
            f"cache.apply_changes {apply_.seconds:.1f} s (CPU {apply_.cpu_seconds:.1f} s), of which the last page's "
            f"with the deferred index builds, which nothing overlaps, {last_apply.seconds:.2f} s; CPU seconds in all: "
            f"console {cpu['bench'] * took:.1f}, server {cpu['server'] * took:.1f}, "
            f"postgres {cpu['postgres'] * took:.1f}; "
            f"cache holds {held:,} cases, cursor {cursor:,}, cache files {size_mb:.0f} MB; collector tuned as the "
            f"console's (gen0 threshold {gc.get_threshold()[0]:,}); {meter.describe()}")
    if not ok:
        note = f"INCOMPLETE: expected {CASES:,} cases; " + note
    log(f"initial sync {took:.1f} s; {note}")
    emit(Row(NAME_SYNC, took if ok else None, "s", SYNC_TARGET_S, note=note))
