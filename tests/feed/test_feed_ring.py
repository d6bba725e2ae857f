"""The recent feed in memory (`server.feed.ring.FeedRing`) and the long-poll fast path answer exactly what the
database would: every kind, every scope, every cursor and page size.

Every position of one position space is compared with the reference reader (`read_changes`), which reads
one: these run the feed's one counter (`single_srv`); a partitioned feed keeps one such ring per partition."""
from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid

from app.platform.enums import Role
from app.platform.feed_partition import Cursor, partition_of
from app.platform.scope import LEADS_ONLY_KINDS
from server.feed.fast_path import parse_query
from server.feed.notifier import FeedNotifier
from server.feed.record import record_change
from server.feed.ring import FeedRing
from server.platform.auth import AuthUser
from tests.support.server import HANDLER, OTHER_HANDLER

OPERATOR = AuthUser("operator1", "x", Role.OPERATOR)


def _mixed_history(srv, rng: random.Random, units: list[str | None]) -> None:
    """Cases in and out of the handlers' units, moved several times, plus other kinds: leads-only ones,
    ones scoped by an owner unit, and unscoped ones."""
    cases = [srv.new_case() for _ in range(4)]
    cases += [srv.case_at("dispatched") for _ in range(2)]
    kinds = ["alarm", "sensor", "shift", *LEADS_ONLY_KINDS]
    for i in range(16):
        data = {"n": i}
        if (owner := rng.choice(units)) is not None:
            data["owner_unit_id"] = owner
        with srv.ctx.db.writer() as session, session.begin():
            record_change(session, kinds[i % len(kinds)], f"e{rng.randrange(4)}", data)
        if i % 3 == 0:
            srv.do("operator1", "note", rng.choice(cases)["id"], {"text": f"note {i}"})


def _without_time(page: dict) -> dict:
    return {k: v for k, v in page.items() if k != "server_time"}


def test_ring_pages_match_the_database_for_every_scope_cursor_and_limit(make_harness, server_db_url, monkeypatch):
    # On SQLite the feed poller announces this process's own commits again at its next tick (1 s); on a
    # busy machine that tick can land after `reads` is taken below and cost a read the ring did not need.
    monkeypatch.setitem(FeedNotifier.__init__.__kwdefaults__, "poll_interval_s", 3600.0)
    srv = make_harness(server_db_url, feed_partitions=False)  # one position space: every position compared
    handler = srv.refdata.user(HANDLER)
    other = srv.refdata.user(OTHER_HANDLER)
    _mixed_history(srv, random.Random(7), [handler.unit_id, other.unit_id, None])
    users = {"operator1": OPERATOR,
             HANDLER: AuthUser(HANDLER, "x", Role.UNIT_HANDLER, handler.unit_id),
             OTHER_HANDLER: AuthUser(OTHER_HANDLER, "x", Role.UNIT_HANDLER, other.unit_id)}
    for username in users:
        srv.changes_after(username)  # logs in (a login is a change of its own) and starts the ring
    ring = srv.ctx.feed_ring
    assert ring.base == 0
    top = srv.changes_after("operator1", limit=1000)["cursor"]
    reads = ring.reads
    for username, user in users.items():
        for after in range(0, top + 1):
            for limit in (1, 3, 1000):
                expected = srv.ctx.read_changes(after, limit, user).to_dict()
                assert _without_time(srv.changes_after(username, after=after, limit=limit)) == expected, \
                    (username, after, limit)
    assert ring.reads == reads  # all of it answered from memory
    seen = {c["kind"] for c in srv.changes_after(HANDLER, limit=1000)["changes"]}
    assert {"case", "shift"} <= seen and not seen & set(LEADS_ONLY_KINDS)
    assert seen != {c["kind"] for c in srv.changes_after("operator1", limit=1000)["changes"]}


def test_a_cursor_below_the_ring_is_read_from_the_database(single_lite):
    lite = single_lite
    for _ in range(6):
        lite.new_case()
    ring = lite.ctx.feed_ring
    ring._keep_on_start = 2  # noqa: SLF001 - the ring starts two positions back
    first = lite.changes_after("operator1", after=0, limit=1000)
    assert ring.base == 4
    assert _without_time(first) == lite.ctx.read_changes(0, 1000, OPERATOR).to_dict()
    assert ring.page(3, 1000, None) is None and ring.page(4, 1000, None).count == 2


def _fake_rows(entities: list[str], start: int) -> list:
    return [(start + i, "alarm", e, None, None, b'{"position":%d,"id":"%s"}' % (start + i, e.encode()), None)
            for i, e in enumerate(entities)]


