"""A first sync's bigger pages (`bulk`, `app.wire.feed.BULK_PAGE_MAX`): asked beside `limit`, which a server
older than them reads instead; only for a read that does not wait."""
from __future__ import annotations

import json

from app.platform.enums import Role
from app.sync.client import ServerClient
from app.wire.feed import BULK_PAGE_MAX, PAGE_MAX
from server.platform.auth import AuthUser
from tests.support.server import HANDLER, UNIT


def test_a_bulk_page_holds_more_than_limit_and_continues_gap_free(srv):
    for _ in range(7):
        srv.new_case()
    everything = srv.changes("operator1", limit=PAGE_MAX)["changes"]
    assert len(everything) >= 7
    first = srv.changes("operator1", limit=2, bulk=5)
    assert len(first["changes"]) == 5 and first["more"] is True
    rest = srv.changes("operator1", after=first["cursors"], limit=2, bulk=BULK_PAGE_MAX)
    assert rest["more"] is False
    assert [c["position"] for c in first["changes"] + rest["changes"]] == [c["position"] for c in everything]


def test_bulk_out_of_range_or_with_a_wait_is_refused_by_name(srv):
    headers = srv.login("operator1")
    for query in (f"bulk={BULK_PAGE_MAX + 1}", "bulk=0", "bulk=x", f"limit={PAGE_MAX + 1}"):
        r = srv.client.get(f"/api/changes?{query}", headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", (query, r.text)
    r = srv.client.get("/api/changes?limit=10&bulk=100&wait=1", headers=headers)
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    assert "bulk" in r.json()["message"] and "wait" in r.json()["message"]


def test_the_client_asks_a_big_page_as_bulk_beside_a_limit_every_server_takes(monkeypatch):
    client = ServerClient("http://127.0.0.1:9")
    asked: list[dict] = []
    monkeypatch.setattr(client, "_request", lambda method, path, params, timeout: asked.append(params))
    client.fetch_changes(0, 3000, 0)
    client.fetch_changes(0, 50_000, 0)
    client.fetch_changes(0, 3000, 5)  # a long-poll never asks a bulk page
    client.fetch_changes(0, 500, 0)
    assert [(p["limit"], p.get("bulk")) for p in asked] == [
        (PAGE_MAX, 3000), (PAGE_MAX, BULK_PAGE_MAX), (PAGE_MAX, None), (500, None)]
    client.close()



def _read_all(ctx, units, limit: int) -> tuple[list[int], int]:
    """Every position a reader with `units` gets paging the database from 0 by `limit`, and the pages read."""
    positions, after, pages = [], 0, 0
    while True:
        page = ctx.read_changes_raw(after, limit, units)
        positions += [c["position"] for c in json.loads(page.body("t"))["changes"]]
        after, pages = page.cursor, pages + 1
        if not page.more:
            return positions, pages


def test_a_bulk_page_is_read_as_statements_of_a_page_each_and_misses_nothing(single_srv, monkeypatch):
    """Against the one-position reference reader (`read_changes_raw`): a one-counter server."""
    srv = single_srv
    from server.feed import pages

    for _ in range(3):  # a handler sees the dispatched ones only: the statements' pages are not all full for it
        srv.new_case()
        srv.case_at("in_progress")
    readers = {"operator": None, "handler": srv.ctx.feed_scope(AuthUser(HANDLER, "h", Role.UNIT_HANDLER, UNIT))}
    expected = {who: _read_all(srv.ctx, units, PAGE_MAX)[0] for who, units in readers.items()}
    assert 3 <= len(expected["handler"]) < len(expected["operator"])
    limits: list[int] = []
    raw_select = pages._raw_select
    monkeypatch.setattr(pages, "STATEMENT_ROWS", 2)
    monkeypatch.setattr(pages, "_raw_select", lambda after, limit, *rest: limits.append(limit) or raw_select(
        after, limit, *rest))
    for who, units in readers.items():
        positions, count = _read_all(srv.ctx, units, 5)
        assert positions == expected[who]
        assert count < len(expected[who])  # pages of up to 5 entries, each read 2 rows at a time
    assert limits and max(limits) == 2


def test_a_bulk_page_gzipped_as_it_is_read_is_its_body(single_srv, monkeypatch):
    """A bulk page's parts are compressed on a thread while the next is read (`gzip_pieces.Background`): the
    answer still decodes to the very body, for a reader that gets every row and one that gets a few."""
    import gzip
    import zlib

    from server.feed import gzip_pieces, pages

    srv = single_srv
    for _ in range(4):
        srv.new_case()
        srv.case_at("in_progress")
    monkeypatch.setattr(pages, "STATEMENT_ROWS", 3)
    for units in (None, srv.ctx.feed_scope(AuthUser(HANDLER, "h", Role.UNIT_HANDLER, UNIT))):
        after, seen = 0, 0
        while True:
            page = srv.ctx.read_changes_raw(after, 7, units)
            assert page.level == gzip_pieces.BULK_LEVEL and page._compressed is not None  # made while read
            body = page.body("t", b',"x":1')
            answer = page.gzip("t", b',"x":1')
            assert gzip.decompress(answer) == body
            assert zlib.decompress(answer, 16 + zlib.MAX_WBITS) == body
            assert json.loads(body)["changes"] == json.loads(page.prefix + b"}")["changes"]
            seen += page.count
            after = page.cursor
            if not page.more:
                break
        assert seen >= 4


def test_background_pieces_keep_their_order_and_crc():
    import gzip

    from server.feed import gzip_pieces

    texts = [bytes([65 + i % 26]) * (i * 997 % 70_000) for i in range(12)]
    background = gzip_pieces.Background(gzip_pieces.BULK_LEVEL)
    background.add(b"[", gzip_pieces.deflate_piece(b"["))
    for text in texts:
        background.add(text)
    assert gzip.decompress(background.result().answer(b"]")) == b"[" + b"".join(texts) + b"]"


def test_the_next_bulk_page_is_read_ahead_and_answered_from_it(srv, monkeypatch):
    """A first sync asks page after page: the server reads the next one while the console handles this one
    (`server.feed.api.read_ahead`), and the next request is answered from it (no read of its own), the very
    page a fresh read gives. Pages read from the database, as a first sync's are (its cursors are older than
    the recent feed kept in memory)."""
    import asyncio
    from types import SimpleNamespace

    from app.platform.feed_partition import Cursor
    from server.feed import api
    from server.feed.partitions import cursor_page

    for _ in range(7):
        srv.new_case()
    ctx = srv.ctx
    user = AuthUser("operator1", "x", Role.OPERATOR)

    async def scenario():
        for partition in await ctx.feed_partitions(user):  # none of it recent: every page from the database
            monkeypatch.setitem(ctx.feed_rings, partition, SimpleNamespace(base=1 << 60))
        _first, cursor = await cursor_page(ctx, user, Cursor(), 3)
        before = ctx.page_cache.computed
        api.read_ahead(ctx, user, cursor, 3)
        await asyncio.gather(*api._AHEAD)
        ahead = ctx.page_cache.computed - before
        second, _ = await cursor_page(ctx, user, cursor, 3)
        answered = ctx.page_cache.computed - before
        ctx.page_cache.invalidate()
        fresh, _ = await cursor_page(ctx, user, cursor, 3)
        return ahead, answered, second, fresh

    ahead, answered, second, fresh = asyncio.run(scenario())
    assert ahead >= 1 and answered == ahead
    assert second.count == 3 and second.body("t") == fresh.body("t")
