"""The feed partitioned per city (`app.platform.feed_partition`, docs/ARCHITECTURE.md "The changes feed and
the cursor gap"): with `feed_partitions` on, a case takes its position from its city's counter and everything
else from the global one; a reader pages each partition with its own cursor and misses nothing; a district
operator reads its city's partition and the global one only; a single-number cursor still works on a server
that does not partition, and is refused with a clear instruction where one number cannot say where a reader
stands; a write in one city does not wait on another city's counter.

The demo reference data has one city (3301); a second city's cases are made by moving demo cases there in
the database (their grid code, street and JSON), as `tests/feed/test_jurisdictions.py` moves cases between
streets: every later command keeps them there.
"""
from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy import text

from app.platform.feed_partition import GLOBAL, Cursor
from server.feed.record import record_change
from tests.feed.test_jurisdictions import (
    AWAY,
    CITY_OPERATOR,
    DISTRICT_OPERATOR,
    _new_case,
)

OTHER_CITY = "3302"
OTHER_GRID = OTHER_CITY + "01001" + "001" + "01"  # a grid code of a second city (county 330201, street 001)


def _to_other_city(srv, case_id: str) -> None:
    """Move a case to the second city (its row, its JSON's grid code, then its feed row: one transaction)."""
    with srv.ctx.db.writer() as session, session.begin():
        pg = session.get_bind().dialect.name == "postgresql"
        cid = case_id if pg else case_id.replace("-", "")
        if pg:
            cast = "::json" if _json_column(session) else ""
            session.execute(text("UPDATE cases SET grid_code = :g, jurisdiction = :j, data = jsonb_set(data::jsonb, "
                                 f"'{{location,grid_code}}', to_jsonb(CAST(:g2 AS text))){cast} WHERE id = :id"),
                            {"g": OTHER_GRID, "g2": OTHER_GRID, "j": OTHER_GRID[:9], "id": cid})
        else:
            session.execute(text("UPDATE cases SET grid_code = :g, jurisdiction = :j, "
                                 "data = json_set(data, '$.location.grid_code', :g) WHERE id = :id"),
                            {"g": OTHER_GRID, "j": OTHER_GRID[:9], "id": cid})
        record_change(session, "case", case_id, scope="")


def _json_column(session) -> bool:
    kind = session.execute(text("SELECT data_type FROM information_schema.columns WHERE table_name = 'cases' "
                                "AND column_name = 'data'")).scalar()
    return kind == "json"


def _feed(srv) -> dict[str, tuple[str, int]]:
    """Every feed row: entity id -> (partition, position)."""
    with srv.ctx.db.reader() as session:
        return {eid: (p, pos) for eid, p, pos in session.execute(
            text("SELECT entity_id, partition, position FROM feed"))}


def _counters(srv) -> dict[str, int]:
    with srv.ctx.db.reader() as session:
        return dict(session.execute(text("SELECT name, value FROM counters WHERE name LIKE 'feed%'")).all())


def _read(srv, username: str, cursor: Cursor, limit: int = 1000, **params) -> dict:
    r = srv.client.get("/api/changes", params={"cursor": cursor.to_wire(), "limit": limit, **params},
                       headers=srv.login(username))
    assert r.status_code == 200, r.text
    return r.json()


class CursorFollower:
    """A console's view: every entity of kind case it was given, read with a partition cursor."""

    def __init__(self, srv, username: str, cursor: Cursor | None = None):
        self.srv, self.username, self.cursor, self.ids = srv, username, cursor or Cursor(), set()

    def sync(self, limit: int = 1000) -> list[dict]:
        seen = []
        while True:
            page = _read(self.srv, self.username, self.cursor, limit)
            seen += page["changes"]
            self.ids |= {c["id"] for c in page["changes"] if c["kind"] == "case"}
            self.ids -= {c["id"] for c in page["changes"] if c["kind"] == "scope_exit"}
            self.cursor = Cursor.from_wire(page["cursors"])
            if not page["more"]:
                return seen


