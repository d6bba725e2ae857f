"""Serialised feed pages shared by concurrent long-polls, for cursors older than the recent feed in
memory (`server.feed.ring`): one database read per feed state and page key, however many ask."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable

from server.feed.pages import RawPage

log = logging.getLogger(__name__)


class FeedPageCache:
    """Serialised pages keyed by (after, limit, visibility scope), valid for one feed state (an empty page) or up to `max_age_s` (a non-empty page, see `get`).

    The state is (notifier generation, local epoch): the notifier's generation moves with every change
    it announces; `invalidate()` (any thread; called right after a local commit) moves the epoch at once,
    before the notifier's wake-up reaches the event loop. A caller reads the state *before* asking, like
    a long-poll reads the generation before querying, so every change its page lacks is announced after
    that read. Concurrent callers with the same key share one computation."""

    def __init__(self, generation: Callable[[], int], max_entries: int = 256, max_bytes: int = 128 << 20):
        self._generation = generation
        self._epoch = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._entries: dict[tuple, tuple[asyncio.Future, tuple[int, int], float]] = {}
        self.max_age_s = 1.0
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self.computed = 0  # pages actually read from the database (tests, diagnostics)

    def invalidate(self) -> None:
        with self._lock:
            self._epoch += 1

    def state(self) -> tuple[int, int]:
        return (self._generation(), self._epoch)

    async def get(self, state: tuple[int, int], key: tuple, compute: Callable[[], Awaitable[RawPage]]) -> RawPage:
        if state != self.state():
            return await compute()  # the feed moved since the caller looked: do not cache an old state
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._entries = loop, {}
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None:
            future, entry_state, created = entry
            if entry_state == state:
                if not future.done() or (not future.cancelled() and future.exception() is None):
                    return await asyncio.shield(future)
            elif (future.done() and not future.cancelled() and future.exception() is None
                  and future.result().count and now - created <= self.max_age_s):
                # A non-empty page from an earlier state is still a correct page (its cursor is its own
                # last position; the rest comes next time), so late waiters on the same cursor share it
                # instead of reading again. Only an *empty* page must be of the caller's state, since the
                # caller then sleeps until the feed moves past that state.
                return future.result()
        self._sweep(state, now)
        future = asyncio.ensure_future(compute())
        self.computed += 1
        self._entries[key] = (future, state, now)
        entries = self._entries

        def _forget_failure(f: asyncio.Future) -> None:
            if (f.cancelled() or f.exception() is not None) and entries.get(key, (None,))[0] is f:
                del entries[key]

        future.add_done_callback(_forget_failure)
        # shield: a client that goes away must not cancel the page the other waiters are awaiting
        return await asyncio.shield(future)

    def _sweep(self, state: tuple[int, int], now: float) -> None:
        """Before a page is added: drop the pages no caller can be given any more (an older state, past
        `max_age_s`), then the oldest beyond `max_entries` or `max_bytes`. A first sync's bulk pages are
        megabytes each; kept until the 256th entry, a finished first sync held its twenty pages (~290 MB)."""
        entries = self._entries
        live = sorted(((k, e) for k, e in entries.items() if e[1] == state or now - e[2] <= self.max_age_s),
                      key=lambda item: item[1][2], reverse=True)  # the newest first
        kept: dict[tuple, tuple[asyncio.Future, tuple[int, int], float]] = {}
        total = 0
        for key, entry in live:
            size = _size(entry[0])
            if len(kept) >= self._max_entries - 1 or (kept and total + size > self._max_bytes):
                continue
            kept[key] = entry
            total += size
        if len(kept) != len(entries):
            self._entries = dict(reversed(kept.items()))  # oldest first again, as added
        self.bytes = total

    bytes = 0  # what the pages kept after the last sweep hold (tests, diagnostics)


def _size(future: asyncio.Future) -> int:
    """A kept page's bytes (its text; a compressed copy adds about a tenth); 0 while it is being read."""
    if not future.done() or future.cancelled() or future.exception() is not None:
        return 0
    return future.result().size
