"""kill -9 of a console in the middle of an upload: the next run resumes at the server's offset and the
photo is stored exactly once, whole."""
from __future__ import annotations

import asyncio
import hashlib
import signal
import subprocess
import sys
import time

import pytest

from app.photos import PhotoStore, Step, UploadState
from app.sync import photo_upload
from tests.photos.pictures import jpeg_bytes, write
from tests.photos.sync.helpers import HANDLER, case_in_progress, handler_console
from tests.support import ROOT
from tests.support.sync_helpers import PASSWORDS


@pytest.mark.slow
def test_kill_9_mid_upload_resumes_and_stores_once(tmp_path, photo_server, refdata, monkeypatch):
    case_id = case_in_progress(photo_server.url, refdata)
    cache_dir = tmp_path / "h"
    data = jpeg_bytes(1400, 1000, noise=True, quality=95)
    store = PhotoStore(cache_dir)
    photo = store.add(case_id, Step.HANDLED, write(tmp_path, "big.jpg", data))
    store.close()
    proc = subprocess.Popen([sys.executable, "-m", "tests.photos.sync.kill9_uploader", "--cache", str(cache_dir),
                             "--server", photo_server.url, "--user", HANDLER, "--password", PASSWORDS[HANDLER],
                             "--chunk", "8192"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    progress = []
    deadline = time.monotonic() + 60
    while len(progress) < 5 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        progress.append(line)
    assert len(progress) >= 5, proc.stderr.read()[-3000:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert "done" not in "".join(progress)
    held = photo_server.query("SELECT received FROM photo_uploads")[0][0]
    assert 0 < held < len(data)
    assert photo_server.query("SELECT count(*) FROM photos")[0][0] == 0  # half a file is no photo

    console, store = handler_console(cache_dir, photo_server.url)
    assert store.photo(case_id, Step.HANDLED, photo.sha256).upload is UploadState.QUEUED
    offsets = []
    real = photo_upload.send_chunk
    monkeypatch.setattr(photo_upload, "send_chunk",
                        lambda client, upload_id, offset, chunk, console_id=None:
                        offsets.append(offset) or real(client, upload_id, offset, chunk, console_id))
    asyncio.run(console.engine.sync_once())
    assert offsets[0] == held  # resumed where the server was
    assert store.photo(case_id, Step.HANDLED, photo.sha256).upload is UploadState.UPLOADED
    rows = photo_server.query("SELECT sha256 FROM photos")
    assert rows == [(hashlib.sha256(data).hexdigest(),)]
    assert photo_server.query("SELECT count(*) FROM photo_chunks")[0][0] == 0
    console.close()
    store.close()
