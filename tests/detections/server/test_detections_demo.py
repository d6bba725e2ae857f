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
    assert "pending" in states and states <= {"pending", "opened", "joined", "ignored"}
    for row in rows:
        if row.source == "drone":  # the drone's detections carry their own place, inside the city
            assert lite.refdata.grid_at(row.lat, row.lon) is not None
        if row.state == "opened":
            r = lite.client.get(f"/api/cases/{row.case_id}", headers=lite.login("operator1"))
            assert r.status_code == 200 and r.json()["source"] == row.source