@pytest.fixture
def parted(make_harness, server_db_url):
    """A partitioning server, on SQLite and on PostgreSQL."""
    return make_harness(server_db_url, feed_partitions=True)


# ---- the cursor on the wire ----------------------------------------------------------------------------

def test_a_cursor_reads_back_what_it_wrote_and_refuses_anything_else():
    cursor = Cursor({GLOBAL: 120, "3301": 5012})
    assert cursor.to_wire() == "g.120_3301.5012" and Cursor.from_wire(cursor.to_wire()) == cursor
    old = Cursor(default=77)  # an old console's single number stands for every partition
    assert old.to_wire() == "any.77" and old.after("3305") == 77 and old.moved(GLOBAL, 80).after("3301") == 77
    assert Cursor().to_wire() == "any.0" and not Cursor() and Cursor.from_stored(12) == Cursor(default=12)
    assert Cursor.from_stored(cursor.to_json()) == cursor
    for bad in ("", "g", "g.", "g.-1", "x.1", "g.1_g.2", "any.1_any.2", "g.1__3301.2", "3301.1.2",
                "g." + "9" * 20, "_".join(f"{3000 + i}.1" for i in range(70))):
        assert Cursor.from_wire(bad) is None, bad


def test_a_bad_cursor_is_a_400_naming_it(lite):
    r = lite.client.get("/api/changes", params={"cursor": "g.1_nope"}, headers=lite.login(CITY_OPERATOR))
    assert r.status_code == 400 and r.json()["error"] == "bad_cursor" and "cursor" in r.json()["message"]


# ---- a server that does not partition: one partition, both cursors --------------------------------------

def test_without_partitions_both_cursors_read_the_same_feed(single_srv):
    srv = single_srv
    cases = [_new_case(srv, AWAY) for _ in range(3)]
    legacy = srv.changes_after(CITY_OPERATOR, after=0)
    page = _read(srv, CITY_OPERATOR, Cursor())
    assert [c["position"] for c in page["changes"]] == [c["position"] for c in legacy["changes"]]
    assert page["cursors"] == f"g.{legacy['cursor']}" and page["cursor"] == legacy["cursor"]
    assert {c["id"] for c in cases} <= {c["id"] for c in page["changes"]}
    assert set(_counters(srv)) == {"feed"} and {p for p, _ in _feed(srv).values()} == {GLOBAL}
    # an old console's cursor (one number) goes on where it was
    _new_case(srv, AWAY)
    assert len(_read(srv, CITY_OPERATOR, Cursor(default=legacy["cursor"]))["changes"]) == 1


# ---- a partitioning server ------------------------------------------------------------------------------

def test_each_city_takes_positions_from_its_own_counter(parted):
    a = _new_case(parted, AWAY)
    b = _new_case(parted, AWAY)
    _to_other_city(parted, b["id"])
    assert parted.do(CITY_OPERATOR, "note", b["id"], {"text": "in the other city"})["status"] == "accepted"
    c = _new_case(parted, AWAY)
    feed = _feed(parted)
    assert feed[a["id"]][0] == feed[c["id"]][0] == "3301" and feed[b["id"]][0] == OTHER_CITY
    counters = _counters(parted)
    assert counters["feed:3301"] == feed[c["id"]][1] and counters["feed:3302"] == feed[b["id"]][1]
    assert counters.get("feed", 0) == 0  # nothing global was written
    # the setting goes to the global partition
    r = parted.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "flood"},
                          headers=parted.login("lead1"))
    assert r.status_code == 200, r.text
    assert _feed(parted)["emergency_mode"] == (GLOBAL, 1)


