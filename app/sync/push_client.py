"""The network side of the feed's push channel (`GET /api/changes/stream`): open the stream, read its events.
Blocking, like `app.sync.client`; the sync engine reads it in a thread of its own (`app.sync.push_feed`)."""
from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

from app.platform.feed_partition import Cursor
from app.sync.sse import Event, EventReader, GzipMembers

log = logging.getLogger(__name__)

STREAM_PATH = "/api/changes/stream"
MEDIA_TYPE = "text/event-stream"
# Answers that say "no stream here" (a server older than the push channel, a proxy that does not pass it, a
# server process at its limit of streams): the console long-polls instead.
NOT_OFFERED = (404, 405, 406, 501, 502, 503, 504)


class PushUnavailable(Exception):
    """The server (or a proxy in front of it) does not offer the feed stream now."""


class FeedStream:
    """One open stream: its events in order, read as the bytes arrive."""

    def __init__(self, response: Any, on_close: Callable[[], None] | None = None):
        self._response = response
        self._on_close = on_close
        self._reader = EventReader()
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        self._members = GzipMembers() if encoding == "gzip" else None

    def events(self) -> Iterator[Event]:
        """Blocks until the next events arrive; ends when the server closes the stream. A read that sees no
        byte for the read timeout (the server pings a quiet stream) raises the transport's error."""
        # decoded here rather than by urllib3, which may hold decoded bytes back until a read's full amount
        for chunk in self._response.raw.stream(65536, decode_content=False):
            if self._members is None:
                yield from self._reader.feed(chunk)
            else:
                for piece in self._members.feed(chunk):
                    yield from self._reader.feed(piece)

    def close(self) -> None:
        try:
            # shut the socket first: the reading thread, blocked in recv, then wakes at once (a close alone
            # would leave it until the read timeout)
            sock = getattr(getattr(self._response.raw, "_connection", None), "sock", None)
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self._response.close()
            if self._on_close is not None:
                self._on_close()
        except Exception:  # noqa: BLE001 - closing a broken connection: nothing left to do
            log.debug("closing the feed stream failed", exc_info=True)


def open_stream(request: Callable[..., Any], cursor: Cursor, limit: int, timeout: tuple[float, float],
                on_close: Callable[[], None] | None = None) -> FeedStream:
    """Open the stream from `cursor` through `request` (`ServerClient._request`: it raises AuthExpired,
    ServerRefused and ServerUnreachable as for any call); PushUnavailable when the answer is no stream."""
    # compressed: a page is a tenth of its bytes (a server before compressed streams ignores the parameter)
    response = request("GET", STREAM_PATH, params={"cursor": cursor.to_wire(), "limit": limit, "compress": "gzip"},
                       headers={"Accept": MEDIA_TYPE}, stream=True, timeout=timeout, retry=False,
                       accept_status=NOT_OFFERED)
    content_type = response.headers.get("Content-Type", "")
    if response.status_code != 200 or not content_type.startswith(MEDIA_TYPE):
        status = response.status_code
        response.close()
        raise PushUnavailable(f"no feed stream here (HTTP {status}, {content_type or 'no content type'})")
    return FeedStream(response, on_close)
