"""Reading a Server-Sent Events stream (the feed's push channel, `GET /api/changes/stream`) from raw bytes:
no dependency, no thread of its own; whoever reads the socket feeds the bytes in."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    event: str        # "page", "end", ...; "ping" for a comment line (the server's heartbeat)
    data: bytes       # the `data:` lines joined by line breaks
    id: str | None = None


class EventReader:
    """Bytes in, complete events out (a partial event waits for the rest)."""

    def __init__(self, max_event_bytes: int = 64 << 20):
        self._buffer = bytearray()
        self._max = max_event_bytes

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        if b"\r" in self._buffer:  # CRLF line ends (allowed by the spec; the OneGrid server sends LF)
            self._buffer = bytearray(self._buffer.replace(b"\r\n", b"\n"))
        events: list[Event] = []
        while True:
            end = self._buffer.find(b"\n\n")
            if end < 0:
                if len(self._buffer) > self._max:
                    raise ValueError(f"an event of the stream is longer than {self._max} bytes")
                return events
            block = bytes(self._buffer[:end])
            del self._buffer[:end + 2]
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
