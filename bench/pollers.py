"""The long-poll load generator of the server benchmarks: `python -m bench.harness pollers ...` runs
`pollers_main` in a child process of bench_server_load and bench_scaleout. Each poller is one console's pull
loop on its own keep-alive connection (`bench.raw_http.RawHttp`); the parent reads one JSON line when they
are connected and one with their counts when it says "stop" on stdin."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

from bench.cpu_meter import proc_cpu_s
from bench.raw_http import HOST, RawHttp
from bench.tracking import Tracking

_TAIL = re.compile(rb'"cursor":(\d+),"more":(true|false)')
_CURSORS = re.compile(rb'"cursors":"([^"]+)"')  # a partition cursor's answer (`server.feed.partitions`)
def count_connected(stats: Counter, ready: asyncio.Event) -> None:
    """A console connected for the first time; all of them: the run may start."""
    stats["connected"] += 1
    if stats["connected"] >= stats["target"]:
        ready.set()


async def _poller(index: int, port: int, auth: bytes, deadline: float, stats: dict, buckets: Counter,
                  alive: list[bool], ready: asyncio.Event, stopping: asyncio.Event, wait_s: float, limit: int,
                  after: int, track: Tracking | None = None, partitioned: bool = False) -> None:
    """One console's pull loop: GET /api/changes?after=cursor&wait=W&limit=L (with `partitioned`, as the
    console sends it: cursor=<partition cursor>), advance, repeat, until `stopping` (checked between
    requests; the task is also cancelled) or the deadline."""
    conn = RawHttp(HOST, port)
    cursor = after
    wire = f"any.{after}"  # `app.platform.feed_partition.Cursor` on the wire
    # Like the console's requests.Session: gzip accepted (the server compresses answers over 4 KiB).
    headers = auth + b"Accept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
    first = True
    while time.monotonic() < deadline and not stopping.is_set():
        try:
            if not conn.connected:
                await conn.connect()
            if first:
                first = False
                count_connected(stats, ready)
            alive[index] = True
            query = f"cursor={wire}" if partitioned else f"after={cursor}"
            status, _h, body = await conn.request(
                "GET", f"/api/changes?{query}&wait={wait_s:g}&limit={limit}", headers=headers,
                timeout=min(wait_s + 30, max(deadline - time.monotonic(), 0.1)))
        except asyncio.CancelledError:
            break
        except Exception as exc:  # noqa: BLE001 - counted and retried, like a console would
            alive[index] = False
            stats["errors"] += 1
            stats[f"error:{type(exc).__name__}"] += 1
            conn.close()
            await asyncio.sleep(0.5)
            continue
        now = time.time()
        if status != 200:
            stats[f"status:{status}"] += 1
            await asyncio.sleep(0.5)
            continue
        m = _TAIL.search(body, max(0, len(body) - 200))
        if m is None:
            stats["unparsable"] += 1
            continue
        new_cursor = int(m.group(1))
        if partitioned:
            c = _CURSORS.search(body, m.end())
            if c is None:
                stats["unparsable"] += 1
                continue
            wire = c.group(1).decode("ascii")
        buckets[int(now)] += 1
        stats["responses"] += 1
        stats["bytes"] += len(body)
        if new_cursor > cursor:
            stats["non_empty"] += 1
        cursor = new_cursor
        if track is not None:
            track.take(index, body, wire if partitioned else str(cursor), now)
        else:
            stats["changes"] += body.count(b'{"position":')  # how many changes an answer carries (its size's cause)
    # Ended by the stop request, a poller still counts as connected: the count is taken after it, and
    # every poller answered in the loop turn the request came in ended before it (under load, dozens).
    alive[index] = stopping.is_set() and alive[index]
    conn.close()


async def _pollers(port: int, token: str, count: int, duration_s: float, wait_s: float, limit: int,
                   after: int, track: Tracking | None = None, partitioned: bool = False, poller=None) -> dict:
    """`count` consoles, each `poller` (`_poller`: long-polling; `bench.push_pollers`: on the feed stream)."""
    poller = poller or _poller
    auth = f"Authorization: Bearer {token}\r\n".encode()
    deadline = time.monotonic() + duration_s
    stats: Counter = Counter(target=count)
    buckets: Counter = Counter()
    alive = [False] * count
    ready = asyncio.Event()
    stop = asyncio.Event()
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(poller(i, port, auth, deadline, stats, buckets, alive, ready, stop,
                                                wait_s, limit, after, track, partitioned)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not open 500 connections in one burst
    try:
        await asyncio.wait_for(ready.wait(), 30)
        print(json.dumps({"ready": True, "connected": stats["connected"]}), flush=True)
    except TimeoutError:
        print(json.dumps({"ready": False, "connected": stats["connected"]}), flush=True)

    # The parent says "stop" on stdin (or the duration bound ends us); "check FILE" (with --track): every
    # poller's cases against FILE's `{case id: position}` (`Tracking.check`), answered as one JSON line.
    loop = asyncio.get_running_loop()

    def on_stdin() -> None:
        line = sys.stdin.readline()
        if not line or line.strip() == "stop":
            stop.set()
        elif line.startswith("check ") and track is not None:
            expected = {k.encode(): v for k, v in json.loads(Path(line[6:].strip()).read_text()).items()}
            print(json.dumps({"check": track.check(expected)}), flush=True)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max(deadline - time.monotonic(), 0)):
            await stop.wait()
    stop.set()
    loop.remove_reader(sys.stdin.fileno())
    connected_at_end = sum(alive)
    for t in tasks:
        t.cancel()
    _done, stuck = await asyncio.wait(tasks, timeout=10)  # the report must not wait on a stuck connection
    if stuck:
        stats["stuck_at_stop"] = len(stuck)
    return {"stats": dict(stats), "buckets": {str(k): v for k, v in buckets.items()},
            "connected_at_end": connected_at_end, "cpu_s": proc_cpu_s(os.getpid()),
            **({"track": track.report(), "pages_parsed": track.parsed} if track is not None else {})}


def pollers_main(argv: list[str], *, poller=None, prog: str = "python -m bench.harness pollers") -> int:
    """The child's command line; `poller`: another kind of console (`bench.push_pollers`: on the feed stream,
    which always reads with a partition cursor and never waits)."""
    p = argparse.ArgumentParser(prog=prog)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--duration", type=float, default=120, help="hard bound on the run, seconds")
    p.add_argument("--wait", type=float, default=25)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--after", type=int, default=0, help="starting cursor (a console already caught up)")
    p.add_argument("--track", type=int, default=-1, metavar="SAMPLE",
                   help="report the case ids each poller received, and when, for the first SAMPLE pollers")
    p.add_argument("--partitioned", action="store_true",
                   help="read with a partition cursor (cursor=, as the console does), not after=")
    args = p.parse_args(argv)
    track = Tracking(args.count, args.track) if args.track >= 0 else None
    result = asyncio.run(_pollers(args.port, args.token, args.count, min(args.duration, 600), args.wait, args.limit,
                                  args.after, track, args.partitioned or poller is not None, poller=poller))
    print(json.dumps(result), flush=True)
    return 0
