"""Sending the console's queued photos, and fetching the server's on demand (blocking calls: the engine
runs them in a network thread; the store's `full_path` calls the fetcher off the GUI thread).

`PhotoUploader.drain()` sends every queued photo, oldest first, each as one resumable upload
(`app.wire.photos`): start (the server answers how much it holds), then chunks from there. What can go
wrong with one photo:

- the server cannot be reached, or the login expired: the drain stops (the photo stays queued, at
  the server's offset, which a later start reads back — nothing is resent that the server holds);
- a chunk at an offset the server does not hold (a cut answer, a retried request): go on from the
  server's `received`;
- the upload is gone on the server (refused meanwhile, or cleaned up): start again;
- the case is not on the server yet (a report photo of a case created offline, whose create command is
  still queued): skipped for now; the engine drains again after pushing the outbox. If no command of
  that case is queued any more, the case will never come: refused;
- any other refusal (type, size, corrupt image, out of scope, too many): the photo leaves the queue for
  the conflicts list with the server's reason, and the drain goes on with the next one.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable
from uuid import UUID

from app.photos.model import Photo
from app.photos.store import PhotoStore
from app.sync.client import AuthExpired, ServerClient, ServerRefused
from app.wire.photos import CHUNK_BYTES, PhotosAnswer, UploadAnswer, UploadStart

log = logging.getLogger(__name__)

STRIPPED_HEADER = "X-OneGrid-Stripped"
PARALLEL = 4  # uploads in flight at once
_RESTARTS = 3  # an upload that vanishes on the server this often in one drain is left for the next


def start_upload(client: ServerClient, body: UploadStart) -> UploadAnswer:
    response = client._request("POST", "/api/photos/uploads", json=body.model_dump(mode="json"))
    return client._parse(UploadAnswer, response)


def send_chunk(client: ServerClient, upload_id: UUID, offset: int, data: bytes,
               console_id: str | None = None) -> UploadAnswer:
    headers = {"Content-Type": "application/octet-stream"}
    if console_id:
        headers["X-OneGrid-Console"] = console_id
    response = client._request("PUT", f"/api/photos/uploads/{upload_id}", params={"offset": offset}, data=data,
                               headers=headers)
    return client._parse(UploadAnswer, response)


def case_photos(client: ServerClient, case_id: UUID) -> PhotosAnswer:
    return client._parse(PhotosAnswer, client._request("GET", f"/api/cases/{case_id}/photos"))


def refresh_case_photos(client: ServerClient, store: PhotoStore, case_id: UUID) -> int:
    """Record in the store the server's photos of a case (another console's, or ours after a cache
    rebuild), e.g. when the case is opened online; their files come on demand. Returns how many."""
    answer = case_photos(client, case_id)
    store.merge_remote([p.model_dump(mode="json") for p in answer.photos])
    return len(answer.photos)


class PhotoFetcher:
    """The store's fetcher over a `ServerClient` (`PhotoStore.fetcher`)."""

    def __init__(self, client: ServerClient):
        self.client = client

    def fetch_photo(self, photo_id: str, kind: str, dest: Path) -> bool:
        response = self.client._request("GET", f"/api/photos/{photo_id}/{kind}")
        dest.write_bytes(response.content)
        return response.headers.get(STRIPPED_HEADER) != "1"


class PhotoUploader:
    def __init__(self, store: PhotoStore, client: ServerClient, *, case_queued: Callable[[UUID], bool],
                 console_id: str | None = None, chunk_bytes: int = CHUNK_BYTES):
        self.store = store
        self.client = client
        self.case_queued = case_queued  # whether a command of the case is still in the outbox
        self.console_id = console_id
        self.chunk_bytes = chunk_bytes

    def drain(self) -> int:
        """Send every queued photo, up to `PARALLEL` at once (each upload is a few round trips and a
        server-side check: several in flight keep the link busy); returns how many reached the server.
        Raises ServerUnreachable or AuthExpired (the rest stays queued)."""
        sent = 0
        skipped: set[tuple] = set()
        with ThreadPoolExecutor(PARALLEL, thread_name_prefix="onegrid-photo-upload") as pool:
            while True:
                batch = [p for p in self.store.pending_uploads(limit=len(skipped) + 4 * PARALLEL)
                         if (p.case_id, p.step, p.sha256) not in skipped]
                if not batch:
                    return sent
                futures = [(photo, pool.submit(self._send, photo)) for photo in batch]
                failure: BaseException | None = None
                for photo, future in futures:
                    try:
                        ok = future.result()
                    except BaseException as exc:  # unreachable, login expired: the others finish first
                        failure = failure or exc
                        continue
                    if ok:
                        sent += 1
                    else:
                        skipped.add((photo.case_id, photo.step, photo.sha256))
                if failure is not None:
                    raise failure

    def _send(self, photo: Photo) -> bool:
        """One photo: True when it is on the server, False when it was refused or must wait."""
        path = self.store.blob_path(photo.sha256)
        body = UploadStart(case_id=photo.case_id, step=photo.step, sha256=photo.sha256, size=photo.size,
                           filename=photo.filename[:255], console_id=self.console_id)
        for _ in range(_RESTARTS):
            try:
                answer = start_upload(self.client, body)
                if not answer.complete:
                    answer = self._chunks(photo, path, answer)
            except AuthExpired:
                raise
            except ServerRefused as exc:
                if exc.error == "unknown_upload":
                    continue  # gone on the server meanwhile: start again
                if exc.status == 404 and exc.error == "not_found" and self.case_queued(photo.case_id):
                    log.info("photo %s waits for its case %s to reach the server", photo.sha256[:12], photo.case_id)
                    return False
                log.warning("server refused photo %s of case %s: %s %s", photo.sha256[:12], photo.case_id,
                            exc.error, exc.message)
                self.store.note_refused(photo, f"{exc.error}: {exc.message}")
                return False
            except FileNotFoundError:
                self.store.note_refused(photo, "missing_file: the photo's file is gone from this console's cache")
                return False
            assert answer.photo is not None
            self.store.note_uploaded(photo, str(answer.photo.photo_id))
            return True
        return False

    def _chunks(self, photo: Photo, path: Path, answer: UploadAnswer) -> UploadAnswer:
        upload_id, offset = answer.upload_id, answer.received
        assert upload_id is not None
        with open(path, "rb") as f:
            while True:
                f.seek(offset)
                data = f.read(self.chunk_bytes)
                if not data:  # the server holds it all yet calls it incomplete: start it again
                    raise ServerRefused(404, "unknown_upload", "nothing left to send")
                try:
                    answer = send_chunk(self.client, upload_id, offset, data, self.console_id)
                except ServerRefused as exc:
                    if exc.error != "offset_mismatch" or not exc.details:
                        raise
                    offset = int(exc.details[0]["received"])  # the server holds more (or less) than we thought
                    continue
                if answer.complete:
                    return answer
                offset = answer.received
                self.store.note_progress(photo, offset)
