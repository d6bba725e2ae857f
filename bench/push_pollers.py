"""Headless consoles on the feed's push channel (`GET /api/changes/stream`): the pushed counterpart of the
long-polling load generator (`bench.harness pollers`), with the same control on stdin (`check FILE`, `stop`), the
same report and the same completeness tracking (`bench.tracking.Tracking`). Each console is one asyncio
connection reading the chunked SSE answer with raw streams (no HTTP library: the load generator shares two
cores with the server), reconnecting from the last event's cursor when the stream breaks, as the console does.
Each asks for the compressed stream (`compress=gzip`) and decodes it (`SharedInflate`: once per process);
ONEGRID_BENCH_PUSH_ENCODING=plain reads it uncompressed instead, for a side-by-side run. `bytes` in the report
counts the pages' decoded bytes, `wire_bytes` what came over the connection.

    python -m bench.push_pollers --port P --token T --count 500 --after N [--track SAMPLE]
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import zlib
from collections import Counter

from app.sync.sse import EventReader
from bench.pollers import count_connected, pollers_main
from bench.raw_http import HOST
from bench.tracking import Tracking


class SharedInflate:
    """A process's pollers decode each run of compressed bytes once. The server gives every reader of one scope
    and tick the same event bytes, and they come cut the same way, so (the decoder's state before, the bytes) ->
    (the decoded bytes, the state after) is looked up first: the load generator's cores go to the server, not to
    inflating the same page for every console (a real console inflates only its own stream). A state is None
    between members, else a token holding a decoder that is only ever copied."""

    MAX = 4096

    def __init__(self):
        self._done: dict[tuple[int, bytes], tuple[bytes, object]] = {}
        self._tokens: dict[int, object] = {}  # the tokens the keys name, kept alive while they do
        self.hits = self.misses = 0

    def feed(self, state, data: bytes) -> tuple[bytes, object]:
        key = (id(state), data)
        done = self._done.get(key)
        if done is not None:
            self.hits += 1
            return done
        self.misses += 1
        member = zlib.decompressobj(16 + zlib.MAX_WBITS) if state is None else state.copy()
        out = []
        while True:
            out.append(member.decompress(data))
            if not member.eof:
                break
            data, member = member.unused_data, None
            if not data:
                break
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        if len(self._done) >= self.MAX:
            self._done.clear()
            self._tokens.clear()
        done = (b"".join(out), member)
        self._done[key] = done
        self._tokens[id(state)] = state
        return done


class SharedEvents:
    """A process's pollers parse each event once: the compressed bytes of a run of whole events (gzip members up
    to an event's end) -> its events, the same `Event` objects for every poller that got those bytes (so the
    trackers find their pages by identity too, `bench.tracking.Tracking`). Only the first poller copies and
    scans the decoded page; the others hash its compressed bytes, a tenth of them."""

    MAX = 512

    def __init__(self):
        self._parsed: dict[bytes, list] = {}
        self.misses = 0

    def events(self, packed: bytes, decoded: list[bytes]) -> list:
        found = self._parsed.get(packed)
        if found is None:
            self.misses += 1
            found = EventReader().feed(b"".join(decoded))
            if len(self._parsed) >= self.MAX:
                self._parsed.clear()
            self._parsed[packed] = found
        return found


SHARED = SharedInflate()
EVENTS = SharedEvents()


def push_encoding() -> str:
    """How the pushed consoles read the stream: `gzip` (the console's way) or `plain`."""
    encoding = os.environ.get("ONEGRID_BENCH_PUSH_ENCODING", "gzip")
    if encoding not in ("gzip", "plain"):
        raise SystemExit(f"ONEGRID_BENCH_PUSH_ENCODING must be gzip or plain, not {encoding!r}")
    return encoding


async def _streamer(index: int, port: int, auth: bytes, deadline: float, stats: Counter, buckets: Counter,
                    alive: list[bool], ready: asyncio.Event, stopping: asyncio.Event, wait_s: float, limit: int,
                    after: int, track: Tracking | None = None, partitioned: bool = True) -> None:
    """One console on the stream until `stopping` or the deadline (signature of `bench.harness._poller`)."""
    wire = f"any.{after}"
    query = "&compress=gzip" if push_encoding() == "gzip" else ""
    first = True
    while time.monotonic() < deadline and not stopping.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 22)
            writer.write(f"GET /api/changes/stream?cursor={wire}&limit={limit}{query} HTTP/1.1\r\n"
                         f"Host: {HOST}:{port}\r\n".encode() + auth + b"Accept: text/event-stream\r\n\r\n")
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
            gzip = b"content-encoding: gzip" in head.lower()
            state = None  # the decoder between gzip members
            packed: list[bytes] = []  # compressed bytes of the events in the making ...
            decoded: list[bytes] = []  # ... and what they decoded to so far
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    stats["closed_by_server"] += 1
                    break
                data = (await reader.readexactly(size + 2))[:-2]
                stats["wire_bytes"] += size
                if gzip:
                    misses = SHARED.misses
                    out, state = SHARED.feed(state, data)
                    stats["chunks_inflated"] += SHARED.misses - misses
                    packed.append(data)
                    if out:
                        decoded.append(out)
                    # every member whole and the last one ending an event: the events are complete
                    if state is not None or not decoded or not decoded[-1].endswith(b"\n\n"):
                        continue
                    misses = EVENTS.misses
                    arrived = EVENTS.events(b"".join(packed), decoded)
                    stats["events_parsed"] += EVENTS.misses - misses
                    packed, decoded = [], []
                else:
                    arrived = events.feed(data)
                for event in arrived:
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
