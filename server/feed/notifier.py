"""Wakes waiting long-polls when the changes feed moves, without a thread per waiter.

Waiters are coroutines on the server's event loop sharing one `asyncio.Event`; each wake-up bumps a
generation number and swaps in a fresh Event. A long-poll reads the generation *before* it queries, so a
change committed between its query and its wait is never slept through.

A commit is announced twice in the process that made it (its after-commit hook, then its own NOTIFY
coming back); an announcement carrying a position no higher than one already announced in its partition
is dropped: a partition's positions are handed out in commit order (`server.feed.record`), so a waiter
woken for the higher one reads the lower one too. (A NOTIFY payload is the position, prefixed by its city
partition and ':' when it has one; the partitions heard of are kept in `partitions`.) What remains tells
whether commits come in a stream (`busy`: the last `STREAM` announcements within a batching window): a
long-poll then waits a moment so that a burst is answered once, and answers at once otherwise. Two commits
close together (a console sending a case's register and dispatch one after the other) are not a stream:
waiting a window for them only delays both.

Wake-ups come from:
- local commits (`notify_threadsafe`, called by the after-commit hook of the server's write sessions);
- on PostgreSQL, a background thread with its own autocommit psycopg connection doing
  `LISTEN onegrid_feed`: every server process hears every commit. It reconnects with backoff when the
  connection drops, and wakes everyone after reconnecting, since notifications may have been missed;
- on SQLite (which has no NOTIFY), a background thread reading the feed counter once a second, so a
  second process writing the same file is noticed too.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import os
import select
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

log = logging.getLogger(__name__)

FEED_CHANNEL = "onegrid_feed"
_PING_EVERY_S = 30.0
_MAX_BACKOFF_S = 10.0
STREAM = 3  # announcements within one batching window that make a stream worth batching


class FeedNotifier:
    def __init__(self, *, listen_conninfo: str | None = None, read_position: Callable[[], object] | None = None,
                 poll_interval_s: float = 1.0):
        self._listen_conninfo = listen_conninfo
        self._read_position = read_position
        self._poll_interval_s = poll_interval_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._generation = 0
        self._announced: dict[str, int] = {}  # the highest feed position announced so far, per partition
        self.partitions: set[str] = {""}  # every feed partition heard of (`app.platform.feed_partition`)
        self._recent: collections.deque[float] = collections.deque(maxlen=STREAM)  # loop times of the last ones
        self._stop = threading.Event()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self.listening = False  # PostgreSQL: True while LISTEN is active

    # ---- event-loop side -------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """Read on the event loop before querying; pass it to `wait`."""
        return self._generation

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._stop.clear()
        if self._listen_conninfo is not None:
            self._wake_r, self._wake_w = os.pipe()
            self._thread = threading.Thread(target=self._listen_forever, name="feed-listener", daemon=True)
        elif self._read_position is not None:
            self._thread = threading.Thread(target=self._poll_forever, name="feed-poller", daemon=True)
        if self._thread is not None:
            self._thread.start()

    async def stop(self) -> None:
        self._stop.set()
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5.0)
            if self._thread.is_alive():
                log.warning("feed notifier thread did not stop in time")
            self._thread = None
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._wake_r = self._wake_w = -1
        self._bump()  # release waiters so their requests can finish
        self._loop = None

    async def wait(self, since_generation: int, timeout: float) -> bool:
        """Wait until a change is announced after `since_generation` or `timeout` passes; True if woken."""
        if self._generation != since_generation:
            return True
        if self._event is None or timeout <= 0:
            await asyncio.sleep(max(timeout, 0))
            return False
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def busy(self, window_s: float) -> bool:
        """Whether the last `STREAM` announcements came within `window_s`: commits arrive faster than a
        batching window, so waiting one lets a burst be answered once. Fewer (a lone commit, a pair) are
        answered at once: there is nothing to batch, a window would be pure delay."""
        recent = self._recent
        return len(recent) == STREAM and recent[-1] - recent[0] < window_s

    def _bump(self, position: int | None = None, partition: str = "") -> None:
        if position is not None:
            self.partitions.add(partition)
            if position <= self._announced.get(partition, 0):
                return  # already announced (see the module docstring)
            self._announced[partition] = position
        if self._loop is not None:
            self._recent.append(self._loop.time())
        self._generation += 1
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    def notify_threadsafe(self, position: int | None = None, partition: str = "") -> None:
        """Announce a change (the new `position` of feed `partition` when known); callable from any thread
        (e.g. right after a commit)."""
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._bump, position, partition)
        except RuntimeError:  # the loop closed while we were shutting down
            pass

    # ---- PostgreSQL LISTEN thread ----------------------------------------------------------------

    def _listen_forever(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._listen_conninfo, autocommit=True, connect_timeout=5,
                                     application_name="onegrid-feed-listener") as conn:
                    conn.execute(f"LISTEN {FEED_CHANNEL}")
                    self.listening = True
                    backoff = 0.5
                    log.info("listening for feed changes on channel %s", FEED_CHANNEL)
                    self.notify_threadsafe()  # changes may have committed while we were not listening
                    self._drain_notifications(conn)
            except psycopg.Error as exc:
                if not self._stop.is_set():
                    log.warning("feed listener connection failed (%s); retrying in %.1f s",
                                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                                backoff)
            finally:
                self.listening = False
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, _MAX_BACKOFF_S)

    def _drain_notifications(self, conn: psycopg.Connection) -> None:
        last_ping = time.monotonic()
        while not self._stop.is_set():
            ready, _, _ = select.select([conn.fileno(), self._wake_r], [], [], _PING_EVERY_S)
            if self._wake_r in ready:
                return
            if ready:
                notes = list(conn.notifies(timeout=0))  # drains everything already received
                if notes:
                    highest: dict[str, int] = {}
                    for note in notes:
                        partition, _, position = note.payload.rpartition(":")
                        if not position.isdigit():
                            highest = {}
                            break
                        highest[partition] = max(highest.get(partition, 0), int(position))
                    if not highest:
                        self.notify_threadsafe()
                    for partition, position in highest.items():
                        self.notify_threadsafe(position, partition)
            elif time.monotonic() - last_ping >= _PING_EVERY_S:
                conn.execute("SELECT 1")  # notices a dead connection that select() alone would not
                last_ping = time.monotonic()

    # ---- SQLite counter poller -------------------------------------------------------------------

    def _poll_forever(self) -> None:
        last: Any = None  # what `read_position` read: each partition's position (or one number)
        while not self._stop.wait(self._poll_interval_s):
            try:
                position = self._read_position()
            except Exception as exc:  # a locked or vanished file: try again next tick
                log.debug("feed poll failed: %s", exc)
                continue
            if last is not None and position != last:
                if isinstance(position, dict):  # each partition's position: announce those that moved
                    for partition, value in position.items():
                        if last.get(partition) != value:
                            self.notify_threadsafe(value, partition)
                else:
                    self.notify_threadsafe()
            last = position
