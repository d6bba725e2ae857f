"""The server's repeat check (server/cases/repeats.py) and merging by hand, over HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.platform.geo import haversine_m
from tests.support.server import CATEGORY, HANDLER

LEAD = "lead1"


@pytest.fixture
def merging(make_harness, server_db_url):
    """A server with the repeat check on, as in production."""
    return make_harness(server_db_url, repeat_merge=True)


def _shifted(srv, metres_north: float) -> dict:
    lat, lon = srv.refdata.grids[0].centroid
    return {"lat": lat + metres_north / 111_195.0, "lon": lon, "address": "Hubin Rd 1"}


def test_a_second_report_at_the_same_spot_is_merged_into_the_first(merging):
    master = merging.new_case()
    result = merging.do("operator1", "create", uuid.uuid4(), merging.create_payload(
        location=_shifted(merging, 30), reporter_name="王芳", reporter_phone="13900000001"))
    assert result["status"] == "accepted"
    repeat = result["case"]
    # the reporter's answer already names the master: its number and where it stands
    assert repeat["status"] == "merged" and repeat["merged_into"] == master["id"]
    assert repeat["merged_number"] == master["number"] and repeat["merged_from"] == "reported"
    assert [e["action"] for e in repeat["events"]] == ["create", "merge"]
    merge = repeat["events"][1]
    assert merge["actor"] == "system" and merge["payload"]["master_id"] == master["id"]
    assert 29 <= merge["payload"]["distance_m"] <= 31
    # the master keeps its reports: the repeat points at it (indexed), with its own reporter
    with merging.ctx.db.reader() as session:
        from server.cases.repeats import reports_of
        reports = reports_of(session, uuid.UUID(master["id"]))
    assert [r["case_id"] for r in reports] == [repeat["id"]]
    # a merged case is no master for a third report: that one joins the first too
    third = merging.do("operator1", "create", uuid.uuid4(), merging.create_payload(location=_shifted(merging, -20)))
    assert third["case"]["merged_into"] == master["id"]


@pytest.mark.parametrize("overrides,why", [
    ({"category_code": "C0110"}, "an unrelated category"),
    ({"location": "far"}, "beyond the radius"),
])
def test_reports_that_are_not_repeats_stay_cases(merging, overrides, why):
    merging.new_case()
    if overrides.get("location") == "far":
        overrides = {"location": _shifted(merging, 260)}
        lat, lon = merging.refdata.grids[0].centroid
        assert haversine_m(lat, lon, overrides["location"]["lat"], lon) > 200  # hand check of the distance
    result = merging.do("operator1", "create", uuid.uuid4(), merging.create_payload(**overrides))
    assert result["case"]["status"] == "reported", why
    assert result["case"]["merged_into"] is None


def test_a_related_category_is_a_repeat(merging):
    master = merging.new_case(category_code="C0101")  # water supply cover
    result = merging.do("operator1", "create", uuid.uuid4(), merging.create_payload(category_code="C0102"))
    assert result["case"]["merged_into"] == master["id"]  # sewer cover: the public cannot tell them apart


def test_the_window_and_the_masters_end_bound_the_check(merging, clock):
    old = merging.new_case()
    clock.advance(hours=72, minutes=1)
    merging.forget_logins()
    late = merging.do("operator1", "create", uuid.uuid4(), merging.create_payload())["case"]
    assert late["status"] == "reported", "the first report is older than the category's 72 h window"
    assert merging.do("operator1", "void", late["id"], {"reason": "test"})["status"] == "accepted"
    assert merging.do("operator1", "void", old["id"], {"reason": "test"})["status"] == "accepted"
    after = merging.do("operator1", "create", uuid.uuid4(), merging.create_payload())["case"]
    assert after["status"] == "reported", "voided cases are no masters"


def test_the_desk_merges_and_unmerges_by_hand(srv):
    master = srv.new_case()
    repeat = srv.new_case()  # the harness's check is off: two open cases at one spot
    srv.do("operator1", "register", repeat["id"])
    # refusals first: each names what is wrong, and nothing changes
    handler = srv.do(HANDLER, "merge", repeat["id"], {"master_id": master["id"], "reason": "same cover"})
    assert handler["status"] == "rejected" and handler["reason"] in ("forbidden_role", "out_of_scope")
    own = srv.do("operator1", "merge", repeat["id"], {"master_id": repeat["id"], "reason": "same"})
    assert own["reason"] == "invalid_payload" and "itself" in own["message"]
    unknown = srv.do("operator1", "merge", repeat["id"], {"master_id": str(uuid.uuid4()), "reason": "same"})
    assert unknown["reason"] == "bad_master"
    no_reason = srv.do("operator1", "merge", repeat["id"], {"master_id": master["id"]})
    assert no_reason["reason"] == "invalid_payload" and "reason" in no_reason["message"]
    voided = srv.new_case()
    srv.do("operator1", "void", voided["id"], {"reason": "test"})
    closed = srv.do("operator1", "merge", repeat["id"], {"master_id": voided["id"], "reason": "same"})
    assert closed["reason"] == "bad_master" and "voided" in closed["message"]

    merged = srv.do("operator1", "merge", repeat["id"], {"master_id": master["id"], "reason": "same cover"})
    assert merged["status"] == "accepted", merged
    case = merged["case"]
    assert case["status"] == "merged" and case["merged_number"] == master["number"] and case["due_at"] is None
    refused = srv.do(HANDLER, "unmerge", repeat["id"], {"reason": "x"})
    assert refused["status"] == "rejected" and refused["reason"] in ("forbidden_role", "out_of_scope")
    back = srv.do(LEAD, "unmerge", repeat["id"], {"reason": "a different cover, 150 m on"})
    assert back["status"] == "accepted"
    case = back["case"]
    assert case["status"] == "registered" and case["merged_into"] is None and case["due_at"] is not None
    assert [e["action"] for e in case["events"]][-2:] == ["merge", "unmerge"]
    # audited like every command
    r = srv.client.get("/api/audit", params={"entity_id": repeat["id"]}, headers=srv.login(LEAD))
    assert r.status_code == 200, r.text
    assert {"merge", "unmerge"} <= {e["action"] for e in r.json()["entries"]}


def test_the_check_reads_the_cell_index_not_the_table(make_harness, pg_url):
    pg = make_harness(pg_url, repeat_merge=True)
    pg.new_case()
    with pg.ctx.db.writer() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        from app.cases.merging import cells_near
        from server.cases.repeats import _SELECT_NEAR
        lat, lon = pg.refdata.grids[0].centroid
        params = {"cells": cells_near(lat, lon, 200), "categories": [CATEGORY],
                  "since": pg.clock() - timedelta(hours=72), "until": pg.clock()}
        state = _SELECT_NEAR.compile(session.get_bind()).construct_expanded_state(params)
        plan = "\n".join(r[0] for r in session.connection().exec_driver_sql("EXPLAIN " + state.statement,
                                                                           state.parameters))
    assert "ix_cases_merge_cell" in plan, plan


def test_a_sensor_alarms_case_repeating_a_citizens_report_is_merged_into_it(make_harness, sqlite_url, clock, caplog):
    """The sensor path creates its case through the same command path: the server's check merges it."""
    from tests.support.sensor_support import KEY, alarms, feed_step

    srv = make_harness(sqlite_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5, repeat_merge=True)
    sensor = srv.refdata.sensor("rf-001")  # a rain gauge: category E0401 waterlogging (300 m, 24 h)
    citizen = srv.new_case(category_code=sensor.category_code, description="积水 water on the road",
                           location={"lat": sensor.lat + 100 / 111_195, "lon": sensor.lon, "address": "near the gauge"})
    feed_step(srv, "rf-001", clock.now, [60] * 6 + [60, 1])
    (alarm,) = alarms(srv, "rf-001")
    assert alarm["level"] == "alarm" and alarm["case_id"]
    r = srv.client.get(f"/api/cases/{alarm['case_id']}", headers=srv.login("lead1"))
    case = r.json()
    assert case["source"] == "sensor_alarm" and case["status"] == "merged"
    assert case["merged_into"] == citizen["id"] and case["merged_number"] == citizen["number"]
    assert [e["action"] for e in case["events"]] == ["create", "merge"]  # the master is the one worked on
    assert not [r for r in caplog.records if "refused" in r.getMessage()]  # nor was registering it tried


