"""One delivery per scope and feed tick for every caught-up feed stream of a process.

With one coroutine per stream, a feed tick woke every stream: each looked its token up, read its page from the
ring, waited its turn (`AnswerPacer`) and sent the event through every middleware's `send` under a timeout —
about a hundred microseconds each, two thousand times a tick, while commands waited for the GIL. Yet streams
of one scope that are caught up stand at the same cursor and get the same page (`server.feed.push.PageEvents`
already made it the same bytes).

So a stream that is caught up *parks* here, grouped with the streams of the same scope, page size, encoding
and cursor (a cohort). On each feed tick the hub reads each cohort's page once (`cursor_page`, as its streams
would) and writes the event to each stream's connection directly (`server.platform.http_protocol.BodyWriter`),
checking each one's token against the token cache on the way. It also pings the quiet ones. Whatever it cannot
do at once it hands back to the stream's own coroutine, which parked it and does it the long way
(`server.feed.push.FeedStream._run`), as a stream always did. That is:
- a reader whose transport is above its high-water mark (the coroutine's write waits for it, up to the send
  timeout);
- a token not in the cache (the coroutine looks it up) or whose user or scope changed (it ends the stream);
- a stream at its lifetime.
The coroutine then reads from the stream's own cursor, which moved only with what was written, so nothing is
skipped or sent twice.

Why nothing is missed: the hub reads the notifier's generation before it reads the cohorts' pages and waits
only on that generation (as every reader does); a stream that parks after a commit its own read may have missed
(under a steady stream of commits, nearly every time) makes the hub start another round at once.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.platform.feed_partition import Cursor
from server.feed.partitions import cursor_page
from server.platform.auth import token_digest
from server.platform.errors import ApiError

if TYPE_CHECKING:  # the context is built by the composition root, above every feature
    from server.context import ServerContext
    from server.feed.push import PushStreams
    from server.platform.auth import AuthUser
    from server.platform.http_protocol import BodyWriter

log = logging.getLogger(__name__)

YIELD_EVERY = 16  # direct writes between two event-loop turns (what else is ready runs in between)
SWEEP_S = 1.0     # how often quiet streams are looked at for a ping or their lifetime, at least
FAILED_PAUSE_S = 1.0  # after the hub failed, how long before it starts again

# Why the hub gave a stream back to its coroutine (`Parked.future`'s result)
DELIVER = "deliver"    # a page the hub could not write: the coroutine reads and writes it
PING = "ping"          # a ping the hub could not write, or a token to look up again
EXPIRED = "expired"    # the stream reached its lifetime


@dataclass(eq=False, slots=True)
class Parked:
    """A caught-up stream waiting in the hub. `cursor` and `last_write` move with what the hub writes."""

    token: str
    user: AuthUser
    scope: tuple[str, ...] | None
    limit: int
    gzip: bool
    writer: BodyWriter
    ping: bytes
    cursor: Cursor
    last_write: float
    expires: float
    future: asyncio.Future = field(default=None)  # type: ignore[assignment]
    digest: str = ""  # the token's digest, the token cache's key: hashed once, not at every delivery

    def __post_init__(self):
        self.digest = token_digest(self.token)


class PushHub:
    """The parked streams of one server process (use on one event loop; a new loop starts afresh)."""

    def __init__(self, ctx: ServerContext, streams: PushStreams):
        self.ctx = ctx
        self.streams = streams
        self._cohorts: dict[tuple, set[Parked]] = {}
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poke = asyncio.Event()  # a stream parked after commits its read missed: a round at once
        self.sweep_s = SWEEP_S
        self._failed_at = float("-inf")
        self.deliveries = 0    # events the hub wrote (also counted in `PushStreams.deliveries`)
        self.pings = 0
        self.handed_back = 0   # streams given back to their coroutine
        self.rounds = 0

    @property
    def parked(self) -> int:
        return sum(len(members) for members in self._cohorts.values())

    async def park(self, stream: Parked, generation: int) -> str:
        """Wait here until the stream needs its coroutine (the reason). `generation` is the notifier's, read
        before the stream's last read: when a commit was announced since, the hub starts a round at once, so
        the stream gets what its read missed (under a steady stream of commits, that is every time)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._cohorts, self._task, self._poke = loop, {}, None, asyncio.Event()
        if self.ctx.notifier.generation != generation:
            self._poke.set()
        stream.future = loop.create_future()
        key = (stream.scope, stream.limit, stream.gzip, stream.cursor.to_wire())
        self._cohorts.setdefault(key, set()).add(stream)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._serve(), name="feed-push-hub")
        try:
            return await stream.future
        finally:
            if not stream.future.done():  # cancelled: its client went away
                stream.future.cancel()
            self._remove(stream)

    def _remove(self, stream: Parked) -> None:
        key = (stream.scope, stream.limit, stream.gzip, stream.cursor.to_wire())
        members = self._cohorts.get(key)
        if members is not None and stream in members:
            members.discard(stream)
            if not members:
                del self._cohorts[key]

    def _hand_back(self, stream: Parked, reason: str) -> None:
        if not stream.future.done():
            stream.future.set_result(reason)
            self.handed_back += 1

    async def _serve(self) -> None:
        ctx = self.ctx
        notifier = ctx.notifier
        loop = asyncio.get_running_loop()
        if loop.time() - self._failed_at < FAILED_PAUSE_S:
            # it failed a moment ago: not a round again at once for the streams it just handed back (their
            # coroutines deliver meanwhile), so a lasting fault is not a busy loop of failures
            await asyncio.sleep(FAILED_PAUSE_S)
        try:
            while self._cohorts:
                generation = notifier.generation  # before the reads: a commit after it wakes the next round
                self._poke.clear()  # before the reads too: a stream parked during this round is read again
                self.rounds += 1
                again = await self._deliver_all(loop)
                self._sweep(loop.time())
                if again or not self._cohorts or self._poke.is_set():
                    continue  # a full page (`more`), or a stream parked behind: at once
                if await self._woken(generation):
                    # amid a stream of commits, let the burst land so it is delivered once (as `long_poll`)
                    if notifier.busy(ctx.feed_batch_window_s):
                        await asyncio.sleep(ctx.feed_batch_window_s)
        except Exception:  # a bug (or the database gone) must not leave streams parked for ever
            self._failed_at = loop.time()
            log.exception("the feed push hub failed: its streams go back to their own coroutines")
            for members in list(self._cohorts.values()):
                for stream in list(members):
                    self._hand_back(stream, DELIVER)
            # not raised again: logged here, and the next stream to park starts the hub afresh

    async def _woken(self, generation: int) -> bool:
        """Wait for a commit after `generation`, a stream parked behind, or `sweep_s`; True if woken."""
        waits = {asyncio.ensure_future(self.ctx.notifier.wait(generation, self.sweep_s)),
                 asyncio.ensure_future(self._poke.wait())}
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        return any(not w.cancelled() and w.exception() is None and w.result() for w in done)

    async def _deliver_all(self, loop) -> bool:
        """Each cohort's page from its cursor, written to its streams; True when a page was full.

        Every cohort's page is read first, then written, and each of the feed state the round began at: a
        commit during the round (there is one nearly every time under load) would otherwise make the next
        cohort's page wait for another read of the ring, a tick per cohort."""
        ctx, events = self.ctx, self.streams.events
        state = ctx.page_cache.state()  # read after the round's generation: every page covers at least this
        pages = []
        for key in list(self._cohorts):
            members = self._cohorts.get(key)
            if not members:
                continue
            sample = next(iter(members))
            if ctx.feed_scope(sample.user) != sample.scope:  # the reference data moved the scope: the long way
                for stream in list(members):
                    self._hand_back(stream, DELIVER)
                continue
            pages.append((key, *await cursor_page(ctx, sample.user, sample.cursor, sample.limit, state)))
        now_dt = ctx.now()
        server_time = now_dt.isoformat
        again = False
        written = 0
        for key, page, after in pages:
            members = self._cohorts.pop(key, None)  # those parked by now (some may have left meanwhile)
            if not members:
                continue
            new_key = (key[0], key[1], key[2], after.to_wire())
            if not (page.count or page.more):
                for stream in members:
                    stream.cursor = after
                self._join(new_key, members)
                continue
            data = events.event(page, after, key[2], loop.time(), server_time)
            moved: set[Parked] = set()
            for stream in members:  # (popped: a stream parking meanwhile joins a new set)
                if stream.future.done():
                    continue
                if self._may_read(stream, now_dt) and stream.writer.write(data):
                    stream.cursor, stream.last_write = after, loop.time()
                    moved.add(stream)
                    written += 1
                    self.deliveries += 1
                    self.streams.deliveries += 1
                    if written % YIELD_EVERY == 0:
                        await asyncio.sleep(0)  # what else is ready (a command's answer) goes in between
                else:
                    self._hand_back(stream, DELIVER)
            # the streams not written to stay at the old cursor until their coroutine takes them
            stay = {s for s in members if s not in moved and not s.future.done()}
            if stay:
                self._join(key, stay)
            self._join(new_key, moved)
            again = again or page.more
        return again

    def _join(self, key: tuple, streams: set[Parked]) -> None:
        if not streams:
            return
        members = self._cohorts.get(key)
        if members is None:
            self._cohorts[key] = streams
        else:
            members |= streams

    def _may_read(self, stream: Parked, now_dt) -> bool:
        """The stream's session is still its user's, as the token cache knows it (a miss: the long way)."""
        try:
            user = self.ctx.token_cache.get(stream.token, now_dt, stream.digest)
        except ApiError:
            return False
        return user is not None and (user is stream.user or user == stream.user)

    def _sweep(self, now: float) -> None:
        """Ping the streams quiet for a heartbeat; give back those at their lifetime."""
        heartbeat = self.ctx.settings.feed_push_heartbeat_s
        now_dt = None
        for members in list(self._cohorts.values()):
            for stream in list(members):
                if stream.future.done():
                    continue
                if now >= stream.expires:
                    self._hand_back(stream, EXPIRED)
                elif now - stream.last_write >= heartbeat:
                    now_dt = now_dt or self.ctx.now()
                    if self._may_read(stream, now_dt) and stream.writer.write(stream.ping):
                        stream.last_write = now
                        self.pings += 1
                    else:
                        self._hand_back(stream, PING)
