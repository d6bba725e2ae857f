"""POST /api/detections and the review queue's commands, over HTTP, on SQLite and PostgreSQL, as each role."""
from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest

from server.detections import reference

KEY = "gateway-key-1"
GATEWAY = {"X-OneGrid-Ingest-Key": KEY}
CAMERA = "cam-hubin-01"     # video AI at (30.2540667, 120.1629918)
DRONE = "drone-nest-01"     # no known place: its detections carry their own


def _jpeg() -> str:
    """A JPEG as the ingest checks it: its start-of-image marker and a JFIF header (the pixels are opaque)."""
    return base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(500) + b"\xff\xd9").decode()


@pytest.fixture
def det(make_harness, server_db_url):
    srv = make_harness(server_db_url, ingest_keys=KEY, repeat_merge=True)
    with srv.ctx.db.writer() as session, session.begin():
        reference.seed_if_empty(session, reference.demo_reference())
    return srv


def post(srv, expect: int = 200, headers=GATEWAY, **fields) -> dict:
    body = {"source": "video_ai", "camera_id": CAMERA, "type": "illegal_parking", "confidence": 0.9,
            "time": srv.clock().isoformat()} | fields
    body = {k: v for k, v in body.items() if v is not None}
    r = srv.client.post("/api/detections", json=body, headers=headers)
    assert r.status_code == expect, r.text
    return r.json()


def queue(srv, user="operator1", **params) -> dict:
    r = srv.client.get("/api/detections", params=params, headers=srv.login(user))
    assert r.status_code == 200, r.text
    return r.json()


def entity(srv, user, det_id, action, payload) -> dict:
    body = {"commands": [{"command_id": str(uuid.uuid4()), "kind": "detection", "entity_id": str(det_id),
                          "action": action, "payload": payload, "issued_at": srv.clock().isoformat()}]}
    r = srv.client.post("/api/commands", json=body, headers=srv.login(user))
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def test_a_detection_waits_in_the_review_queue_and_is_confirmed_into_a_case(det):
    answer = post(det, frame=_jpeg())
    d = answer["detection"]
    assert d["state"] == "pending" and d["category_code"] == "E0504" and not answer["duplicate"]
    assert (d["lat"], d["lon"]) == (30.2540667, 120.1629918)  # the camera's known place
    assert d["frame_url"] == f"/api/detections/{d['id']}/frame"
    frame = det.client.get(d["frame_url"], headers=det.login("operator1"))
    assert frame.status_code == 200 and frame.json()["content_type"] == "image/jpeg"
    assert base64.b64decode(frame.json()["data"]).startswith(b"\xff\xd8")
    q = queue(det)
    assert [x["id"] for x in q["detections"]] == [d["id"]] and q["counts"]["pending"] == 1
    # the console opens the case (case outbox first), then confirms the detection naming it
    case_id = uuid.uuid4()
    created = det.do("operator1", "create", case_id, det.create_payload(
        source="video_ai", category_code="E0504", description="illegal parking", frame_url=d["frame_url"],
        attachments=[d["frame_url"]], location={"lat": d["lat"], "lon": d["lon"], "address": d["camera_name"]}))
    assert created["status"] == "accepted" and created["case"]["frame_url"] == d["frame_url"]
    result = entity(det, "operator1", d["id"], "confirm", {"case_id": str(case_id)})
    assert result["status"] == "accepted", result
    assert result["data"]["state"] == "confirmed" and result["data"]["case_id"] == str(case_id)
    assert result["data"]["decided_by"] == "operator1"
    assert queue(det)["counts"] == {**queue(det)["counts"], "pending": 0, "confirmed": 1}
    again = entity(det, "lead1", d["id"], "reject", {"reason": "late"})
    assert again["status"] == "rejected" and again["reason"] == "not_pending" and "operator1" in again["message"]
    feed = det.changes("operator1")
    assert any(e["kind"] == "detection" and e["id"] == d["id"] for e in feed["changes"])
    # unit handlers do not see the queue, in the feed or by asking
    assert not any(e["kind"] == "detection" for e in det.changes("handler_water_supply")["changes"])


