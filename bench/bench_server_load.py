"""Server backbone benchmarks, against the real server process (`python -m server.cli`, one uvicorn worker)
on a throw-away PostgreSQL database:

1. command latency while 500 consoles long-poll the changes feed and a sender issues 100 commands/s
   (open loop), plus the same sender without pollers as a baseline;
2. the initial sync of 100,000 cases into an empty console cache (LocalCache + SyncEngine.sync_once): the
   note splits its time (the HTTP exchange, the page parse, the cache's apply, each with its CPU seconds,
   and the CPU seconds of the console, the server and PostgreSQL), since on a shared machine the wall time
   is mostly waiting for a core.

    python -m bench server_load
    BENCH_SERVER_LOAD_ONLY=sync python -m bench server_load   # only the initial sync row
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from app.platform.gc_tuning import SLOW_COLLECTION_S, tune_collector
from bench import emit as _emit
from bench.emit import percentile
from bench.harness import (
    HANDLED_UNITS,
    HOST,
    ROOT,
    CpuMeter,
    LastCall,
    RawHttp,
    ServerProcess,
    ServerProfile,
    Timed,
    create_payload,
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    login,
    now_utc,
    password_of,
    psql_scalar,
    stop_process,
    wait_for_quiet,
)
from bench.result import Row

# The bench's cases are distinct problems, many reported at one spot: the server's repeat check (on in
# production; measured by bench_detections) would merge them and turn the workload into conflicts.
DISTINCT_PROBLEMS = {"ONEGRID_REPEAT_MERGE": "0"}

POLLERS = 500
RATE = 100.0             # commands per second, open loop
LOAD_S = 30.0            # measured window with the pollers
BASELINE_S = 10.0        # the same sender without pollers
WARMUP_S = 3.0
LATENCY_TARGET_MS = 200.0
REQUEST_TIMEOUT_S = 10.0   # an answer later than this counts as this long (keeps the run bounded)
POLLS_TARGET = float(POLLERS)  # every console answered at least once a second under load
MAX_CONNECTIONS = 300    # sender connections (a request waiting for one counts in its latency)
KEEPALIVE_S = 4.0        # uvicorn closes idle keep-alive connections after 5 s

CASES = 100_000
SYNC_TARGET_S = 5.0  # a console whose scope holds 100,000 cases (the first bar was 20 s)

NAME_P99 = f"server: p99 command latency ({POLLERS} long-polls + {RATE:g} cmd/s, PostgreSQL)"
NAME_P50 = f"server: p50 command latency ({POLLERS} long-polls + {RATE:g} cmd/s, PostgreSQL)"
NAME_BASE = f"server: p99 command latency ({RATE:g} cmd/s, no long-polls, PostgreSQL)"
NAME_POLLS = f"server: long-poll responses delivered ({POLLERS} long-polls + {RATE:g} cmd/s)"
NAME_SYNC = "sync: initial sync of 100,000 cases into an empty cache"


_EMITTED: set[str] = set()


def emit(row: Row) -> None:
    _EMITTED.add(row.name)
    _emit.emit(row)


# ====================================================================== 1. command latency under load

class CommandSender:
    """Issues single-command POST /api/commands at a fixed rate (open loop: the schedule never waits for
    answers). Each case goes through its life: create, register, dispatch, accept, note, report_handled,
    send_verify, verify_pass, close; a tick sends the next step of a case whose previous step was
    answered, or creates a new case when none is ready. Latency = answer time - scheduled send time."""

    def __init__(self, port: int, tokens: dict[str, str], refdata):
        self.port = port
        self.auth = {who: f"Authorization: Bearer {t}\r\n".encode() for who, t in tokens.items()}
        self.refdata = refdata
        self.ready: collections.deque = collections.deque()   # (case_id, unit, next step index)
        self.idle: list[tuple[RawHttp, float]] = []
        self.resent = 0
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)
        self.created = 0
        self.actions = collections.Counter()
        self.rejected = collections.Counter()
        self.errors = collections.Counter()

    def _steps(self, unit: str) -> list[tuple[str, str, dict]]:
        handler = f"handler_{unit}"
        return [
            ("operator", "register", {}),
            ("operator", "dispatch", {"unit_id": unit}),
            (handler, "accept", {}),
            (handler, "note", {"text": "crew on site"}),
            (handler, "report_handled", {"note": "repaired"}),
            ("operator", "send_verify", {}),
            ("shift_lead", "verify_pass", {}),
            ("shift_lead", "close", {}),
        ]

    def next_command(self) -> tuple[str, dict, tuple | None]:
        if self.ready:
            case_id, unit, step = self.ready.popleft()
            who, action, payload = self._steps(unit)[step]
            follow = (case_id, unit, step + 1) if step + 1 < 8 else None
        else:
            case_id, unit = uuid.uuid4(), HANDLED_UNITS[self.created % len(HANDLED_UNITS)]
            who, action, payload = "operator", "create", create_payload(self.refdata, self.created)
            self.created += 1
            follow = (case_id, unit, 0)
        command = {"command_id": str(uuid.uuid4()), "case_id": str(case_id), "action": action, "payload": payload,
                   "issued_at": now_utc().isoformat(), "offline": False, "console_id": "bench-sender"}
        self.actions[action] += 1
        return who, command, follow

    def _connection(self) -> tuple[RawHttp, bool]:
        """An idle keep-alive connection (reused=True) or a new one. Connections idle for longer than
        uvicorn's keep-alive timeout (5 s) are closed by the server, so they are dropped here."""
        now = time.monotonic()
        while self.idle:
            conn, since = self.idle.pop()
            if now - since < KEEPALIVE_S and conn.connected:
                return conn, True
            conn.close()
        return RawHttp(HOST, self.port), False

    async def _post(self, who: str, command: dict, follow, scheduled: float, latencies: list) -> None:
        loop = asyncio.get_running_loop()
        body = json.dumps({"commands": [command]}).encode()
        async with self.slots:
            for attempt in (1, 2):
                conn, reused = self._connection()
                try:
                    status, _h, answer = await conn.request("POST", "/api/commands", headers=self.auth[who],
                                                            body=body, timeout=REQUEST_TIMEOUT_S)
                    break
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    conn.close()
                    if reused and attempt == 1:  # closed by the server while idle: resend (same command_id)
                        self.resent += 1
                        continue
                    self.errors[type(exc).__name__] += 1
                except Exception as exc:  # noqa: BLE001 - a timeout is a result too
                    conn.close()
                    self.errors[type(exc).__name__] += 1
                latencies.append(math.inf)
                return
            if conn.connected:
                self.idle.append((conn, time.monotonic()))
        latencies.append((loop.time() - scheduled) * 1000)
        if status != 200:
            self.errors[f"http {status}"] += 1
            return
        result = json.loads(answer)["results"][0]
        if result["status"] != "accepted":
            self.rejected[f"{command['action']}:{result.get('reason')}"] += 1
        elif follow is not None:
            self.ready.append(follow)

    async def run(self, rate: float, duration_s: float) -> list[float]:
        """Send `rate * duration_s` commands on schedule; wait (bounded) for the answers."""
        loop = asyncio.get_running_loop()
        latencies: list[float] = []
        tasks = []
        start = loop.time() + 0.05
        for i in range(int(rate * duration_s)):
            scheduled = start + i / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            who, command, follow = self.next_command()
            tasks.append(asyncio.create_task(self._post(who, command, follow, scheduled, latencies)))
        done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_S + 5)
        for task in pending:
            task.cancel()
        latencies.extend([math.inf] * len(pending))
        self.close()  # on this loop, while it still runs
        return latencies

    def close(self) -> None:
        for conn, _since in self.idle:
            with contextlib.suppress(RuntimeError):  # the loop has already closed: the socket goes with it
                conn.close()
        self.idle.clear()

    def describe(self) -> str:
        mix = ", ".join(f"{a} {n}" for a, n in self.actions.most_common())
        extra = ""
        if self.rejected:
            extra += f"; rejected: {dict(self.rejected)}"
        if self.errors:
            extra += f"; errors: {dict(self.errors)}"
        if self.resent:
            extra += f"; {self.resent} resent after the server closed an idle connection"
        return f"mix: {mix}{extra}"


