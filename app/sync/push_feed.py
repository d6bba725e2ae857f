"""The sync engine's use of the feed's push channel (`GET /api/changes/stream`, `app.sync.push_client`).

Once caught up, a console follows the feed over one open stream instead of a long-poll per delivery. Each
pushed page goes through what a long-polled page goes through (`SyncEngine._pull_pages`): the same decoding
(`app.wire.feed_decode`), `adopt_scope`, `page_cursor` and `apply_changes` under the pull lock, so what the
cache holds cannot differ by channel. A page is applied only while the cache's cursor is the one the stream
stands at; anything else (a `sync_once` moved it meanwhile) closes the stream, and the next one opens from
the cache's cursor: never a gap, never a page twice.

The console falls back to long-polling when the server does not offer the stream (an older server, a proxy
that answers something else, a process at its limit of streams) or when streams keep failing without
delivering a page (a proxy that buffers the stream), and tries the stream again after `RETRY_PUSH_S`.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from app.platform.feed_partition import Cursor
from app.sync.client import AuthExpired, ServerUnreachable, page_cursor
from app.sync.net_calls import off_loop
from app.sync.push_client import PushUnavailable
from app.wire.feed import ChangesPage
from app.wire.feed_decode import DecodedPage, NotFast, decode_page

if TYPE_CHECKING:
    from app.sync.engine import SyncEngine

log = logging.getLogger(__name__)

RETRY_PUSH_S = 600.0   # after a fallback, long-poll this long before trying the stream again
MAX_FAILURES = 3       # streams in a row that ended before their first page: then fall back
_SESSION_ENDED = frozenset({"invalid_token", "token_expired", "missing_token"})


def parse_pushed(data: bytes) -> DecodedPage | ChangesPage:
    """A pushed page, decoded as a long-polled page is (`ServerClient.parse_changes`)."""
    try:
        return decode_page(data)
    except NotFast as exc:
        log.debug("pushed feed page read by ChangesPage: %s", exc)
    try:
        return ChangesPage.model_validate_json(data)
    except ValueError as exc:
        raise ServerUnreachable(f"the feed stream sent an unreadable page: {exc}") from exc


class PushFeed:
    def __init__(self, engine: SyncEngine, *, enabled: bool = True):
        self.engine = engine
        # a stand-in server without a stream (tests' fakes) is simply long-polled
        self._open = getattr(engine.client, "open_changes_stream", None) if enabled else None
        self._off_until = float("-inf")
        self._failures = 0
        self.pages = 0    # pages applied from the stream (tests, diagnostics)
        self.opened = 0   # streams opened

    def usable(self) -> bool:
        return self._open is not None and time.monotonic() >= self._off_until

    def fall_back(self, why: str) -> None:
        log.info("feed stream not used for %.0f s (long-polling instead): %s", RETRY_PUSH_S, why)
        self._off_until = time.monotonic() + RETRY_PUSH_S
        self._failures = 0

    async def follow(self) -> None:
        """Apply pushed pages until the stream ends (return: the caller goes round again) or fails (raises
        ServerUnreachable or AuthExpired, as a long-poll would)."""
        engine = self.engine
        after = await engine._in_cache(engine.cache.feed_cursor)
        try:
            stream = await off_loop(self._open, after, engine.page)
        except PushUnavailable as exc:
            self.fall_back(str(exc))
            return
        self.opened += 1
        loop = asyncio.get_running_loop()
        events: asyncio.Queue = asyncio.Queue()
        threading.Thread(target=_read, args=(stream, loop, events), name="onegrid-feed-stream", daemon=True).start()
        delivered = False
        try:
            while True:
                item = await events.get()
                if isinstance(item, BaseException):
                    raise item
                if item is None:  # the server closed it (a restart): open it again
                    if not delivered:  # ...unless it never carried a page: a failure, with backoff
                        raise ServerUnreachable("the feed stream closed before its first page")
                    return
                if item.event == "end":
                    body = _error_of(item.data)
                    if body[0] in _SESSION_ENDED:
                        raise AuthExpired(*body)
                    log.info("the server ended the feed stream: %s", body[1])
                    return
                if item.event != "page":
                    continue
                if not delivered:
                    delivered, self._failures = True, 0
                moved = await self._apply(item.data, after)
                if moved is None:
                    return
                after = moved
        except ServerUnreachable:
            if not delivered:
                self._failures += 1
                if self._failures >= MAX_FAILURES:
                    self.fall_back(f"{MAX_FAILURES} streams in a row failed before their first page")
            raise
        finally:
            stream.close()

    async def _apply(self, data: bytes, after: Cursor) -> Cursor | None:
        """Apply one pushed page read from `after`; the cursor after it, or None when the stream must be
        opened again (the cache's cursor moved, or the user's scope did). One trip to a cache thread for all
        of it: each trip costs a thread hand-over, and a pushed page is on the way to the dispatcher's screen."""
        engine = self.engine
        async with engine._pull_lock:
            outcome = await engine._in_cache(self._apply_in_cache, data, after)
        if outcome is None:
            return None
        cursor, more = outcome
        self.pages += 1
        engine._caught_up = not more
        engine._connected(**({} if more else {"last_sync": datetime.now(timezone.utc)}))
        return cursor

    def _apply_in_cache(self, data: bytes, after: Cursor) -> tuple[Cursor, bool] | None:
        cache = self.engine.cache
        if cache.feed_cursor() != after:
            return None
        page = parse_pushed(data)
        if not cache.adopt_scope(page.scope, after):
            self.engine._caught_up = False  # the cache dropped the server's data: read it all again
            return None
        cursor = page_cursor(page, after)
        cache.apply_changes(page.changes, cursor, page.more)
        return cursor, page.more


def _read(stream: Any, loop: asyncio.AbstractEventLoop, events: asyncio.Queue) -> None:
    """The reading thread: every event into `events`, then None (closed) or the error."""
    def put(item: Any) -> None:
        try:
            loop.call_soon_threadsafe(events.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody reads any more
            pass

    try:
        for event in stream.events():
            put(event)
    except Exception as exc:  # noqa: BLE001 - a dropped connection or a read timeout: the engine goes offline
        put(ServerUnreachable(f"the feed stream broke: {type(exc).__name__}: {exc}"))
        return
    put(None)


def _error_of(data: bytes) -> tuple[str, str]:
    try:
        body = json.loads(data)
        return str(body["error"]), str(body.get("message", ""))
    except (ValueError, KeyError, TypeError):
        return "stream_ended", data[:200].decode("utf-8", "replace")
