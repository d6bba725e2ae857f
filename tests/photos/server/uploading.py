"""Sending a file to the test server the way a console does: start, then chunks in order."""
from __future__ import annotations

import hashlib

CHUNK = 64 * 1024


def start(h, user: str, case_id, data: bytes, step: str = "handled", *, filename: str = "photo.jpg",
          size: int | None = None, sha: str | None = None):
    body = {"case_id": str(case_id), "step": step, "sha256": sha or hashlib.sha256(data).hexdigest(),
            "size": len(data) if size is None else size, "filename": filename}
    return h.client.post("/api/photos/uploads", json=body, headers=h.login(user))


def chunk(h, user: str, upload_id, offset: int, data: bytes):
    return h.client.put(f"/api/photos/uploads/{upload_id}", params={"offset": offset}, content=data,
                        headers={**h.login(user), "Content-Type": "application/octet-stream"})


def upload(h, user: str, case_id, data: bytes, step: str = "handled", chunk_size: int = CHUNK, **kw):
    """The whole upload; returns the last answer (its JSON) and its status code."""
    r = start(h, user, case_id, data, step, **kw)
    if r.status_code != 200 or r.json()["complete"]:
        return r
    answer = r.json()
    offset = answer["received"]
    while True:
        r = chunk(h, user, answer["upload_id"], offset, data[offset:offset + chunk_size])
        if r.status_code != 200 or r.json()["complete"]:
            return r
        offset = r.json()["received"]
