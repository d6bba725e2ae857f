"""Console sync benchmarks against the real server process (`python -m server.cli`, one uvicorn worker) on a
throw-away PostgreSQL database, with real console caches (LocalCache in a temporary folder on disk) and
SyncEngines:

3. draining a 10,000-command outbox after an outage (2,000 offline creates + 8,000 actions on them);
4. a dispatch issued on console A seen on console B (both engines running as a console does: once caught up, on
   the feed's push channel, `app.sync.push_feed`; the note says how many pages B got pushed), p95.

    python -m bench sync
"""
from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from bench import emit as _emit
from bench.emit import percentile
from bench.harness import (
    HANDLED_UNITS,
    ROOT,
    CpuMeter,
    ServerProcess,
    Timed,
    create_payload,
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    now_utc,
    password_of,
    psql_scalar,
    wait_for_quiet,
)
from bench.result import Row

# The bench's cases are distinct problems, many reported at one spot: the server's repeat check (on in
# production; measured by bench_detections) would merge them and turn the workload into conflicts.
DISTINCT_PROBLEMS = {"ONEGRID_REPEAT_MERGE": "0"}

OUTBOX_CASES = 2_000
ACTIONS_PER_CASE = 4          # register, note, dispatch, note
OUTBOX_TOTAL = OUTBOX_CASES * (1 + ACTIONS_PER_CASE)
DRAIN_TARGET_S = 5.0          # a province's drain (it was 30 s while each command had its own transaction)

DISPATCHES = 60
SPACING_S = 0.2
VISIBLE_TARGET_S = 0.05       # p95 unloaded (was 1 s while every woken long-poll waited a fixed 50 ms)
VISIBLE_TIMEOUT_S = 15.0      # a dispatch not seen on B by then counts as this long

NAME_DRAIN = "sync: drain a 10,000-command outbox after an outage"
NAME_VISIBLE = "sync: dispatch on console A visible in console B (p95)"
# BENCH_SYNC_REFERENCE=1: the drain measured again, in the same run, on a server committing each command alone
# (ONEGRID_COMMIT_GROUP=1): the before of the group commit, on the machine as loaded as the after.
NAME_DRAIN_REFERENCE = "sync: drain a 10,000-command outbox, each command its own transaction (reference)"

_EMITTED: set[str] = set()


def emit(row: Row) -> None:
    _EMITTED.add(row.name)
    _emit.emit(row)


class Console:
    """A console without UI: cache + client + engine, logged in online."""

    def __init__(self, directory: Path, url: str, username: str, **engine_args):
        from app.cache import LocalCache
        from app.sync.client import ServerClient
        from app.sync.engine import SyncEngine
        from app.sync.session import login_online

        self.cache = LocalCache(directory)
        self.client = ServerClient(url)
        self.session = login_online(self.client, self.cache, username, password_of(username))
        self.engine = SyncEngine(self.cache, self.client, **engine_args)

    @property
    def actor(self):
        return self.session.actor

    def close(self) -> None:
        self.engine.close()
        self.client.close()
        self.cache.close()


# ====================================================================== 3. draining the outbox

