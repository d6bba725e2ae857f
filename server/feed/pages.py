"""Serialised feed pages: the page `server.feed.read.read_changes` would answer, as the bytes of the
answer (written by `app.wire.raw`), with each case's JSON taken as stored (never parsed and encoded again).

Hundreds of consoles long-poll the same cursor; every commit wakes them all. Instead of each one
querying, parsing every case's JSON and encoding it again, one of them reads the page with the case
JSON as *text* and splices it into the answer bytes; the others share that result
(`server.feed.page_cache`, `server.feed.ring`).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from app.platform.feed_partition import GLOBAL
from app.platform.scope import (
    CASE,
    by_jurisdiction,
    feed_entry,
    jurisdiction_key,
    scope_tag,
)
from app.wire import raw
from app.wire.feed import PAGE_MAX
from db.cases import CaseRow
from db.feed import FeedRow
from server.feed import gzip_pieces
from server.feed.read import exit_data, page_end, page_rows

log = logging.getLogger(__name__)

GZIP_MIN_BYTES = 4096  # as the GZip middleware: smaller answers are sent as they are


@dataclass
class RawPage:
    """A changes page serialised up to (not including) its closing brace and `server_time`:
    `body(server_time)` completes it. `gzip(server_time)` gives the same body gzipped: the prefix is
    compressed once, each answer adds its tail uncompressed (`server.feed.gzip_pieces`)."""

    prefix: bytes
    count: int
    cursor: int
    more: bool
    _compressed: gzip_pieces.Compressed | None = field(default=None, repr=False)
    level: int = gzip_pieces.LEVEL  # of the compression, when made on demand

    @property
    def size(self) -> int:
        """The answer's length before its tail (what decides whether it is worth compressing)."""
        return len(self.prefix)

    def body(self, server_time: str, extra: bytes = b"") -> bytes:
        """The answer; `extra` (`,"name":value` members) goes before `server_time` (a partitioned reader's
        `cursors`, which differ per reader while the page is shared)."""
        return self.prefix + extra + raw.page_tail(server_time)

    def gzip(self, server_time: str, extra: bytes = b"", after: bytes = b"") -> bytes:
        """`after`: bytes that follow the page inside the same gzip member (an SSE event's blank line)."""
        if self._compressed is None:
            self._compressed = gzip_pieces.compress(self.prefix, self.level)
        return self._compressed.answer(extra + raw.page_tail(server_time) + after)

    def has_line_break(self) -> bool:
        """Whether the text holds a line break (JSON as the server writes it has none; an SSE `data:` line
        cannot hold one)."""
        return b"\n" in self.prefix

    def changes_bytes(self) -> bytes:
        """The serialised changes, joined by commas (what `raw.page_prefix` put between the brackets)."""
        # the last `],"cursor":` is the page's own: after it come only numbers, booleans and the scope tag
        return self.prefix[len(_CHANGES_OPEN):self.prefix.rindex(b'],"cursor":')] if self.count else b""


_CHANGES_OPEN = b'{"changes":['
_OPEN_PIECE = gzip_pieces.deflate_piece(_CHANGES_OPEN)
_COMMA_PIECE = gzip_pieces.deflate_piece(b",")


def combine(pages: list[RawPage], cursor: int, more: bool, tag: bytes) -> RawPage:
    """One answer holding the changes of several partitions' pages (`server.feed.partitions`)."""
    parts = [p.changes_bytes() for p in pages if p.count]
    return RawPage(raw.page_prefix(parts, cursor, more, tag), sum(p.count for p in pages), cursor, more,
                   level=min(getattr(p, "level", gzip_pieces.LEVEL) for p in pages))


def _raw_select(after: int, limit: int, units: tuple[str, ...] | frozenset[str] | None = None,
                partition: str = GLOBAL):
    rows = page_rows(after, limit, units, partition, FeedRow.kind, FeedRow.entity_id,
                     cast(FeedRow.data, Text).label("entity_data"), FeedRow.scope,
                     cast(FeedRow.exits, Text).label("exits"), FeedRow.jurisdiction)
    return (select(rows.c.position, rows.c.kind, rows.c.entity_id, rows.c.entity_data,
                   cast(CaseRow.data, Text).label("case_data"), CaseRow.version, rows.c.scope, rows.c.exits,
                   rows.c.jurisdiction)
            .outerjoin(CaseRow, CaseRow.id == rows.c.case_id)
            .order_by(rows.c.position))


# A feed row as the ring keeps it: (position, kind, entity id, scope, exits or None, the serialised entity,
# the serialised scope exit at the same position — only for a row with exits —, the row's jurisdiction).
SerialisedRow = tuple[int, str, str, "str | None", "dict[str, int] | None", bytes, "bytes | None", "str | None"]


