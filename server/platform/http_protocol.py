"""uvicorn's httptools protocol, with each answer's head and body leaving in one socket write.

uvicorn writes an answer's status line and headers the moment the app sends `http.response.start`, and
the body with `http.response.body`: two `send` system calls per answer, each (on loopback, and through a
proxy's socket alike) waking the reader, and each made while holding the GIL. With hundreds of long-poll
answers a second the head's write alone was the largest single line of the serving process's profile.
Here the head is held back until the body follows (the same step of the same task for every answer the
server builds) and both go out in one `writev` (`transport.writelines`, uvloop and asyncio alike). A head
whose body is late (a streamed answer waiting for its first chunk) is written on the next loop turn,
so nothing waits on it.

    onegrid-server → uvicorn.run(app, http=HTTP_PROTOCOL)

Each answer also gets a `BodyWriter` (the scope extension `onegrid.body_writer`): what a feed stream writes
to thousands of connections a tick goes straight to each transport.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

# For `uvicorn.run(..., http=)`: a string, so worker processes import it themselves.
HTTP_PROTOCOL = "server.platform.http_protocol:OneWriteHttpProtocol"

_HEAD_START = b"HTTP/1.1 "
_HEAD_END = b"\r\n\r\n"


class HeadHoldingTransport:
    """A transport that holds a lone answer head until the next write (sent together), a `close()`, or the
    next loop turn, whichever comes first. Everything else goes to the real transport unchanged, in order."""

    __slots__ = ("_transport", "_loop", "_held")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.writelines((held, data))
        elif data.startswith(_HEAD_START) and data.endswith(_HEAD_END):
            self._held = data
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def writelines(self, chunks) -> None:
        self.write(b"".join(chunks))

    def flush(self) -> None:
        """Write a held head now (its body did not follow in the same turn)."""
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading, abort, set_protocol, …
        return getattr(self._transport, name)


class OneWriteHttpProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` writing through a `HeadHoldingTransport`. Flow control stays on the real transport:
    uvicorn's `FlowControl` is built on it in `connection_made`, before the transport is wrapped."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = HeadHoldingTransport(transport, self.loop)  # type: ignore[assignment]

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope:  # (not for an upgrade, which has no cycle of its own)
            self.scope.setdefault("extensions", {})[BODY_WRITER] = BodyWriter(cycle)


BODY_WRITER = "onegrid.body_writer"  # the scope extension holding an answer's `BodyWriter`


class BodyWriter:
    """Writes more of a streamed answer's body straight to its connection, bypassing the ASGI `send` chain.

    A feed stream delivers one event to thousands of connections per tick (`server.feed.push_hub`); through
    `send` each went through every middleware's wrapper and a timeout, as many coroutine steps as layers. Here
    it is one chunk written to the transport. `write` does only what it can do at once: it returns False, and
    writes nothing, when the answer has not started, is complete, is not chunked, its client is gone or its
    transport is above its high-water mark (the caller then goes through `send`, which waits for the reader).
    Use on the event loop, between `send`s of the same answer (never while one is in progress)."""

    __slots__ = ("_cycle",)

    def __init__(self, cycle):
        self._cycle = cycle

    def write(self, data: bytes) -> bool:
        cycle = self._cycle
        if (cycle.disconnected or cycle.response_complete or not cycle.response_started
                or not cycle.chunked_encoding or cycle.flow.write_paused or not data):
            return False
        cycle.transport.write(b"%x\r\n%b\r\n" % (len(data), data))
        return True