def bench_drain(server: ServerProcess, workdir: Path, refdata, name: str = NAME_DRAIN) -> None:
    from app.platform.enums import Action

    console = Console(workdir / f"outage-{len(_EMITTED)}", server.url, "operator1")
    try:
        asyncio.run(console.engine.sync_once())  # reference data, cursor: the console was online before
        actor = console.actor
        unit_cycle = HANDLED_UNITS
        log(f"issuing {OUTBOX_TOTAL:,} commands offline")
        started = time.perf_counter()
        for i in range(OUTBOX_CASES):
            now = now_utc()
            created = console.cache.issue(actor, Action.CREATE, None, create_payload(refdata, i), now, offline=True)
            case_id = created.case_id
            console.cache.issue(actor, Action.REGISTER, case_id, {}, now, offline=True)
            console.cache.issue(actor, Action.NOTE, case_id, {"text": "caller rang again"}, now, offline=True)
            console.cache.issue(actor, Action.DISPATCH, case_id, {"unit_id": unit_cycle[i % len(unit_cycle)]}, now,
                                offline=True)
            console.cache.issue(actor, Action.NOTE, case_id, {"text": "unit informed by radio"}, now, offline=True)
        issue_s = time.perf_counter() - started
        queued = console.cache.outbox_size()
        log(f"queued {queued:,} in {issue_s:.1f} s ({issue_s / queued * 1000:.1f} ms per issue)")

        push = console.client.push = Timed(console.client.push)
        results = console.cache.apply_results = Timed(console.cache.apply_results)
        pulled = console.cache.apply_changes = Timed(console.cache.apply_changes)
        wait_for_quiet()
        meter = CpuMeter(server.pid)
        meter.start()
        started = time.perf_counter()
        rounds = 0
        deadline = started + 150  # keeps the module under 4 minutes even against a very slow server
        while console.cache.outbox_size() and time.perf_counter() < deadline:
            rounds += 1
            asyncio.run(asyncio.wait_for(console.engine.sync_once(), max(deadline - time.perf_counter(), 1)))
        took = time.perf_counter() - started
        meter.stop()

        left = console.cache.outbox_size()
        conflicts = console.cache.conflict_count()
    finally:
        console.close()
    accepted = psql_scalar(server.database_url, "SELECT count(*) FROM commands WHERE status = 'accepted'")
    on_server = psql_scalar(server.database_url, "SELECT count(*) FROM cases")
    ok = left == 0 and conflicts == 0 and accepted >= OUTBOX_TOTAL and on_server >= OUTBOX_CASES
    note = (f"{queued:,} commands in {push.calls} batches of {console.engine.batch}: POST /api/commands "
            f"{push.seconds:.1f} s ({push.seconds / max(queued, 1) * 1000:.1f} ms per command; server commit groups: "
            f"{server.env.get('ONEGRID_COMMIT_GROUP', 'default')}), cache.apply_results {results.seconds:.1f} s, final pull "
            f"{pulled.seconds:.1f} s; {rounds} sync_once round(s); server: {accepted:,} accepted, {on_server:,} "
            f"cases; conflicts {conflicts}; outbox left {left}; issuing them offline took "
            f"{issue_s / max(queued, 1) * 1000:.1f} ms each (not timed); {meter.describe()}")
    if not ok:
        note = "NOT ALL ACCEPTED: " + note
    log(f"drain {took:.1f} s; {note}")
    emit(Row(name, took if ok else None, "s", DRAIN_TARGET_S, note=note))


# ====================================================================== 4. dispatch visible on another console