def test_a_reader_misses_nothing_and_a_district_operator_reads_only_its_city(parted):
    follower = CursorFollower(parted, CITY_OPERATOR)
    district = CursorFollower(parted, DISTRICT_OPERATOR)
    here = [_new_case(parted, AWAY) for _ in range(3)]
    there = _new_case(parted, AWAY)
    _to_other_city(parted, there["id"])
    follower.sync(limit=2)
    assert follower.ids == {c["id"] for c in here} | {there["id"]}
    assert follower.cursor.positions.keys() == {"3301", OTHER_CITY, GLOBAL}
    seen = district.sync(limit=2)
    assert district.ids == {c["id"] for c in here}  # the moved case left its district: a scope exit
    assert [c["kind"] for c in seen if c["id"] == there["id"]] in ([], ["case", "scope_exit"], ["scope_exit"])
    assert OTHER_CITY not in district.cursor.positions  # the other city's partition is never read
    # more in both cities and a setting: each follower gets what is new, and only that
    newer = _new_case(parted, AWAY)
    assert parted.do(CITY_OPERATOR, "note", there["id"], {"text": "again"})["status"] == "accepted"
    assert {c["id"] for c in follower.sync()} == {newer["id"], there["id"]}
    assert {c["id"] for c in district.sync()} == {newer["id"]}


def test_a_single_number_cursor_is_told_to_update_where_it_cannot_say_enough(parted):
    _new_case(parted, AWAY)
    r = parted.client.get("/api/changes", params={"after": 0}, headers=parted.login(CITY_OPERATOR))
    assert r.status_code == 409 and r.json()["error"] == "feed_partitioned"
    assert "cursor" in r.json()["message"] and "manhole" not in r.text
    # the console sends both: a partitioning server reads the partition cursor
    r = parted.client.get("/api/changes", params={"after": 0, "cursor": "any.0"}, headers=parted.login(CITY_OPERATOR))
    assert r.status_code == 200 and len(r.json()["changes"]) == 1


def test_the_test_servers_run_the_default_design_and_read_as_the_console_does(srv):
    case = _new_case(srv, AWAY)
    r = srv.client.get("/api/changes", params={"after": 0}, headers=srv.login(CITY_OPERATOR))
    assert r.status_code == 409 and r.json()["error"] == "feed_partitioned"
    changes, cursor = srv.read_feed(CITY_OPERATOR, limit=1)
    assert case["id"] in {c["id"] for c in changes} and Cursor.from_wire(cursor).after("3301") > 0
    assert srv.changes(CITY_OPERATOR, after=cursor)["changes"] == []


def test_the_long_poll_wakes_for_a_change_in_a_partition_it_reads(parted):
    follower = CursorFollower(parted, DISTRICT_OPERATOR)
    follower.sync()
    done: dict = {}

    def poll():
        done["page"] = _read(parted, DISTRICT_OPERATOR, follower.cursor, wait=10)

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.3)
    case = _new_case(parted, AWAY)
    t.join(15)
    assert [c["id"] for c in done["page"]["changes"]] == [case["id"]]


# ---- the cursor gap, per partition, with writers in two cities at once (PostgreSQL) -----------------------

def test_two_cities_committing_interleaved_never_lose_a_change_to_a_reader(make_harness, pg_url):
    srv = make_harness(pg_url, feed_partitions=True)
    rng = random.Random(21)
    homes = [_new_case(srv, AWAY)["id"] for _ in range(3)]
    aways = [_new_case(srv, AWAY)["id"] for _ in range(3)]
    for case_id in aways:
        _to_other_city(srv, case_id)
    stop, errors = threading.Event(), []
    expected: dict[str, int] = {}  # case id -> the version of its last accepted note
    lock = threading.Lock()

    def writer(ids: list[str], n: int) -> None:
        try:
            for i in range(15):
                case_id = rng.choice(ids)
                result = srv.do(CITY_OPERATOR, "note", case_id, {"text": f"w{n} {i}"})
                assert result["status"] == "accepted", result
                with lock:
                    expected[case_id] = max(expected.get(case_id, 0), result["version"])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    seen: dict[str, int] = {}

    def reader() -> None:
        cursor = Cursor()
        try:
            while True:
                finished = stop.is_set()  # read before the last page: it then sees everything
                page = _read(srv, CITY_OPERATOR, cursor, rng.randint(1, 6))
                for c in page["changes"]:
                    if c["kind"] == "case":
                        seen[c["id"]] = max(seen.get(c["id"], 0), c["data"]["version"])
                cursor = Cursor.from_wire(page["cursors"])
                if finished and not page["more"]:
                    return
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=writer, args=(ids, n)) for n, ids in enumerate((homes, aways, homes, aways))]
    r = threading.Thread(target=reader)
    r.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join(120)
    stop.set()
    r.join(60)
    assert not errors, errors
    assert {k: v for k, v in seen.items() if k in expected} == expected  # every last version reached the reader


