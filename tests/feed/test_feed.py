"""GET /api/changes: snapshot, paging, cursor, filtering by unit, settings, and long-polling."""
from __future__ import annotations

import asyncio
import threading
import time
import uuid

import httpx
import psycopg
import pytest

from app.platform.enums import Role
from app.platform.feed_partition import GLOBAL, Cursor, partition_of
from server.app import create_app
from server.feed.read import read_changes
from server.feed.record import record_change
from server.platform.auth import AuthUser
from server.platform.settings import ServerSettings
from tests.support.server import HANDLER, OTHER_HANDLER, Harness, prepare_database


def test_snapshot_paging_and_cursor(srv):
    cases = [srv.new_case() for _ in range(5)]
    page = srv.changes("operator1", limit=2)
    assert [c["id"] for c in page["changes"]] == [cases[0]["id"], cases[1]["id"]]
    city = partition_of(cases[0]["location"]["grid_code"])  # the cases' city: the cursor stands at its last one
    assert page["more"] is True and Cursor.from_wire(page["cursors"]).after(city) == page["changes"][-1]["position"]
    assert page["server_time"] == srv.clock().isoformat()
    seen = page["changes"]
    while page["more"]:
        page = srv.changes("operator1", after=page["cursors"], limit=2)
        seen += page["changes"]
    assert [c["id"] for c in seen] == [c["id"] for c in cases]
    assert [c["data"] for c in seen] == cases
    positions = [c["position"] for c in seen]
    assert positions == sorted(set(positions))
    empty = srv.changes("operator1", after=page["cursors"])
    assert {k: v for k, v in empty.items() if k != "cursor"} == {
        "changes": [], "cursors": page["cursors"], "more": False, "scope": "all", "server_time": srv.clock().isoformat()}


def test_only_the_latest_change_of_each_case_is_kept(lite):
    case = lite.new_case()
    other = lite.new_case()
    updated = lite.do("operator1", "register", case["id"])
    snapshot = lite.changes("operator1")["changes"]
    assert [(c["id"], c["data"]["version"]) for c in snapshot] == [(other["id"], 1), (case["id"], 2)]
    assert snapshot[-1]["position"] == updated["position"]


def test_query_parameters_are_validated(lite):
    headers = lite.login("operator1")
    for params in [{"after": -1}, {"limit": 0}, {"limit": 1001}, {"wait": 31}, {"wait": -1}, {"after": "x"}]:
        r = lite.client.get("/api/changes", params=params, headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", params


def test_unit_handler_sees_only_its_units_cases_and_all_settings(srv):
    ours = srv.case_at("dispatched")
    theirs = srv.case_at("registered")
    srv.do("operator1", "dispatch", theirs["id"], {"unit_id": "roads"})
    undispatched = srv.new_case()
    srv.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "flood"}, headers=srv.login("lead1"))
    # (a page holds each partition's changes in turn: the setting's global one and the cases' city)
    mine = srv.changes(HANDLER)["changes"]
    assert sorted((c["kind"], c["id"]) for c in mine) == [("case", ours["id"]), ("setting", "emergency_mode")]
    roads = srv.changes(OTHER_HANDLER)["changes"]
    assert sorted((c["kind"], c["id"]) for c in roads) == [("case", theirs["id"]), ("setting", "emergency_mode")]
    everything = srv.changes("inspector1")["changes"]
    assert {c["id"] for c in everything} == {ours["id"], theirs["id"], undispatched["id"], "emergency_mode"}


def test_parent_unit_handler_sees_its_sub_units_cases(make_harness, sqlite_url):
    from server.admin.bootstrap import add_user
    srv = make_harness(sqlite_url)
    add_user(sqlite_url, "roads_boss", "demo-roads_boss", "unit_handler", "roads", "Roads department head")
    case = srv.case_at("registered")
    srv.do("operator1", "dispatch", case["id"], {"unit_id": "roads_north_repair"})
    assert [c["id"] for c in srv.changes("roads_boss")["changes"]] == [case["id"]]
    assert srv.client.get(f"/api/cases/{case['id']}", headers=srv.login("roads_boss")).status_code == 200
    assert srv.changes("handler_water_supply")["changes"] == []


