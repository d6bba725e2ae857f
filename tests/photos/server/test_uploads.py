"""Uploads over HTTP on SQLite and PostgreSQL: chunked and resumable, stored complete or not at all,
scoped like the case endpoints, and every bad file refused with its reason."""
from __future__ import annotations

import hashlib
import io
import uuid

from PIL import Image
from sqlalchemy import func, select

from db.photos import PhotoBlobRow, PhotoChunkRow, PhotoRow, PhotoUploadRow
from tests.photos.pictures import bomb_png, jpeg_bytes, png_bytes
from tests.photos.server.uploading import chunk, start, upload
from tests.support.server import HANDLER, OTHER_HANDLER


def _counts(h) -> dict[str, int]:
    with h.ctx.db.reader() as session:
        return {row.__tablename__: session.execute(select(func.count()).select_from(row)).scalar_one()
                for row in (PhotoRow, PhotoBlobRow, PhotoUploadRow, PhotoChunkRow)}


def test_a_chunked_upload_becomes_a_photo_with_its_facts_and_files(photo_srv):
    h = photo_srv
    case = h.case_at("in_progress")
    data = jpeg_bytes(1200, 800, noise=True, orientation=6, taken="2026:12:07 09:30:00", gps=(30.5, 114.3))
    r = start(h, HANDLER, case["id"], data)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["complete"] is False and first["received"] == 0 and first["size"] == len(data)
    half = len(data) // 2
    r = chunk(h, HANDLER, first["upload_id"], 0, data[:half])
    assert r.json() == {**first, "received": half}
    assert _counts(h)["photos"] == 0  # half a file is no photo
    r = chunk(h, HANDLER, first["upload_id"], half, data[half:])
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["complete"] and done["upload_id"] is None
    photo = done["photo"]
    assert photo["sha256"] == hashlib.sha256(data).hexdigest() and photo["mime"] == "image/jpeg"
    assert (photo["width"], photo["height"]) == (800, 1200)  # upright
    assert photo["taken_at"] == "2026-12-07T09:30:00" and round(photo["lat"], 3) == 30.5
    assert photo["uploaded_by"] == HANDLER and photo["step"] == "handled" and photo["has_thumbnail"]
    assert _counts(h) == {"photos": 1, "photo_blobs": 1, "photo_uploads": 0, "photo_chunks": 0}
    # the files, by the photo's random id
    full = h.client.get(f"/api/photos/{photo['photo_id']}/full", headers=h.login("lead1"))
    assert full.status_code == 200 and full.content == data and full.headers["content-type"] == "image/jpeg"
    thumb = h.client.get(f"/api/photos/{photo['photo_id']}/thumbnail", headers=h.login("operator1"))
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.content)).size == (213, 320)
    listed = h.client.get(f"/api/cases/{case['id']}/photos", headers=h.login(HANDLER)).json()["photos"]
    assert [p["photo_id"] for p in listed] == [photo["photo_id"]]
    # the audit trail names it
    entries = h.client.get("/api/audit", params={"action": "photo_attach"}, headers=h.login("lead1")).json()
    assert any(e["detail"]["photo_id"] == photo["photo_id"] for e in entries["entries"])


def test_a_cut_upload_resumes_where_the_server_is_and_a_stale_chunk_is_refused(photo_srv):
    h = photo_srv
    case = h.case_at("in_progress")
    data = jpeg_bytes(900, 600, noise=True)
    upload_id = start(h, HANDLER, case["id"], data).json()["upload_id"]
    assert chunk(h, HANDLER, upload_id, 0, data[:50_000]).status_code == 200
    # the console lost the answer and starts again: the same upload, at the server's offset
    again = start(h, HANDLER, case["id"], data).json()
    assert again["upload_id"] == upload_id and again["received"] == 50_000
    assert h.client.get(f"/api/photos/uploads/{upload_id}", headers=h.login(HANDLER)).json()["received"] == 50_000
    stale = chunk(h, HANDLER, upload_id, 0, data[:50_000])  # a replayed chunk
    assert stale.status_code == 409 and stale.json()["error"] == "offset_mismatch"
    assert stale.json()["details"] == [{"received": 50_000}]
    done = chunk(h, HANDLER, upload_id, 50_000, data[50_000:])
    assert done.json()["complete"]
    # a replayed upload after completion stores nothing again and answers the photo
    replay = start(h, HANDLER, case["id"], data)
    assert replay.json()["complete"] and replay.json()["photo"]["photo_id"] == done.json()["photo"]["photo_id"]
    assert _counts(h)["photos"] == 1
    gone = chunk(h, HANDLER, upload_id, len(data), b"x")
    assert gone.status_code == 404 and gone.json()["error"] == "unknown_upload"


def test_content_already_stored_is_attached_without_sending_it_again(photo_srv):
    h = photo_srv
    a, b = h.case_at("in_progress"), h.case_at("in_progress")
    data = png_bytes()
    assert upload(h, HANDLER, a["id"], data).json()["complete"]
    r = start(h, HANDLER, b["id"], data, step="report")
    assert r.json()["complete"] and r.json()["photo"]["case_id"] == b["id"]
    assert _counts(h) == {"photos": 2, "photo_blobs": 1, "photo_uploads": 0, "photo_chunks": 0}


def _refused(r, status: int, error: str) -> None:
    assert r.status_code == status, r.text
    assert r.json()["error"] == error and r.json()["message"]


