"""Every reporter of a master case is called back (server/cases/reporters.py, app/cases/callbacks.py): the
closure lists the merged reporters, each call has its own result, as each role, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.cases.case import Case
from app.metrics import satisfaction
from db.metrics import MetricFactRow
from tests.support.server import HANDLER, UNIT


@pytest.fixture
def merging(make_harness, server_db_url):
    return make_harness(server_db_url, repeat_merge=True)


def _near(srv, metres_north: float) -> dict:
    lat, lon = srv.refdata.grids[0].centroid
    return {"lat": lat + metres_north / 111_195.0, "lon": lon, "address": "Hubin Rd 1"}


def _report(srv, metres: float, **create) -> dict:
    result = srv.do("operator1", "create", uuid.uuid4(), srv.create_payload(location=_near(srv, metres), **create))
    assert result["status"] == "accepted", result
    return result["case"]


def _close(srv, case: dict) -> dict:
    for user, action, payload in [("operator1", "register", {}), ("operator1", "dispatch", {"unit_id": UNIT}),
                                  (HANDLER, "accept", {}), (HANDLER, "report_handled", {"note": "fixed"}),
                                  ("operator1", "send_verify", {}), ("inspector1", "verify_pass", {}),
                                  ("lead1", "close", {})]:
        result = srv.do(user, action, case["id"], payload)
        assert result["status"] == "accepted", result
        case = result["case"]
    return case


def _master_with_three_reporters(srv):
    master = _report(srv, 0, reporter_name="王先生", reporter_phone="13800000001")
    hotline = _report(srv, 20, reporter_name="李女士", reporter_phone="13800000002")
    app_user = _report(srv, -15, source="citizen_app", reporter_phone="13800000003")
    inspector = _report(srv, 10, source="grid_inspector", reporter_name="巡查员")
    nophone = _report(srv, 5, reporter_name="匿名")
    for repeat in (hotline, app_user, inspector, nophone):
        assert repeat["merged_into"] == master["id"]
    return master, hotline, app_user


def test_the_closure_lists_the_merged_reporters_to_call(merging):
    master, hotline, app_user = _master_with_three_reporters(merging)
    closed = _close(merging, master)
    closing = closed["events"][-1]
    assert closing["action"] == "close"
    # the inspector's report and the report without a phone have nobody to call back
    assert closing["payload"]["callback_reports"] == [
        {"case_id": hotline["id"], "number": hotline["number"]},
        {"case_id": app_user["id"], "number": app_user["number"]}]
    # the history the consoles read says the same
    (stored,) = [c for c in _feed_cases(merging, "operator1") if c["id"] == master["id"]]
    assert stored["events"][-1]["payload"]["callback_reports"] == closing["payload"]["callback_reports"]


def _feed_cases(srv, user: str) -> list[dict]:
    out = []
    for change in srv.changes(user)["changes"]:
        if change.get("kind") == "case" and change.get("data"):
            out.append(change["data"])
    return out


def test_each_reporter_is_called_with_its_own_result(merging):
    master, hotline, app_user = _master_with_three_reporters(merging)
    closed = _close(merging, master)
    mid = closed["id"]
    own = merging.do("operator1", "record_callback", mid, {"reached": True, "satisfaction": "satisfied"})
    assert own["status"] == "accepted"
    first = merging.do("operator1", "record_callback", mid, {"reached": False, "report_id": hotline["id"]})
    assert first["status"] == "accepted"
    assert first["case"]["report_callbacks"][0]["attempts"] == 1
    second = merging.do("operator1", "record_callback", mid,
                        {"reached": True, "satisfaction": "satisfied", "report_id": hotline["id"]})
    assert second["status"] == "accepted"
    (cb,) = second["case"]["report_callbacks"]
    assert (cb["report_id"], cb["number"], cb["attempts"], cb["reached"]) == (
        hotline["id"], hotline["number"], 2, True)
    # the task stays open while one reporter is not reached
    case = Case.model_validate(second["case"])
    from app.cases import callbacks
    assert [r.report_id for r in callbacks.to_call(case)] == [uuid.UUID(app_user["id"])]
    last = merging.do("lead1", "record_callback", mid,
                      {"reached": True, "satisfaction": "dissatisfied", "note": "smell", "report_id": app_user["id"]})
    assert last["status"] == "accepted"
    case = Case.model_validate(last["case"])
    assert not callbacks.callback_open(case) and callbacks.awaiting_lead(case)
    # one closure, every reporter called, one reporter dissatisfied: called back, not satisfied
    facts = [(f.kind, f.met) for f in satisfaction.callback_facts(case)]
    assert facts == [("cb_due", True), ("cb_reached", False)]
    # the server stored the same facts in the commands' transactions (its report counts them)
    with merging.ctx.db.reader() as session:
        stored = session.execute(select(MetricFactRow.kind, MetricFactRow.met).where(
            MetricFactRow.case_id == uuid.UUID(mid), MetricFactRow.kind.in_(["cb_due", "cb_reached"]))
            .order_by(MetricFactRow.kind)).all()
    assert [tuple(r) for r in stored] == [("cb_due", True), ("cb_reached", False)]
    # the lead's decline answers the dissatisfied reporter; the task ends
    declined = merging.do("lead1", "decline_reopen", mid, {"reason": "done to the standard"})
    assert declined["status"] == "accepted"
    assert [c["declined_by"] for c in declined["case"]["report_callbacks"]] == [None, "lead1"]
    assert not callbacks.awaiting_lead(Case.model_validate(declined["case"]))


def test_refusals_name_what_was_wrong_as_each_role(merging):
    master, hotline, _app_user = _master_with_three_reporters(merging)
    mid = _close(merging, master)["id"]
    for user in (HANDLER, "inspector1"):
        refused = merging.do(user, "record_callback", mid, {"reached": False, "report_id": hotline["id"]})
        assert refused["status"] == "rejected" and refused["reason"] in ("forbidden_role", "out_of_scope"), user
    unknown = merging.do("operator1", "record_callback", mid, {"reached": False, "report_id": str(uuid.uuid4())})
    assert unknown["reason"] == "unknown_report" and "not a report merged into this case" in unknown["message"]
    merging.do("operator1", "record_callback", mid, {"reached": True, "satisfaction": "basically_satisfied",
                                                     "report_id": hotline["id"]})
    again = merging.do("operator1", "record_callback", mid, {"reached": False, "report_id": hotline["id"]})
    assert again["reason"] == "precondition" and "already called back" in again["message"]
    bad = merging.do("operator1", "record_callback", mid, {"reached": False, "report_id": "not-a-uuid"})
    assert bad["status"] == "rejected" and "report_id" in bad["message"]
    r = merging.client.get("/api/audit", params={"entity_id": mid}, headers=merging.login("lead1"))
    results = [e["result"] for e in r.json()["entries"] if e["action"] == "record_callback"]
    assert "rejected" in results and "accepted" in results  # every attempt is audited


def test_a_callback_on_a_master_without_a_citizen_of_its_own(merging):
    master = _report(merging, 0, source="grid_inspector")
    citizen = _report(merging, 12, reporter_phone="13800000009")
    closed = _close(merging, master)
    mid = closed["id"]
    own = merging.do("operator1", "record_callback", mid, {"reached": False})
    assert own["reason"] == "precondition" and "name the merged report" in own["message"]
    ok = merging.do("operator1", "record_callback", mid, {"reached": True, "satisfaction": "satisfied",
                                                          "report_id": citizen["id"]})
    assert ok["status"] == "accepted"
    facts = [(f.kind, f.met) for f in satisfaction.callback_facts(Case.model_validate(ok["case"]))]
    assert facts == [("cb_due", True), ("cb_reached", True)]
