"""The detections' writer (server/detections/writer.py): detections that arrive together are decided and
stored in one transaction, each answered on its own, in order; one refused writes nothing and stops no
other; a batch the database fails is written again one by one. SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from app.wire.detections import DetectionIn
from db.cases import CaseRow
from db.detections import DetectionRow
from server.detections import ingest, reference
from server.detections.writer import DetectionWriter
from server.platform.errors import ApiError

KEY = "gateway-key-1"


@pytest.fixture
def det(make_harness, server_db_url):
    srv = make_harness(server_db_url, ingest_keys=KEY, repeat_merge=True)
    with srv.ctx.db.writer() as session, session.begin():
        reference.seed_if_empty(session, reference.demo_reference())
    return srv


def _body(srv, **fields) -> DetectionIn:
    return DetectionIn.model_validate({"source": "video_ai", "camera_id": "cam-hubin-01", "type": "illegal_parking",
                                       "confidence": 0.9, "time": srv.clock().isoformat()} | fields)


def _count(srv, model=DetectionRow) -> int:
    with srv.ctx.db.reader() as session:
        return session.execute(select(func.count()).select_from(model)).scalar()


def test_one_batch_answers_each_detection_in_order(det):
    first_id = uuid.uuid4()
    incoming = [ingest.check(det.ctx, b) for b in (
        _body(det, id=str(first_id)),
        _body(det),                                                  # same camera and type: joins the first
        _body(det, camera_id="cam-nowhere"),                         # refused alone
        _body(det, id=str(first_id)),                                # a retry within the batch: the first's answer
        _body(det, camera_id="cam-yanan-02", type="spilled_muck"),   # opens a case
        _body(det, id=str(first_id), camera_id="cam-yanan-02"),      # the first's id from another camera
    )]
    answers = ingest.receive_all(det.ctx, incoming)
    first, joined, unknown, retry, opened, stolen = answers
    assert first["detection"]["state"] == "pending" and not first["duplicate"]
    assert joined["detection"]["state"] == "joined" and joined["detection"]["repeat_of"] == str(first_id)
    assert isinstance(unknown, ApiError) and unknown.status == 422 and unknown.error == "unknown_camera"
    assert retry == {"detection": first["detection"], "duplicate": True}
    assert opened["detection"]["state"] == "opened"
    assert isinstance(stolen, ApiError) and stolen.error == "id_in_use"
    assert _count(det) == 3  # the refused ones wrote nothing
    with det.ctx.db.reader() as session:
        case = session.get(CaseRow, uuid.UUID(opened["detection"]["case_id"]))
        stored_first = session.get(DetectionRow, first_id)
    assert case is not None and case.category_code == "E0303"
    assert stored_first.data["repeats"] == 1  # the review queue's "seen again" counted in the same batch
    # in the feed, the first with its count, each once
    feed = [e for e in det.changes("operator1")["changes"] if e["kind"] == "detection"]
    assert sorted(e["id"] for e in feed) == sorted({first["detection"]["id"], joined["detection"]["id"],
                                                    opened["detection"]["id"]})


def test_the_writer_batches_what_arrives_together(det):
    writer = DetectionWriter(det.ctx, window_s=0.2)
    writer.start()
    try:
        cameras = ["cam-hubin-01", "cam-yanan-02"]
        futures = [writer.submit(ingest.check(det.ctx, _body(det, camera_id=cameras[i % 2], confidence=0.8 + i / 100)))
                   for i in range(12)]
        futures.append(writer.submit(ingest.check(det.ctx, _body(det, type="no_such_type"))))
        answers = [f.result(10) for f in futures[:-1]]
        with pytest.raises(ApiError) as refused:
            futures[-1].result(10)
    finally:
        writer.stop()
    assert refused.value.error == "unknown_type"
    assert writer.batches < len(futures)  # written together, not one transaction each
    assert [a["detection"]["state"] for a in answers[:2]] == ["pending", "pending"]
    assert all(a["detection"]["state"] == "joined" for a in answers[2:])
    assert _count(det) == 12


def test_a_batch_the_database_fails_is_written_again_one_by_one(det, monkeypatch):
    real = ingest.record_changes
    failed = threading.Event()

    def fail_the_batch(session, changes):
        if len(changes) > 1 and not failed.is_set():
            failed.set()
            raise RuntimeError("the database refused the batch")
        return real(session, changes)

    monkeypatch.setattr(ingest, "record_changes", fail_the_batch)
    writer = DetectionWriter(det.ctx, window_s=0.2)
    writer.start()
    try:
        futures = [writer.submit(ingest.check(det.ctx, _body(det, camera_id=c)))
                   for c in ("cam-hubin-01", "cam-yanan-02")]
        answers = [f.result(10) for f in futures]
    finally:
        writer.stop()
    assert failed.is_set() and writer.batches == 3  # the batch, then each alone
    assert [a["detection"]["state"] for a in answers] == ["pending", "pending"]
    assert _count(det) == 2


def test_http_answers_come_from_the_writer(det):
    assert det.ctx.detection_writer is not None and det.ctx.detection_writer.running
    before = det.ctx.detection_writer.batches
    r = det.client.post("/api/detections", headers={"X-OneGrid-Ingest-Key": KEY},
                        json={"source": "video_ai", "camera_id": "cam-hubin-01", "type": "illegal_parking",
                              "confidence": 0.9, "time": det.clock().isoformat()})
    assert r.status_code == 200 and r.json()["detection"]["state"] == "pending"
    assert det.ctx.detection_writer.batches == before + 1
    bad = det.client.post("/api/detections", headers={"X-OneGrid-Ingest-Key": KEY},
                          json={"source": "video_ai", "camera_id": "nope", "type": "illegal_parking",
                                "confidence": 0.9, "time": det.clock().isoformat()})
    assert bad.status_code == 422 and bad.json()["error"] == "unknown_camera", bad.text


def test_each_detection_of_a_batch_gets_its_own_master(det):
    """One read of the index for the batch, each master by the rule: a detection 30 m from an open case of
    its category joins it; one at another camera ~700 m away, of the same category, does not."""
    lat, lon = 30.2540667, 120.1629918  # cam-hubin-01
    case = det.new_case(category_code="E0504", location={"lat": lat + 30 / 111_195, "lon": lon, "address": "x"})
    near, far = ingest.receive_all(det.ctx, [
        ingest.check(det.ctx, _body(det)),
        ingest.check(det.ctx, _body(det, camera_id="cam-yanan-02"))])  # ~700 m away
    assert (near["detection"]["state"], near["detection"]["case_id"]) == ("joined", case["id"])
    assert (far["detection"]["state"], far["detection"]["case_id"]) == ("pending", None)
