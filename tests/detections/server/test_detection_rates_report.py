"""The false-positive rates of the detections in the performance report (GET /api/metrics), as each role:
hand-worked — camera cam-hubin-01, type illegal_parking: 1 confirmed, 2 rejected in the day → 2 ÷ 3 = 0.667;
a unit's report has none (cameras are no unit's); a district lead sees the cameras of its district only."""
from __future__ import annotations

import uuid

import pytest

from server.detections import reference
from tests.detections.server.test_detections_api import KEY, entity, post

DAY = "2026-11-23"  # the harness's clock: Monday 10:00 in Shanghai


@pytest.fixture
def det(make_harness, server_db_url):
    srv = make_harness(server_db_url, ingest_keys=KEY, repeat_merge=True)
    with srv.ctx.db.writer() as session, session.begin():
        reference.seed_if_empty(session, reference.demo_reference())
    return srv


def _decide(srv, state: str) -> None:
    d = post(srv)["detection"]
    assert d["state"] == "pending"
    if state == "confirmed":
        case_id = uuid.uuid4()
        assert srv.do("operator1", "create", case_id, srv.create_payload(category_code="E0504"))["status"] == "accepted"
        assert entity(srv, "operator1", d["id"], "confirm", {"case_id": str(case_id)})["status"] == "accepted"
    else:
        assert entity(srv, "lead1", d["id"], "reject", {"reason": "false_positive"})["status"] == "accepted"
    srv.clock.advance(minutes=31)  # past the type's 30 min quiet period: the next one is a new detection
    srv.forget_logins()


def _rates(srv, user: str, expect: int = 200, **params):
    r = srv.client.get("/api/metrics", params={"start": DAY, "end": DAY, **params}, headers=srv.login(user))
    assert r.status_code == expect, r.text
    return r.json()["detection_rates"] if expect == 200 else r.json()


def test_the_report_carries_each_cameras_false_positive_rate(det):
    for state in ("confirmed", "rejected", "rejected"):
        _decide(det, state)
    post(det)  # pending: decided by no one yet, not counted
    for user in ("lead1", "admin"):
        (rate,) = _rates(det, user)
        assert (rate["camera_id"], rate["type_code"]) == ("cam-hubin-01", "illegal_parking")
        assert (rate["confirmed"], rate["rejected"]) == (1, 2)
        assert rate["value"] == pytest.approx(0.667, abs=0.001)  # 2 ÷ (1 + 2)
        assert rate["type_name"] == "Illegal parking" and rate["type_name_zh"]
    assert _rates(det, "lead1", unit="water_supply") == []  # a unit's report: cameras are no unit's
    assert len(_rates(det, "lead1", jurisdiction="3301")) == 1
    district = det.refdata.grid_at(30.2540667, 120.1629918).street[:6]  # where the camera sees
    assert len(_rates(det, "lead1", jurisdiction=district)) == 1
    assert _rates(det, "lead1", jurisdiction=({"330108", "330106"} - {district}).pop()) == []
    for user in ("operator1", "handler_water_supply"):  # the report is the leads' and admins'
        refused = _rates(det, user, 403)
        assert refused["error"] == "forbidden" and "detection_rates" not in refused