def test_setting_changes_move_in_the_feed(lite):
    lead = lite.login("lead1")
    first = lite.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "typhoon"}, headers=lead).json()
    case = lite.new_case()
    second = lite.client.put("/api/settings/emergency_mode", json={"on": False, "reason": "over"}, headers=lead).json()
    feed = lite.changes("operator1")["changes"]
    assert sorted(c["id"] for c in feed) == sorted([case["id"], "emergency_mode"])
    setting = next(c for c in feed if c["id"] == "emergency_mode")
    assert setting["data"]["value"]["on"] is False and setting["position"] == second["position"] > first["position"]
    # settings lie in the global partition: a cursor past the first change there still reads the second
    assert lite.changes("operator1", after=Cursor({GLOBAL: first["position"]}))["changes"] == feed
    assert lite.changes("operator1", after=Cursor({GLOBAL: second["position"]}))["changes"] == \
        [c for c in feed if c["id"] == case["id"]]


def _long_poll(srv, username: str, after: str | int, wait: float, out: dict) -> None:
    started = time.monotonic()
    out["answer"] = srv.changes(username, after=after, wait=wait)
    out["returned_at"] = time.monotonic()
    out["took"] = out["returned_at"] - started


def test_long_poll_without_news_waits_then_returns_empty(lite):
    lite.new_case()
    cursor = lite.changes("operator1")["cursors"]
    started = time.monotonic()
    answer = lite.changes("operator1", after=cursor, wait=0.6)
    took = time.monotonic() - started
    assert answer["changes"] == [] and answer["cursors"] == cursor and answer["more"] is False
    assert 0.55 <= took < 2.0


def test_long_poll_with_news_returns_at_once(lite):
    lite.new_case()
    started = time.monotonic()
    assert len(lite.changes("operator1", after=0, wait=10)["changes"]) == 1
    assert time.monotonic() - started < 1.0


def test_long_poll_wakes_within_a_second_of_a_commit_from_another_thread(srv):
    srv.login("operator1")
    srv.login("operator2")
    out: dict = {}
    poll = threading.Thread(target=_long_poll, args=(srv, "operator2", 0, 20, out))
    poll.start()
    time.sleep(0.5)  # let the poll find nothing and start waiting
    committed = srv.new_case()
    committed_at = time.monotonic()
    poll.join(20)
    assert [c["id"] for c in out["answer"]["changes"]] == [committed["id"]]
    assert out["returned_at"] - committed_at < 1.0


def test_long_poll_ignores_changes_the_user_may_not_see(lite):
    out: dict = {}
    poll = threading.Thread(target=_long_poll, args=(lite, HANDLER, 0, 1.0, out))
    lite.login(HANDLER)
    poll.start()
    time.sleep(0.3)
    lite.new_case()  # not dispatched: invisible to the unit handler, who keeps waiting
    poll.join(10)
    assert out["answer"]["changes"] == [] and out["took"] >= 0.95