def _serialised_rows(session: Session, stmt) -> Iterator[SerialisedRow]:
    """Each row of a `_raw_select`, serialised (see `SerialisedRow`)."""
    for position, kind, entity_id, data, case_data, version, scope, exits, street in session.execute(stmt):
        if kind == CASE:
            if case_data is None:
                log.error("feed position %s names case %s, which has no row", position, entity_id)
                continue
            data = case_data
        removal = None
        if exits is not None:  # rare: only rows that left a unit
            exits = json.loads(exits)
            removal = raw.scope_exit(position, entity_id, exit_data(kind, version))
        yield position, kind, entity_id, scope, exits, raw.change(position, kind, entity_id, data), removal, street


def raw_page(parts: list[bytes], cursor: int, more: bool, tag: bytes) -> RawPage:
    return RawPage(raw.page_prefix(parts, cursor, more, tag), len(parts), cursor, more)


def scope_tag_json(units) -> bytes:
    return raw.text(scope_tag(units))


# Rows per statement. Past about a thousand, PostgreSQL's planner trades the page's index look-ups of its
# cases for a hash join over the whole `cases` table (a sequential scan of every case for each page): a first
# sync's bigger page (`app.wire.feed.BULK_PAGE_MAX`) is read as consecutive pages of this size instead.
STATEMENT_ROWS = PAGE_MAX


def read_changes_raw(session: Session, after: int, limit: int, units: tuple[str, ...] | None,
                     partition: str = GLOBAL) -> RawPage:
    """`read_changes` serialised: the same one-statement snapshot and rule (`units` = the unit
    handler's visible units, None = everything), with each case's JSON taken as stored, not parsed
    again. A page of more than `STATEMENT_ROWS` is the pages of that size that follow one another from
    `after` (each one statement, each starting at the cursor the one before ends at, as a console reading
    them one by one would), put together up to the first that is not full."""
    parts: list[bytes] = []
    cursor, more = after, True
    if limit <= STATEMENT_ROWS:
        cursor, more = _read_parts(session, cursor, limit, units, partition, parts)
        return raw_page(parts, cursor, more, scope_tag_json(units))
    # A first sync's page (`bulk`): answered once, gzipped, to one console. Each statement's part is compressed
    # on a thread while the next one is read (`gzip_pieces.Background`), at the bulk level.
    background = gzip_pieces.Background(gzip_pieces.BULK_LEVEL)
    try:
        texts, count = [], 0
        background.add(_CHANGES_OPEN, _OPEN_PIECE)
        while more and limit > 0:
            del parts[:]
            cursor, more = _read_parts(session, cursor, min(limit, STATEMENT_ROWS), units, partition, parts)
            limit -= STATEMENT_ROWS
            if parts:
                if texts:
                    background.add(b",", _COMMA_PIECE)
                texts.append(b",".join(parts))
                background.add(texts[-1])
                count += len(parts)
        members = raw.page_prefix([], cursor, more, scope_tag_json(units))[len(_CHANGES_OPEN):]
        background.add(members)
        prefix = b"".join((_CHANGES_OPEN, b",".join(texts), members))
        return RawPage(prefix, count, cursor, more, background.result(), gzip_pieces.BULK_LEVEL)
    except BaseException:
        background.close()
        raise


def _read_parts(session: Session, after: int, limit: int, units: tuple[str, ...] | None, partition: str,
                parts: list[bytes]) -> tuple[int, bool]:
    """One statement's page: its serialised entries appended to `parts`; its (cursor, more)."""
    stmt = _raw_select(after, limit, units, partition)
    allowed = None if units is None else frozenset(units)
    streets = by_jurisdiction(allowed)
    read, last_read, last_given = 0, after, None
    for position, _kind, _entity_id, scope, exits, part, removal, street in _serialised_rows(session, stmt):
        read, last_read = read + 1, position
        if streets:  # a jurisdiction user: compared by the row's street (`app.platform.scope.seen_scope`)
            scope = jurisdiction_key(street)
        # `app.platform.scope.feed_entry`, its common case first (an initial sync reads 100,000 rows here)
        if allowed is None or scope is None or scope in allowed:
            parts.append(part)
            last_given = position
        elif (entry := feed_entry(allowed, scope, exits, after)) is not None:  # a joint case's, or an exit
            parts.append(part if entry == "entity" else removal)
            last_given = position
    return page_end(after, limit, read, last_read, last_given)


def read_ring_rows(session: Session, after: int, limit: int, partition: str = GLOBAL) -> list[SerialisedRow]:
    """Every feed row of `partition` after `after` (at most `limit`), serialised, with its scope: what
    `FeedRing` holds."""
    return list(_serialised_rows(session, _raw_select(after, limit, None, partition)))
