"""Concurrent long-polls share one feed read and one serialised page per feed state."""
from __future__ import annotations

import json
import threading
import time

from sqlalchemy import event

from app.platform.enums import Role
from app.platform.feed_partition import Cursor, partition_of
from server.platform.auth import AuthUser
from tests.support.server import HANDLER

POLLERS = 20


def _count_feed_reads(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, _params, _context, _executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM feed" in statement:
            seen.append(statement)

    return seen


def test_concurrent_long_polls_on_one_cursor_share_one_feed_query(srv):
    srv.new_case()
    cursor = srv.changes("operator1")["cursors"]
    headers = srv.login("operator1")
    answers: list = [None] * POLLERS

    def poll(i: int) -> None:
        answers[i] = srv.client.get("/api/changes", params={"cursor": cursor, "wait": 20, "limit": 1000},
                                    headers=headers)

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(POLLERS)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # all of them are now waiting on the (empty) page after `cursor`
    reads = _count_feed_reads(srv.ctx.db.engine)
    case = srv.new_case()
    for t in threads:
        t.join(15)
    assert not any(t.is_alive() for t in threads)

    # one read per partition the cursor reads (the global one and the case's city) answered every waiter
    assert len(reads) <= len(Cursor.from_wire(cursor).positions) < POLLERS, reads
    bodies = {a.content for a in answers}
    assert all(a.status_code == 200 for a in answers) and len(bodies) == 1
    page = answers[0].json()
    city = partition_of(case["location"]["grid_code"])  # the database's read of the case's city partition
    expected = json.loads(srv.ctx.read_changes_raw(Cursor.from_wire(cursor).after(city), 1000, None, city).body("t"))
    assert page["changes"] == expected["changes"] and page["more"] is expected["more"] is False
    assert Cursor.from_wire(page["cursors"]) == Cursor.from_wire(cursor).moved(city, expected["cursor"])
    assert [c["id"] for c in page["changes"]] == [case["id"]] and page["changes"][0]["data"] == case
    assert page["server_time"] == srv.clock().isoformat()
    assert answers[0].headers["x-server-time"]


def test_shared_pages_keep_scopes_apart_and_match_the_parsed_feed(single_srv):
    srv = single_srv  # the reference reader reads one position space
    ours = srv.case_at("dispatched")
    srv.new_case()
    for username, user in [("operator1", AuthUser("operator1", "x", Role.OPERATOR)),
                           (HANDLER, AuthUser(HANDLER, "x", Role.UNIT_HANDLER, "water_supply"))]:
        for limit in (1, 2, 1000):
            page = srv.changes_after(username, limit=limit)
            expected = srv.ctx.read_changes(0, limit, user).to_dict()
            assert {k: v for k, v in page.items() if k != "server_time"} == expected, (username, limit)
    assert [c["id"] for c in srv.changes_after(HANDLER)["changes"] if c["kind"] == "case"] == [ours["id"]]


def test_large_pages_are_gzipped_once_with_a_fresh_server_time(lite):
    for _ in range(8):
        lite.new_case()
    headers = {**lite.login("operator1"), "Accept-Encoding": "gzip"}
    first = lite.client.get("/api/changes", params={"cursor": "any.0"}, headers=headers)
    assert first.headers["content-encoding"] == "gzip"
    lite.clock.advance(seconds=5)
    second = lite.client.get("/api/changes", params={"cursor": "any.0"}, headers=headers)
    assert second.json()["server_time"] == lite.clock().isoformat() != first.json()["server_time"]
    assert second.json()["changes"] == first.json()["changes"]
    raw = lite.client.get("/api/changes", params={"cursor": "any.0"}, headers={**headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.json() == second.json()


def test_cached_token_is_refused_once_expired(lite):
    headers = lite.login("operator1")
    assert lite.client.get("/api/changes", headers=headers).status_code == 200  # now cached
    lite.clock.advance(minutes=lite.ctx.settings.token_ttl_minutes + 1)
    r = lite.client.get("/api/changes", headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
