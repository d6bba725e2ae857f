"""The server applies a step's command only once the photos it names are there."""
from __future__ import annotations

import hashlib

from tests.photos.pictures import jpeg_bytes
from tests.photos.server.uploading import upload
from tests.support.server import HANDLER


def test_handled_naming_a_photo_not_on_the_server_is_refused_then_accepted_once_it_is(photo_srv):
    h = photo_srv
    case = h.case_at("in_progress")
    data = jpeg_bytes(noise=True)
    sha = hashlib.sha256(data).hexdigest()
    payload = {"note": "cover replaced", "attachments": [sha, "work-order-17"]}
    early = h.do(HANDLER, "report_handled", case["id"], payload)
    assert early["status"] == "rejected" and early["reason"] == "photos_missing" and sha[:12] in early["message"]
    assert upload(h, HANDLER, case["id"], data).json()["complete"]
    done = h.do(HANDLER, "report_handled", case["id"], payload)
    assert done["status"] == "accepted" and done["case"]["status"] == "handled"
    assert sha in done["case"]["attachments"]


def test_a_photo_of_another_case_does_not_count(photo_srv):
    h = photo_srv
    a, b = h.case_at("in_progress"), h.case_at("in_progress")
    data = jpeg_bytes(noise=True)
    assert upload(h, HANDLER, a["id"], data).json()["complete"]
    r = h.do(HANDLER, "report_handled", b["id"], {"note": "x", "attachments": [hashlib.sha256(data).hexdigest()]})
    assert r["reason"] == "photos_missing"
    # plain references (not photo hashes) hold nothing back, as before
    assert h.do(HANDLER, "report_handled", b["id"], {"note": "x", "attachments": ["sheet 4"]})["status"] == "accepted"