def test_reject_is_recorded_with_its_reason_and_counts_in_the_false_positive_rate(det):
    ids = [post(det, time=(det.clock() - timedelta(hours=2 * i)).isoformat())["detection"]["id"] for i in range(3)]
    # 3 detections 2 h apart (quiet period 30 min): each its own; confirm one, reject two
    assert len(set(ids)) == 3
    missing = entity(det, "operator1", ids[0], "confirm", {"case_id": str(uuid.uuid4())})
    assert missing["status"] == "rejected" and missing["reason"] == "no_case"
    no_reason = entity(det, "operator1", ids[1], "reject", {})
    assert no_reason["reason"] == "invalid_payload" and "reason" in no_reason["message"]
    handler = entity(det, "handler_water_supply", ids[1], "reject", {"reason": "x"})
    assert handler["reason"] == "forbidden" and handler["data"] is None
    case = det.new_case(category_code="E0504")
    assert entity(det, "operator1", ids[0], "confirm", {"case_id": case["id"]})["status"] == "accepted"
    for i in ids[1:]:
        r = entity(det, "lead1", i, "reject", {"reason": "a delivery van loading"})
        assert r["status"] == "accepted" and r["data"]["reason"] == "a delivery van loading"
    rates = det.client.get("/api/detections/rates", headers=det.login("lead1"))
    assert rates.status_code == 200, rates.text
    (row,) = rates.json()["rates"]
    # 2 rejected ÷ (1 confirmed + 2 rejected) = 0.667
    assert (row["camera_id"], row["type_code"], row["confirmed"], row["rejected"]) == (CAMERA, "illegal_parking", 1, 2)
    assert row["value"] == pytest.approx(2 / 3)
    assert det.client.get("/api/detections/rates", headers=det.login("operator1")).status_code == 403
    audit = det.client.get("/api/audit", params={"entity_kind": "detection"}, headers=det.login("lead1")).json()
    assert {"detection_confirm", "detection_reject"} <= {e["action"] for e in audit["entries"]}


def test_repeats_within_the_quiet_period_join_and_low_confidence_is_ignored(det):
    first = post(det, time=(det.clock() - timedelta(minutes=20)).isoformat())["detection"]
    second = post(det, time=(det.clock() - timedelta(minutes=10)).isoformat())["detection"]
    assert second["state"] == "joined" and second["repeat_of"] == first["id"]
    assert [x["repeats"] for x in queue(det)["detections"]] == [1]  # one item in the queue, seen twice
    low = post(det, confidence=0.3)["detection"]
    assert low["state"] == "ignored" and "below the minimum" in low["why"]
    other_type = post(det, type="exposed_rubbish")["detection"]
    assert other_type["state"] == "pending"  # another type is another thing
    case = det.new_case(category_code="E0504")
    entity(det, "operator1", first["id"], "confirm", {"case_id": case["id"]})
    joined = queue(det, state="joined")["detections"]
    assert [j["case_id"] for j in joined] == [case["id"]]  # the repeat followed its detection into the case
    third = post(det)["detection"]
    assert third["state"] == "joined" and third["case_id"] == case["id"]


def test_an_auto_open_type_opens_a_case_and_a_repeat_at_the_same_place_joins_it(det):
    d = post(det, source="drone", camera_id=DRONE, type="spilled_muck", lat=30.2514597, lon=120.1538294,
             confidence=0.8, frame=_jpeg())["detection"]
    assert d["state"] == "opened" and d["case_id"]
    r = det.client.get(f"/api/cases/{d['case_id']}", headers=det.login("operator1"))
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["source"] == "drone" and case["category_code"] == "E0303" and case["status"] == "reported"
    assert case["frame_url"] == d["frame_url"] and case["attachments"] == [d["frame_url"]]
    assert case["events"][0]["actor"] == "system:detections"
    # a video-AI camera sees the same muck 80 m away: it joins the open case instead of opening another
    near = post(det, camera_id="cam-yanan-02", type="spilled_muck", lat=30.2514597 + 80 / 111_195,
                lon=120.1538294)["detection"]
    assert near["state"] == "joined" and near["case_id"] == d["case_id"]
    # a hotline call about it is merged into the same case by the server's check
    call = det.do("operator1", "create", uuid.uuid4(), det.create_payload(
        category_code="E0303", location={"lat": 30.2514597, "lon": 120.1538294 + 0.0003}))
    assert call["case"]["status"] == "merged" and call["case"]["merged_into"] == d["case_id"]
    # a retry of the first detection is answered from the stored one; no second case
    again = post(det, id=d["id"], source="drone", camera_id=DRONE, type="spilled_muck", lat=30.2514597,
                 lon=120.1538294, confidence=0.8)
    assert again["duplicate"] and again["detection"]["case_id"] == d["case_id"]