def test_ring_keeps_each_entity_once_and_trims_its_oldest_rows():
    history: list = []

    def read(after: int, limit: int) -> list:
        return [r for r in history if r[0] > after][:limit]

    ring = FeedRing(read, lambda: 0, max_entries=5)

    async def ensure(state) -> None:
        async def run(fn, *args):
            return fn(*args)
        await ring.ensure(state, lambda: state, run)

    history += _fake_rows(["a", "b", "c"], 1)
    asyncio.run(ensure((1, 0)))
    assert (ring.base, ring.top) == (0, 3) and ring.page(0, 10, None).count == 3
    history = [r for r in history if r[2] != "a"] + _fake_rows(["a", "d", "e"], 4)  # a moves on to 4
    asyncio.run(ensure((2, 0)))
    page = ring.page(0, 10, None)
    assert page.cursor == 6 and page.count == 5  # b c a d e: a once, at 4
    assert b'"id":"a"' in page.prefix and page.prefix.count(b'"id":"a"') == 1
    history += _fake_rows(["f"], 7)
    asyncio.run(ensure((3, 0)))
    assert ring.base == 2 and ring.page(1, 10, None) is None  # b trimmed (and a's old place)
    page = ring.page(2, 10, None)
    assert (page.count, page.cursor) == (5, 7)  # c a d e f


def test_ring_reads_a_backlog_in_several_reads_and_says_there_is_more():
    rows = _fake_rows([f"x{i}" for i in range(25)], 1)
    ring = FeedRing(lambda after, limit: [r for r in rows if r[0] > after][:limit], lambda: 0)
    ring.READ_LIMIT = 10

    async def go():
        async def run(fn, *args):
            return fn(*args)
        await ring.ensure((1, 0), lambda: (1, 0), run)

    asyncio.run(go())
    assert ring.top == 25 and ring.complete and ring.reads == 3
    page = ring.page(0, 10, None)
    assert (page.count, page.cursor, page.more) == (10, 10, True)


def test_fast_path_answers_like_the_endpoint_and_leaves_everything_else_to_it(single_srv):
    srv = single_srv  # the fast path reads a single position (`after=`)
    for _ in range(3):
        srv.new_case()
    headers = srv.login("operator1")
    fast = srv.client.get("/api/changes?after=1&limit=2", headers=headers)
    # an unknown parameter is not the fast path's to judge: the endpoint answers (and ignores it)
    slow = srv.client.get("/api/changes?after=1&limit=2&x=1", headers=headers)
    assert fast.status_code == slow.status_code == 200
    assert fast.json() == slow.json() and fast.headers["x-server-time"] == slow.headers["x-server-time"]
    assert fast.headers["content-type"] == slow.headers["content-type"] == "application/json"
    for query in ("after=-1", "limit=0", "limit=1001", "wait=31", "after=x", "wait=1e3"):
        r = srv.client.get(f"/api/changes?{query}", headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", (query, r.text)
    assert srv.client.get("/api/changes").status_code == 401
    assert srv.client.get("/api/changes", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_parse_query_accepts_only_plain_in_range_parameters():
    assert parse_query(b"") == (0, 500, 0.0)
    assert parse_query(b"after=12&limit=1000&wait=25") == (12, 1000, 25.0)
    assert parse_query(b"wait=0.5") == (0, 500, 0.5)
    for bad in (b"after=1&after=2", b"limit=0", b"wait=30.5", b"after=%31", b"after", b"after=", b"x=1",
                b"after=+1", b"wait=.5", b"limit=" + b"9" * 20):
        assert parse_query(bad) is None, bad


def test_a_long_poll_is_answered_from_the_ring_after_a_commit(srv):
    srv.new_case()
    page = srv.changes("operator1")
    cursor, city = page["cursors"], partition_of(page["changes"][0]["data"]["location"]["grid_code"])
    ring = srv.ctx.feed_rings[city]  # the cases' city's recent feed
    case_id = uuid.uuid4()
    box: list = []
    t = threading.Thread(target=lambda: box.append(
        srv.changes("operator1", after=cursor, wait=10)))
    t.start()
    time.sleep(0.5)
    srv.do("operator1", "create", case_id, srv.create_payload())
    t.join(10)
    assert box and [c["id"] for c in box[0]["changes"]] == [str(case_id)]
    assert ring.top == Cursor.from_wire(box[0]["cursors"]).after(city)
