"""Jurisdictions in the feed and the endpoints (`app.platform.scope`, module docstring): the demo city's
district operator (`operator_cj`, district 330108) sees its district's cases only — in a full read, in the
incremental feed, in the long-poll's in-memory ring and through GET /api/cases/{id} —, may act on those only,
and is told (a scope exit) when a case it holds moves to another street outside its district; a city
operator sees both districts; a unit handler sees its unit's cases wherever they lie, as before."""
from __future__ import annotations

from sqlalchemy import text

from app.platform.enums import Role
from app.refdata.loading import load_demo_refdata
from server.feed.notifier import FeedNotifier
from server.feed.record import record_change
from server.platform.auth import AuthUser
from tests.feed.test_scope_exits import Follower, _snapshot
from tests.support.server import HANDLER, UNIT

DISTRICT = "330108"  # the demo city's second district
CITY_OPERATOR, DISTRICT_OPERATOR = "operator1", "operator_cj"

_REFDATA = load_demo_refdata()
HOME = next(g for g in _REFDATA.grids if g.code.startswith("330106"))     # the first district
AWAY = next(g for g in _REFDATA.grids if g.code.startswith(DISTRICT))     # the second


def _new_case(srv, grid, username: str = CITY_OPERATOR) -> dict:
    lat, lon = grid.centroid
    return srv.new_case(username, location={"lat": lat, "lon": lon, "address": grid.name})


def test_the_demo_city_has_two_districts_and_a_district_operator(refdata):
    assert {s[:6] for s in refdata.streets} == {"330106", DISTRICT}
    assert refdata.user(DISTRICT_OPERATOR).jurisdictions == (DISTRICT,)
    assert refdata.user(CITY_OPERATOR).jurisdictions == ()
    assert refdata.user_streets((DISTRICT,)) == {"330108001", "330108002"}
    assert refdata.user_streets(("3301",)) is None  # the whole city: everything, as before


def test_a_district_operator_reads_only_its_districts_cases(srv):
    home, away = _new_case(srv, HOME), _new_case(srv, AWAY)
    assert home["location"]["grid_code"].startswith("330106") and away["location"]["grid_code"].startswith(DISTRICT)
    assert {home["id"], away["id"]} <= _snapshot(srv, CITY_OPERATOR)
    assert _snapshot(srv, DISTRICT_OPERATOR) == {away["id"]}
    # the scope tags differ, so a console whose user's jurisdictions change starts again from 0
    assert srv.changes(DISTRICT_OPERATOR)["scope"] != srv.changes(CITY_OPERATOR)["scope"] == "all"
    # the district operator's own new case in its district reaches it incrementally
    follower = Follower(srv, DISTRICT_OPERATOR)
    mine = _new_case(srv, AWAY, DISTRICT_OPERATOR)
    other = _new_case(srv, HOME)
    follower.sync()
    assert follower.ids == {away["id"], mine["id"]} and other["id"] not in follower.ids


def test_a_unit_handler_still_sees_its_units_cases_in_any_district(srv):
    away = _new_case(srv, AWAY)
    for step, payload in (("register", {}), ("dispatch", {"unit_id": UNIT})):
        assert srv.do(CITY_OPERATOR, step, away["id"], payload)["status"] == "accepted"
    assert away["id"] in _snapshot(srv, HANDLER)


def test_get_and_commands_out_of_the_district_are_refused(srv):
    home, away = _new_case(srv, HOME), _new_case(srv, AWAY)
    headers = srv.login(DISTRICT_OPERATOR)
    refused = srv.client.get(f"/api/cases/{home['id']}", headers=headers)
    assert refused.status_code == 403 and "out_of_scope" in refused.text
    assert "manhole" not in refused.text  # nothing of the case's content
    assert srv.client.get(f"/api/cases/{away['id']}", headers=headers).status_code == 200
    assert srv.client.get(f"/api/cases/{home['id']}", headers=srv.login(CITY_OPERATOR)).status_code == 200
    result = srv.do(DISTRICT_OPERATOR, "register", home["id"])
    assert result["status"] == "rejected" and result["reason"] == "out_of_scope" and result["case"] is None
    assert srv.do(DISTRICT_OPERATOR, "register", away["id"])["status"] == "accepted"


def _move(srv, case_id: str, grid) -> None:
    """The case moved to `grid` (another street): its row, then its feed row, in one transaction."""
    with srv.ctx.db.writer() as session, session.begin():
        cid = case_id if session.get_bind().dialect.name == "postgresql" else case_id.replace("-", "")
        session.execute(text("UPDATE cases SET grid_code = :g, jurisdiction = :j WHERE id = :id"),
                        {"g": grid.code, "j": grid.jurisdiction, "id": cid})
        record_change(session, "case", case_id, scope="")


