"""A minimal keep-alive HTTP/1.1 client on asyncio streams (`RawHttp`), for the benchmarks' load generators:
much cheaper per request than httpx, which matters when a generator shares the machine's two cores with the
server and PostgreSQL. Loopback only."""
from __future__ import annotations

import asyncio
import zlib

HOST = "127.0.0.1"  # loopback only, always


class HttpError(Exception):
    pass


class RawHttp:
    """One keep-alive HTTP/1.1 connection on asyncio streams (Content-Length or chunked answers).

    Much cheaper per request than httpx, which matters when the load generator shares two cores with
    the server and PostgreSQL. Not for concurrent use: one request at a time per connection."""

    def __init__(self, host: str, port: int):
        assert host == HOST, "benchmarks talk to loopback only"
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):  # not wait_for: see request()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 22)

    @property
    def connected(self) -> bool:
        return self.writer is not None and not self.writer.is_closing()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, *, headers: bytes = b"", body: bytes | None = None,
                      timeout: float = 60) -> tuple[int, dict[bytes, bytes], bytes]:
        if not self.connected:
            await self.connect()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n".encode() + headers
        if body is not None:
            head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        self.writer.write(head + b"\r\n" + (body or b""))
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that arrives as the
            # answer completes, and a cancelled poller then went on polling until its deadline.
            async with asyncio.timeout(timeout):
                return await self._read_response()
        except BaseException:
            self.close()  # a half-read answer poisons the connection
            raise

    async def _read_response(self) -> tuple[int, dict[bytes, bytes], bytes]:
        reader = self.reader
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(b":")
                headers[k.strip().lower()] = v.strip()
        if b"content-length" in headers:
            body = await reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        else:
            raise HttpError(f"answer without length: {raw[:200]!r}")
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        if headers.get(b"content-encoding") == b"gzip":
            body = zlib.decompress(body, 31)
        return status, headers, body
