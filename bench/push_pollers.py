"""Headless consoles on the feed's push channel (`GET /api/changes/stream`): the pushed counterpart of the
long-polling load generator (`bench.harness pollers`), with the same control on stdin (`check FILE`, `stop`), the
same report and the same completeness tracking (`bench.tracking.Tracking`). Each console is one asyncio
connection reading the chunked SSE answer with raw streams (no HTTP library: the load generator shares two
cores with the server), reconnecting from the last event's cursor when the stream breaks, as the console does.

    python -m bench.push_pollers --port P --token T --count 500 --after N [--track SAMPLE]
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

from app.sync.sse import EventReader
from bench.pollers import count_connected, pollers_main
from bench.raw_http import HOST
from bench.tracking import Tracking


async def _streamer(index: int, port: int, auth: bytes, deadline: float, stats: Counter, buckets: Counter,
                    alive: list[bool], ready: asyncio.Event, stopping: asyncio.Event, wait_s: float, limit: int,
                    after: int, track: Tracking | None = None, partitioned: bool = True) -> None:
    """One console on the stream until `stopping` or the deadline (signature of `bench.harness._poller`)."""
    wire = f"any.{after}"
    first = True
    while time.monotonic() < deadline and not stopping.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 22)
            writer.write(f"GET /api/changes/stream?cursor={wire}&limit={limit} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                         .encode() + auth + b"Accept: text/event-stream\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            if status != 200 or b"chunked" not in head.lower():
                stats[f"status:{status}"] += 1
                writer.close()
                await asyncio.sleep(0.5)
                continue
            if first:
                first = False
                count_connected(stats, ready)
            alive[index] = True
            events = EventReader()
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    stats["closed_by_server"] += 1
                    break
                data = await reader.readexactly(size + 2)
                for event in events.feed(data[:-2]):
                    if event.event == "page":
                        now = time.time()
                        wire = event.id or wire
                        buckets[int(now)] += 1
                        stats["responses"] += 1
                        stats["bytes"] += len(event.data)
                        if track is not None:
                            track.take(index, event.data, wire, now)
                    elif event.event == "end":
                        stats[f"end:{json.loads(event.data).get('error')}"] += 1
        except asyncio.CancelledError:
            break
        except Exception as exc:  # noqa: BLE001 - counted and reconnected, like a console would
            alive[index] = False
            stats["errors"] += 1
            stats[f"error:{type(exc).__name__}"] += 1
            await asyncio.sleep(0.5)
        finally:
            if writer is not None:
                writer.close()
    alive[index] = stopping.is_set() and alive[index]


def main(argv: list[str]) -> int:
    return pollers_main(argv, poller=_streamer, prog="python -m bench.push_pollers")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
