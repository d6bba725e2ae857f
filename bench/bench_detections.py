"""Detections and the repeat check on PostgreSQL, with 100,000 open cases (BENCH_DETECTIONS_CASES):

- the merge check of a new case (`server.cases.repeats.find_master`: one indexed read of the grid cells
  around it, then the distances of the few found), timed over 2,000 random places of the city: p99 < 10 ms;
- `POST /api/detections` at 200 a second (BENCH_DETECTIONS_RATE) for 20 s against the real server process
  (`python -m server.cli`), open loop (each request sent at its scheduled time, over 32 keep-alive
  connections), each with the merge check, its quiet-period read and its feed change; a fifth of the types
  open cases (the case created through the command path, repeat check included): p99 < 100 ms per detection.
  Measured twice in the same run: each detection in its own transaction (ONEGRID_DETECTION_BATCH_MS=0, the
  path before the writer) and through the batching writer (server/detections/writer.py).

The open cases are written with one multi-row INSERT per 5,000 (only the columns the check reads, and a
minimal snapshot), spread over the demo city's grids, 80 categories, created within the last 72 h.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from datetime import timedelta

from bench.emit import emit, percentile
from bench.harness import HOST, RawHttp, ServerProcess, fresh_database, log, now_utc
from bench.result import Row

CASES = int(os.environ.get("BENCH_DETECTIONS_CASES", "100000"))
RATE = float(os.environ.get("BENCH_DETECTIONS_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_DETECTIONS_SECONDS", "20"))
CHECKS = 2000
CONNECTIONS = 32
WORKERS = int(os.environ.get("BENCH_DETECTIONS_WORKERS", "2"))  # server processes, as deployed (one per core)
KEY = "bench-gateway-key"
START_S = 180  # two workers starting on a machine the other benchmarks load too
# Each load against the same database, one after the other: the writer off (each detection in a transaction
# of its own, as before the writer) and on (ONEGRID_DETECTION_BATCH_MS, the default). The second load finds
# the first one's detections and cases: a little more to check, never less.
MODES = [(label, ms) for label, ms in (("one transaction each, before", "0"),
                                       ("batched writer, 10 ms window", os.environ.get("BENCH_DETECTIONS_BATCH_MS",
                                                                                     "10")))
         if os.environ.get("BENCH_DETECTIONS_ONLY", "") in ("", ms)]


def _city(refdata) -> tuple[float, float, float, float]:
    lats = [g.centroid[0] for g in refdata.grids]
    lons = [g.centroid[1] for g in refdata.grids]
    return min(lats), max(lats), min(lons), max(lons)


def _seed(url: str, refdata) -> None:
    from sqlalchemy import create_engine, insert

    from app.cases.merging import cell_of
    from db.cases import CaseRow

    south, north, west, east = _city(refdata)
    codes = [c.code for c in (refdata.categories.values() if isinstance(refdata.categories, dict)
                              else refdata.categories)][:80]
    rng = random.Random(7)
    now = now_utc()
    engine = create_engine(url)
    rows = []
    with engine.begin() as conn:
        for i in range(CASES):
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
            created = now - timedelta(seconds=rng.uniform(0, 72 * 3600))
            code = rng.choice(codes)
            rows.append({"id": uuid.uuid4(), "number": f"2026-B{i:07d}", "status": "registered",
                         "priority": "ordinary", "category_code": code, "unit_id": None, "grid_code": None,
                         "created_at": created, "updated_at": created, "due_at": None, "version": 1,
                         "data": {"location": {"lat": lat, "lon": lon}}, "merge_cell": cell_of(lat, lon), "lat": lat, "lon": lon,
                         "merged_into": None})
            if len(rows) == 5000:
                conn.execute(insert(CaseRow.__table__), rows)
                rows = []
        if rows:
            conn.execute(insert(CaseRow.__table__), rows)
        conn.exec_driver_sql("ANALYZE cases")
    engine.dispose()


def _check_times(url: str, refdata) -> list[float]:
    from sqlalchemy.orm import Session

    from server.cases.repeats import find_master
    from server.platform.database import Database

    south, north, west, east = _city(refdata)
    codes = [c.code for c in (refdata.categories.values() if isinstance(refdata.categories, dict)
                              else refdata.categories)][:80]
    rng = random.Random(11)
    db = Database(url)
    times, found = [], 0
    with db.reader() as session:
        assert isinstance(session, Session)
        for _ in range(CHECKS):
            lat, lon, code = rng.uniform(south, north), rng.uniform(west, east), rng.choice(codes)
            started = time.perf_counter()
            match = find_master(session, case_id=uuid.uuid4(), category_code=code, lat=lat, lon=lon,
                                reported_at=now_utc(), refdata=refdata)
            times.append((time.perf_counter() - started) * 1000)
            found += match is not None
    db.dispose()
    log(f"merge check: {CHECKS} checks, {found} found a master")
    return times


def _reference(url: str, refdata) -> None:
    """200 cameras spread over the city, the demo's five detection types (two open cases directly)."""
    from sqlalchemy.orm import Session

    from server.detections import reference
    from server.platform.database import Database

    body = reference.demo_reference()
    rng = random.Random(3)
    places = [g.centroid for g in refdata.grids]  # inside the city: a grid's centre, give or take 50 m
    cameras = [{"id": f"bench-cam-{i:03d}", "kind": "video_ai", "name": f"bench camera {i}",
                "lat": places[i % len(places)][0] + rng.uniform(-0.0004, 0.0004),
                "lon": places[i % len(places)][1] + rng.uniform(-0.0004, 0.0004)} for i in range(200)]
    body = body.model_validate({"cameras": cameras, "types": [t.model_dump() for t in body.types]})
    db = Database(url)
    with db.writer() as session, session.begin():
        assert isinstance(session, Session)
        reference.replace(session, body)
    db.dispose()