# ---- a write in one city does not wait on another city's counter (PostgreSQL) -----------------------------

def _hold_counter(pg_url: str, name: str):
    """Another connection holding counter `name`'s row lock (as a transaction of that partition does from
    its feed step to its commit)."""
    from sqlalchemy import create_engine

    engine = create_engine(pg_url)
    conn = engine.connect()
    conn.begin()
    conn.execute(text("SELECT value FROM counters WHERE name = :n FOR UPDATE"), {"n": name})
    return engine, conn


@pytest.mark.parametrize("partitions", [True, False], ids=["partitioned", "one_counter"])
def test_a_city_commits_while_another_holds_its_counter(make_harness, pg_url, partitions):
    srv = make_harness(pg_url, feed_partitions=partitions)
    here, there = _new_case(srv, AWAY), _new_case(srv, AWAY)
    _to_other_city(srv, there["id"])
    held = "feed:3302" if partitions else "feed"
    engine, conn = _hold_counter(pg_url, held)
    answered: dict = {}

    def write() -> None:
        answered["result"] = srv.do(CITY_OPERATOR, "note", here["id"], {"text": "while the other city holds"})

    t = threading.Thread(target=write)
    try:
        t.start()
        t.join(5)
        committed_while_held = not t.is_alive()
    finally:
        conn.rollback()  # the other transaction ends: a waiting write goes on
        conn.close()
        engine.dispose()
        t.join(30)
    assert answered["result"]["status"] == "accepted"
    # partitioned: it did not wait; one counter row: it waited for the other city's transaction
    assert committed_while_held is partitions


@pytest.mark.parametrize("chains", [True, False], ids=["a_chain_per_city", "one_chain"])
def test_a_city_commits_while_another_holds_its_audit_head(make_harness, pg_url, monkeypatch, chains):
    """The audit head is the other row every command locks to its commit: city B's transaction holding its
    chain's head does not hold up city A's command; with one chain for all (as before chains per city) it did."""
    from server.audit import chain as audit

    if not chains:
        monkeypatch.setattr(audit, "chain_params", lambda entity_kind, entity_id, chain=None: {"audit_chain": "",
                                                                                               "audit_case": None})
    srv = make_harness(pg_url, feed_partitions=True)
    here, there = _new_case(srv, AWAY), _new_case(srv, AWAY)
    _to_other_city(srv, there["id"])
    assert srv.do(CITY_OPERATOR, "note", there["id"], {"text": "its chain's head"})["status"] == "accepted"
    from sqlalchemy import create_engine

    engine = create_engine(pg_url)
    conn = engine.connect()
    conn.begin()
    conn.execute(text("SELECT seq FROM audit_head WHERE chain = :c FOR UPDATE"), {"c": OTHER_CITY if chains else ""})
    answered: dict = {}

    def write() -> None:
        answered["result"] = srv.do(CITY_OPERATOR, "note", here["id"], {"text": "while the other city holds"})

    t = threading.Thread(target=write)
    try:
        t.start()
        t.join(5)
        committed_while_held = not t.is_alive()
    finally:
        conn.rollback()
        conn.close()
        engine.dispose()
        t.join(30)
    assert answered["result"]["status"] == "accepted"
    assert committed_while_held is chains
