"""Handover report benchmark on PostgreSQL: how long closing a shift takes to draft its report
from the ledger, with a year of history in the database (`BENCH_HANDOVER_CASES` cases, default 200,000 — a
prefecture city's year — with ~5 events each, spread over the year; a few thousand still open, part of
them overdue). Target: < 1 s for the drafting of a 12-hour shift (the lead waits for it at close).

The history is written with COPY (synthetic rows shaped as the server stores them); the draft is the real
`server.shifts.handover.draft_report` in a read transaction, median of several runs.
"""
from __future__ import annotations

import io
import json
import os
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone

from bench.emit import emit
from bench.harness import (
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    plain_url,
)
from bench.result import Row

CASES = int(os.environ.get("BENCH_HANDOVER_CASES", "200000"))
RUNS = 5
END = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
PATH = ["create", "register", "dispatch", "accept", "report_handled", "send_verify", "verify_pass", "close"]
SIDE = ["return", "escalate", "verify_fail", "request_extension", "note"]


def _fill(url: str, rng: random.Random) -> int:
    import psycopg

    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    init_db(url, refdata=load_demo_refdata())
    conninfo = plain_url(url)
    cases, events = io.StringIO(), io.StringIO()
    year = timedelta(days=365).total_seconds()
    n_events = 0
    for i in range(CASES):
        case_id = uuid.uuid4()
        created = END - timedelta(seconds=rng.random() * year)
        if created < END - timedelta(days=3):  # older cases: almost all closed (a 98% resolution rate)
            steps = list(PATH) if rng.random() < 0.98 else PATH[:rng.randint(1, len(PATH) - 1)]
        else:
            steps = PATH[:rng.randint(1, len(PATH))]
        if rng.random() < 0.08:
            steps.insert(min(len(steps), 3), rng.choice(SIDE))
        status = {"create": "reported", "register": "registered", "dispatch": "dispatched", "accept": "in_progress",
                  "report_handled": "handled", "send_verify": "verifying", "verify_pass": "verifying",
                  "close": "closed"}.get(steps[-1], "in_progress")
        at = created
        for seq, action in enumerate(steps, start=1):
            events.write(f"{case_id}\t{seq}\t{action}\toperator1\toperator\t{at.isoformat()}\t\\N\tf\t\\N\t\\N\t\\N\t"
                         f"{status}\t{{}}\n")
            at += timedelta(minutes=rng.randint(5, 600))
            n_events += 1
        due = created + timedelta(hours=rng.choice([2, 24, 72]))
        data = json.dumps({"stage": "handle", "escalation_level": 0, "extension": None, "events": []})
        cases.write(f"{case_id}\t2025-{i:06d}\t{status}\tordinary\tC0101\twater_supply\t\\N\t{created.isoformat()}\t"
                    f"{at.isoformat()}\t{due.isoformat()}\t{len(steps)}\t{data}\n")
    with psycopg.connect(conninfo) as conn:
        with conn.cursor().copy("COPY cases (id, number, status, priority, category_code, unit_id, grid_code, "
                                "created_at, updated_at, due_at, version, data) FROM STDIN") as copy:
            copy.write(cases.getvalue())
        with conn.cursor().copy("COPY case_events (case_id, seq, action, actor, actor_role, at, client_time, "
                                "offline, console_id, command_id, from_status, to_status, payload) FROM STDIN") as copy:
            copy.write(events.getvalue())
        conn.execute("ANALYZE")
    return n_events


def run() -> None:
    from server.platform.database import Database
    from server.shifts.handover import draft_report

    rng = random.Random(5)
    with fresh_database("handover") as url:
        log(f"writing {CASES} cases …")
        n_events = _fill(url, rng)
        db = Database(url)
        start = END - timedelta(hours=12)
        times = []
        try:
            for _ in range(RUNS + 1):
                with db.reader() as session, session.begin():
                    began = time.perf_counter()
                    report = draft_report(session, start, END, END)
                    times.append((time.perf_counter() - began) * 1000)
        finally:
            db.dispose()
        median = statistics.median(times[1:])  # the first run warms the caches
        log(f"draft: {times} ms; counts {report['counts']}, overdue {report['overdue']['total']}")
        emit(Row("handover draft, 12 h shift, year of history (PostgreSQL)", round(median, 1), "ms", 1000,
                 note=f"{CASES:,} cases, {n_events:,} events; shift had {report['counts']['opened']} new cases, "
                      f"{report['overdue']['total']} overdue open; median of {RUNS}; shared machine, noisy"))


if __name__ == "__main__":
    install_sigterm_cleanup()  # a stopped run leaves no database of 200k cases behind
    drop_stale_databases()
    run()