def test_a_repeat_in_a_batch_committed_as_one_group_is_merged_and_its_row_placed(merging):
    """A console's offline batch is committed in groups on PostgreSQL (`server.cases.group_commit`): its new
    cases meet the same repeat rules as a lone command's, and their rows carry the cell and place the next
    check reads (on SQLite the same batch is applied one command at a time)."""
    master = merging.new_case()
    repeat, elsewhere = uuid.uuid4(), uuid.uuid4()
    far = _shifted(merging, 5_000)
    results = merging.post("operator1",
                           merging.command("create", repeat, merging.create_payload(location=_shifted(merging, 25))),
                           merging.command("create", elsewhere, merging.create_payload(location=far)),
                           merging.command("note", elsewhere, {"text": "caller rang again"}))
    assert [r["status"] for r in results] == ["accepted"] * 3
    assert results[0]["case"]["status"] == "merged" and results[0]["case"]["merged_into"] == master["id"]
    assert results[1]["case"]["status"] == "reported" and results[1]["case"]["merged_into"] is None
    from sqlalchemy import select

    from db.cases import CaseRow

    with merging.ctx.db.reader() as session:
        rows = {str(r[0]): r[1:] for r in session.execute(
            select(CaseRow.id, CaseRow.merge_cell, CaseRow.merged_into, CaseRow.lat, CaseRow.lon)
            .where(CaseRow.id.in_([repeat, elsewhere])))}
    cell, into, lat, lon = rows[str(elsewhere)]
    assert cell is not None and into is None and (lat, lon) == (far["lat"], far["lon"])
    assert rows[str(repeat)][0] is None and str(rows[str(repeat)][1]) == master["id"]  # merged: no longer open
    # the open case written by the group is found by the next report's check
    again = merging.do("operator1", "create", uuid.uuid4(), merging.create_payload(location=far))
    assert again["case"]["merged_into"] == str(elsewhere)
