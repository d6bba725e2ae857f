"""A changes page read straight from its bytes, each case kept as the JSON text the server sent.

`ChangesPage.model_validate` of a 1,000-case page builds every case as Python dicts (and pydantic copies
them), only for the cache to serialise each one again to store it: most of an initial sync's client time.
Here msgspec reads the page's frame (`position`, `kind`, `id`, `cursor`, …) with typed structs and passes
over each entry's `data` as raw bytes, so a case stays the text it came as (`CaseText`); the cache reads
the few columns it indexes from that text (`app.cache.case_rows.text_feed_row`) and stores the text as
it is. Entries of other kinds (settings, sensors, alarms, scope exits: few) become ordinary `Change`s.

Exactly what `ChangesPage` accepts is accepted: anything msgspec's stricter reading refuses (a number
sent as a string, a lone surrogate escape, a body that is not UTF-8) raises `NotFast`, and the caller
reads that page with `ChangesPage` as before — whose validation then accepts or refuses it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import msgspec
from pydantic import ValidationError

from app.platform import fast_json
from app.wire.feed import Change

log = logging.getLogger(__name__)

CASE = "case"  # the kind whose entries stay text (`app.platform.scope.CASE`; wire may not import it)


class NotFast(ValueError):
    """The page is not in the form this reader takes; read it with `ChangesPage`."""


@dataclass(frozen=True, slots=True)
class CaseText:
    """A feed entry of kind `case` whose `data` is still the JSON text of the case."""

    position: int
    id: str
    text: str
    kind: str = CASE


class _Entry(msgspec.Struct):
    position: int
    kind: str
    id: str
    data: msgspec.Raw


class _Page(msgspec.Struct):
    changes: list[_Entry]
    cursor: int
    more: bool
    server_time: str
    scope: str | None = None
    cursors: str | None = None


_decoder = msgspec.json.Decoder(_Page)


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """`ChangesPage`'s members, with `changes` holding `CaseText` for cases and `Change` for the rest."""

    changes: list[CaseText | Change]
    cursor: int
    more: bool
    server_time: datetime
    scope: str | None = None
    cursors: str | None = None


def decode_page(body: bytes) -> DecodedPage:
    """The page in `body`; `NotFast` when it must be read by `ChangesPage` instead (see the module)."""
    try:
        page = _decoder.decode(body)
        server_time = datetime.fromisoformat(page.server_time)
        changes: list[CaseText | Change] = []
        for entry in page.changes:
            data = memoryview(entry.data)
            if data[:1] != b"{":  # not an object: `ChangesPage` says what is wrong
                raise NotFast(f"feed entry {entry.position}: data is not an object")
            if entry.kind == CASE:
                changes.append(CaseText(entry.position, entry.id, str(data, "utf-8")))
            else:
                changes.append(Change(position=entry.position, kind=entry.kind, id=entry.id,
                                      data=fast_json.loads(bytes(data))))
    except (msgspec.DecodeError, UnicodeDecodeError, ValidationError, ValueError) as exc:
        if isinstance(exc, NotFast):
            raise
        raise NotFast(str(exc)) from exc
    return DecodedPage(changes, page.cursor, page.more, server_time, page.scope, page.cursors)
