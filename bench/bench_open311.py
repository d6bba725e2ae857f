"""Open311 intake benchmark against the real server process (`python -m server.cli`, one uvicorn worker) on a
throw-away PostgreSQL database: citizen-app reports posted through `POST /open311/v2/requests.json` (form
fields, the spec's encoding) at a sustained rate, and the time until each report's case is in a running
console's cache (a real LocalCache + SyncEngine with its long-poll), p95.

    python -m bench open311
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench import emit as _emit
from bench.bench_sync import Console
from bench.emit import percentile
from bench.harness import (
    ROOT,
    CpuMeter,
    ServerProcess,
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    wait_for_quiet,
)
from bench.result import Row

RATE_PER_S = 50
DURATION_S = 20
SENDERS = 12
TARGET_S = 1.0
TIMEOUT_S = 15.0  # a report not seen by then counts as this long
NAME = f"open311: POST request -> case in a console's cache at {RATE_PER_S}/s sustained (p95)"


def _make_key(url: str) -> str:
    from datetime import datetime, timezone

    from server.open311 import keys
    from server.platform.database import Database

    db = Database(url)
    try:
        with db.writer() as session, session.begin():
            return keys.create_key(session, "bench-app", datetime.now(timezone.utc))
    finally:
        db.dispose()


def bench_intake(server: ServerProcess, workdir: Path, refdata, key: str) -> None:
    from app.sync.state import Connection

    console = Console(workdir / "console", server.url, "lead1")
    sent: dict[str, float] = {}      # case number -> perf_counter just before its POST
    answered: dict[str, float] = {}  # case number -> perf_counter when the POST was answered
    seen: dict[str, float] = {}      # case number -> perf_counter when the console's cache had it
    refused: list[str] = []
    lock = threading.Lock()

    def on_changed(change_set) -> None:  # the cache's worker thread, after the commit
        now = time.perf_counter()
        for summary in console.cache.summaries(list(change_set.ids)):
            if summary.number:
                with lock:
                    seen.setdefault(summary.number, now)

    console.cache.events.cases_changed.connect(on_changed)
    grids = refdata.grids
    local = threading.local()

    def post(i: int, due: float) -> None:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        lat, lon = grids[i % len(grids)].centroid
        started = time.perf_counter()
        r = session.post(f"{server.url}/open311/v2/requests.json", timeout=30, data={
            "api_key": key, "service_code": "C0101", "lat": lat, "long": lon, "address_string": f"Bench Rd {i}",
            "description": f"bench report {i}", "first_name": "Bench", "phone": "13800138000"})
        finished = time.perf_counter()
        if r.status_code != 201:
            with lock:
                refused.append(f"{r.status_code} {r.text[:80]}")
            return
        number = r.json()[0]["service_request_id"]
        with lock:
            sent[number] = started
            answered[number] = finished

    async def scenario() -> CpuMeter:
        console.engine.start()
        try:
            deadline = time.monotonic() + 120
            while console.engine.state.connection != Connection.ONLINE:
                if time.monotonic() > deadline:
                    raise TimeoutError("the console did not come online")
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(wait_for_quiet)
            meter = CpuMeter(server.pid)
            meter.start()
            total = RATE_PER_S * DURATION_S
            start = time.perf_counter() + 0.2
            with ThreadPoolExecutor(SENDERS) as pool:
                futures = [pool.submit(post, i, start + i / RATE_PER_S) for i in range(total)]
                await asyncio.to_thread(lambda: [f.result() for f in futures])
            end = time.monotonic() + TIMEOUT_S
            while time.monotonic() < end:
                with lock:
                    if all(n in seen for n in sent):
                        break
                await asyncio.sleep(0.05)
            meter.stop()
            return meter
        finally:
            await console.engine.stop()

    try:
        meter = asyncio.run(scenario())
    finally:
        console.close()
    latencies = [max(seen[n] - sent[n], 0.0) if n in seen else TIMEOUT_S for n in sent]
    posts = [answered[n] - sent[n] for n in sent]
    missing = sum(1 for n in sent if n not in seen)
    if not latencies:
        raise RuntimeError(f"no report was accepted: {refused[:3]}")
    p95 = percentile(latencies, 95)
    note = (f"{len(sent)} reports at {RATE_PER_S}/s for {DURATION_S} s from {SENDERS} senders: p50 "
            f"{percentile(latencies, 50) * 1000:.0f} / p95 {p95 * 1000:.0f} / max {max(latencies) * 1000:.0f} ms"
            f"; the POST itself p50 {percentile(posts, 50) * 1000:.0f} / p95 {percentile(posts, 95) * 1000:.0f} ms"
            + (f"; {missing} never seen (counted as {TIMEOUT_S:g} s)" if missing else "")
            + (f"; {len(refused)} refused ({refused[0]})" if refused else "") + f"; {meter.describe()}")
    log(f"open311: {note}")
    _emit.emit(Row(NAME, p95 if not refused else None, "s", TARGET_S, note=note))


def main() -> int:
    install_sigterm_cleanup()
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    try:
        drop_stale_databases()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down: the row says so
        log(f"PostgreSQL unusable: {exc}")
    refdata = load_demo_refdata()
    workdir = Path(tempfile.mkdtemp(prefix="onegrid-bench-open311-"))
    # the bench is one client address and one app: the limits are raised, not measured here
    env = {"ONEGRID_OPEN311_KEY_RATE": "10000", "ONEGRID_OPEN311_KEY_BURST": "10000",
           "ONEGRID_OPEN311_ADDRESS_RATE": "10000", "ONEGRID_OPEN311_ADDRESS_BURST": "10000"}
    try:
        with fresh_database("open311") as url:
            init_db(url, demo_users=True)
            key = _make_key(url)
            with ServerProcess(url, env=env) as server:
                bench_intake(server, workdir, refdata, key)
    except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build
        traceback.print_exc()
        _emit.emit(Row(NAME, None, "s", TARGET_S, note=f"could not run: {type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