def bench_visibility(server: ServerProcess, workdir: Path, refdata) -> None:
    from app.platform.enums import Action, Status
    from app.sync.state import Connection

    a = Console(workdir / "console-a", server.url, "operator2")
    b = Console(workdir / "console-b", server.url, "lead1")
    issued: dict = {}       # case id -> perf_counter when A's issue(dispatch) returned
    answered: dict = {}     # case id -> perf_counter when A's push carrying the dispatch was answered
    seen: dict = {}         # case id -> perf_counter when B's cache showed it dispatched
    watched: set = set()
    lock = threading.Lock()

    def on_b_changed(change_set) -> None:  # B's cache worker thread, after the commit
        now = time.perf_counter()
        with lock:
            ids = [i for i in change_set.ids if i in watched and i not in seen]
        if not ids:
            return
        for summary in b.cache.summaries(ids):
            if summary.status == Status.DISPATCHED:
                with lock:
                    seen.setdefault(summary.id, now)

    def on_a_pushed(args, result, finished) -> None:
        with lock:
            for command in args[0]:
                if command.action == Action.DISPATCH:
                    answered.setdefault(command.case_id, finished)

    a.client.push = Timed(a.client.push, on_return=on_a_pushed)
    b_pull = b.cache.apply_changes = Timed(b.cache.apply_changes)
    b.cache.events.cases_changed.connect(on_b_changed)

    async def until(predicate, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
            await asyncio.sleep(0.02)

    def issue_dispatch(case_id, unit) -> None:
        now = now_utc()
        a.cache.issue(a.actor, Action.REGISTER, case_id, {}, now, offline=False)
        a.cache.issue(a.actor, Action.DISPATCH, case_id, {"unit_id": unit}, now, offline=False)
        issued[case_id] = time.perf_counter()

    async def scenario() -> CpuMeter:
        a.engine.start()
        b.engine.start()
        try:
            online = lambda: (a.engine.state.connection == Connection.ONLINE  # noqa: E731
                              and b.engine.state.connection == Connection.ONLINE)
            await until(online, 120, "both consoles online and caught up")
            ids = []
            for i in range(DISPATCHES):
                command = await asyncio.to_thread(a.cache.issue, a.actor, Action.CREATE, None,
                                                  create_payload(refdata, 10_000 + i), now_utc(), offline=False)
                ids.append(command.case_id)
            await until(lambda: a.cache.outbox_size() == 0 and all(b.cache.case(i) is not None for i in ids), 60,
                        "the new cases on console B")
            await asyncio.sleep(1.0)  # both consoles back to waiting in their long-polls
            await asyncio.to_thread(wait_for_quiet)
            meter = CpuMeter(server.pid)
            meter.start()
            for i, case_id in enumerate(ids):
                with lock:
                    watched.add(case_id)
                await asyncio.to_thread(issue_dispatch, case_id, HANDLED_UNITS[i % len(HANDLED_UNITS)])
                await asyncio.sleep(SPACING_S)
            try:
                await until(lambda: len(seen) == len(ids), VISIBLE_TIMEOUT_S, "every dispatch on console B")
            except TimeoutError:
                pass
            meter.stop()
            return meter
        finally:
            await a.engine.stop()
            await b.engine.stop()

    try:
        meter = asyncio.run(scenario())
    finally:
        a.close()
        b.close()

    latencies = [max(seen[i] - issued[i], 0.0) if i in seen else VISIBLE_TIMEOUT_S for i in issued]
    pushed = b.engine.push_feed.pages
    channel = (f"B on the feed stream, {pushed} pages pushed over {b.engine.push_feed.opened} stream(s)" if pushed
               else "B long-polling")
    a_side = [answered[i] - issued[i] for i in issued if i in answered]
    b_side = [seen[i] - answered[i] for i in issued if i in seen and i in answered]
    missing = sum(1 for i in issued if i not in seen)
    p95 = percentile(latencies, 95)
    note = (f"{len(latencies)} dispatches {SPACING_S * 1000:.0f} ms apart: p50 {percentile(latencies, 50) * 1000:.0f} / "
            f"p95 {p95 * 1000:.0f} / max {max(latencies) * 1000:.0f} ms"
            + (f", {missing} never seen (counted as {VISIBLE_TIMEOUT_S:g} s)" if missing else "")
            + f"; split (p50): A issue->push answered {percentile(a_side, 50) * 1000:.0f} ms, "
              f"push answered->B cache {percentile(b_side, 50) * 1000:.0f} ms (NOTIFY, {channel}, B apply; "
              f"B applied {b_pull.calls} pages in {b_pull.seconds * 1000:.0f} ms); {meter.describe()}")
    log(f"visibility: {note}")
    emit(Row(NAME_VISIBLE, p95, "s", VISIBLE_TARGET_S, note=note))



# ====================================================================== main

def main() -> int:
    install_sigterm_cleanup()
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    try:
        drop_stale_databases()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down: the rows below say so
        log(f"PostgreSQL unusable: {exc}")
    refdata = load_demo_refdata()
    benches = [(bench_drain, NAME_DRAIN, DRAIN_TARGET_S), (bench_visibility, NAME_VISIBLE, VISIBLE_TARGET_S)]
    workdir = Path(tempfile.mkdtemp(prefix="onegrid-bench-sync-"))
    try:
        with fresh_database("sync") as url:
            init_db(url, demo_users=True)
            with ServerProcess(url, env=DISTINCT_PROBLEMS) as server:
                for bench, name, _target in benches:
                    started = time.monotonic()
                    try:
                        bench(server, workdir, refdata)
                    except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build
                        traceback.print_exc()
                        emit(Row(name, None, "s", _target,
                                 note=f"could not run: {type(exc).__name__}: {str(exc)[:200]}"))
                    log(f"{bench.__name__}: {time.monotonic() - started:.0f} s")
        if os.environ.get("BENCH_SYNC_REFERENCE") == "1":
            with fresh_database("sync_reference") as url:
                init_db(url, demo_users=True)
                with ServerProcess(url, env={**DISTINCT_PROBLEMS, "ONEGRID_COMMIT_GROUP": "1"}) as server:
                    try:
                        bench_drain(server, workdir, refdata, NAME_DRAIN_REFERENCE)
                    except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build
                        traceback.print_exc()
                        emit(Row(NAME_DRAIN_REFERENCE, None, "s", DRAIN_TARGET_S,
                                 note=f"could not run: {type(exc).__name__}: {str(exc)[:200]}"))
    except Exception as exc:  # noqa: BLE001 - no database or no server: say so in every row
        traceback.print_exc()
        for _bench, name, target in benches:
            if name not in _EMITTED:
                emit(Row(name, None, "s", target, note=f"could not run: {type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
