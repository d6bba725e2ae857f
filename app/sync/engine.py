"""SyncEngine: keeps a LocalCache in step with the server, on asyncio and without any GUI.

Two tasks. The push loop sends the outbox in issue order as soon as something is queued (the cache's
outbox_changed event kicks it) and stores the answers. The pull loop long-polls the changes feed from
the cache's cursor and applies each page in one cache transaction. Cache calls run in worker threads
(`asyncio.to_thread`, and stop() waits for any still running, so the cache can be closed right after);
HTTP calls run in daemon threads (`app.sync.net_calls.off_loop`) so that a long poll in flight never delays stop() or
interpreter exit. Neither loop ever blocks the event loop, so the same engine
runs under qasync on the GUI thread, under `asyncio.run` in the CLI, and in tests.

Failures: ServerUnreachable → state `offline`, retry with exponential backoff and full jitter;
AuthExpired → state `auth_expired`, nothing is sent until relogin(token).
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import threading
from datetime import datetime, timezone
from typing import Any, Callable

from app.cache import LocalCache, ReadPage, read_page
from app.photos.store import PhotoStore
from app.platform.events import EventGroup
from app.platform.feed_partition import Cursor
from app.sync.backoff import Backoff
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable, page_cursor
from app.sync.contract import SyncServer
from app.sync.entity_push import EntityPush
from app.sync.net_calls import drop, off_loop
from app.sync.outbox_push import OutboxPush
from app.sync.photo_upload import PhotoFetcher, PhotoUploader
from app.sync.push_feed import PushFeed
from app.sync.state import Connection, SyncState
from app.wire.feed import BULK_PAGE_MAX

log = logging.getLogger(__name__)

REFDATA_REFRESH_S = 600.0


class SyncEngine(OutboxPush, EntityPush):
    def __init__(self, cache: LocalCache, client: SyncServer, *, wait_s: float = 25, page: int = 1000,
                 bulk_page: int = BULK_PAGE_MAX, batch: int = 200, backoff_base_s: float = 0.5,
                 backoff_cap_s: float = 30.0, rng: random.Random | None = None, push: bool = True):
        self.cache = cache
        self.client = client
        self.wait_s = wait_s
        self.page = page
        self.bulk_page = bulk_page  # a first sync's pages after its first (`_pull_pages`)
        self.batch = batch
        self.events = EventGroup("state_changed")
        self._backoff_args = (backoff_base_s, backoff_cap_s, rng or random.Random())
        self._state = SyncState(outbox=cache.outbox_size(), conflicts=cache.conflict_count())
        self._state_lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task] = []
        self._caught_up = False
        self._refdata_checked_at: float | None = None
        self._cache_calls: set[asyncio.Future] = set()
        cache.events.outbox_changed.connect(self._on_outbox_changed)
        cache.events.conflicts_changed.connect(self._on_conflicts_changed)
        # commands on other entities (the handover) are pushed after the case outbox; offline periods are recorded
        self._entity_outbox = cache.entity_outbox
        self._last_connection = self._state.connection
        self._answered = False  # the server answered since this engine started or last went offline
        self._entity_outbox.events.changed.connect(self._on_entity_outbox_changed)
        self.events.state_changed.connect(self._note_connectivity)
        self.photos: PhotoUploader | None = None  # set by use_photos
        self.push_feed = PushFeed(self, enabled=push)  # once caught up: the feed pushed, not long-polled

    def use_photos(self, store: PhotoStore) -> None:
        """Send the store's queued photos before the commands that name them, and fetch the server's
        photos on demand (`app.sync.photo_upload`). Needs a real `ServerClient`."""
        self.photos = PhotoUploader(store, self.client, case_queued=lambda case_id: bool(
            self.cache.pending_commands(case_id)), console_id=self.cache.console_id)
        store.fetcher = PhotoFetcher(self.client)
        store.events.uploads_changed.connect(self._on_photos_queued)

    def _on_photos_queued(self) -> None:
        if self.photos is not None and self.photos.store.pending_count():
            self.kick()

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> SyncState:
        return self._state

    @property
    def running(self) -> bool:
        return any(not t.done() for t in self._tasks)

    def _set_state(self, **changes: Any) -> None:
        # Emitted under the lock: state changes come from the loop and from cache worker threads, and a
        # listener must never receive an older state after a newer one.
        with self._state_lock:
            old = self._state
            new = dataclasses.replace(old, clock_offset_s=self.client.clock_offset_s, **changes)
            if new == old:
                return
            self._state = new
            if new.connection != old.connection:
                log.info("sync %s -> %s%s", old.connection, new.connection,
                         f" ({new.last_error})" if new.last_error and new.connection == Connection.OFFLINE else "")
            self.events.state_changed.emit(new)

    def _on_outbox_changed(self, size: int) -> None:
        self._set_state(outbox=size)
        if size:
            self.kick()

    def _on_conflicts_changed(self, count: int) -> None:
        self._set_state(conflicts=count)

    def _connected(self, **changes: Any) -> None:
        """The server answered: online when caught up with nothing left to send, else syncing."""
        busy = not self._caught_up or self._state.outbox > 0
        self._set_state(connection=Connection.SYNCING if busy else Connection.ONLINE, last_error=None, **changes)
        self._server_answered()

    def _went_offline(self, exc: Exception) -> None:
        self._answered = False
        self._caught_up = False
        self._refdata_checked_at = None  # check for new reference data as soon as the server is back
        self._set_state(connection=Connection.OFFLINE, last_error=str(exc))

    def _auth_lost(self, exc: AuthExpired) -> None:
        if self._loop is not None:
            self._auth_ok.clear()
        self._set_state(connection=Connection.AUTH_EXPIRED, last_error=exc.message)
        self._server_answered()  # it refused the token, but it answered

    # ------------------------------------------------------------------ lifecycle

    def _bind_loop(self) -> None:
        """Create the asyncio primitives on the running loop (an engine may be driven by several
        `asyncio.run` calls in a CLI or a test, one after the other)."""
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        if self.running:
            raise RuntimeError("the sync engine is already running on another event loop")
        self._loop = loop
        self._wakeup = asyncio.Event()
        self._auth_ok = asyncio.Event()
        if self.client.token is not None:
            self._auth_ok.set()
        self._push_lock = asyncio.Lock()
        self._pull_lock = asyncio.Lock()

    def start(self) -> None:
        """Start the push and pull loops on the running event loop (call from a coroutine or qasync)."""
        try:
            self._bind_loop()
        except RuntimeError as exc:
            raise RuntimeError(f"SyncEngine.start() needs a running asyncio event loop: {exc}") from None
        if self.running:
            return
        self._set_state(connection=Connection.SYNCING)
        self._tasks = [asyncio.create_task(self._push_loop(), name="onegrid-push"),
                       asyncio.create_task(self._pull_loop(), name="onegrid-pull")]
        self.kick()

    async def stop(self) -> None:
        """Cancel both loops and wait for them. Queued commands stay in the outbox for next time."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*self._cache_calls, return_exceptions=True)  # let a cache write finish
        self._caught_up = False
        self._set_state(connection=Connection.STOPPED)

    def close(self) -> None:
        """Stop listening to the cache (call after stop() when the engine is thrown away)."""
        self.cache.events.outbox_changed.disconnect(self._on_outbox_changed)
        self.cache.events.conflicts_changed.disconnect(self._on_conflicts_changed)
        if self._entity_outbox is not None:
            self._entity_outbox.events.changed.disconnect(self._on_entity_outbox_changed)
            self.events.state_changed.disconnect(self._note_connectivity)

    def kick(self) -> None:
        """Send the outbox now (thread-safe; the cache calls it whenever a command is queued)."""
        self._call_in_loop(lambda: self._wakeup.set())

    def relogin(self, token: str) -> None:
        """Resume after `auth_expired` (or an offline login) with a fresh token (thread-safe)."""
        self.client.set_token(token)
        self._call_in_loop(lambda: self._auth_ok.set())
        self.kick()
        self._set_state(connection=Connection.SYNCING, last_error=None)

    def _call_in_loop(self, callback: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None:
            return  # not started yet: start() and sync_once() look at the outbox and the token themselves
        try:
            loop.call_soon_threadsafe(callback)
        except RuntimeError:  # the loop was closed (the engine ran under an asyncio.run that has ended)
            pass

    async def _in_cache(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a cache call in a worker thread; shielded, so a cancelled loop leaves it to finish and
        stop() can wait for it."""
        future = asyncio.ensure_future(asyncio.to_thread(fn, *args))
        self._cache_calls.add(future)
        future.add_done_callback(self._cache_calls.discard)
        return await asyncio.shield(future)

    # ------------------------------------------------------------------ one full round (CLI, tests)

    async def sync_once(self) -> None:
        """Send everything queued, then pull until caught up. Raises ServerUnreachable / AuthExpired /
        ServerRefused after recording them in `state`."""
        self._bind_loop()
        try:
            await self._push_all()
            await self._push_entities()
            await self._refresh_refdata(force=True)
            await self._pull_page(wait=0)
            await self._report_outages()  # a period the first answer of this round closed
        except ServerUnreachable as exc:
            self._went_offline(exc)
            raise
        except AuthExpired as exc:
            self._auth_lost(exc)
            raise
        except ServerRefused as exc:
            self._set_state(last_error=str(exc))
            raise

    # ------------------------------------------------------------------ push

    async def _push_loop(self) -> None:
        backoff = Backoff(*self._backoff_args)
        while True:
            await self._wakeup.wait()
            await self._auth_ok.wait()
            self._wakeup.clear()  # cleared before sending, so a kick during the send is not lost
            try:
                await self._push_all()
                await self._push_entities()
                backoff.reset()
                continue
            except ServerUnreachable as exc:
                self._went_offline(exc)
            except AuthExpired as exc:
                self._auth_lost(exc)
            except Exception as exc:  # a bug must not end the loop; the outbox keeps the commands
                log.exception("sending the outbox failed unexpectedly")
                self._set_state(last_error=f"{type(exc).__name__}: {exc}")
            self._wakeup.set()
            await asyncio.sleep(backoff.next_delay())

    # ------------------------------------------------------------------ pull

    async def _pull_loop(self) -> None:
        backoff = Backoff(*self._backoff_args)
        while True:
            try:
                if not self._auth_ok.is_set():
                    await self._wait_for_login()
                    backoff.reset()
                    continue
                await self._refresh_refdata()
                if self._caught_up and self.push_feed.usable():
                    await self.push_feed.follow()
                else:
                    await self._pull_page(wait=self.wait_s if self._caught_up else 0)
                backoff.reset()
                continue
            except ServerUnreachable as exc:
                self._went_offline(exc)
            except AuthExpired as exc:
                self._auth_lost(exc)
                continue
            except ServerRefused as exc:
                log.error("server refused the changes request: %s", exc)
                self._set_state(last_error=str(exc))
            except Exception as exc:  # a bug must not end the loop
                log.exception("pulling changes failed unexpectedly")
                self._set_state(last_error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(backoff.next_delay())

    async def _wait_for_login(self) -> None:
        """Without a valid token: say `offline` while the server is down, `auth_expired` once it answers,
        then wait for relogin()."""
        if self._state.connection != Connection.AUTH_EXPIRED:
            await off_loop(self.client.healthz)  # ServerUnreachable propagates: offline, with backoff
            self._set_state(connection=Connection.AUTH_EXPIRED,
                            last_error="the server is reachable again; log in to send queued commands")
            self._server_answered()
        await self._auth_ok.wait()

    async def _pull_page(self, wait: float) -> bool:
        """Fetch and apply pages of the feed until caught up (True) or something fails (raises).

        While page N is being applied, page N+1 is already being fetched (the HTTP exchange in a network
        thread, from the cursor page N ends at), and it is parsed and read into rows in that thread while
        page N commits (`_fetch_ahead`). The cursor is stored only by the apply, so a failure at any point
        just drops the prefetched page and the next attempt starts from the stored cursor. A page whose scope tag is
        not the one the cache's data came under (`LocalCache.adopt_scope`: the user's unit or role changed)
        makes the cache drop the server's data, and the feed is read again from 0. An empty cache's first
        sync is written as a bulk load (`app.cache.first_sync`); one cut short by a failure is ended at once,
        so the cache works at full speed until the next attempt."""
        async with self._pull_lock:
            try:
                return await self._pull_pages(wait)
            except Exception:
                await self._in_cache(self.cache.finish_load)
                raise

    async def _pull_pages(self, wait: float) -> bool:
        """`_pull_page`'s loop."""
        after = await self._in_cache(self.cache.feed_cursor)  # a position per feed partition
        raw = await off_loop(self.client.fetch_changes, after, self.page, wait)
        page, read = await self._in_cache(self._read, raw)
        while True:
            if not await self._in_cache(self.cache.adopt_scope, page.scope, after):
                # what the user sees changed: the cache dropped the server's data; read it all again
                after = Cursor()
                raw = await off_loop(self.client.fetch_changes, after, self.page, 0)
                page, read = await self._in_cache(self._read, raw)
                continue
            cursor = page_cursor(page, after)
            # A first sync's next pages come bigger (fewer requests, feed queries and cache transactions); its
            # first page does not, so that the first cases show and the pipeline starts soon.
            size = self.bulk_page if not after or self.cache.loading else self.page
            committing = threading.Event()
            ahead = (asyncio.ensure_future(off_loop(self._fetch_ahead, cursor, size, committing))
                     if page.more else None)
            try:
                await self._in_cache(self.cache.apply_changes, read, cursor, page.more, committing.set)
            except BaseException:
                committing.set()  # the prefetch thread is not left waiting
                if ahead is not None:
                    drop(ahead)
                raise
            self._caught_up = not page.more
            if self._caught_up:
                self._connected(last_sync=datetime.now(timezone.utc))
                return True
            self._connected()
            after = cursor
            page, read = await ahead

    def _read(self, raw: Any) -> tuple[Any, ReadPage]:
        """A fetched page parsed, and its entries read into the cache's rows (`app.cache.read_page`)."""
        page = self.client.parse_changes(raw)
        return page, read_page(page.changes)

    def _fetch_ahead(self, cursor: Cursor, size: int, committing: threading.Event) -> tuple[Any, ReadPage]:
        """The next page, fetched while the previous one is applied, and read once that one's writes are
        issued and it commits (`committing`): SQLite's commit holds no GIL, so the read costs the pipeline
        nothing there, whereas beside the row-by-row writes both would queue for the GIL at every row."""
        raw = self.client.fetch_changes(cursor, size, 0)
        committing.wait()
        return self._read(raw)

    async def _refresh_refdata(self, force: bool = False) -> None:
        now = asyncio.get_running_loop().time()
        if not force and self._refdata_checked_at is not None and now - self._refdata_checked_at < REFDATA_REFRESH_S:
            return
        etag = await self._in_cache(self.cache.refdata_version)
        data = await off_loop(self.client.refdata, etag)
        if data is not None:
            await self._in_cache(self.cache.store_refdata, data)
            log.info("reference data updated to version %s", data.get("version"))
        self._refdata_checked_at = now