@pytest.mark.parametrize("fields,status,code,field", [
    ({"camera_id": "cam-nowhere"}, 422, "unknown_camera", "camera_id"),
    ({"type": "flying_saucer"}, 422, "unknown_type", "type"),
    ({"source": "drone"}, 422, "wrong_source", "source"),
    ({"camera_id": DRONE, "source": "drone"}, 422, "bad_location", "lat"),
    ({"lat": 30.25}, 422, "bad_location", "lat"),
    ({"lat": 31.5, "lon": 121.0}, 422, "outside_city", "lat"),
    ({"lat": 95.0, "lon": 120.0}, 422, "invalid_request", "lat"),
    ({"time": "2030-01-01T00:00:00+00:00"}, 422, "future_time", "time"),
    ({"time": "2026-11-23T10:00:00"}, 422, "invalid_request", "time"),
    ({"confidence": 1.5}, 422, "invalid_request", "confidence"),
    ({"confidence": True}, 422, "invalid_request", "confidence"),
    ({"frame": "not base64!"}, 422, "bad_frame", "frame"),
    ({"frame": base64.b64encode(b"GIF89a....").decode()}, 422, "bad_frame", "frame"),
    ({"frame_url": "file:///etc/passwd"}, 422, "invalid_request", "frame_url"),
    ({"colour": "red"}, 422, "invalid_request", "colour"),
])
def test_bad_detections_are_refused_naming_what_is_wrong(det, fields, status, code, field):
    answer = post(det, expect=status, **fields)
    assert answer["error"] == code and field in answer["message"], answer
    assert queue(det)["counts"]["pending"] == 0  # nothing half-written


def test_a_frame_too_large_is_413(det):
    big = base64.b64encode(b"\xff\xd8\xff" + bytes(2 * 1024 * 1024 + 10)).decode()
    r = det.client.post("/api/detections", headers=GATEWAY, json={
        "source": "video_ai", "camera_id": CAMERA, "type": "illegal_parking", "confidence": 0.9,
        "time": det.clock().isoformat(), "frame": big})
    assert r.status_code == 413, r.text[:300]


def test_who_may_post_read_and_configure(det):
    assert post(det, expect=401, headers={})["error"] == "missing_credentials"
    assert post(det, expect=401, headers={"X-OneGrid-Ingest-Key": "wrong"})["error"] == "invalid_ingest_key"
    assert post(det, expect=403, headers=det.login("operator1"))["error"] == "forbidden"
    assert post(det, headers=det.login("admin"))["detection"]["state"] == "pending"
    d = queue(det)["detections"][0]
    for user, code in (("handler_water_supply", 403), ("inspector1", 403), ("lead1", 200), ("operator1", 200)):
        assert det.client.get("/api/detections", headers=det.login(user)).status_code == code, user
        assert det.client.get(d["frame_url"] or f"/api/detections/{d['id']}/frame",
                              headers=det.login(user)).status_code in ((404,) if code == 200 else (403,)), user
    ref = det.client.get("/api/detections/reference", headers=det.login("operator1")).json()
    assert det.client.put("/api/detections/reference", json=ref, headers=det.login("lead1")).status_code == 403
    bad = {**ref, "types": [{**ref["types"][0], "category_code": "Z9999"}]}
    r = det.client.put("/api/detections/reference", json=bad, headers=det.login("admin"))
    assert r.status_code == 422 and "Z9999" in r.json()["message"]
    ok = det.client.put("/api/detections/reference", json=ref, headers=det.login("admin"))
    assert ok.status_code == 200 and ok.json() == ref
