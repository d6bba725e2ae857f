"""The demo's cameras and drone patrol (server/demo/detections.py): detections with drawn frames, through the
real ingest, into the review queue (and cases for the types that open them)."""
from __future__ import annotations

import struct
import zlib

from sqlalchemy import select

from db.detections import DetectionFrameRow, DetectionRow
from server.demo.detections import DetectionSimulator


def _png_colours(data: bytes) -> tuple[int, int, set]:
    """Read back an 8-bit RGB PNG (filter 0 rows, as the demo writes): its size and its distinct colours."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + width * 3
    colours = {raw[r * stride + 1 + i:r * stride + 4 + i] for r in range(height) for i in range(0, width * 3, 3)}
    return width, height, colours


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
    assert len(frames) == 30 and all(f.content_type == "image/png" for f in frames)
    width, height, colours = _png_colours(frames[0].data)
    assert (width, height) == (320, 200) and len(colours) >= 5  # ground, road, markings, the red box, the thing
    states = {r.state for r in rows}
    # a colleague reviewed some (confirmed or rejected); the rest wait for the console
    assert "pending" in states and states <= {"pending", "opened", "joined", "ignored", "confirmed", "rejected"}
    for row in rows:
        if row.source == "drone":  # the drone's detections carry their own place, inside the city
            assert lite.refdata.grid_at(row.lat, row.lon) is not None
        if row.state == "opened":
            r = lite.client.get(f"/api/cases/{row.case_id}", headers=lite.login("operator1"))
            assert r.status_code == 200 and r.json()["source"] == row.source


def test_a_colleague_reviews_some_detections_so_the_report_has_rates(lite):
    """The demo confirms (opening the case first, frame attached) or rejects the oldest waiting detection
    through the review dock's commands, so the performance report's false-positive rates have figures."""
    sim = DetectionSimulator(lite.ctx, seed=4)
    with lite.ctx.db.writer() as session, session.begin():
        from server.detections import reference
        assert reference.seed_if_empty(session, reference.demo_reference())
    sim.rng.random = lambda: 0.99  # no review while the detections arrive (0.99 > REVIEW_CHANCE)
    for _ in range(25):
        sim.tick()
    del sim.rng.random
    with lite.ctx.db.reader() as session:
        waiting = sorted((r.detected_at, str(r.id)) for r in session.execute(
            select(DetectionRow).where(DetectionRow.state == "pending")).scalars())
    assert len(waiting) >= 6
    taken = [sim.review_one() for _ in range(6)]
    assert set(taken) == {"confirm", "reject"}, taken
    with lite.ctx.db.reader() as session:
        rows = {str(r.id): r for r in session.execute(select(DetectionRow)).scalars()}
    reviewed = [rows[i] for _, i in waiting[:6]]  # the oldest first, as the review queue lists them
    assert [r.state for r in reviewed] == [{"confirm": "confirmed", "reject": "rejected"}[a] for a in taken]
    for row in reviewed:
        assert row.decided_by and row.decided_at is not None
        if row.state == "confirmed":
            case = lite.client.get(f"/api/cases/{row.case_id}", headers=lite.login("operator1")).json()
            assert case["source"] == row.source and case["category_code"] == row.category_code
            assert str(row.id) in case["description"]
    rates = lite.client.get("/api/detections/rates", headers=lite.login("lead1"))
    assert rates.status_code == 200
    body = rates.json()
    items = body["rates"] if isinstance(body, dict) and "rates" in body else body
    decided = sum(r["confirmed"] + r["rejected"] for r in items)
    assert decided == 6 and sum(r["rejected"] for r in items) == taken.count("reject")
