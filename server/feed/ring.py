"""The recent feed in memory, serialised, answering every long-poll whose cursor it covers."""
from __future__ import annotations

import asyncio
import logging
import time
from bisect import bisect_left, bisect_right
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.platform.scope import JOINT_SEP, by_jurisdiction, feed_entry, jurisdiction_key
from server.feed.pages import RawPage, SerialisedRow, raw_page, scope_tag_json
from server.feed.segments import Segment, SegmentPage, build_segment, decide

log = logging.getLogger(__name__)

# ---- the recent feed in memory ------------------------------------------------------------------------
#
# With hundreds of consoles long-polling, every commit wakes them all and they come back with cursors a
# little apart. `FeedRing` keeps the most recent changes serialised in memory, so any cursor it covers is
# answered from memory. Only the ring reads the database for recent changes: one `position > top` read
# per feed state (a "tick"), shared by every waiter. That read is gap-free for the same reason a
# console's is (the counter row's lock orders positions by commit), so the ring holds *every* feed row
# with a position above `base`, each entity once, at its latest position read.
#
# Each read adds a *stretch* (previous top, new top]; a scope's share of a stretch is serialised and
# compressed once (`server.feed.segments`), so the page after any stretch's top is ready bytes side by side.

MAX_SEGMENT_SCOPES = 64     # scopes whose segments are kept (beyond: all dropped, built again when asked)
MAX_SEGMENTS = 128          # segments kept per scope (the oldest go first)


@dataclass(slots=True)
class _RingEntry:
    position: int
    key: tuple[str, str]  # (kind, entity id)
    scope: str | None     # the row's scope (`app.platform.scope`)
    street: str | None    # the row's jurisdiction key (`app.platform.scope.jurisdiction_key`)
    exits: dict[str, int] | None  # the units it left, and where (`FeedRow.exits`)
    part: bytes           # the serialised change
    removal: bytes | None  # the serialised scope exit at the same position (a row with exits only)


