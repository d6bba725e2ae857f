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
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.platform import scope as scope_rule
from app.platform.scope import (
    CASE,
    JOINT_SEP,
    LEADS_ONLY_KINDS,
    OWNER_SCOPED_KINDS,
    SCOPE_EXIT,
    entity_scope,
    feed_entry,
    scope_tag,
)
from db.cases import CaseRow
from db.feed import FeedRow
from db.platform import FEED_COUNTER, CounterRow
from server.feed.notifier import FEED_CHANNEL, FeedNotifier
from server.platform import counters
from server.platform.auth import AuthUser
from server.platform.database import dialect_insert
from server.platform.scope import visible_units

log = logging.getLogger(__name__)

__all__ = ["FEED_CHANGED", "FeedNotifier", "ChangesPage", "record_change", "read_changes", "latest_position",
           "RawPage", "read_changes_raw", "FeedPageCache", "FeedRing", "read_ring_rows", "CASE", "SCOPE_EXIT",
           "LEADS_ONLY_KINDS", "OWNER_SCOPED_KINDS"]

SETTING = "setting"
_FROM_DATA: Any = object()  # `record_change`'s default scope: computed from the entity's data
# Session.info key set by record_change; the server's after-commit hook wakes local long-polls on it.
FEED_CHANGED = "onegrid_feed_changed"


def record_change(session: Session, kind: str, entity_id: str | uuid.UUID, data: dict[str, Any] | None = None,
                  *, scope: str | None = _FROM_DATA) -> int:
    """Move entity (kind, entity_id) to a new feed position and return it. Call it at the end of the
    transaction (see the module docstring): after it, write only rows no other transaction contends for,
    such as the transaction's own new rows. `scope`: the entity's scope now (`app.platform.scope`); by default
    computed from `data` (a case, whose feed row has no data, passes `app.platform.scope.case_scope(case)`). If
    the scope moves away from a unit, the row remembers it left that unit here (`exits`)."""
    entity_id = str(entity_id)
    if scope is _FROM_DATA:
        scope = entity_scope(kind, data)
    if _PG_RECORD_CHANGE is not None and session.get_bind().dialect.name == "postgresql":
        position = session.execute(_PG_RECORD_CHANGE, pg_change_params(kind, entity_id, data, scope)).scalar()
        if position is not None:
            mark_changed(session, position)
            return position
        # no feed counter row yet (a fresh database): nothing was written; create it below
    position = counters.increment(session, FEED_COUNTER)
    values = {"kind": kind, "entity_id": entity_id, "position": position, "data": data, "scope": scope,
              "case_id": uuid.UUID(entity_id) if kind == CASE else None}
    session.execute(_upsert(session).values(**values))
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every listening server process when (and only if) this transaction commits.
        session.execute(text("SELECT pg_notify(:channel, :position)"),
                        {"channel": FEED_CHANNEL, "position": str(position)})
    mark_changed(session, position)
    return position


def mark_changed(session: Session, position: int) -> None:
    """Tell the server's after-commit hook that this transaction moved the feed (to `position`)."""
    session.info[FEED_CHANGED] = position


def _on_conflict(stmt, dialect: str):
    """The feed upsert's update: the entity's new position, data and scope, and — when its scope moves
    away from a unit (`app.platform.scope.left_unit`, stated here in SQL on the row's old and new scope) — that
    unit and the new position added to `exits`. Every SET expression reads the row as it was."""
    feed_ = FeedRow.__table__
    old, new, position = feed_.c.scope, stmt.excluded.scope, stmt.excluded.position
    left = and_(old.is_not(None), old != "", new.is_not(None), new != old)
    if dialect == "postgresql":
        merged = func.coalesce(feed_.c.exits, literal_column("'{}'::jsonb")).op("||", return_type=feed_.c.exits.type)(
            func.jsonb_build_object(old, position))
    else:
        merged = func.json_patch(func.coalesce(feed_.c.exits, literal_column("'{}'")),
                                 func.json_object(old, position))
    return stmt.on_conflict_do_update(
        index_elements=[feed_.c.kind, feed_.c.entity_id],
        set_={"position": position, "data": stmt.excluded.data, "scope": new,
              "exits": case((left, merged), else_=feed_.c.exits)})


_UPSERTS: dict[str, Any] = {}


