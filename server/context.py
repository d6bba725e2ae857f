"""Everything one server process works with, built once per app: settings, database, reference data,
the feed notifier and the clock. Endpoints, the maintenance loop and startup hooks (e.g. the demo
simulator) all go through it, so they apply commands and read the feed exactly the same way.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import anyio
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.cases.commands import BatchResult, CommandBatch
from app.platform.entity_commands import EntityCommand, EntityCommandResult
from app.platform.feed_partition import GLOBAL
from app.refdata.model import RefData
from app.wire.cases import newest_cases_only
from db.platform import TokenRow, UserRow
from server.cases import repeats
from server.cases.commands import BatchLanes, Hook, apply_batch
from server.detections.commands import DetectionCommands
from server.feed.answer_pacer import AnswerPacer
from server.feed.notifier import FeedNotifier
from server.feed.page_cache import FeedPageCache
from server.feed.pages import RawPage, read_changes_raw, read_ring_rows
from server.feed.partitions import user_partitions
from server.feed.read import DataPage, latest_position, latest_positions, read_changes
from server.feed.record import FEED_CHANGED, FEED_PARTITIONS
from server.feed.ring import FeedRing
from server.photos.backends import open_storage
from server.platform.advisory import SessionLocks
from server.platform.auth import (
    AuthUser,
    TokenCache,
    resolve_token_with_expiry,
    token_digest,
)
from server.platform.batch_items import BadCommand, ReadBatch
from server.platform.database import Database
from server.platform.entity_commands import EntityHandler, apply_entity_commands
from server.platform.login_throttle import LoginThrottle, Policy
from server.platform.scope import feed_units
from server.platform.settings import ServerSettings
from server.refdata.store import RefDataStore
from server.shifts.commands import HandoverCommands

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Feed reads run at most this many at a time in the worker threads, so commands (which use the default
# thread limiter) keep threads and database connections under a long-poll stampede.
FEED_READ_THREADS = 4
_USERS_CHANGED = "onegrid_users_changed"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ServerContext:
    settings: ServerSettings
    db: Database
    refdata_store: RefDataStore
    notifier: FeedNotifier
    clock: Clock = utc_now
    before_commit: Hook | None = field(default=None)  # tests: runs inside every command transaction
    feed_batch_window_s: float | None = None  # None: the settings' feed_batch_ms
    token_cache: TokenCache = field(default_factory=TokenCache)
    # Every entity kind the one command endpoint takes beside cases, by kind name.
    entity_handlers: dict[str, EntityHandler] = field(
        default_factory=lambda: {handler.kind.name: handler for handler in (HandoverCommands(), DetectionCommands())})
    sensor_ingest: Any = field(default=None)  # server.sensors.ingest.SensorIngest, set by the app's lifespan
    position_ingest: Any = field(default=None)  # server.avl.ingest.PositionIngest, set by the app's lifespan
    detection_writer: Any = field(default=None)  # server.detections.writer.DetectionWriter, set by the lifespan
    command_combiner: Any = field(default=None)  # server.cases.combiner.CommandCombiner, set by the lifespan
    metrics: Any = field(default=None)  # server.platform.prometheus.ServerMetrics, set by create_app
    locks: SessionLocks | None = None  # advisory locks on a session of their own (PostgreSQL only)
    photo_backend: Any = field(default=None)  # server.photos.storage.BlobStorage; opened on first use
    page_cache: FeedPageCache = field(init=False)
    answer_pacer: AnswerPacer = field(init=False)
    feed_ring: FeedRing = field(init=False)  # the global partition's (`feed_rings`)
    feed_rings: dict[str, FeedRing] = field(init=False)  # the recent feed of each partition
    login_throttle: LoginThrottle = field(init=False)  # failed-login counts and lockouts (in the database)
    batch_lanes: BatchLanes = field(init=False)  # a batch's cases applied at once (settings.batch_lanes)
    long_polls: int = field(default=0, init=False)  # long-polls now waiting or being answered (api.get_changes)
    _feed_limiter: tuple[object, anyio.CapacityLimiter] | None = field(default=None, init=False)
    _command_limiter: tuple[object, anyio.CapacityLimiter] | None = field(default=None, init=False)
    # token digest -> the database lookup in flight for it (`user_for_token`), per event loop
    _token_lookups: tuple[object, dict[str, asyncio.Future]] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.feed_batch_window_s is None:
            self.feed_batch_window_s = self.settings.feed_batch_ms / 1000
        self.answer_pacer = AnswerPacer(self.settings.answers_per_turn)
        self.page_cache = FeedPageCache(lambda: self.notifier.generation)
        self.feed_ring = self._new_ring(GLOBAL)
        self.feed_rings = {GLOBAL: self.feed_ring}
        self._partitions_read = False
        if self.settings.feed_partitions:  # every write session's record_change takes its city's counter
            self.db.writer.configure(info={FEED_PARTITIONS: True})
        self.login_throttle = LoginThrottle(self.db, Policy.from_settings(self.settings))
        self.batch_lanes = BatchLanes(self.settings.batch_lanes)
        repeats.enable(self.db.writer, self.settings.repeat_merge)

    @classmethod
    def create(cls, settings: ServerSettings, *, refdata: RefData | None = None, clock: Clock | None = None,
               database: Database | None = None) -> ServerContext:
        db = database or Database(settings.database_url, pool_size=settings.db_pool_size,
                                  max_overflow=settings.db_max_overflow)
        direct = settings.direct_database_url or db.url
        ctx = cls(settings=settings, db=db, refdata_store=RefDataStore(db.reader, fixed=refdata),
                  notifier=_make_notifier(db, direct), clock=clock or utc_now,
                  locks=SessionLocks(direct) if db.is_postgres else None)
        ctx._wake_long_polls_after_commits()
        return ctx

    def now(self) -> datetime:
        return self.clock()

    @property
    def photo_storage(self):
        """Where photo files go (`settings.photo_storage`: a folder or an S3 bucket), opened on first use."""
        if self.photo_backend is None:
            self.photo_backend = open_storage(self.settings)
        return self.photo_backend

    @property
    def refdata(self) -> RefData:
        return self.refdata_store.current()

    def apply(self, user: AuthUser, batch: CommandBatch | ReadBatch) -> BatchResult:
        """Apply a batch as `user` (blocking: call from a worker thread, not the event loop)."""
        result = self._apply_batch(user, batch)
        if self.metrics is not None:
            self.metrics.count_commands(result)
        return result

    def _apply_batch(self, user: AuthUser, batch: CommandBatch | ReadBatch) -> BatchResult:
        return apply_batch(self.db.writer, user, batch, self.refdata, self.now, before_commit=self.before_commit,
                           lanes=self.batch_lanes, group=self.settings.commit_group)

    async def apply_in_thread(self, user: AuthUser, batch: CommandBatch | ReadBatch, *,
                              newest_cases: bool = False) -> bytes:
        """`apply` in one of the commands' own worker threads (`settings.command_threads`); the answer as JSON,
        with `newest_cases` each case only in the last answer carrying it (`app.wire.cases.newest_cases_only`).
        A batch smaller than a group goes to the combiner instead when it runs (`server.cases.combiner`),
        committed together with other requests' commands that arrive while a group is in flight."""

        def finish(result: BatchResult) -> bytes:
            if self.metrics is not None:
                self.metrics.count_commands(result)
            if newest_cases:
                result = result.model_copy(update={"results": newest_cases_only(result.results)})
            return result.model_dump_json().encode()

        combiner = self.command_combiner
        if combiner is not None and combiner.running and 0 < len(batch.commands) < self.settings.commit_group:
            # awaited on the event loop, not in a thread: a request waiting for its group holds no thread
            return await asyncio.wrap_future(combiner.submit(user, batch, finish))
        loop = asyncio.get_running_loop()
        if self._command_limiter is None or self._command_limiter[0] is not loop:
            self._command_limiter = (loop, anyio.CapacityLimiter(self.settings.command_threads))

        def work() -> bytes:
            return finish(self._apply_batch(user, batch))

        return await anyio.to_thread.run_sync(work, limiter=self._command_limiter[1])

    def apply_entities(self, user: AuthUser, commands: list[EntityCommand | BadCommand]) -> list[EntityCommandResult]:
        """Apply entity commands of any registered kind as `user` (blocking, like `apply`)."""
        return apply_entity_commands(self.db.writer, user, commands, self.now, self.entity_handlers)

    async def apply_entities_in_thread(self, user: AuthUser,
                                       commands: list[EntityCommand | BadCommand]) -> list[EntityCommandResult]:
        loop = asyncio.get_running_loop()
        if self._command_limiter is None or self._command_limiter[0] is not loop:
            self._command_limiter = (loop, anyio.CapacityLimiter(self.settings.command_threads))
        return await anyio.to_thread.run_sync(lambda: self.apply_entities(user, commands),
                                              limiter=self._command_limiter[1])

    async def user_for_token(self, token: str) -> AuthUser:
        """The bearer token's user: from `token_cache` when looked up in the last few seconds (its expiry
        still checked against the clock), else from the database in a worker thread. One lookup per
        token at a time: when a token's entry ages out, the 500 long-polls of a control room sharing
        it would otherwise each look it up at once, every few seconds. Raises ApiError (401) like
        `auth.resolve_token_with_expiry`."""
        now = self.now()
        user = self.token_cache.get(token, now)
        if user is not None:
            return user
        loop = asyncio.get_running_loop()
        if self._token_lookups is None or self._token_lookups[0] is not loop:
            self._token_lookups = (loop, {})
        lookups = self._token_lookups[1]
        digest = token_digest(token)
        future = lookups.get(digest)
        if future is None:
            generation = self.token_cache.generation

            def lookup() -> AuthUser:
                with self.db.reader() as session:
                    found, expires_at = resolve_token_with_expiry(session, token, now)
                self.token_cache.put(token, found, expires_at, generation)
                return found

            future = lookups[digest] = asyncio.ensure_future(anyio.to_thread.run_sync(lookup))
            future.add_done_callback(lambda f: lookups.pop(digest, None) if lookups.get(digest) is f else None)
        return await asyncio.shield(future)  # one caller going away must not cancel the others' lookup

    def read_changes(self, after: int, limit: int, user: AuthUser) -> DataPage:
        with self.db.reader() as session, session.begin():
            return read_changes(session, after, limit, user, self.refdata)

    def feed_scope(self, user: AuthUser) -> tuple[str, ...] | None:
        """The units whose entities `user` sees in the feed (sorted: the key of shared pages); None = all."""
        units = feed_units(user, self.refdata)
        return None if units is None else tuple(sorted(units))

    def read_changes_raw(self, after: int, limit: int, units: tuple[str, ...] | None,
                         partition: str = GLOBAL) -> RawPage:
        with self.db.reader() as session, session.begin():
            return read_changes_raw(session, after, limit, units, partition)

    def feed_tick_s(self) -> float:
        """The least time between two reads of the recent feed (`settings.feed_tick_per_poll_ms`); at least
        the batching window amid a stream of commits only: a lone commit after a read is read at once."""
        window = self.feed_batch_window_s if self.notifier.busy(self.feed_batch_window_s) else 0.0
        return min(max(self.long_polls * self.settings.feed_tick_per_poll_ms / 1000, window),
                   self.settings.feed_max_tick_ms / 1000)

    def _new_ring(self, partition: str) -> FeedRing:
        def read(after: int, limit: int) -> list:
            with self.db.reader() as session, session.begin():
                return read_ring_rows(session, after, limit, partition)

        return FeedRing(read, lambda: self._latest_position(partition), tick_s=self.feed_tick_s)

    def _latest_position(self, partition: str = GLOBAL) -> int:
        with self.db.reader() as session, session.begin():
            return latest_position(session, partition)

    def _latest_positions(self) -> dict[str, int]:
        with self.db.reader() as session, session.begin():
            return latest_positions(session)

    async def feed_partitions(self, user: AuthUser) -> list[str]:
        """The partitions of the feed `user` reads (`server.feed.partitions`): those there are (read from the
        counters once, then every partition a commit announces) that its scope can hold."""
        if not self._partitions_read:
            self.notifier.partitions.update(await anyio.to_thread.run_sync(self._latest_positions))
            self._partitions_read = True
        return user_partitions(feed_units(user, self.refdata), self.notifier.partitions)

    async def changes_page(self, after: int, limit: int, user: AuthUser, partition: str = GLOBAL,
                           state: tuple[int, int] | None = None) -> RawPage:
        """The serialised page: from the recent feed in memory (`FeedRing`, one database read per tick
        for everyone) when `after` is recent, else from the database (`FeedPageCache`: one read per
        feed state and key, however many long-polls ask for it); either in the feed's own small share
        of the worker threads."""
        units = self.feed_scope(user)
        loop = asyncio.get_running_loop()
        if self._feed_limiter is None or self._feed_limiter[0] is not loop:
            self._feed_limiter = (loop, anyio.CapacityLimiter(FEED_READ_THREADS))
        limiter = self._feed_limiter[1]

        async def run(fn, *args):
            return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)

        ring = self.feed_rings.get(partition)
        if ring is None:
            ring = self.feed_rings[partition] = self._new_ring(partition)
        if ring.base is None or after >= ring.base:
            # `state`: a caller serving several scopes in one round (`server.feed.push_hub`) asks each page of
            # the state its round began at, so a commit during the round does not make it wait for another
            # read of the ring (a tick); the commit wakes its next round
            await ring.ensure(state or self.page_cache.state(), self.page_cache.state, run)
            page = ring.page(after, limit, units)
            if page is not None:
                return page
        state = self.page_cache.state()

        async def compute() -> RawPage:
            return await run(self.read_changes_raw, after, limit, units, partition)

        return await self.page_cache.get(state, (after, limit, units, partition), compute)

    def _wake_long_polls_after_commits(self) -> None:
        @event.listens_for(self.db.writer, "after_commit")
        def _after_commit(session):
            if session.info.pop(_USERS_CHANGED, None):
                self.token_cache.clear()
            changed = session.info.pop(FEED_CHANGED, None)
            if changed:
                self.page_cache.invalidate()  # at once: the notifier's wake-up reaches the loop later
                for partition, position in changed.items():
                    self.notifier.notify_threadsafe(position, partition)

        @event.listens_for(self.db.writer, "before_flush")
        def _before_flush(session, _flush_context, _instances):
            if any(isinstance(obj, (UserRow, TokenRow))
                   for obj in (*session.dirty, *session.deleted)):
                session.info[_USERS_CHANGED] = True

        @event.listens_for(self.db.writer, "after_soft_rollback")
        def _after_rollback(session, _previous_transaction):
            session.info.pop(FEED_CHANGED, None)
            session.info.pop(_USERS_CHANGED, None)


def _make_notifier(db: Database, direct_url: str) -> FeedNotifier:
    if db.is_postgres:
        conninfo = make_url(direct_url).set(drivername="postgresql").render_as_string(hide_password=False)
        return FeedNotifier(listen_conninfo=conninfo)

    def read_position() -> dict[str, int]:
        with db.reader() as session:
            return latest_positions(session)

    return FeedNotifier(read_position=read_position)
