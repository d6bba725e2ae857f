"""Each scope's share of the recent feed, serialised and compressed once per stretch of the ring, so that a
long-poll answer is a concatenation of ready bytes whatever its cursor.

The ring (`server.feed.ring.FeedRing`) grows by *stretches*: the rows of one database read, positions
(previous top, new top]. Consoles of one scope come back with cursors a few stretches apart (each was
answered at some earlier top), so a page keyed by its exact cursor was built — joined and gzipped, 100 KiB
and more — once per distinct cursor, and under load there were as many distinct cursors as ticks an answer
could straggle behind. Here a scope's share of a stretch is built once (`Segment`: its entries joined, and
compressed as a `server.feed.gzip_pieces` piece), and the page after any cursor at a stretch's top is the
segments after it, side by side (`SegmentPage`): building it costs a list and a CRC, an answer one copy.

Exactly what the database would answer (`server.feed.read.read_changes`, the one rule of
`app.platform.scope.feed_entry`), or nothing (the caller builds the page entry by entry, as before):
- a segment holds the entries given at a cursor equal to its stretch's start; an entity is given whatever the
  cursor, but a scope exit only from a cursor below the position where the row left the unit (its
  *horizon*). A segment remembers the highest horizon it left out (`floor`): it stands for every cursor at
  or above it, and a page from a lower cursor is built entry by entry;
- a cursor between two tops (a unit or district console's last entry, below the top it was answered at) is
  moved up to the next top when nothing between is given from it — always the case for a console answered
  from that top, since every later row has a higher position;
- an entity that moves on leaves its old stretch (`FeedRing` bumps the stretch's version, and its segments
  are built again when next asked for); a full page (`limit` reached), a backlog still being read, or an
  empty page is left to the entry-by-entry build.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.platform.scope import JOINT_SEP, feed_entry
from app.wire import raw
from server.feed import gzip_pieces

log = logging.getLogger(__name__)

_OPEN = b'{"changes":['  # `app.wire.raw.page_prefix`
_COMMA = b","
_OPEN_PIECE = gzip_pieces.deflate_piece(_OPEN)
_COMMA_PIECE = gzip_pieces.deflate_piece(_COMMA)


def decide(entry, allowed: frozenset[str] | None, streets: bool, after: int) -> tuple[bytes | None, bool]:
    """(what a reader with visible `allowed` gets of a ring entry from cursor `after` — its change, its scope
    exit, or None —, whether the entry counts against a page's limit). The ring's page loops and the
    database read (`server.feed.pages.read_changes_raw` with `server.feed.read.candidates`) in one place."""
    key = entry.street if streets else entry.scope
    if allowed is None or key is None or key in allowed:
        return entry.part, True
    if not (after and entry.exits) and (streets or JOINT_SEP not in key):
        return None, False  # not a candidate: the database read does not even fetch it
    given = feed_entry(allowed, key, entry.exits, after)
    return (entry.part if given == "entity" else entry.removal if given == "exit" else None), True


def horizon(entry, allowed: frozenset[str], streets: bool) -> int:
    """The lowest cursor from which an entry a reader does not see is no longer a scope exit for it: the
    highest position among its exits that `feed_entry` counts for `allowed` (0: none does)."""
    key = entry.street if streets else entry.scope
    for position in sorted(set(entry.exits.values()), reverse=True):
        if position > 1 and feed_entry(allowed, key, entry.exits, position - 1) == "exit":
            return position
    return 0


@dataclass(slots=True)
class Segment:
    """One scope's entries of one stretch, given from a cursor at the stretch's start (see the module)."""

    version: int             # the stretch's version it was built from (`FeedRing`)
    text: bytes              # the given changes joined by commas (b"" when none)
    piece: bytes             # `text` compressed (`server.feed.gzip_pieces.deflate_piece`)
    given: int
    candidates: int          # entries that count against a page's limit, given or not
    last_given: int          # the position of the last given entry (0: none)
    floor: int               # the lowest cursor this segment stands for


def build_segment(entries, version: int, allowed: frozenset[str] | None, streets: bool, start: int) -> Segment:
    """The segment of the live `entries` of a stretch starting after position `start`."""
    parts: list[bytes] = []
    candidates = last_given = floor = 0
    for entry in entries:
        if entry is None:
            continue
        part, candidate = decide(entry, allowed, streets, start)
        candidates += candidate
        if part is not None:
            parts.append(part)
            last_given = entry.position
        elif candidate and entry.exits and allowed is not None:
            floor = max(floor, horizon(entry, allowed, streets))
    text = _COMMA.join(parts)
    return Segment(version, text, gzip_pieces.deflate_piece(text) if parts else b"", len(parts), candidates,
                   last_given, floor)


@dataclass
class SegmentPage:
    """A page made of segments: the interface of `server.feed.pages.RawPage` (`count`, `cursor`, `more`,
    `size`, `prefix`, `body`, `gzip`, `changes_bytes`), its plain text joined only when asked for."""

    segments: list[Segment]
    cursor: int
    tag: bytes
    count: int = 0
    more: bool = False
    _members: bytes = b""
    _prefix: bytes | None = None
    _compressed: gzip_pieces.Compressed | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.count = sum(s.given for s in self.segments)
        self._members = b'],"cursor":%d,"more":%s,"scope":%s' % (self.cursor, b"true" if self.more else b"false",
                                                                   self.tag)

    @property
    def size(self) -> int:
        return len(_OPEN) + sum(len(s.text) + 1 for s in self.segments) - 1 + len(self._members)

    @property
    def prefix(self) -> bytes:
        if self._prefix is None:
            self._prefix = _OPEN + self.changes_bytes() + self._members
        return self._prefix

    def has_line_break(self) -> bool:
        return b"\n" in self._members or any(b"\n" in s.text for s in self.segments)

    def changes_bytes(self) -> bytes:
        return _COMMA.join(s.text for s in self.segments)

    def body(self, server_time: str, extra: bytes = b"") -> bytes:
        return self.prefix + extra + raw.page_tail(server_time)

    def gzip(self, server_time: str, extra: bytes = b"", after: bytes = b"") -> bytes:
        if self._compressed is None:
            texts, pieces = [_OPEN], [_OPEN_PIECE]
            for i, segment in enumerate(self.segments):
                if i:
                    texts.append(_COMMA)
                    pieces.append(_COMMA_PIECE)
                texts.append(segment.text)
                pieces.append(segment.piece)
            self._compressed = gzip_pieces.compressed(texts, pieces)
        return self._compressed.answer(self._members + extra + raw.page_tail(server_time) + after)
