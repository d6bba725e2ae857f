"""The demo's cameras and drone patrol (server/demo/detections.py): detections with drawn frames, through the
real ingest, into the review queue (and cases for the types that open them)."""
from __future__ import annotations

from sqlalchemy import select

from db.detections import DetectionFrameRow, DetectionRow
from server.demo.detections import DetectionSimulator


def test_the_demo_sends_detections_with_frames(lite):
    sim = DetectionSimulator(lite.ctx, seed=4)
    with lite.ctx.db.writer() as session, session.begin():
        from server.detections import reference
        assert reference.seed_if_empty(session, reference.demo_reference())
    for _ in range(30):
        sim.tick()
    assert sim.sent == 30
    with lite.ctx.db.reader() as session:
        rows = session.execute(select(DetectionRow)).scalars().all()
        frames = session.execute(select(DetectionFrameRow)).scalars().all()
    assert len(rows) == 30
    assert {r.source for r in rows} == {"video_ai", "drone"}
    assert {r.camera_id for r in rows} >= {"drone-nest-01"}
    assert len(frames) == 30 and all(f.data.startswith(b"\xff\xd8") for f in frames)  # JPEG
    states = {r.state for r in rows}
    assert "pending" in states and states <= {"pending", "opened", "joined", "ignored"}
    for row in rows:
        if row.source == "drone":  # the drone's detections carry their own place, inside the city
            assert lite.refdata.grid_at(row.lat, row.lon) is not None
        if row.state == "opened":
            r = lite.client.get(f"/api/cases/{row.case_id}", headers=lite.login("operator1"))
            assert r.status_code == 200 and r.json()["source"] == row.source