async def _load(port: int) -> tuple[list[float], dict[int, int], dict[str, int]]:
    from app.detections.rules import STATES

    types = ["illegal_parking", "street_stall", "spilled_muck", "exposed_rubbish", "waterlogging"]
    total = int(RATE * SECONDS)
    rng = random.Random(5)
    queue: asyncio.Queue = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    states: dict[str, int] = {s: 0 for s in STATES}
    headers = f"X-OneGrid-Ingest-Key: {KEY}\r\n".encode()

    async def worker() -> None:
        conn = RawHttp(HOST, port)
        while True:
            item = await queue.get()
            if item is None:
                conn.close()
                return
            due, body = item
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            started = time.monotonic()
            status, _, answer = await conn.request("POST", "/api/detections", headers=headers, body=body)
            latencies.append((time.monotonic() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                states[json.loads(answer)["detection"]["state"]] += 1

    t0 = time.monotonic() + 0.5
    for i in range(total):
        body = json.dumps({"source": "video_ai", "camera_id": f"bench-cam-{rng.randrange(200):03d}",
                           "type": rng.choice(types), "confidence": round(rng.uniform(0.4, 1.0), 2),
                           "time": now_utc().isoformat()}).encode()
        queue.put_nowait((t0 + i / RATE, body))
    for _ in range(CONNECTIONS):
        queue.put_nowait(None)
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return latencies, statuses, states


def run() -> None:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    with fresh_database("detections") as url:
        init_db(url, refdata=refdata)
        started = time.monotonic()
        _seed(url, refdata)
        log(f"{CASES} open cases written in {time.monotonic() - started:.0f} s")
        checks = _check_times(url, refdata)
        emit(Row(f"detections: merge check of a new case, p99 ({CASES:,} open cases, PostgreSQL)",
                 round(percentile(checks, 99), 2), "ms", 10,
                 note=f"median {percentile(checks, 50):.2f} ms over {CHECKS} random places; grid-cell index"))
        _reference(url, refdata)
        for label, batch_ms in MODES:
            env = {"ONEGRID_INGEST_KEYS": KEY, "ONEGRID_MAINTENANCE_INTERVAL_S": "0",
                   "ONEGRID_DETECTION_BATCH_MS": batch_ms}
            server = ServerProcess(url, workers=WORKERS, env=env)
            try:
                server.start(timeout_s=START_S)
                started = time.monotonic()
                latencies, statuses, states = asyncio.run(_load(server.port))
                took = time.monotonic() - started
            finally:
                server.__exit__(None, None, None)
            achieved = len(latencies) / took if took else 0
            log(f"detections ({label}): {len(latencies)} in {took:.1f} s ({achieved:.0f}/s); statuses {statuses}; "
                f"states {states}")
            emit(Row(f"detections: POST /api/detections at {RATE:g}/s with the merge check, p99 ({CASES:,} open "
                     f"cases; {label})", round(percentile(latencies, 99), 1), "ms", 100,
                     note=f"median {percentile(latencies, 50):.1f} ms, {achieved:.0f}/s achieved, HTTP {statuses}, "
                          f"{states.get('opened', 0)} opened, {states.get('joined', 0)} joined, "
                          f"{states.get('pending', 0)} pending"))


if __name__ == "__main__":
    run()
