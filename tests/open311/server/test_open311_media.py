"""Open311 media: a photo uploaded with a service request (multipart `media`, the spec's POST) is the new
case's report photo in the photo storage, `media_url` lets anyone fetch that photo alone (no metadata, no
other photo of the case, no key), a bad file is refused with the spec's error body and writes nothing;
a merged repeat answers with its master's number and status. On SQLite and PostgreSQL."""
from __future__ import annotations

import io
import uuid
from xml.etree import ElementTree

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.platform.enums import Role
from db.cases import CaseRow
from db.open311 import Open311RequestRow
from db.photos import PhotoBlobRow, PhotoRow
from server.photos.direct import attach_bytes
from server.platform.auth import AuthUser
from tests.open311.server.conftest import make_key, report_fields, set_limits

V2 = "/open311/v2"
MAKE = 0x010F  # EXIF "Make": metadata a citizen's phone writes, not served back


def _jpeg(colour=(200, 40, 40), size=(64, 48), exif: bool = True) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    info = Image.Exif()
    if exif:
        info[MAKE] = "CitizenPhone"
    image.save(out, "JPEG", exif=info.tobytes())
    return out.getvalue()


def _error(response, fmt: str = "json") -> tuple[int, str]:
    if fmt == "xml":
        (error,) = ElementTree.fromstring(response.content).findall("error")
        return int(error.findtext("code")), error.findtext("description")
    (error,) = response.json()
    return error["code"], error["description"]


def _counts(srv) -> tuple[int, int, int, int]:
    with srv.ctx.db.reader() as session:
        return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (CaseRow, Open311RequestRow, PhotoRow, PhotoBlobRow))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_uploaded_photo_is_the_cases_evidence_and_fetchable_alone(srv, fmt):
    key = make_key(srv)
    photo = _jpeg()
    r = srv.client.post(f"{V2}/requests.{fmt}", data=report_fields(srv, key),
                        files={"media": ("pothole.jpg", photo, "image/jpeg")})
    assert r.status_code == 201, r.text
    number = r.json()[0]["service_request_id"] if fmt == "json" else \
        ElementTree.fromstring(r.content).find("request").findtext("service_request_id")
    with srv.ctx.db.reader() as session:
        case = session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one()
        (row,) = session.execute(select(PhotoRow).where(PhotoRow.case_id == case.id)).scalars()
    assert (row.step, row.uploaded_by, row.filename) == ("report", "system:open311", "pothole.jpg")
    assert case.data["attachments"] == [row.sha256]  # the case names its evidence like any report photo
    # the console's photo API still needs a token: the public URL is Open311's, for this photo alone
    assert srv.client.get(f"/api/photos/{row.id}/full").status_code == 401
    one = srv.client.get(f"{V2}/requests/{number}.json").json()[0]
    assert one["media_url"].endswith(f"{V2}/media/{row.id}")
    fetched = srv.client.get(one["media_url"].split("testserver", 1)[-1])
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/jpeg"
    served = Image.open(io.BytesIO(fetched.content))
    assert served.size == (64, 48) and MAKE not in served.getexif()  # no metadata
    listed = srv.client.get(f"{V2}/requests.json", params={"service_request_id": number}).json()
    assert listed[0]["media_url"] == one["media_url"]


def test_only_a_citizen_apps_media_is_public(srv):
    case = srv.new_case()
    attach_bytes(srv.ctx, AuthUser("operator1", "op", Role.OPERATOR), uuid.UUID(case["id"]), "report", _jpeg())
    with srv.ctx.db.reader() as session:
        (photo_id,) = session.execute(select(PhotoRow.id)).scalars()
    r = srv.client.get(f"{V2}/media/{photo_id}")
    assert r.status_code == 404 and _error(r) == (404, "no media has that id")
    assert srv.client.get(f"{V2}/media/not-an-id").status_code == 404
    assert srv.client.get(f"{V2}/media/{uuid.uuid4()}").status_code == 404


@pytest.mark.parametrize("body,why", [
    (b"\xff\xd8\xff\xe0" + b"\x00" * 300, "a JPEG header with nothing decodable after it"),
    (b"GIF89a" + b"\x00" * 100, "a GIF"),
    (b"%PDF-1.4 not a photo", "a PDF (a photo store type, but no image)"),
])
def test_a_bad_file_is_refused_and_writes_nothing(srv, body, why):
    key = make_key(srv)
    before = _counts(srv)
    r = srv.client.post(f"{V2}/requests.xml", data=report_fields(srv, key), files={"media": ("x.jpg", body)})
    assert r.status_code == 400, why
    code, description = _error(r, "xml")
    assert code == 400 and description.startswith("media"), description
    assert _counts(srv) == before


def test_a_refused_request_keeps_no_photo_and_limits_hold(srv):
    key = make_key(srv)
    before = _counts(srv)
    r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key, lat="10.0", long="10.0"),
                        files={"media": ("p.jpg", _jpeg())})
    assert r.status_code == 400 and "outside the city" in _error(r)[1]
    assert _counts(srv) == before
    set_limits(srv, max_media_bytes=2000)
    big = _jpeg(size=(400, 400), colour=(1, 2, 3)) + b"\x00" * 3000
    r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key), files={"media": ("p.jpg", big)})
    assert r.status_code == 413 and _error(r)[0] == 413
    r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key), files={"photo": ("p.jpg", _jpeg())})
    assert r.status_code == 400 and "only media may" in _error(r)[1]
    assert _counts(srv) == before


def test_a_merged_request_answers_with_its_masters_number_and_status(make_harness, server_db_url):
    srv = make_harness(server_db_url, repeat_merge=True)
    key = make_key(srv)
    first = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key)).json()[0]["service_request_id"]
    again = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key, description="still open"))
    repeat = again.json()[0]["service_request_id"]
    assert repeat and repeat != first
    (answer,) = srv.client.get(f"{V2}/requests/{repeat}.json").json()
    assert answer["status"] == "open" and first in answer["status_notes"]
    (xml_answer,) = ElementTree.fromstring(srv.client.get(f"{V2}/requests/{repeat}.xml").content).findall("request")
    assert xml_answer.findtext("status") == "open" and first in xml_answer.findtext("status_notes")
    # the status filter follows the master: open while it is open, closed once it is
    opened = srv.client.get(f"{V2}/requests.json", params={"status": "open"}).json()
    assert {r["service_request_id"] for r in opened} == {first, repeat}
    with srv.ctx.db.reader() as session:
        mid = session.execute(select(CaseRow.id).where(CaseRow.number == first)).scalar_one()
    assert srv.do("operator1", "void", str(mid), {"reason": "not in scope"})["status"] == "accepted"
    (answer,) = srv.client.get(f"{V2}/requests/{repeat}.json").json()
    assert answer["status"] == "closed" and first in answer["status_notes"]
    closed = srv.client.get(f"{V2}/requests.json", params={"status": "closed"}).json()
    assert {r["service_request_id"] for r in closed} == {first, repeat}
    assert srv.client.get(f"{V2}/requests.json", params={"status": "open"}).json() == []
