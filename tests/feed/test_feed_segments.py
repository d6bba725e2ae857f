"""Long-poll answers shared between consoles (`server.feed.segments`, `server.feed.gzip_pieces`): a page built
from a scope's compressed segments holds exactly the changes after its cursor in its scope, consoles of
different scopes never share one, and every gzip answer is one member any client decodes."""
from __future__ import annotations

import asyncio
import gzip
import json
import random
import zlib

import urllib3.response

from app.platform.scope import JOINT_SEP, feed_entry
from server.feed import gzip_pieces
from server.feed.notifier import FeedNotifier
from server.feed.ring import FeedRing
from server.feed.segments import SegmentPage
from tests.feed.test_jurisdictions import (
    AWAY,
    CITY_OPERATOR,
    DISTRICT_OPERATOR,
    HOME,
    _auth,
    _move,
    _new_case,
)
from tests.support.server import HANDLER, UNIT

UNITS = ["roads", "water", "power", f"roads{JOINT_SEP}water", None]
SCOPES = [None, ("roads",), ("water",), ("power", "roads")]


class History:
    """A feed as the database keeps it: each entity once, at its latest position, with its scope and the
    units it left (`exits`, keyed by the whole old scope, as `app.platform.scope.left_unit` writes them)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rows: dict[str, tuple] = {}
        self.top = 0

    def change(self, entity: str) -> None:
        self.top += 1
        old = self.rows.get(entity)
        scope = self.rng.choice(UNITS)
        exits = dict(old[4] or {}) if old else {}
        if old is not None and old[3] is not None and old[3] != scope:
            exits[old[3]] = self.top
        data = b'{"position":%d,"kind":"alarm","id":"%s","data":{"v":%d}}' % (self.top, entity.encode(), self.top)
        removal = b'{"position":%d,"kind":"scope_exit","id":"%s","data":{"kind":"alarm"}}' % (self.top, entity.encode())
        self.rows[entity] = (self.top, "alarm", entity, scope, exits or None, data, removal if exits else None, None)

    def read(self, after: int, limit: int) -> list:
        return sorted((r for r in self.rows.values() if r[0] > after), key=lambda r: r[0])[:limit]

    def expected(self, after: int, limit: int, units: tuple[str, ...] | None) -> tuple[list[bytes], int, bool]:
        """(changes, cursor, more) by the database's rule (`server.feed.read.candidates`, `feed_entry`,
        `page_end`), written out plainly."""
        allowed = None if units is None else frozenset(units)
        parts, read, last_read, last_given = [], 0, after, None
        for position, _kind, _id, scope, exits, part, removal, _street in self.read(after, 10**9):
            candidate = (allowed is None or scope is None or scope in allowed or JOINT_SEP in scope
                         or (after > 0 and exits is not None))
            if not candidate:
                continue
            read, last_read = read + 1, position
            given = feed_entry(allowed, scope, exits, after)
            if given is not None:
                parts.append(part if given == "entity" else removal)
                last_given = position
            if read == limit:
                return parts, last_read, True
        return parts, (last_given if last_given is not None else after), False


def _ring(history: History) -> FeedRing:
    return FeedRing(history.read, lambda: 0, keep_on_start=0)


def _refresh(ring: FeedRing, state: int) -> None:
    async def run(fn, *args):
        return fn(*args)

    asyncio.run(ring.ensure((state, 0), lambda: (state, 0), run))


def _decoded(page, server_time: str = "2026-01-01T00:00:00+00:00") -> dict:
    body = page.gzip(server_time, b',"cursors":"g.%d"' % page.cursor)
    assert zlib.decompress(body, 31) == page.body(server_time, b',"cursors":"g.%d"' % page.cursor)
    return json.loads(gzip.decompress(body))


def test_every_page_holds_exactly_the_changes_after_its_cursor_in_its_scope():
    rng = random.Random(21)
    history = History(rng)
    ring = _ring(history)
    shared = 0
    for tick in range(1, 40):
        for _ in range(rng.randrange(0, 6)):  # a stretch: a few changes, some entities changed again
            history.change(f"e{rng.randrange(12)}")
        _refresh(ring, tick)
        for after in range(max(ring.base, 1), history.top + 1):
            for units in SCOPES:
                for limit in (1, 3, 1000):
                    page = ring.page(after, limit, units)
                    parts, cursor, more = history.expected(after, limit, units)
                    assert (page.count, page.cursor, page.more) == (len(parts), cursor, more), (after, units, limit)
                    assert page.changes_bytes() == b",".join(parts), (after, units, limit)
                    if page.count:
                        assert [c["position"] for c in _decoded(page)["changes"]] == \
                            [json.loads(p)["position"] for p in parts]
                    shared += isinstance(page, SegmentPage)
    assert shared > 1000  # most pages were built from segments, not entry by entry


def test_consoles_of_different_scopes_never_share_an_answer():
    history = History(random.Random(3))
    ring = _ring(history)
    _refresh(ring, 1)
    for n, unit in enumerate(["roads", "water", "roads", "water", "roads", "water"]):  # three stretches
        history.top += 1
        history.rows[f"c{n}"] = (history.top, "case", f"c{n}", unit, None, b'{"id":"c%d","unit":"%s"}' % (
            n, unit.encode()), None, None)
        if n % 2:
            _refresh(ring, n + 2)
    assert ring._tops == [0, 2, 4, 6]  # noqa: SLF001
    roads, water = ring.page(2, 1000, ("roads",)), ring.page(2, 1000, ("water",))
    assert isinstance(roads, SegmentPage) and isinstance(water, SegmentPage)
    assert roads is not water and roads.changes_bytes() != water.changes_bytes()
    assert [c["id"] for c in _decoded(roads)["changes"]] == ["c2", "c4"]
    assert [c["id"] for c in _decoded(water)["changes"]] == ["c3", "c5"]
    assert ring.page(2, 1000, ("roads",)) is roads  # the same scope and cursor: the same answer
    # a district console's cursor, its last entry below the top it was answered at: the same segments
    assert [c["id"] for c in _decoded(ring.page(1, 1000, ("roads",)))["changes"]] == ["c2", "c4"]
    assert ring.page(1, 1000, ("water",)).count == 3  # c1 is after 1: this one is built entry by entry


def test_an_entity_that_moves_on_leaves_the_segment_it_was_in():
    history = History(random.Random(5))
    ring = _ring(history)
    for tick, entity in enumerate(["a", "b", "c", "d"], start=1):
        history.change(entity)
        _refresh(ring, tick)
    before = ring.page(1, 1000, None)
    assert isinstance(before, SegmentPage) and before.count == 3
    history.change("b")  # b moves from position 2 to 5
    _refresh(ring, 5)
    after = ring.page(1, 1000, None)
    assert [c["id"] for c in _decoded(after)["changes"]] == ["c", "d", "b"]


def test_a_gzip_answer_of_pieces_is_one_member_every_client_decodes():
    texts = [b'{"changes":[', b'{"a":1}' * 3000, b",", bytes(range(256)) * 40]
    answer = gzip_pieces.compressed(texts, [gzip_pieces.deflate_piece(t) for t in texts]).answer(b"]}" * 40_000)
    plain = b"".join(texts) + b"]}" * 40_000  # a tail longer than one stored block
    assert zlib.decompress(answer, 31) == gzip.decompress(answer) == plain
    decoder = urllib3.response.GzipDecoder()  # what the console's `requests` uses
    assert decoder.decompress(answer) == plain
    whole = zlib.decompressobj(31)
    assert whole.decompress(answer) == plain and whole.eof and whole.unused_data == b""  # one member


def test_shared_pages_match_the_database_for_every_reader_and_cursor(make_harness, server_db_url, monkeypatch):
    """Cases made, dispatched and moved between districts while the ring reads after each step (a stretch
    each): every page for every cursor equals the database read, for the city and district operators
    and a unit handler; and most were made of segments."""
    monkeypatch.setitem(FeedNotifier.__init__.__kwdefaults__, "poll_interval_s", 3600.0)  # see test_feed_ring
    srv = make_harness(server_db_url, feed_partitions=False)  # one position space: every position compared
    readers = (CITY_OPERATOR, DISTRICT_OPERATOR, HANDLER)
    for username in readers:
        srv.changes_after(username)  # logs in and starts the ring
    cases = []
    for step in range(8):
        cases.append(_new_case(srv, AWAY if step % 2 else HOME))
        if step % 3 == 1:
            for action, payload in (("register", {}), ("dispatch", {"unit_id": UNIT})):
                assert srv.do(CITY_OPERATOR, action, cases[-2]["id"], payload)["status"] == "accepted"
        if step in (3, 6):
            _move(srv, cases[1]["id"], HOME if step == 3 else AWAY)
        srv.changes_after(CITY_OPERATOR, after=srv.ctx.feed_ring.top)  # the ring reads this step: a stretch
    ring = srv.ctx.feed_ring
    top, reads, shared = ring.top, ring.reads, ring.segment_pages
    assert len(ring._tops) > 6  # noqa: SLF001
    for username in readers:
        user = _auth(srv, username)
        for after in range(1, top + 1):
            for limit in (2, 1000):
                expected = srv.ctx.read_changes(after, limit, user).to_dict()
                got = srv.changes_after(username, after=after, limit=limit)
                assert {k: v for k, v in got.items() if k != "server_time"} == expected, (username, after, limit)
    assert ring.reads == reads  # answered from memory
    assert ring.segment_pages - shared > top  # many of them from segments