def test_bad_files_are_refused_with_a_reason_and_nothing_half_stored(photo_srv):
    h = photo_srv
    case = h.case_at("in_progress")
    cid = case["id"]
    # a 2 GB file declared
    _refused(start(h, HANDLER, cid, b"x", size=2 * 1024 ** 3), 413, "too_large")
    # a lying extension: an executable named .jpg, refused at its first chunk by its magic bytes
    _refused(upload(h, HANDLER, cid, b"MZ\x90\x00" + b"\x00" * 5000, filename="evidence.jpg"), 415,
             "unsupported_type")
    # a corrupt image: a JPEG cut short
    _refused(upload(h, HANDLER, cid, jpeg_bytes(600, 400, noise=True)[:20_000]), 422, "corrupt_image")
    # a decompression bomb
    _refused(upload(h, HANDLER, cid, bomb_png()), 422, "decompression_bomb")
    # bytes that are not what was declared
    data = png_bytes()
    _refused(upload(h, HANDLER, cid, data, sha="0" * 64), 422, "hash_mismatch")
    # more bytes than declared
    upload_id = start(h, HANDLER, cid, data, size=10).json()["upload_id"]
    _refused(chunk(h, HANDLER, upload_id, 0, data), 422, "too_long")
    # a bad declaration
    bad = h.client.post("/api/photos/uploads", json={"case_id": cid, "step": "lunch", "sha256": "xyz", "size": -1},
                        headers=h.login(HANDLER))
    assert bad.status_code == 422
    assert {tuple(d["loc"])[-1] for d in bad.json()["details"]} >= {"step", "sha256", "size"}
    assert _counts(h)["photos"] == 0 and _counts(h)["photo_blobs"] == 0 and _counts(h)["photo_chunks"] == 0


def test_count_per_step_is_limited(make_harness, server_db_url, tmp_path):
    h = make_harness(server_db_url, photo_storage=str(tmp_path / "s"), photo_max_per_step=2)
    cid = h.case_at("in_progress")["id"]
    for i in range(2):
        assert upload(h, HANDLER, cid, png_bytes(10 + i, 10)).json()["complete"]
    _refused(start(h, HANDLER, cid, png_bytes(30, 30)), 409, "too_many")
    assert upload(h, HANDLER, cid, png_bytes(30, 30), step="report").json()["complete"]


def test_scope_and_tokens(photo_srv):
    h = photo_srv
    case = h.case_at("in_progress")
    photo = upload(h, HANDLER, case["id"], png_bytes()).json()["photo"]
    pid = photo["photo_id"]
    # another unit's handler reaches nothing of it, and learns nothing of it
    for r in (start(h, OTHER_HANDLER, case["id"], png_bytes(5, 5)),
              h.client.get(f"/api/cases/{case['id']}/photos", headers=h.login(OTHER_HANDLER)),
              h.client.get(f"/api/photos/{pid}", headers=h.login(OTHER_HANDLER)),
              h.client.get(f"/api/photos/{pid}/full", headers=h.login(OTHER_HANDLER)),
              h.client.get(f"/api/photos/{pid}/thumbnail", headers=h.login(OTHER_HANDLER))):
        _refused(r, 403, "out_of_scope")
        assert photo["sha256"] not in r.text
    # every desk role sees it
    for user in ("operator1", "lead1", "inspector1", "admin", HANDLER):
        assert h.client.get(f"/api/photos/{pid}/thumbnail", headers=h.login(user)).status_code == 200, user
    # no token, a made-up token, an unknown photo, an unknown case
    assert h.client.get(f"/api/photos/{pid}/full").status_code == 401
    assert h.client.get(f"/api/photos/{pid}/full", headers={"Authorization": "Bearer nope"}).status_code == 401
    _refused(h.client.get(f"/api/photos/{uuid.uuid4()}/full", headers=h.login("lead1")), 404, "not_found")
    _refused(start(h, HANDLER, uuid.uuid4(), png_bytes()), 404, "not_found")
    assert h.client.get(f"/api/photos/{pid}/original", headers=h.login("lead1")).status_code == 422
    # an upload started in scope cannot be continued by someone else
    upload_id = start(h, HANDLER, case["id"], jpeg_bytes()).json()["upload_id"]
    _refused(chunk(h, OTHER_HANDLER, upload_id, 0, b"\xff\xd8\xff"), 403, "out_of_scope")
    _refused(chunk(h, "operator1", upload_id, 0, b"\xff\xd8\xff"), 403, "forbidden")


def test_a_damaged_stored_file_is_never_served(photo_srv, tmp_path):
    h = photo_srv
    case = h.case_at("in_progress")
    photo = upload(h, HANDLER, case["id"], png_bytes()).json()["photo"]
    stored = tmp_path / "photo-store" / "blobs" / photo["sha256"][:2] / photo["sha256"]
    stored.write_bytes(stored.read_bytes()[:-1] + b"\x00")
    _refused(h.client.get(f"/api/photos/{photo['photo_id']}/full", headers=h.login("lead1")), 503,
             "storage_unavailable")


def test_metadata_stripped_when_the_centre_says_so(make_harness, server_db_url, tmp_path):
    h = make_harness(server_db_url, photo_storage=str(tmp_path / "s"), photo_strip_metadata=True)
    case = h.case_at("in_progress")
    data = jpeg_bytes(gps=(31.2, 121.4), taken="2026:01:02 03:04:05")
    photo = upload(h, HANDLER, case["id"], data).json()["photo"]
    full = h.client.get(f"/api/photos/{photo['photo_id']}/full", headers=h.login("lead1")).content
    assert full != data
    image = Image.open(io.BytesIO(full))
    assert not image.getexif().get_ifd(0x8825) and image.size == (400, 200)