def _upsert(session: Session):
    """INSERT INTO feed … ON CONFLICT (kind, entity_id) DO UPDATE (`_on_conflict`), built once per dialect."""
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        stmt = _UPSERTS[dialect] = _on_conflict(dialect_insert(session)(FeedRow.__table__), dialect)
    return stmt


def pg_change_cte():
    """PostgreSQL: the counter increment and the feed upsert of `record_change` as one CTE yielding the
    new `position` (binds: `pg_change_params`). The counter's row lock is taken by it, so it is held
    from there to the commit; if the counter row is missing, it writes nothing and yields no row."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    # On the tables, not the ORM classes: an ORM-enabled statement costs the session more per execution.
    feed_ = FeedRow.__table__
    pos = counters.INCREMENT.cte("pos")  # the increment of `counters.increment` (bind `counter`)
    ins = pg_insert(feed_).from_select(
        ["kind", "entity_id", "position", "data", "case_id", "scope"],
        select(bindparam("kind", type_=feed_.c.kind.type), bindparam("entity_id", type_=feed_.c.entity_id.type),
               pos.c.value, bindparam("data", type_=feed_.c.data.type),
               bindparam("case_id", type_=feed_.c.case_id.type), bindparam("scope", type_=feed_.c.scope.type)))
    ins = _on_conflict(ins, "postgresql")
    return ins.returning(feed_.c.position).cte("ins")


def pg_change_params(kind: str, entity_id: str | uuid.UUID, data: dict[str, Any] | None = None,
                     scope: str | None = _FROM_DATA) -> dict[str, Any]:
    entity_id = str(entity_id)
    return {"counter": FEED_COUNTER, "kind": kind, "entity_id": entity_id, "data": data,
            "scope": entity_scope(kind, data) if scope is _FROM_DATA else scope,
            "case_id": uuid.UUID(entity_id) if kind == CASE else None, "channel": FEED_CHANNEL}


def pg_notify_column(position):
    """`pg_notify` of the feed channel with `position`: sent to every listening server process when (and
    only if) the transaction commits (bind `channel`, as in `pg_change_params`)."""
    return func.pg_notify(bindparam("channel"), cast(position, Text))


def _pg_record_change():
    """PostgreSQL: the counter increment, the feed upsert and the NOTIFY of `record_change` as one
    statement (one round trip instead of three)."""
    ins = pg_change_cte()
    return select(ins.c.position, pg_notify_column(ins.c.position))


_PG_RECORD_CHANGE = _pg_record_change()


def record_changes(session: Session, changes: list[tuple[str, str, dict[str, Any] | None]]) -> list[int]:
    """`record_change` for many entities at once (a sensor ingest batch): one counter update, one
    executemany upsert, one notification. Positions follow the list order (an entity listed twice keeps
    its last data). The same rule as `record_change`: call it at the end of the transaction."""
    latest: dict[tuple[str, str], dict[str, Any] | None] = {}
    for kind, entity_id, data in changes:
        key = (kind, str(entity_id))
        latest.pop(key, None)
        latest[key] = data
    if not latest:
        return []
    n = len(latest)
    top = session.execute(
        update(CounterRow).where(CounterRow.name == FEED_COUNTER).values(value=CounterRow.value + n)
        .returning(CounterRow.value)).scalar_one_or_none()
    if top is None:  # no counter row yet (a fresh database): one at a time
        return [record_change(session, kind, entity_id, data) for (kind, entity_id), data in latest.items()]
    first = top - n + 1
    rows = [{"kind": kind, "entity_id": entity_id, "position": first + i, "data": data,
             "scope": entity_scope(kind, data), "case_id": uuid.UUID(entity_id) if kind == CASE else None}
            for i, ((kind, entity_id), data) in enumerate(latest.items())]
    session.connection().execute(_upsert(session), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :position)"), {"channel": FEED_CHANNEL, "position": str(top)})
    mark_changed(session, top)
    return list(range(first, top + 1))


@dataclass
class ChangesPage:
    changes: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    more: bool = False
    scope: str = scope_rule.ALL

    def to_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "cursor": self.cursor, "more": self.more, "scope": self.scope}


def _candidates(stmt, after: int, units: tuple[str, ...] | frozenset[str] | None):
    """`stmt` restricted to the rows worth reading for a user with visible `units` from `after`: the
    SQL twin of `app.platform.scope.feed_candidate` (its rows then go through `app.platform.scope.feed_entry`)."""
    if units is None:
        return stmt
    return stmt.where(or_(FeedRow.scope.is_(None), FeedRow.scope.in_(tuple(units)),
                          FeedRow.scope.contains(scope_rule.JOINT_SEP, autoescape=True),
                          FeedRow.exits.is_not(None) if after > 0 else false()))


def _page_end(after: int, limit: int, read: int, last_read: int, last_given: int | None) -> tuple[int, bool]:
    """(cursor, more) of a page that read `read` candidate rows (up to `limit`), the last at
    `last_read`, and gave the last entry at `last_given`: a full page ends at its last row read (even
    one this user does not get, so the next page moves on); any other at its last entry."""
    if read == limit:
        return last_read, True
    return (last_given if last_given is not None else after), False


def read_changes(session: Session, after: int, limit: int, user: AuthUser, refdata) -> ChangesPage:
    """The changes after position `after` that `user` may see, oldest first, at most `limit`.

    One statement, so the page is one consistent snapshot: a case's data is the state at its position.
    An entity that left the user's scope after `after` comes as a scope exit (`app.platform.scope.feed_entry`).
    """
    units = visible_units(user, refdata)
    stmt = _candidates(
        select(FeedRow.position, FeedRow.kind, FeedRow.entity_id, FeedRow.data, CaseRow.data, CaseRow.version,
               FeedRow.scope, FeedRow.exits)
        .outerjoin(CaseRow, CaseRow.id == FeedRow.case_id)
        .where(FeedRow.position > after)
        .order_by(FeedRow.position)
        .limit(limit), after, units)
    changes = []
    read, last_read = 0, after
    for position, kind, entity_id, data, case_data, version, scope, exits in session.execute(stmt):
        read, last_read = read + 1, position
        entry = feed_entry(units, scope, exits, after)
        if entry == "exit":
            changes.append({"position": position, "kind": SCOPE_EXIT, "id": entity_id,
                            "data": _exit_data(kind, version)})
        elif entry == "entity":
            if kind == CASE and case_data is None:
                log.error("feed position %s names case %s, which has no row", position, entity_id)
                continue
            changes.append({"position": position, "kind": kind, "id": entity_id,
                            "data": case_data if kind == CASE else data})
    cursor, more = _page_end(after, limit, read, last_read, changes[-1]["position"] if changes else None)
    return ChangesPage(changes, cursor, more, scope_tag(units))


def _exit_data(kind: str, version: int | None) -> dict[str, Any]:
    """A scope exit's data: the kind of entity that left, and for a case its version then (a console
    ignores any older copy of the case that reaches it later, e.g. the answer to its own command)."""
    return {"kind": kind} if version is None or kind != CASE else {"kind": kind, "version": version}


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


def _raw_select(after: int, limit: int, units: tuple[str, ...] | frozenset[str] | None = None):
    return _candidates(
        select(FeedRow.position, FeedRow.kind, FeedRow.entity_id, cast(FeedRow.data, Text).label("entity_data"),
               cast(CaseRow.data, Text).label("case_data"), CaseRow.version, FeedRow.scope,
               cast(FeedRow.exits, Text).label("exits"))
        .outerjoin(CaseRow, CaseRow.id == FeedRow.case_id)
        .where(FeedRow.position > after)
        .order_by(FeedRow.position)
        .limit(limit), after, units)


# A feed row as the ring keeps it: (position, kind, entity id, scope, exits or None, the serialised entity,
# the serialised scope exit at the same position — only for a row with exits).
SerialisedRow = tuple[int, str, str, "str | None", "dict[str, int] | None", bytes, "bytes | None"]


def _serialised_rows(session: Session, stmt) -> Iterator[SerialisedRow]:
    """Each row of a `_raw_select`, serialised (see `SerialisedRow`)."""
    for position, kind, entity_id, data, case_data, version, scope, exits in session.execute(stmt):
        if kind == CASE:
            if case_data is None:
                log.error("feed position %s names case %s, which has no row", position, entity_id)
                continue
            data = case_data
        removal = None
        if exits is not None:  # rare: only rows that left a unit
            exits = json.loads(exits)
            removal = b'{"position":%d,"kind":%s,"id":%s,"data":%s}' % (
                position, _SCOPE_EXIT_JSON, json.dumps(entity_id).encode(),
                json.dumps(_exit_data(kind, version), separators=(",", ":")).encode())
        yield position, kind, entity_id, scope, exits, (
            b'{"position":%d,"kind":%s,"id":%s,"data":%s}'
            % (position, json.dumps(kind).encode(), json.dumps(entity_id).encode(),
               (data if data is not None else "null").encode())), removal


_SCOPE_EXIT_JSON = json.dumps(SCOPE_EXIT).encode()


def _page(parts: list[bytes], cursor: int, more: bool, tag: bytes) -> RawPage:
    prefix = (b'{"changes":[' + b",".join(parts) + b'],"cursor":%d,"more":%s,"scope":%s'
              % (cursor, b"true" if more else b"false", tag))
    return RawPage(prefix, len(parts), cursor, more)


def _tag_json(units) -> bytes:
    return json.dumps(scope_tag(units)).encode()


def read_changes_raw(session: Session, after: int, limit: int, units: tuple[str, ...] | None) -> RawPage:
    """`read_changes` serialised: the same one-statement snapshot and rule (`units` = the unit
    handler's visible units, None = everything), with each case's JSON taken as stored, not parsed
    again."""
    stmt = _raw_select(after, limit, units)
    allowed = None if units is None else frozenset(units)
    parts = []
    read, last_read, last_given = 0, after, None
    for position, _kind, _entity_id, scope, exits, part, removal in _serialised_rows(session, stmt):
        read, last_read = read + 1, position
        # `app.platform.scope.feed_entry`, its common case first (an initial sync reads 100,000 rows here)
        if allowed is None or scope is None or scope in allowed:
            parts.append(part)
            last_given = position
        elif (entry := feed_entry(allowed, scope, exits, after)) is not None:  # a joint case's, or an exit
            parts.append(part if entry == "entity" else removal)
            last_given = position
    return _page(parts, *_page_end(after, limit, read, last_read, last_given), _tag_json(units))


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


# ---- the recent feed in memory ------------------------------------------------------------------------
#
# With hundreds of consoles long-polling, every commit wakes them all and they come back with cursors a
# little apart. `FeedRing` keeps the most recent changes serialised in memory, so any cursor it covers is
# answered from memory. Only the ring reads the database for recent changes: one `position > top` read
# per feed state (a "tick"), shared by every waiter. That read is gap-free for the same reason a
# console's is (the counter row's lock orders positions by commit), so the ring holds *every* feed row
# with a position above `base`, each entity once, at its latest position read.

@dataclass(slots=True)
class _RingEntry:
    position: int
    key: tuple[str, str]  # (kind, entity id)
    scope: str | None     # the row's scope (`app.platform.scope`)
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
        self._pages: dict[tuple, RawPage] = {}
        self._scopes: dict[tuple[str, ...] | None, tuple[frozenset[str] | None, bytes]] = {}
        self._refresh: asyncio.Future | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_read = float("-inf")
        self.reads = 0  # database reads (tests, diagnostics)

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
        else:
            rows = await run(self._read, self.top, self.READ_LIMIT)
        self.reads += 1
        self._append(rows)
        self.complete = len(rows) < self.READ_LIMIT
        self._state = state

    def _append(self, rows) -> None:
        if not rows:
            return
        for position, kind, entity_id, scope, exits, part, removal in rows:
            key = (kind, entity_id)
            old = self._index.get(key)
            if old is not None:  # the entity moved on: only its latest position stays in the feed
                self._bytes -= len(self._entries[old].part)
                self._entries[old] = None
                self._dead += 1
            self._index[key] = len(self._entries)
            self._entries.append(_RingEntry(position, key, scope, exits, part, removal))
            self._positions.append(position)
            self._bytes += len(part)
        self.top = rows[-1][0]
        self._version += 1
        self._pages.clear()
        self._trim()

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
            known = self._scopes[units] = (None if units is None else frozenset(units), _tag_json(units))
        allowed, tag = known
        # `app.platform.scope.feed_candidate` and `feed_entry`, unrolled (this loop runs for every waiting console):
        # a candidate counts against `limit` whether this user gets it or not (see `_page_end`)
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
        page = _page(parts, cursor, len(parts) + skipped == limit or not self.complete, tag)
        if len(self._pages) >= 512:
            self._pages.clear()
        self._pages[key] = page
        return page


def read_ring_rows(session: Session, after: int, limit: int) -> list[SerialisedRow]:
    """Every feed row after `after` (at most `limit`), serialised, with its scope: what `FeedRing` holds."""
    return list(_serialised_rows(session, _raw_select(after, limit)))