def test_many_concurrent_long_polls_are_cheap(sqlite_url, refdata, clock):
    """Long-polls wait as coroutines: far more of them than worker threads all wake on one commit."""
    prepare_database(sqlite_url, refdata)
    app = create_app(ServerSettings(database_url=sqlite_url, maintenance_interval_s=0), refdata=refdata, clock=clock)
    harness_like = Harness.__new__(Harness)  # only for building command bodies
    harness_like.refdata, harness_like.clock = refdata, clock

    async def main():
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                login = await client.post("/api/login", json={"username": "operator1", "password": "demo-operator1"})
                headers = {"Authorization": f"Bearer {login.json()['token']}"}
                threads_before = threading.active_count()
                # a partition cursor: a server partitions the feed per city by default
                polls = [asyncio.create_task(client.get("/api/changes", params={"cursor": "any.0", "wait": 10},
                                                        headers=headers)) for _ in range(300)]
                await asyncio.sleep(1.5)
                waiting_threads = threading.active_count()
                create = harness_like.command("create", uuid.uuid4(), harness_like.create_payload())
                started = time.monotonic()
                r = await client.post("/api/commands", json={"commands": [create]}, headers=headers)
                assert r.json()["results"][0]["status"] == "accepted"
                answers = await asyncio.gather(*polls)
                return answers, time.monotonic() - started, waiting_threads - threads_before

    answers, took, extra_threads = asyncio.run(main())
    assert all(a.status_code == 200 and len(a.json()["changes"]) == 1 for a in answers)
    assert took < 5.0
    assert extra_threads <= 40  # anyio's worker-thread limit at most, not one per waiter


def test_long_poll_across_two_app_instances_on_postgres(make_harness, pg_url):
    a = make_harness(pg_url)
    b = make_harness(pg_url, prepare=False)
    a.login("operator1")
    _wait_listening(a)
    out: dict = {}
    poll = threading.Thread(target=_long_poll, args=(a, "operator1", 0, 20, out))
    poll.start()
    time.sleep(0.5)
    committed = b.new_case("operator2")
    committed_at = time.monotonic()
    poll.join(20)
    assert [c["id"] for c in out["answer"]["changes"]] == [committed["id"]]
    assert out["returned_at"] - committed_at < 1.0


def _wait_listening(srv, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not srv.ctx.notifier.listening:
        assert time.monotonic() < deadline, "the feed listener did not connect"
        time.sleep(0.02)


def test_listener_reconnects_after_its_connection_is_killed(make_harness, pg_url):
    a = make_harness(pg_url)
    b = make_harness(pg_url, prepare=False)
    a.login("operator1")
    _wait_listening(a)
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as admin:
        killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE application_name = 'onegrid-feed-listener' AND datname = current_database()"
                               ).fetchall()
    assert len(killed) == 2  # both instances' listeners
    deadline = time.monotonic() + 5
    while a.ctx.notifier.listening and time.monotonic() < deadline:
        time.sleep(0.01)
    _wait_listening(a)
    out: dict = {}
    poll = threading.Thread(target=_long_poll, args=(a, "operator1", 0, 20, out))
    poll.start()
    time.sleep(0.5)
    b.new_case("operator2")
    committed_at = time.monotonic()
    poll.join(20)
    assert len(out["answer"]["changes"]) == 1 and out["returned_at"] - committed_at < 1.0


def test_sqlite_second_process_commits_are_noticed_by_polling(make_harness, sqlite_url):
    """SQLite has no NOTIFY: another process's commit is noticed by the once-a-second counter poll."""
    a = make_harness(sqlite_url)
    b = make_harness(sqlite_url, prepare=False)
    a.login("operator1")
    time.sleep(1.2)  # the poller has read the counter once
    out: dict = {}
    poll = threading.Thread(target=_long_poll, args=(a, "operator1", 0, 20, out))
    poll.start()
    time.sleep(0.3)
    b.new_case("operator2")
    committed_at = time.monotonic()
    poll.join(20)
    assert len(out["answer"]["changes"]) == 1 and out["returned_at"] - committed_at < 2.0


@pytest.mark.parametrize("kind", ["case", "setting"])
def test_a_rolled_back_change_leaves_no_trace_in_the_feed(lite, kind):
    with lite.ctx.db.writer() as session:
        with session.begin():
            record_change(session, kind, str(uuid.uuid4()) if kind == "case" else "x", {"key": "x", "value": {}})
            session.rollback()
    with lite.ctx.db.reader() as session:
        assert read_changes(session, 0, 10, AuthUser("a", "a", Role.OPERATOR), lite.refdata).changes == []
    case = lite.new_case()
    assert lite.changes("operator1")["changes"][0]["position"] == 1 and case
