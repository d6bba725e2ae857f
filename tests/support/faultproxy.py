"""A fault-injecting TCP proxy for the sync tests: console ⇄ proxy ⇄ server, all on loopback.

The mode can change while connections are open; it is checked at accept time and before every chunk:

- pass       forward both ways untouched
- drop       refuse new connections (RST at once) and cut the open ones
- delay      hold every chunk `delay_s` before forwarding
- reset      forward the server's answer up to `reset_after_bytes` bytes per connection, then RST:
             the request was processed but its answer never arrives complete
- blackhole  accept and read, forward nothing, answer nothing; data held back is delivered late when
             the mode changes back (so the server may process a request the client already gave up on)

Runs its own asyncio loop in a daemon thread; `set_mode` is thread-safe.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import struct
import threading
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

MODES = ("pass", "drop", "delay", "reset", "blackhole")
_CHUNK = 65536


@dataclass
class ProxyStats:
    connections: int = 0
    refused: int = 0
    resets: int = 0
    modes: list[str] = field(default_factory=list)


def _rst(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST instead of a FIN: the peer sees 'connection reset by peer'."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


class FaultProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.mode = "pass"
        self.delay_s = 0.3
        self.reset_after_bytes = 100
        self.stats = ProxyStats()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="faultproxy", daemon=True)
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ control (any thread)

    def start(self) -> FaultProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def set_mode(self, mode: str, *, delay_s: float | None = None, reset_after_bytes: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown proxy mode {mode!r}; expected one of {MODES}")
        if delay_s is not None:
            self.delay_s = delay_s
        if reset_after_bytes is not None:
            self.reset_after_bytes = reset_after_bytes
        self.mode = mode
        self.stats.modes.append(mode)
        if mode == "drop":
            self._loop.call_soon_threadsafe(self._cut_all)

    def stop(self) -> None:
        async def shutdown() -> None:
            self._server.close()
            self._cut_all()
            handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    # ------------------------------------------------------------------ the proxy (its own loop)

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            _rst(writer)
        self._writers.clear()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        if self.mode == "drop":
            self.stats.refused += 1
            _rst(client_writer)
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _rst(client_writer)
            return
        self._writers.update((client_writer, upstream_writer))
        to_server = asyncio.create_task(self._pump(client_reader, upstream_writer, answer=False))
        to_client = asyncio.create_task(self._pump(upstream_reader, client_writer, answer=True))
        await asyncio.wait({to_server, to_client}, return_when=asyncio.FIRST_COMPLETED)
        for task in (to_server, to_client):
            task.cancel()
        await asyncio.gather(to_server, to_client, return_exceptions=True)
        for writer in (client_writer, upstream_writer):
            self._writers.discard(writer)
            writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, answer: bool) -> None:
        forwarded = 0
        try:
            while data := await reader.read(_CHUNK):
                while self.mode == "blackhole":  # hold the data; deliver it late if the mode changes back
                    await asyncio.sleep(0.05)
                if self.mode == "drop":
                    return
                if self.mode == "delay":
                    await asyncio.sleep(self.delay_s)
                if answer and self.mode == "reset" and forwarded + len(data) > self.reset_after_bytes:
                    keep = max(0, self.reset_after_bytes - forwarded)
                    writer.write(data[:keep])
                    await writer.drain()
                    self.stats.resets += 1
                    _rst(writer)
                    return
                writer.write(data)
                await writer.drain()
                forwarded += len(data)
        except (ConnectionError, OSError):
            return
