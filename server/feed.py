"""The changes feed (docs/ARCHITECTURE.md, "The changes feed and the cursor gap").

Each entity (a case, a setting) has one feed row holding its latest change. A change takes its position
from the `feed` counter row *as the last step of its transaction*: the counter's row lock is then held
only from that moment to the commit, and it orders position assignment by commit order. A reader can
therefore never see position N+1 while N is still uncommitted, and a reader that pages with
`position > cursor` misses nothing. (A sequence would hand out N and N+1 to two transactions that may
commit in the opposite order: a reader could read N+1, move its cursor past N, and never see N.)
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, or_, select, text
from sqlalchemy.orm import Session

from app.enums import Role
from db.server_schema import FEED_COUNTER, CaseRow, CounterRow, FeedRow
from server import counters
from server.auth import AuthUser
from server.database import dialect_insert
from server.feed_notifier import FEED_CHANNEL, FeedNotifier
from server.scope import scope_unit_ids

log = logging.getLogger(__name__)

__all__ = ["FEED_CHANGED", "FeedNotifier", "ChangesPage", "record_change", "read_changes", "latest_position",
           "RawPage", "read_changes_raw", "FeedPageCache"]

CASE = "case"
SETTING = "setting"
# Session.info key set by record_change; the server's after-commit hook wakes local long-polls on it.
FEED_CHANGED = "onegrid_feed_changed"


def record_change(session: Session, kind: str, entity_id: str | uuid.UUID, data: dict[str, Any] | None = None) -> int:
    """Move entity (kind, entity_id) to a new feed position and return it. Call it at the end of the
    transaction (see the module docstring): after it, write only rows no other transaction contends for,
    such as the transaction's own new rows."""
    position = counters.increment(session, FEED_COUNTER)
    entity_id = str(entity_id)
    values = {"kind": kind, "entity_id": entity_id, "position": position, "data": data,
              "case_id": uuid.UUID(entity_id) if kind == CASE else None}
    insert = dialect_insert(session)
    stmt = insert(FeedRow).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=[FeedRow.kind, FeedRow.entity_id],
                                      set_={"position": stmt.excluded.position, "data": stmt.excluded.data})
    session.execute(stmt)
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every listening server process when (and only if) this transaction commits.
        session.execute(text("SELECT pg_notify(:channel, :position)"),
                        {"channel": FEED_CHANNEL, "position": str(position)})
    session.info[FEED_CHANGED] = position
    return position


@dataclass
class ChangesPage:
    changes: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    more: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "cursor": self.cursor, "more": self.more}


def read_changes(session: Session, after: int, limit: int, user: AuthUser, refdata) -> ChangesPage:
    """The changes after position `after` that `user` may see, oldest first, at most `limit`.

    One statement, so the page is one consistent snapshot: a case's data is the state at its position.
    """
    stmt = (
        select(FeedRow.position, FeedRow.kind, FeedRow.entity_id, FeedRow.data, CaseRow.data)
        .outerjoin(CaseRow, CaseRow.id == FeedRow.case_id)
        .where(FeedRow.position > after)
        .order_by(FeedRow.position)
        .limit(limit)
    )
    if user.role == Role.UNIT_HANDLER:
        units = scope_unit_ids(refdata, user.unit_id)
        stmt = stmt.where(or_(FeedRow.kind != CASE, CaseRow.unit_id.in_(units)))
    changes = []
    for position, kind, entity_id, data, case_data in session.execute(stmt):
        if kind == CASE and case_data is None:
            log.error("feed position %s names case %s, which has no row", position, entity_id)
            continue
        changes.append({"position": position, "kind": kind, "id": entity_id,
                        "data": case_data if kind == CASE else data})
    cursor = changes[-1]["position"] if changes else after
    return ChangesPage(changes, cursor, more=len(changes) == limit)


def latest_position(session: Session) -> int:
    """The highest committed feed position (0 for an empty feed)."""
    value = session.execute(select(CounterRow.value).where(CounterRow.name == FEED_COUNTER)).scalar()
    return value or 0


