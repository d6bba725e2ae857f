"""Photos of cases closed longer than the retention period are removed by the maintenance sweep, with an
audit entry; files another case still uses stay; unfinished uploads are dropped after a week."""
from __future__ import annotations

from sqlalchemy import select

from db.audit import AuditEntryRow
from db.photos import PhotoBlobRow, PhotoRow, PhotoUploadRow
from server.maintenance import maintenance_round
from tests.photos.pictures import jpeg_bytes, png_bytes
from tests.photos.server.uploading import start, upload
from tests.support.server import HANDLER


def _closed_case(h) -> dict:
    case = h.case_at("verifying")
    assert h.do("inspector1", "verify_pass", case["id"], {})["status"] == "accepted"
    closed = h.do("lead1", "close", case["id"], {})
    assert closed["status"] == "accepted"
    return closed["case"]


def test_retention_removes_photos_of_long_closed_cases(make_harness, server_db_url, tmp_path):
    h = make_harness(server_db_url, photo_storage=str(tmp_path / "store"), photo_retention_days=30)
    closed = _closed_case(h)
    open_case = h.case_at("in_progress")
    own, shared = jpeg_bytes(noise=True), png_bytes()
    own_photo = upload(h, HANDLER, closed["id"], own, step="report").json()["photo"]
    upload(h, HANDLER, closed["id"], shared, step="report")
    upload(h, HANDLER, open_case["id"], shared, step="report")
    start(h, HANDLER, open_case["id"], jpeg_bytes(noise=True, color=(1, 1, 1)))  # never finished
    blob_file = tmp_path / "store" / "blobs" / own_photo["sha256"][:2] / own_photo["sha256"]
    assert blob_file.exists()

    h.clock.advance(days=29)
    maintenance_round(h.ctx)
    with h.ctx.db.reader() as s:
        assert len(s.execute(select(PhotoRow)).all()) == 3  # within the period: kept
        assert s.execute(select(PhotoUploadRow)).all() == []  # the unfinished upload is older than a week

    h.clock.advance(days=2)
    maintenance_round(h.ctx)
    with h.ctx.db.reader() as s:
        left = s.execute(select(PhotoRow.case_id)).scalars().all()
        blobs = set(s.execute(select(PhotoBlobRow.sha256)).scalars())
        uploads = s.execute(select(PhotoUploadRow)).all()
        entries = s.execute(select(AuditEntryRow).where(AuditEntryRow.action == "photo_retention")).scalars().all()
    assert [str(c) for c in left] == [open_case["id"]]
    assert own_photo["sha256"] not in blobs and len(blobs) == 1  # the shared file stays
    assert not blob_file.exists()
    assert uploads == []
    first, entry = sorted(entries, key=lambda e: e.seq)
    assert first.detail["uploads"] == 1 and first.detail["photos"] == 0
    assert entry.detail["photos"] == 2 and entry.detail["files"] == 1 and entry.detail["uploads"] == 0
    assert entry.detail["case_ids"] == [closed["id"]] and entry.actor == "system:retention"
    # the open case's photo is still served
    h.forget_logins()  # a month later: the tokens have expired
    listed = h.client.get(f"/api/cases/{open_case['id']}/photos", headers=h.login("lead1")).json()["photos"]
    pid = listed[0]["photo_id"]
    assert h.client.get(f"/api/photos/{pid}/full", headers=h.login("lead1")).content == shared
    # a second sweep has nothing to do and writes no entry
    maintenance_round(h.ctx)
    with h.ctx.db.reader() as s:
        assert len(s.execute(select(AuditEntryRow).where(AuditEntryRow.action == "photo_retention")).all()) == 2