def _fmt_ms(values: list[float], q: float) -> str:
    v = percentile(values, q)
    return f">{REQUEST_TIMEOUT_S:g} s" if math.isinf(v) else f"{v:,.0f}"


def _value_ms(values: list[float], q: float) -> float | None:
    """The percentile in ms; a request still unanswered after the timeout counts as the timeout (the
    note says so), so a collapsed server shows as a number, not as 'could not run'."""
    v = percentile(values, q)
    if math.isnan(v):
        return None
    return REQUEST_TIMEOUT_S * 1000 if math.isinf(v) else v


def _latency_summary(values: list[float]) -> str:
    lost = sum(1 for v in values if math.isinf(v))
    return (f"{len(values)} commands: p50 {_fmt_ms(values, 50)} / p90 {_fmt_ms(values, 90)} / p99 "
            f"{_fmt_ms(values, 99)} / max {_fmt_ms(values, 100)} ms"
            + (f", {lost} not answered within {REQUEST_TIMEOUT_S:g} s (counted as {REQUEST_TIMEOUT_S:g} s)"
               if lost else ""))


def bench_command_latency() -> None:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    with fresh_database("load") as url:
        init_db(url, demo_users=True)
        with ServerProcess(url, env=DISTINCT_PROBLEMS) as server:
            who = {"operator": "operator1", "shift_lead": "lead1",
                   **{f"handler_{u}": f"handler_{u}" for u in HANDLED_UNITS}}
            tokens = {role: login(server.url, user) for role, user in who.items()}
            poll_token = login(server.url, "operator2")

            # -- baseline: the same sender, no long-polls
            log(f"baseline: {RATE:g} cmd/s for {BASELINE_S:g} s without pollers")
            sender = CommandSender(server.port, tokens, refdata)
            wait_for_quiet()
            meter = CpuMeter(server.pid)
            meter.start()
            base = asyncio.run(sender.run(RATE, BASELINE_S))
            meter.stop()
            sender.close()
            note = f"{_latency_summary(base)}; {sender.describe()}; {meter.describe()}"
            log(f"baseline: {note}")
            emit(Row(NAME_BASE, _value_ms(base, 99), "ms", LATENCY_TARGET_MS, note=note))
            time.sleep(3)  # let a backlog drain before the next phase

            # -- 500 long-polling consoles in their own process, starting caught up (one city: one partition
            # holds every position, so its highest is every partition's cursor)
            cursor = psql_scalar(url, "SELECT coalesce(max(position), 0) FROM feed")
            pollers = subprocess.Popen(
                [sys.executable, "-m", "bench.harness", "pollers", "--port", str(server.port), f"--token={poll_token}",
                 "--count", str(POLLERS), "--after", str(cursor), "--duration", str(LOAD_S + WARMUP_S + 90),
                 "--partitioned"],  # as the console reads: the server partitions its feed by default
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                ready = _read_json_line(pollers, timeout_s=60)
                log(f"pollers: {ready}")
                time.sleep(WARMUP_S)
                sender = CommandSender(server.port, tokens, refdata)
                wait_for_quiet()
                meter = CpuMeter(server.pid, others={"pollers": pollers.pid})
                log(f"load: {RATE:g} cmd/s for {LOAD_S:g} s with {POLLERS} long-polls")
                sessions_before = _pg_sessions(url)
                profile = ServerProfile(server.pid, LOAD_S)
                slow_gc = -_slow_collections(server)
                window_start = time.time()
                meter.start()
                profile.start()
                latencies = asyncio.run(sender.run(RATE, LOAD_S))
                meter.stop()
                window_end = time.time()
                new_sessions = _pg_sessions(url) - sessions_before
                slow_gc += _slow_collections(server)
                pollers.stdin.write("stop\n")
                pollers.stdin.flush()
                report = _read_json_line(pollers, timeout_s=60)
            finally:
                stop_process(pollers)
            sender.close()

    note = (f"{_latency_summary(latencies)}; {sender.describe()}; {meter.describe()}; "
            f"{slow_gc} garbage collections over {1000 * SLOW_COLLECTION_S:.0f} ms in the server's log; "
            f"{new_sessions} new PostgreSQL connections opened by the server meanwhile (pool overflow churn)")
    if profile_summary := profile.summary():
        note += f"; {profile_summary}"
    refused = {k: v for k, v in report["stats"].items() if k.startswith("status:")}
    if refused:  # pollers answered with errors put no long-poll load on the server: no figure, say why
        note = f"NOT MEASURED: the pollers' reads were refused {refused}; {note}"
    log(f"load: {note}")
    emit(Row(NAME_P99, None if refused else _value_ms(latencies, 99), "ms", LATENCY_TARGET_MS, note=note))
    emit(Row(NAME_P50, _value_ms(latencies, 50), "ms", LATENCY_TARGET_MS, note="p50 (same run as the p99 row)"))

    buckets = {int(k): v for k, v in report["buckets"].items()}
    # Answers delivered during the command window (whole seconds; answers after it are not counted).
    whole = range(int(window_start) + 1, int(window_end))
    polls_per_s = sum(buckets.get(sec, 0) for sec in whole) / max(len(whole), 1)
    stats = report["stats"]
    poll_note = (f"{polls_per_s:,.0f} answers/s to {POLLERS} pollers during the command window "
                 f"(one per poller per command would be {POLLERS * RATE:,.0f}/s); pollers connected at end "
                 f"{report['connected_at_end']}/{POLLERS}; {stats.get('non_empty', 0):,} of "
                 f"{stats.get('responses', 0):,} answers carried changes, avg answer "
                 f"{stats.get('bytes', 0) / max(stats.get('responses', 1), 1) / 1024:,.1f} KiB (after gunzip), i.e. "
                 f"{polls_per_s * stats.get('bytes', 0) / max(stats.get('responses', 1), 1) / 1e6:,.1f} MB/s of case "
                 f"JSON read, parsed and serialised again for each poller; "
                 f"{stats.get('changes', 0) / max(stats.get('responses', 1), 1):,.1f} changes per answer "
                 f"({stats.get('bytes', 0) / max(stats.get('changes', 1), 1) / 1024:,.1f} KiB each; a poller answered "
                 f"{polls_per_s / POLLERS:.2f} times a second while {RATE:g} commands/s commit, i.e. "
                 f"{RATE * POLLERS / max(polls_per_s, 1):,.0f} new changes per answer at most); "
                 f"poller errors {stats.get('errors', 0)}; target = every console answered once a second")
    errors = {k: v for k, v in stats.items() if k.startswith(("error:", "status:", "stuck_at_stop"))}
    if errors:
        poll_note += f" {errors}"
    log(poll_note)
    emit(Row(NAME_POLLS, polls_per_s, "responses/s", POLLS_TARGET, lower_is_better=False, note=poll_note))


def _slow_collections(server: ServerProcess) -> int:
    """Garbage collections the server logged as slow so far (`app.platform.gc_tuning`)."""
    return server.log_text().count("garbage collection of generation")


def _pg_sessions(url: str) -> int:
    """Connections ever opened to this database (counted when they end; PostgreSQL 14+)."""
    try:
        return int(psql_scalar(url, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"))
    except Exception:  # noqa: BLE001 - older PostgreSQL: no such column
        return 0


def _read_json_line(proc: subprocess.Popen, timeout_s: float) -> dict:
    """The next JSON line of a child's stdout, or an error after `timeout_s`."""
    box: list = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not box or not box[0]:
        raise RuntimeError(f"the poller process said nothing within {timeout_s:.0f} s "
                           f"(exit code {proc.poll()})")
    return json.loads(box[0])


# ====================================================================== 2. initial sync of 100,000 cases

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


def bench_initial_sync() -> None:
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
            f"applied, then parsed: HTTP exchange incl. server read/serialise/gzip and the client's gunzip "
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


# ====================================================================== main

def main() -> int:
    install_sigterm_cleanup()
    try:
        drop_stale_databases()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down: every row below says so
        log(f"PostgreSQL at {HOST}:5432 unusable: {exc}")
    rows = {NAME_BASE: ("ms", LATENCY_TARGET_MS, True), NAME_P99: ("ms", LATENCY_TARGET_MS, True),
            NAME_P50: ("ms", LATENCY_TARGET_MS, True), NAME_POLLS: ("responses/s", POLLS_TARGET, False),
            NAME_SYNC: ("s", SYNC_TARGET_S, True)}
    only = os.environ.get("BENCH_SERVER_LOAD_ONLY", "")  # "sync" or "latency": one part alone
    for bench, names in ((bench_command_latency, [NAME_BASE, NAME_P99, NAME_P50, NAME_POLLS]),
                         (bench_initial_sync, [NAME_SYNC])):
        if only and only not in bench.__name__:
            continue
        started = time.monotonic()
        try:
            bench()
        except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build: say why in the row
            import traceback

            traceback.print_exc()
            for name in [n for n in names if n not in _EMITTED]:
                unit, target, lower = rows[name]
                emit(Row(name, None, unit, target, lower_is_better=lower,
                         note=f"could not run: {type(exc).__name__}: {str(exc)[:200]}"))
        log(f"{bench.__name__}: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