def test_a_case_that_leaves_the_district_leaves_its_operators_feed(srv):
    away = _new_case(srv, AWAY)
    follower = Follower(srv, DISTRICT_OPERATOR)
    assert away["id"] in follower.ids
    _move(srv, away["id"], HOME)
    seen = follower.sync()
    assert away["id"] not in follower.ids
    assert [c["kind"] for c in seen if c["id"] == away["id"]] == ["scope_exit"]
    assert follower.ids == _snapshot(srv, DISTRICT_OPERATOR)  # what it keeps = a fresh full read
    # the city operator keeps it: it never left the city
    assert away["id"] in _snapshot(srv, CITY_OPERATOR)
    _move(srv, away["id"], AWAY)  # back: the district operator gets it again
    follower.sync()
    assert away["id"] in follower.ids


def test_ring_pages_match_the_database_for_a_district_operator(make_harness, server_db_url, monkeypatch):
    """Every page of the in-memory ring (long-polls) equals the database read, for each cursor and limit, a
    case moving out of the district and back included."""
    monkeypatch.setitem(FeedNotifier.__init__.__kwdefaults__, "poll_interval_s", 3600.0)  # see test_feed_ring
    srv = make_harness(server_db_url, feed_partitions=False)  # one position space: every position compared
    for username in (DISTRICT_OPERATOR, CITY_OPERATOR):
        srv.changes_after(username)  # logs in and starts the ring
    assert srv.ctx.feed_ring.base == 0
    cases = [_new_case(srv, grid) for grid in (AWAY, HOME, AWAY, HOME)]
    _move(srv, cases[0]["id"], HOME)
    _move(srv, cases[2]["id"], HOME)
    _move(srv, cases[2]["id"], AWAY)
    top = srv.changes_after(CITY_OPERATOR, limit=1000)["cursor"]
    reads = srv.ctx.feed_ring.reads
    user = _auth(srv, DISTRICT_OPERATOR)
    exits = 0
    for after in range(0, top + 1):
        for limit in (1, 2, 1000):
            expected = srv.ctx.read_changes(after, limit, user).to_dict()
            got = {k: v for k, v in srv.changes_after(DISTRICT_OPERATOR, after=after, limit=limit).items()
                   if k != "server_time"}
            assert got == expected, (after, limit)
            exits += sum(c["kind"] == "scope_exit" for c in got["changes"])
    assert srv.ctx.feed_ring.reads == reads  # answered from memory
    assert exits > 0  # the first case's exit was among them
    assert {c["id"] for c in srv.changes_after(DISTRICT_OPERATOR, limit=1000)["changes"] if c["kind"] == "case"} == \
        {cases[2]["id"]}


def _auth(srv, username: str) -> AuthUser:
    u = srv.refdata.user(username)
    return AuthUser(username, username, Role(u.role), u.unit_id, u.jurisdictions)


def test_a_batch_committed_as_one_group_keeps_each_cases_district_in_the_feed(srv):
    """A console's batch is committed in groups on PostgreSQL (`server.cases.group_commit`): the feed rows
    it writes many at once carry each case's street like a lone command's, so the district operator reads
    its district's cases only (and, in SQLite, the same batch one at a time)."""
    import uuid

    def create(grid) -> dict:
        lat, lon = grid.centroid
        return srv.command("create", uuid.uuid4(), srv.create_payload(
            location={"lat": lat, "lon": lon, "address": grid.name}))

    batch = [create(HOME), create(AWAY), create(HOME), create(AWAY)]
    batch.append(srv.command("register", batch[0]["case_id"]))
    batch.append(srv.command("register", batch[1]["case_id"]))
    results = srv.post(CITY_OPERATOR, *batch)
    assert [r["status"] for r in results] == ["accepted"] * 6
    away = {batch[1]["case_id"], batch[3]["case_id"]}
    assert _snapshot(srv, DISTRICT_OPERATOR) == away
    assert {c["case_id"] for c in batch[:4]} <= _snapshot(srv, CITY_OPERATOR)
    with srv.ctx.db.reader() as session:
        streets = dict(session.execute(text(
            "SELECT entity_id, jurisdiction FROM feed WHERE kind = 'case'")).all())
    for command, grid in zip(batch[:4], (HOME, AWAY, HOME, AWAY)):
        assert streets[command["case_id"]] == grid.code[:9]
