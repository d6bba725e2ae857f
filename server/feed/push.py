"""The push channel of the changes feed: one open connection per console, each feed page written to it as a
Server-Sent Event, instead of one long-poll request per delivery.

Under 2,000 long-polling consoles a process spent most of a core on the fixed cost of each request (HTTP
parsing, the ASGI stack, routing, two socket writes) — ~700 µs per delivery. On an open stream a delivery
is one write of bytes every reader of the same scope shares (`server.feed.ring`: the page is computed once
per feed state, cursor and scope; only the `cursors` member and `server_time` are spliced per reader).

A stream that is caught up waits in the process's hub (`server.feed.push_hub`), which writes each tick's page
once per scope and cursor straight to all such streams' connections; this module's coroutine per stream does
the rest: the first page, catching up, and whatever the hub hands back.

The stream reads exactly what `long_poll` reads (`server.feed.partitions.cursor_page`: the reader's
partitions and jurisdiction scope, scope exits included) and waits the same way (`FeedNotifier`, the
batching window amid a stream of commits, `AnswerPacer` so a tick does not monopolise the loop). Each event
carries the partition cursor after its page as its SSE `id`, so a console that reconnects (with `cursor=` or
`Last-Event-ID`) continues without a gap.

What the stream refuses to do:
- keep pushing to a session that ended: the token is looked up again before every delivery and at least
  every heartbeat (`ServerContext.user_for_token`, a few-second cache); when it is refused, or the user's
  role, unit, jurisdictions or feed scope changed, an `end` event says why and the stream closes (the
  console reconnects, or reads the feed again from 0 for a new scope);
- grow memory for a reader that does not read: a write waits for the transport (uvicorn pauses writers
  above its high-water mark), and a write that cannot go out within `feed_push_send_timeout_s` ends the
  stream; at most `feed_push_max_streams` streams are open at once (503 beyond, the console long-polls);
- live for ever: after `feed_push_max_s` a stream ends (`stream_expired`) at its next delivery or ping, and the
  console opens it again from its cursor, so a process that joined behind the proxy gets its share of the
  consoles within that time.

**Compressed streams.** A page is large (up to `limit` cases, each with its ledger: ~600 KB at 500) and, with
thousands of consoles, writing it to each one was most of what a process did (and most of what its consoles
did, reading it). A console that asks (`compress=gzip`) gets the stream as a sequence of gzip members
(`Content-Encoding: gzip`), each ending on an event's end so a reader decodes every event as it arrives: a
page's event is the page's own gzip member from `server.feed.gzip_pieces` (its changes compressed once for every
reader, only the reader's tail stored), between a stored member holding the event's head (`event`, `id`) and
its blank line. A reader's cost stays a copy, of a tenth of the bytes. The members are ordinary gzip: a
client that decodes a multi-member body (urllib3, Python's `gzip`) reads the stream as is.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.platform.feed_partition import Cursor
from server.feed import gzip_pieces
from server.feed.partitions import cursor_page, cursors_member
from server.feed.push_hub import DELIVER, EXPIRED, Parked, PushHub
from server.platform.errors import ApiError
from server.platform.http_protocol import BODY_WRITER

if TYPE_CHECKING:  # the context is built by the composition root, above every feature
    from server.context import ServerContext
    from server.platform.auth import AuthUser

log = logging.getLogger(__name__)

MEDIA_TYPE = "text/event-stream"
PING = b": ping\n\n"  # an SSE comment: keeps proxies from timing out, and finds dead connections


def page_event(body: bytes, cursor: Cursor) -> bytes:
    """A page as one SSE event (`event: page`, the cursor after it as `id`). SSE data cannot hold a line
    break: a body with one (JSON only has them between tokens) goes as several `data:` lines, which a
    reader joins with line breaks again."""
    if b"\n" in body:
        body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\ndata: ")
    return b"event: page\nid: " + cursor.to_wire().encode("ascii") + b"\ndata: " + body + b"\n\n"


def gzip_page_event(page, server_time: str, extra: bytes, cursor: Cursor) -> bytes:
    """`page_event` of `page.body(server_time, extra)` as gzip members (see the module doc): the page's changes
    as compressed once for every reader, the rest stored."""
    if page.has_line_break():  # never for JSON as the server writes it; correct all the same, at a cost
        return gzip_pieces.compress(page_event(page.body(server_time, extra), cursor)).answer(b"")
    head = b"event: page\nid: " + cursor.to_wire().encode("ascii") + b"\ndata: "
    return gzip_pieces.stored_member(head) + page.gzip(server_time, extra, b"\n\n")


def end_event(error: str, message: str) -> bytes:
    data = json.dumps({"error": error, "message": message}, ensure_ascii=True).encode()
    return b"event: end\ndata: " + data + b"\n\n"


_GZIP_PING = gzip_pieces.stored_member(PING)
_EXPIRED = end_event("stream_expired", "this feed stream reached its lifetime: open it again with the cursor of "
                     "its last page (`Last-Event-ID`)")
_GZIP_EXPIRED = gzip_pieces.stored_member(_EXPIRED)


SHARED_EVENT_S = 1.0  # how long an event made for one reader is given, as it is, to the next ones


class PageEvents:
    """Each page's event made once for every reader that gets the same page from the same cursor within
    `SHARED_EVENT_S` (the readers of one feed tick): one build and one set of bytes instead of one per reader,
    and so readers of one scope get the very same bytes. Its `server_time` is when it was made, at most that
    long before it is sent (pushed pages do not set the console's clock). Holding the pages keeps their ids
    unique while they are keys."""

    MAX = 256
    MAX_BYTES = 64 << 20  # a reconnect storm brings many cursors at once: their events must not pile up

    def __init__(self):
        self._made: dict[tuple[int, str, bool], tuple[object, float, bytes]] = {}
        self._bytes = 0

    def event(self, page, cursor: Cursor, gzip: bool, now: float, server_time) -> bytes:
        """The event of `page` with `cursor` after it; `server_time()` (ISO 8601) is called only to make one."""
        wire = cursor.to_wire()
        key = (id(page), wire, gzip)
        made = self._made.get(key)
        if made is not None and made[0] is page and now - made[1] < SHARED_EVENT_S:
            return made[2]
        extra = cursors_member(cursor)
        data = (gzip_page_event(page, server_time(), extra, cursor) if gzip
                else page_event(page.body(server_time(), extra), cursor))
        if len(self._made) >= self.MAX or self._bytes + len(data) > self.MAX_BYTES:
            self._made = {k: v for k, v in self._made.items() if now - v[1] < SHARED_EVENT_S}
            self._bytes = sum(len(v[2]) for v in self._made.values())
            if len(self._made) >= self.MAX or self._bytes + len(data) > self.MAX_BYTES:
                self._made.clear()
                self._bytes = 0
        replaced = self._made.get(key)
        if replaced is not None:
            self._bytes -= len(replaced[2])
        self._made[key] = (page, now, data)
        self._bytes += len(data)
        return data


class PushStreams:
    """The open streams of one server process (bound, counters for tests and diagnostics)."""

    def __init__(self, max_streams: int):
        self.events = PageEvents()
        self._hub: PushHub | None = None
        self.max_streams = max_streams
        self.open = 0
        self.opened = 0
        self.deliveries = 0
        self.slow_ended = 0      # streams ended because their reader did not take a write in time
        self.refused_ended = 0   # streams ended because the session ended or the scope changed

    def hub(self, ctx: ServerContext) -> PushHub:
        """Where this process's caught-up streams wait, delivered to together (`server.feed.push_hub`)."""
        if self._hub is None:
            self._hub = PushHub(ctx, self)
        return self._hub

    def admit(self) -> None:
        if self.open >= self.max_streams:
            raise ApiError(503, "too_many_streams", f"this server process has {self.open} feed streams open, "
                           "its limit: read the feed by long-poll (`GET /api/changes`) or try again later",
                           headers={"Retry-After": "30"})


class _SlowReader(Exception):
    pass


class FeedStream(Response):
    """The streaming answer of `GET /api/changes/stream` (an ASGI app of its own: it watches the
    connection for the client going away and bounds every write; Starlette's StreamingResponse does
    neither the way a stream that lives for hours needs)."""

    media_type = MEDIA_TYPE

    def __init__(self, ctx: ServerContext, streams: PushStreams, token: str, user: AuthUser, cursor: Cursor,
                 limit: int, gzip: bool = False):
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        if gzip:
            headers["Content-Encoding"] = "gzip"
        super().__init__(content=None, media_type=MEDIA_TYPE, headers=headers)
        # an open-ended body: no Content-Length (the server sends it chunked)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.ctx, self.streams, self.token, self.user, self.cursor, self.limit = ctx, streams, token, user, cursor, limit
        self.gzip = gzip
        streams.admit()  # checked here, so the refusal is an ordinary error answer
        streams.open += 1  # counted from here: admit() of a concurrent request sees it
        self._counted = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streams, ctx = self.streams, self.ctx
        streams.opened += 1
        ctx.long_polls += 1  # a waiting reader: spaces the reads of the recent feed (ServerContext.feed_tick_s)
        timeout = ctx.settings.feed_push_send_timeout_s
        try:
            async with asyncio.timeout(timeout):
                await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            writer = scope.get("extensions", {}).get(BODY_WRITER)  # None: not served by `OneWriteHttpProtocol`
            run = asyncio.ensure_future(self._run(send, writer))
            gone = asyncio.ensure_future(_disconnected(receive))
            try:
                await asyncio.wait({run, gone}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (run, gone):
                    task.cancel()
                await asyncio.gather(run, gone, return_exceptions=True)
            if run.done() and not run.cancelled() and isinstance(run.exception(), _SlowReader):
                streams.slow_ended += 1
                log.info("feed stream of %s ended: its reader took no write for %.0f s", self.user.username, timeout)
            elif run.done() and not run.cancelled() and run.exception() is not None:
                log.error("feed stream of %s failed", self.user.username, exc_info=run.exception())
        except TimeoutError:
            streams.slow_ended += 1
        finally:
            ctx.long_polls -= 1
            if self._counted:
                streams.open -= 1
                self._counted = False

    async def _run(self, send: Send, writer) -> None:
        ctx, user, token = self.ctx, self.user, self.token
        settings = ctx.settings
        loop = asyncio.get_running_loop()
        timeout, heartbeat = settings.feed_push_send_timeout_s, settings.feed_push_heartbeat_s
        scope = ctx.feed_scope(user)
        cursor = self.cursor

        gzip, events = self.gzip, self.streams.events
        hub = self.streams.hub(ctx) if writer is not None else None

        def server_time() -> str:
            return ctx.now().isoformat()
        ping, expired = (_GZIP_PING, _GZIP_EXPIRED) if gzip else (PING, _EXPIRED)

        def last(event: bytes) -> bytes:  # an end event, as the stream's encoding wants it
            return gzip_pieces.stored_member(event) if gzip else event

        async def write(data: bytes, more: bool = True) -> None:
            try:  # asyncio.timeout, not wait_for: no task per write
                async with asyncio.timeout(timeout):
                    await send({"type": "http.response.body", "body": data, "more_body": more})
            except TimeoutError:
                raise _SlowReader from None

        first = True
        last_write = loop.time()
        expires = last_write + settings.feed_push_max_s
        while True:
            generation = ctx.notifier.generation  # before the read: a commit after it wakes us
            refusal = await _refusal(ctx, token, user, scope)
            if refusal is not None:
                self.streams.refused_ended += 1
                log.info("feed stream of %s ended: %s", user.username, refusal[0])
                await write(last(end_event(*refusal)), more=False)
                return
            page, after = await cursor_page(ctx, user, cursor, self.limit)
            if first or page.count or page.more:
                await ctx.answer_pacer.turn()  # a feed tick wakes every stream: let other work in between
                await write(events.event(page, after, gzip, loop.time(), server_time))
                self.streams.deliveries += 1
                cursor, first, last_write = after, False, loop.time()
                if page.more:
                    continue
                if last_write >= expires:
                    await write(expired, more=False)
                    return
            else:
                cursor = after
            if hub is not None and loop.time() - last_write < heartbeat:
                # caught up: wait with the streams of the same scope and cursor, delivered to together
                parked = Parked(token, user, scope, self.limit, gzip, writer, ping, cursor, last_write, expires)
                reason = await hub.park(parked, generation)
                cursor, last_write = parked.cursor, parked.last_write
                if reason == EXPIRED:
                    await write(expired, more=False)
                    return
                if reason == DELIVER:
                    continue  # read from the cursor and write it here (the hub could not)
                # PING: below, the token is looked up again and the ping written the long way
            while True:
                remaining = last_write + heartbeat - loop.time()
                if remaining <= 0:
                    if (refusal := await _refusal(ctx, token, user, scope)) is None:
                        await write(ping)
                        last_write = loop.time()
                        if last_write >= expires:
                            await write(expired, more=False)
                            return
                        continue
                    break  # the outer loop ends the stream
                if await ctx.notifier.wait(generation, remaining):
                    # amid a stream of commits, let the burst land so it is delivered once (as `long_poll`)
                    if ctx.notifier.busy(ctx.feed_batch_window_s):
                        await asyncio.sleep(ctx.feed_batch_window_s)
                    break


async def _refusal(ctx: ServerContext, token: str, user: AuthUser,
                   scope: tuple[str, ...] | None) -> tuple[str, str] | None:
    """Why the stream must end now (error code, message), or None while its reader may still read it."""
    try:
        now = await ctx.user_for_token(token)
    except ApiError as exc:
        return exc.error, exc.message
    if now != user or ctx.feed_scope(now) != scope:
        return "scope_changed", ("what this user may read changed (role, unit or jurisdictions): open the "
                                 "stream again")
    return None


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