class FeedRing:
    """Recent feed rows, serialised. Use on one event loop; `fill` runs in a worker thread, one at a time.

    `ensure(state)` makes the ring cover a feed state (see `FeedPageCache.state`): if the ring was last
    read at an older state, one read of the rows after `top` brings it up to date; concurrent callers
    share it. Reads are spaced at least `tick_s()` apart, so a stream of commits is read (and answered)
    once per tick, however many waiters there are. `page(after, limit, units)` then answers any cursor
    at or above `base` from memory (None below it: the caller reads the database)."""

    READ_LIMIT = 2000  # rows per read; a larger backlog is read on the following ticks

    def __init__(self, read: Callable[[int, int], list[SerialisedRow]],
                 latest: Callable[[], int], *, max_entries: int = 20_000, max_bytes: int = 64 << 20,
                 tick_s: Callable[[], float] = lambda: 0.0, keep_on_start: int = 1000):
        self._read = read        # (after, limit) -> `_serialised_rows` of position > after (blocking)
        self._latest = latest    # () -> the highest committed position (blocking)
        self._max_entries, self._max_bytes = max_entries, max_bytes
        self._tick_s = tick_s
        self._keep_on_start = keep_on_start
        self.base: int | None = None   # every feed row with position > base is in the ring (None: not started)
        self.top = 0                   # the highest position read
        self.complete = True           # False while the last read hit READ_LIMIT (more rows past `top`)
        self._state: tuple[int, int] | None = None  # the feed state the last read started at
        self._positions: list[int] = []
        self._entries: list[_RingEntry | None] = []
        self._start = 0                # entries before it are dropped
        self._dead = 0                 # superseded entries (None) after _start
        self._index: dict[tuple[str, str], int] = {}
        self._bytes = 0
        self._version = 0              # moves with every change of content (keys the shared pages)
        self._pages: dict[tuple, RawPage | SegmentPage] = {}
        self._tops: list[int] = []     # the top of each stretch, ascending (the first: where the ring began)
        self._versions: dict[int, int] = {}  # a stretch's top → how often an entity moved out of it
        self._segments: dict[tuple[str, ...] | None, dict[int, Segment]] = {}
        self._scopes: dict[tuple[str, ...] | None, tuple[frozenset[str] | None, bytes]] = {}
        self._refresh: asyncio.Future | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_read = float("-inf")
        self.reads = 0  # database reads (tests, diagnostics)
        self.segment_pages = 0  # pages made of segments (tests, diagnostics)

    # ---- reading ---------------------------------------------------------------------------------

    def covers(self, state: tuple[int, int]) -> bool:
        s = self._state
        return s is not None and self.complete and s[0] >= state[0] and s[1] >= state[1]

    async def ensure(self, state: tuple[int, int], current_state: Callable[[], tuple[int, int]],
                     run: Callable[..., Awaitable[Any]]) -> None:
        """Bring the ring up to `state` (read before the caller's own look at the feed). `current_state`
        gives the state now (read again just before each database read), `run(fn, *args)` runs a
        blocking function in a worker thread."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests): futures of the old one are useless
            self._loop, self._refresh = loop, None
        while not self.covers(state):
            if self._refresh is None:
                self._refresh = asyncio.ensure_future(self._do_refresh(current_state, run))
            refresh = self._refresh
            try:
                await asyncio.shield(refresh)  # a caller going away must not cancel the others' read
            finally:
                if refresh.done() and self._refresh is refresh:
                    self._refresh = None

    async def _do_refresh(self, current_state, run) -> None:
        if self.complete:  # catching up on a backlog is not spaced out
            delay = self._last_read + self._tick_s() - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        self._last_read = time.monotonic()
        state = current_state()  # before the read: whatever it misses is announced after this
        if self.base is None:
            start = max(await run(self._latest) - self._keep_on_start, 0)
            rows = await run(self._read, start, self.READ_LIMIT)
            self.base = self.top = start
            self._tops = [start]
        else:
            rows = await run(self._read, self.top, self.READ_LIMIT)
        self.reads += 1
        self._append(rows)
        self.complete = len(rows) < self.READ_LIMIT
        self._state = state

    def _append(self, rows) -> None:
        if not rows:
            return
        for position, kind, entity_id, scope, exits, part, removal, *street in rows:
            key = (kind, entity_id)
            old = self._index.get(key)
            if old is not None:  # the entity moved on: only its latest position stays in the feed
                moved = self._entries[old]
                self._bytes -= len(moved.part)
                self._entries[old] = None
                self._dead += 1
                stretch = bisect_left(self._tops, moved.position)
                if stretch < len(self._tops):  # its stretch's segments no longer hold what the feed does
                    top = self._tops[stretch]
                    self._versions[top] = self._versions.get(top, 0) + 1
            self._index[key] = len(self._entries)
            self._entries.append(_RingEntry(position, key, scope, jurisdiction_key(street[0] if street else None),
                                            exits, part, removal))
            self._positions.append(position)
            self._bytes += len(part)
        self.top = rows[-1][0]
        self._tops.append(self.top)
        self._version += 1
        self._pages.clear()
        self._trim()
        if self.base is not None and self._tops[0] < self.base:  # stretches wholly trimmed are never asked for
            gone = bisect_left(self._tops, self.base)
            for top in self._tops[:max(gone - 1, 0)]:
                self._versions.pop(top, None)
            del self._tops[:max(gone - 1, 0)]

    def _trim(self) -> None:
        while (len(self._entries) - self._start - self._dead > self._max_entries
               or self._bytes > self._max_bytes) and self._start < len(self._entries):
            entry = self._entries[self._start]
            self.base = self._positions[self._start]
            if entry is None:
                self._dead -= 1
            else:
                self._bytes -= len(entry.part)
                del self._index[entry.key]
            self._start += 1
        if self._start + self._dead > max(len(self._entries) // 2, 1024):
            live = [e for e in self._entries[self._start:] if e is not None]
            self._entries = list(live)
            self._positions = [e.position for e in live]
            self._index = {e.key: i for i, e in enumerate(live)}
            self._start = self._dead = 0

    # ---- answering ------------------------------------------------------------------------------

    def _stretch(self, start: int, top: int) -> list[_RingEntry | None]:
        lo = bisect_right(self._positions, start, self._start)
        return self._entries[lo:bisect_right(self._positions, top, lo)]

    def _segment_page(self, after: int, limit: int, units: tuple[str, ...] | None, allowed: frozenset[str] | None,
                      tag: bytes) -> SegmentPage | None:
        """The page after `after` made of the scope's segments (`server.feed.segments`), or None where the
        module says the page must be built entry by entry."""
        tops = self._tops
        if after <= 0 or not self.complete or not tops or after > tops[-1]:
            return None
        streets = by_jurisdiction(allowed)
        k = bisect_left(tops, after)
        candidates = 0
        if tops[k] > after:  # a cursor inside a stretch: moved up to its top if nothing between is given
            for entry in self._stretch(after, tops[k]):
                if entry is not None:
                    part, candidate = decide(entry, allowed, streets, after)
                    if part is not None:
                        return None
                    candidates += candidate
        cache = self._segments.get(units)
        if cache is None:
            if len(self._segments) >= MAX_SEGMENT_SCOPES:
                self._segments.clear()
            cache = self._segments[units] = {}
        segments = []
        for j in range(k + 1, len(tops)):
            top = tops[j]
            version = self._versions.get(top, 0)
            segment = cache.get(top)
            if segment is None or segment.version != version:
                segment = cache[top] = build_segment(self._stretch(tops[j - 1], top), version, allowed, streets,
                                                     tops[j - 1])
            if after < segment.floor:
                return None
            candidates += segment.candidates
            if candidates >= limit:
                return None
            if segment.given:
                segments.append(segment)
        while len(cache) > MAX_SEGMENTS:
            del cache[next(iter(cache))]
        if not segments:
            return None
        self.segment_pages += 1
        return SegmentPage(segments, segments[-1].last_given, tag)

    def _jurisdiction_page(self, key, after: int, limit: int, allowed: frozenset[str], tag: bytes) -> RawPage:
        """`page` for a jurisdiction user: each row compared by its street (`app.platform.scope.seen_scope`)."""
        parts: list[bytes] = []
        read = 0
        cursor = after
        entries = self._entries
        for i in range(bisect_right(self._positions, after, self._start), len(entries)):
            entry = entries[i]
            if entry is None:
                continue
            if entry.street is None or entry.street in allowed:
                parts.append(entry.part)
            elif after and entry.exits:
                given = feed_entry(allowed, entry.street, entry.exits, after)
                if given is not None:
                    parts.append(entry.part if given == "entity" else entry.removal)
            else:
                continue
            read += 1  # a candidate, given or not (`page_end`)
            cursor = entry.position
            if read == limit:
                break
        page = raw_page(parts, cursor, read == limit or not self.complete, tag)
        if len(self._pages) >= 512:
            self._pages.clear()
        self._pages[key] = page
        return page

    def page(self, after: int, limit: int, units: tuple[str, ...] | None) -> RawPage | None:
        """The page after `after` as `read_changes_raw` would read it now (None if `after < base`).
        Pages are shared between callers until the ring's content changes."""
        if self.base is None or after < self.base:
            return None
        key = (after, limit, units)
        page = self._pages.get(key)
        if page is not None:
            return page
        known = self._scopes.get(units)
        if known is None:
            known = self._scopes[units] = (None if units is None else frozenset(units), scope_tag_json(units))
        allowed, tag = known
        shared = self._segment_page(after, limit, units, allowed, tag)
        if shared is not None:
            self._pages[key] = shared
            return shared
        if by_jurisdiction(allowed):
            return self._jurisdiction_page(key, after, limit, allowed, tag)
        # `app.platform.scope.feed_candidate` and `feed_entry`, unrolled (this loop runs for every waiting console):
        # a candidate counts against `limit` whether this user gets it or not (see `page_end`)
        parts: list[bytes] = []
        skipped = 0  # candidates read that this user does not get (they left units not its own)
        cursor = after
        entries = self._entries
        for i in range(bisect_right(self._positions, after, self._start), len(entries)):
            entry = entries[i]
            if entry is None:
                continue
            if allowed is None or entry.scope is None or entry.scope in allowed:
                parts.append(entry.part)
            elif (after and entry.exits) or (entry.scope and JOINT_SEP in entry.scope):
                given = feed_entry(allowed, entry.scope, entry.exits, after)
                if given is not None:
                    parts.append(entry.part if given == "entity" else entry.removal)
                else:
                    skipped += 1
                    if len(parts) + skipped == limit:
                        cursor = entry.position  # a full page ends at its last row read
                        break
                    continue
            else:
                continue
            cursor = entry.position
            if len(parts) + skipped == limit:
                break
        page = raw_page(parts, cursor, len(parts) + skipped == limit or not self.complete, tag)
        if len(self._pages) >= 512:
            self._pages.clear()
        self._pages[key] = page
        return page
