"""An entity that leaves a unit handler's scope comes to that handler as a `scope_exit` entry at the
entity's position (`app.platform.scope`), from the database read, the in-memory ring and a waiting long-poll alike,
so that what a handler keeps from the feed equals what a fresh full read shows (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import threading
import time

import pytest

from app.platform.enums import Role
from server.feed.record import record_change
from server.platform.auth import AuthUser
from tests.support.server import HANDLER, OTHER_HANDLER, UNIT

OTHER_UNIT = "roads"
SCOPE_EXIT = "scope_exit"  # spelt out, so that this file runs (and fails) on a server without them


def _user(srv, username: str) -> AuthUser:
    u = srv.refdata.user(username)
    return AuthUser(username, username, Role(u.role), u.unit_id)


def _snapshot(srv, username: str, kind: str = "case") -> set[str]:
    """The ids of `kind` a fresh full read (cursor 0) gives `username`."""
    page = srv.changes(username, after=0, limit=1000)
    assert not page["more"]
    assert all(c["kind"] != SCOPE_EXIT for c in page["changes"]), "a snapshot carries no scope exits"
    return {c["id"] for c in page["changes"] if c["kind"] == kind}


class Follower:
    """What a console keeps of one kind from reading the feed incrementally (its cursor survives)."""

    def __init__(self, srv, username: str, kind: str = "case"):
        self.srv, self.username, self.kind = srv, username, kind
        self.cursor, self.ids = 0, set()
        self.sync()

    def sync(self) -> list[dict]:
        seen = []
        while True:
            page = self.srv.changes(self.username, after=self.cursor, limit=1000)
            for change in page["changes"]:
                if change["kind"] == self.kind:
                    self.ids.add(change["id"])
                elif change["kind"] == SCOPE_EXIT and change["data"]["kind"] == self.kind:
                    self.ids.discard(change["id"])
            seen += page["changes"]
            self.cursor = page["cursors"]
            if not page["more"]:
                return seen


def _reassign(srv, case_id):
    return [srv.do("operator1", "reassign", case_id, {"unit_id": OTHER_UNIT})]


def _return_and_redispatch(srv, case_id):
    returned = srv.do(HANDLER, "return", case_id, {"reason": "not ours: a road drain"})
    return [returned, srv.do("operator1", "dispatch", case_id, {"unit_id": OTHER_UNIT})]


def _escalate_and_reassign(srv, case_id):
    escalated = srv.do("operator1", "escalate", case_id, {"reason": "no progress", "target_unit_id": OTHER_UNIT})
    return [escalated, srv.do("operator1", "reassign", case_id, {"unit_id": OTHER_UNIT})]


SCENARIOS = {"reassign": _reassign, "return_redispatch": _return_and_redispatch,
             "escalate_reassign": _escalate_and_reassign}


def test_a_reassigned_case_comes_to_its_old_units_handler_as_a_scope_exit_at_its_position(srv):
    case = srv.case_at("dispatched")
    before = srv.changes(HANDLER)["cursors"]
    (moved,) = _reassign(srv, case["id"])
    assert moved["status"] == "accepted", moved
    page = srv.changes(HANDLER, after=before)
    assert page["changes"] == [{"position": moved["position"], "kind": SCOPE_EXIT, "id": case["id"],
                                "data": {"kind": "case", "version": moved["case"]["version"]}}]
    # the new unit sees the case itself at that same position; a full read of the old unit shows nothing
    theirs = [c for c in srv.changes(OTHER_HANDLER)["changes"] if c["id"] == case["id"]]
    assert [(c["kind"], c["position"]) for c in theirs] == [("case", moved["position"])]
    assert case["id"] not in _snapshot(srv, HANDLER)
    # the desk sees the case as always, never an exit
    assert [c["kind"] for c in srv.changes("operator1", after=before)["changes"]] == ["case"]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_a_handlers_incremental_copy_equals_a_fresh_read_after_the_case_moves(srv, scenario, online):
    case = srv.case_at("dispatched")
    staying = srv.case_at("dispatched")  # stays with the unit throughout
    handler, other = Follower(srv, HANDLER), Follower(srv, OTHER_HANDLER)
    assert case["id"] in handler.ids and case["id"] not in other.ids
    for result in SCENARIOS[scenario](srv, case["id"]):
        assert result["status"] == "accepted", result
        if online:  # synced between the steps; offline: only after all of them, from the old cursor
            handler.sync()
            other.sync()
    handler.sync()
    other.sync()
    assert handler.ids == _snapshot(srv, HANDLER) and case["id"] not in handler.ids and staying["id"] in handler.ids
    assert other.ids == _snapshot(srv, OTHER_HANDLER) and case["id"] in other.ids


def test_the_ring_and_the_database_agree_on_scope_exits_for_every_cursor(single_srv):
    srv = single_srv  # every position of one position space against the reference reader
    cases = [srv.case_at("dispatched") for _ in range(3)]
    _reassign(srv, cases[0]["id"])
    _return_and_redispatch(srv, cases[1]["id"])
    srv.do("operator1", "note", cases[2]["id"], {"text": "still ours"})
    users = {name: _user(srv, name) for name in (HANDLER, OTHER_HANDLER)}
    users["operator1"] = AuthUser("operator1", "x", Role.OPERATOR)
    for name in users:
        srv.changes_after(name)  # logged in, ring started
    top = srv.changes_after("operator1", limit=1000)["cursor"]
    exits = 0
    for name, user in users.items():
        units = srv.ctx.feed_scope(user)
        for after in range(0, top + 1):
            for limit in (1, 2, 1000):
                expected = srv.ctx.read_changes(after, limit, user).to_dict()
                from_ring = srv.changes_after(name, after=after, limit=limit)
                from_db = json.loads(srv.ctx.read_changes_raw(after, limit, units).body("t"))
                assert {k: v for k, v in from_ring.items() if k != "server_time"} == expected, (name, after, limit)
                assert {k: v for k, v in from_db.items() if k != "server_time"} == expected, (name, after, limit)
                exits += sum(c["kind"] == SCOPE_EXIT for c in expected["changes"])
    assert exits  # the comparison covered scope exits


def test_a_waiting_long_poll_of_the_old_unit_wakes_for_the_exit(srv):
    case = srv.case_at("dispatched")
    cursor = srv.changes(HANDLER)["cursors"]
    box: list = []
    poll = threading.Thread(target=lambda: box.append(srv.changes(HANDLER, after=cursor, wait=20)))
    poll.start()
    time.sleep(0.3)  # let it wait (if it has not started waiting yet, it still finds the exit)
    (moved,) = _reassign(srv, case["id"])
    poll.join(25)
    assert box and [(c["kind"], c["id"], c["position"]) for c in box[0]["changes"]] == \
        [(SCOPE_EXIT, case["id"], moved["position"])]


def test_only_the_handlers_whose_units_the_case_left_are_told(srv):
    from server.admin.bootstrap import add_user
    add_user(srv.url, "repair_crew", "demo-repair_crew", "unit_handler", "roads_north_repair", "Repair crew")
    case = srv.case_at("registered")
    srv.do("operator1", "dispatch", case["id"], {"unit_id": "roads_north_repair"})
    crew, roads, water = Follower(srv, "repair_crew"), Follower(srv, OTHER_HANDLER), Follower(srv, HANDLER)
    srv.do("operator1", "reassign", case["id"], {"unit_id": OTHER_UNIT})  # up to the parent unit
    assert [c["kind"] for c in crew.sync()] == [SCOPE_EXIT]
    assert [c["kind"] for c in roads.sync()] == ["case"]  # the parent unit's handler still sees it
    assert water.sync() == []  # never had it: told nothing
    srv.do("operator1", "reassign", case["id"], {"unit_id": "power"})
    assert [c["kind"] for c in roads.sync()] == [SCOPE_EXIT]
    assert crew.sync() == [] and water.sync() == []  # the crew already knows; water never had it
    for follower in (crew, roads, water):
        assert follower.ids == _snapshot(srv, follower.username) and case["id"] not in follower.ids


def test_a_sensor_or_alarm_given_to_another_owner_leaves_its_old_units_feed(srv):
    def publish(kind: str, entity_id: str, owner: str) -> int:
        with srv.ctx.db.writer() as session, session.begin():
            return record_change(session, kind, entity_id, {"id": entity_id, "owner_unit_id": owner})

    publish("sensor", "S-1", UNIT)
    publish("alarm", "A-1", UNIT)
    sensors, alarms = Follower(srv, HANDLER, "sensor"), Follower(srv, HANDLER, "alarm")
    assert sensors.ids == {"S-1"} and alarms.ids == {"A-1"}
    moved = publish("sensor", "S-1", OTHER_UNIT)
    publish("alarm", "A-1", UNIT)  # still ours: no exit
    assert [(c["kind"], c["position"], c["data"]) for c in sensors.sync() if c["id"] == "S-1"] == \
        [(SCOPE_EXIT, moved, {"kind": "sensor"})]
    alarms.sync()
    assert sensors.ids == set() == _snapshot(srv, HANDLER, "sensor")
    assert alarms.ids == {"A-1"} == _snapshot(srv, HANDLER, "alarm")
    assert _snapshot(srv, OTHER_HANDLER, "sensor") == {"S-1"}