# ---- serialised pages shared by concurrent long-polls -----------------------------------------------
#
# Hundreds of consoles long-poll the same cursor; every commit wakes them all. Instead of each one
# querying, parsing every case's JSON and encoding it again, one of them reads the page with the case
# JSON as *text* and splices it into the answer bytes; the others await that result (`FeedPageCache`).

_GZIP_LEVEL = 5
GZIP_MIN_BYTES = 4096  # as the GZip middleware: smaller answers are sent as they are


@dataclass
class RawPage:
    """A changes page serialised up to (not including) its closing brace and `server_time`:
    `body(server_time)` completes it. `gzip(server_time)` gives the same body gzipped, reusing the
    compressed prefix (the compressor's state after it is copied, so only the tail is compressed)."""

    prefix: bytes
    count: int
    cursor: int
    more: bool
    _gz_head: bytes | None = None
    _gz_state: Any = None

    def body(self, server_time: str) -> bytes:
        return self.prefix + _tail(server_time)

    def gzip(self, server_time: str) -> bytes:
        if self._gz_state is None:
            state = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            self._gz_head = state.compress(self.prefix)
            self._gz_state = state
        state = self._gz_state.copy()
        return self._gz_head + state.compress(_tail(server_time)) + state.flush()


def _tail(server_time: str) -> bytes:
    return b',"server_time":' + json.dumps(server_time).encode() + b"}"


def read_changes_raw(session: Session, after: int, limit: int, units: tuple[str, ...] | None) -> RawPage:
    """`read_changes` serialised: the same one-statement snapshot and filter (`units` = the unit
    handler's scope, None = all cases), with each case's JSON taken as stored, not parsed again."""
    stmt = (
        select(FeedRow.position, FeedRow.kind, FeedRow.entity_id, cast(FeedRow.data, Text).label("entity_data"),
               cast(CaseRow.data, Text).label("case_data"))
        .outerjoin(CaseRow, CaseRow.id == FeedRow.case_id)
        .where(FeedRow.position > after)
        .order_by(FeedRow.position)
        .limit(limit)
    )
    if units is not None:
        stmt = stmt.where(or_(FeedRow.kind != CASE, CaseRow.unit_id.in_(units)))
    parts = []
    cursor = after
    for position, kind, entity_id, data, case_data in session.execute(stmt):
        if kind == CASE:
            if case_data is None:
                log.error("feed position %s names case %s, which has no row", position, entity_id)
                continue
            data = case_data
        parts.append(b'{"position":%d,"kind":%s,"id":%s,"data":%s}'
                     % (position, json.dumps(kind).encode(), json.dumps(entity_id).encode(),
                        (data if data is not None else "null").encode()))
        cursor = position
    more = len(parts) == limit
    prefix = b'{"changes":[' + b",".join(parts) + b'],"cursor":%d,"more":%s' % (cursor, b"true" if more else b"false")
    return RawPage(prefix, len(parts), cursor, more)


class FeedPageCache:
    """Serialised pages keyed by (after, limit, visibility scope), valid for one feed state (an empty page) or up to `max_age_s` (a non-empty page, see `get`).

    The state is (notifier generation, local epoch): the notifier's generation moves with every change
    it announces; `invalidate()` (any thread; called right after a local commit) moves the epoch at once,
    before the notifier's wake-up reaches the event loop. A caller reads the state *before* asking, like
    a long-poll reads the generation before querying, so every change its page lacks is announced after
    that read. Concurrent callers with the same key share one computation."""

    def __init__(self, generation: Callable[[], int], max_entries: int = 256):
        self._generation = generation
        self._epoch = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._entries: dict[tuple, tuple[asyncio.Future, tuple[int, int], float]] = {}
        self.max_age_s = 1.0
        self._max_entries = max_entries
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
        if len(self._entries) >= self._max_entries:
            self._entries = {k: e for k, e in self._entries.items() if now - e[2] <= self.max_age_s}
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
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
