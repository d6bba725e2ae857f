"""Reading a Server-Sent Events stream (the feed's push channel, `GET /api/changes/stream`) from raw bytes:
no dependency, no thread of its own; whoever reads the socket feeds the bytes in. A compressed stream (a
sequence of gzip members, `server.feed.push`) goes through `GzipMembers` first."""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

_GZIP = 16 + zlib.MAX_WBITS
_PIECE = 1 << 20  # decoded bytes handed on at a time: the event reader's size bound applies before a bomb grows


@dataclass(frozen=True, slots=True)
class Event:
    event: str        # "page", "end", ...; "ping" for a comment line (the server's heartbeat)
    data: bytes       # the `data:` lines joined by line breaks
    id: str | None = None


class EventReader:
    """Bytes in, complete events out (a partial event waits for the rest)."""

    def __init__(self, max_event_bytes: int = 64 << 20):
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer known to hold no event end: a large event comes in many reads,
        # and scanning it again from its start at each one made reading it quadratic
        self._max = max_event_bytes

    def feed(self, data: bytes) -> list[Event]:
        if b"\r" in data or self._buffer[-1:] == b"\r":  # CRLF line ends (the OneGrid server sends LF)
            self._buffer += data
            self._buffer = bytearray(self._buffer.replace(b"\r\n", b"\n"))
            self._scanned = 0
        else:
            self._buffer += data
        events: list[Event] = []
        while True:
            end = self._buffer.find(b"\n\n", max(self._scanned - 1, 0))
            if end < 0:
                self._scanned = len(self._buffer)
                if self._scanned > self._max:
                    raise ValueError(f"an event of the stream is longer than {self._max} bytes")
                return events
            block = bytes(self._buffer[:end])
            del self._buffer[:end + 2]
            self._scanned = 0
            event = _parse(block)
            if event is not None:
                events.append(event)


def _parse(block: bytes) -> Event | None:
    name, ident, data, comment = "message", None, [], False
    for line in block.split(b"\n"):
        if line.startswith(b":"):
            comment = True
            continue
        field, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if field == b"data":
            data.append(value)
        elif field == b"event":
            name = value.decode("utf-8", "replace")
        elif field == b"id":
            ident = value.decode("utf-8", "replace")
    if not data and ident is None and name == "message":
        return Event("ping", b"") if comment else None
    return Event(name, b"\n".join(data), ident)


class GzipMembers:
    """A body of concatenated gzip members, decoded as its bytes arrive (one zlib object decodes one member:
    at its end the next one starts on the bytes left over). Each member the server sends ends on an event's
    end, so an event is readable as soon as its bytes are in."""

    def __init__(self):
        self._member = zlib.decompressobj(_GZIP)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of `data`, in pieces of at most 1 MiB; zlib.error on bytes that are not gzip."""
        member = self._member
        while True:
            out = member.decompress(data, _PIECE)
            if out:
                yield out
            if member.eof:
                data = member.unused_data
                member = self._member = zlib.decompressobj(_GZIP)
                if not data:
                    return
                continue
            data = member.unconsumed_tail
            if not data and len(out) < _PIECE:
                return
