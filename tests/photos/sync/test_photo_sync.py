"""Photos attached offline reach the server before the step's command that names them, exactly once,
resuming after a cut connection; a file the server refuses goes to the conflicts list and never holds
the outbox."""
from __future__ import annotations

import asyncio
import hashlib

import pytest

from app.photos import Step, UploadState
from app.platform.enums import Action
from app.sync import photo_upload
from app.sync.client import ServerUnreachable
from tests.photos.pictures import jpeg_bytes, write
from tests.photos.sync.helpers import case_in_progress, handler_console
from tests.support.faultproxy import FaultProxy


def _server_photos(server, case_id):
    return server.query("SELECT sha256, step, uploaded_by FROM photos WHERE case_id = :c", c=case_id.hex
                        if server.database_url.startswith("sqlite") else str(case_id))


def test_offline_photo_goes_up_before_the_handled_command(tmp_path, photo_server, refdata, now):
    case_id = case_in_progress(photo_server.url, refdata)
    console, store = handler_console(tmp_path / "h", photo_server.url)
    asyncio.run(console.engine.sync_once())  # the case reaches the handler's cache
    photo = store.add(case_id, Step.HANDLED, write(tmp_path, "done.jpg", jpeg_bytes(1600, 1200, noise=True)))
    console.cache.issue(console.actor, Action.REPORT_HANDLED, case_id,
                        {"note": "cover replaced", "attachments": [photo.sha256]}, now, offline=True)
    assert console.cache.case(case_id).status == "handled"  # optimistic, offline
    asyncio.run(console.engine.sync_once())
    assert console.cache.outbox_size() == 0 and console.cache.conflict_count() == 0
    assert store.photo(case_id, Step.HANDLED, photo.sha256).upload is UploadState.UPLOADED
    assert len(_server_photos(photo_server, case_id)) == 1
    assert console.cache.server_case(case_id).status == "handled"
    # another sync sends nothing again
    asyncio.run(console.engine.sync_once())
    assert len(_server_photos(photo_server, case_id)) == 1
    console.close()
    store.close()


def test_a_cut_connection_mid_upload_resumes_at_the_servers_offset(tmp_path, photo_server, refdata, monkeypatch):
    case_id = case_in_progress(photo_server.url, refdata)
    proxy = FaultProxy(photo_server.port).start()
    try:
        console, store = handler_console(tmp_path / "h", f"http://127.0.0.1:{proxy.port}")
        console.engine.photos.chunk_bytes = 32 * 1024
        data = jpeg_bytes(1000, 800, noise=True, quality=95)
        photo = store.add(case_id, Step.HANDLED, write(tmp_path, "a.jpg", data))
        sent_offsets: list[int] = []
        real_send = photo_upload.send_chunk
        cut = []

        def cutting_send(client, upload_id, offset, chunk, console_id=None):
            sent_offsets.append(offset)
            if len(sent_offsets) == 4 and not cut:
                cut.append(offset)
                proxy.set_mode("reset")  # the 4th chunk is stored, its answer never arrives
            return real_send(client, upload_id, offset, chunk, console_id)

        monkeypatch.setattr(photo_upload, "send_chunk", cutting_send)
        with pytest.raises(ServerUnreachable):
            asyncio.run(console.engine.sync_once())
        assert store.pending_count() == 1
        held = photo_server.query("SELECT received FROM photo_uploads")[0][0]
        assert held == 4 * 32 * 1024  # the server kept the chunk whose answer was lost
        assert not _server_photos(photo_server, case_id)  # and no half photo
        proxy.set_mode("pass")
        sent_offsets.clear()
        asyncio.run(console.engine.sync_once())
        assert sent_offsets[0] == held  # resumed, nothing resent
        assert store.photo(case_id, Step.HANDLED, photo.sha256).upload is UploadState.UPLOADED
        assert [r[0] for r in _server_photos(photo_server, case_id)] == [hashlib.sha256(data).hexdigest()]
        assert photo_server.query("SELECT count(*) FROM photo_chunks")[0][0] == 0
        console.close()
        store.close()
    finally:
        proxy.stop()


def test_a_refused_file_goes_to_the_conflicts_and_the_outbox_goes_on(tmp_path, photo_server, refdata, now):
    case_id = case_in_progress(photo_server.url, refdata)
    console, store = handler_console(tmp_path / "h", photo_server.url)
    asyncio.run(console.engine.sync_once())
    # a PDF: this console takes it, this server does not
    pdf = store.add(case_id, Step.HANDLED, write(tmp_path, "report.pdf", b"%PDF-1.4\n" + b"0" * 2000))
    console.cache.issue(console.actor, Action.REPORT_HANDLED, case_id,
                        {"note": "see the report", "attachments": [pdf.sha256]}, now, offline=True)
    console.cache.issue(console.actor, Action.NOTE, case_id, {"text": "crew left at 10:40"}, now, offline=True)
    asyncio.run(console.engine.sync_once())
    [failed] = store.failed_uploads()
    assert failed.sha256 == pdf.sha256 and failed.reason.startswith("unsupported_type")
    assert console.cache.outbox_size() == 0  # nothing stuck behind it
    conflicts = console.cache.conflicts()
    assert [c.reason for c in conflicts] == ["photos_missing"]
    assert any(e.action == "note" for e in console.cache.server_case(case_id).events)
    console.close()
    store.close()


def test_a_report_photo_of_a_case_created_offline_follows_its_case(tmp_path, photo_server, refdata, now):
    from app.photos import PhotoStore
    from tests.support.consoles import online_console
    from tests.support.sync_helpers import create_payload

    console = online_console(tmp_path / "op", photo_server.url, "operator1")
    store = PhotoStore(tmp_path / "op")
    console.engine.use_photos(store)
    asyncio.run(console.engine.sync_once())
    created = console.cache.issue(console.actor, Action.CREATE, None, create_payload(refdata), now, offline=True)
    photo = store.add(created.case_id, Step.REPORT, write(tmp_path, "r.jpg", jpeg_bytes(noise=True)))
    asyncio.run(console.engine.sync_once())
    assert store.photo(created.case_id, Step.REPORT, photo.sha256).upload is UploadState.UPLOADED
    assert len(_server_photos(photo_server, created.case_id)) == 1
    console.close()
    store.close()


def test_another_console_sees_the_photos_and_fetches_files_on_demand(tmp_path, photo_server, refdata, now):
    from app.photos import PhotoStore
    from app.sync.photo_upload import refresh_case_photos
    from tests.support.consoles import online_console

    case_id = case_in_progress(photo_server.url, refdata)
    console, store = handler_console(tmp_path / "h", photo_server.url)
    data = jpeg_bytes(800, 600, noise=True, orientation=6)
    photo = store.add(case_id, Step.HANDLED, write(tmp_path, "x.jpg", data))
    asyncio.run(console.engine.sync_once())
    lead = online_console(tmp_path / "lead", photo_server.url, "lead1")
    lead_store = PhotoStore(tmp_path / "lead")
    lead.engine.use_photos(lead_store)
    assert refresh_case_photos(lead.client, lead_store, case_id) == 1
    [seen] = lead_store.photos_for_case(case_id)
    assert seen.sha256 == photo.sha256 and seen.upload is UploadState.REMOTE and (seen.width, seen.height) == (600, 800)
    thumb = lead_store.thumbnail_path(seen)  # fetched from the server
    assert thumb is not None and thumb.stat().st_size < len(data)
    assert lead_store.full_path(seen).read_bytes() == data
    for c, s in ((console, store), (lead, lead_store)):
        c.close()
        s.close()
