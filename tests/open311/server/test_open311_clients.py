"""An existing Open311 client library, used as it is (`georeport`, from PyPI), and the spec's own
example request, against a real server over HTTP on PostgreSQL."""
from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from server.open311 import keys
from tests.support.live_server import LiveServer


@pytest.fixture
def live(tmp_path, refdata, pg_url):
    server = LiveServer(tmp_path, refdata, database_url=pg_url).start()
    yield server
    server.stop()


def _key(live) -> str:
    with live.ctx.db.writer() as session, session.begin():
        return keys.create_key(session, "spec-example", live.ctx.now())


def _spec_example(live, key: str, fmt: str) -> requests.Response:
    """The wiki's POST example (GeoReport_v2, "POST Service Request"), form-encoded as the spec says, with
    this city's service code and a place inside it."""
    lat, lon = live.refdata.grids[0].centroid
    return requests.post(f"{live.url}/open311/v2/requests.{fmt}", data={
        "api_key": key, "jurisdiction_id": "onegrid", "service_code": "C0101", "lat": lat, "long": lon,
        "address_string": "1234 5th street", "email": "smit222@sfgov.edu", "device_id": "tt222111",
        "account_id": "123456", "first_name": "john", "last_name": "smith", "phone": "111111111",
        "description": "A large sinkhole is destroying the street",
        "media_url": "http://online.sfgov.org/311images/mediaurl.jpg"}, timeout=10)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_as_it_is(live, fmt):
    key = _key(live)
    posted = _spec_example(live, key, fmt)
    assert posted.status_code == 201, posted.text
    client = GeoReport(f"{live.url}/open311/v2", jurisdiction="onegrid", api_key=key, output_format=fmt)

    services = client.get_service_list()
    assert sorted(s["service_code"] for s in services) == sorted(c.code for c in live.refdata.categories)
    definition = client.get_service_definition("C0101")
    assert definition["service_code"] == "C0101"
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: repeated elements become a list under the element's name
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["object_code", "meets_standard"]

    found = client.get_service_requests(service_code="C0101", status="open")
    listed = found if isinstance(found, list) else [found]  # xmltodict gives one request as a dict
    assert len(listed) == 1
    number = listed[0]["service_request_id"]
    one = client.get_service_request(number)
    assert one["service_request_id"] == number and one["status"] == "open"
    assert one["media_url"] == "http://online.sfgov.org/311images/mediaurl.jpg"
    assert one["description"] == "A large sinkhole is destroying the street"
    assert "smith" not in str(one) and "111111111" not in str(one) and "smit222" not in str(one)
    if fmt == "json":  # (the library cannot read an empty XML list: xmltodict gives None for it)
        assert client.get_service_requests(service_code="C0101", status="closed") == []


def test_the_specs_example_answers_in_the_specs_shape(live):
    key = _key(live)
    answer = _spec_example(live, key, "xml")
    assert answer.status_code == 201
    assert answer.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>'
                                  "<service_request_id>")
    assert "<service_notice /><account_id>123456</account_id></request></service_requests>" in answer.text
    (case_row,) = live.query("select data from cases")
    assert case_row[0]["source"] == "citizen_app" and case_row[0]["reporter_name"] == "john smith"
    assert case_row[0]["attachments"] == ["http://online.sfgov.org/311images/mediaurl.jpg"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_specs_example_with_an_uploaded_photo_read_back_by_the_client(live, fmt):
    """The spec's POST with `media` as a multipart file instead of `media_url`; the client library (it has no
    POST) reads the request back, and its `media_url` is fetched by plain HTTP, as any citizen app would."""
    import io

    from PIL import Image

    key = _key(live)
    lat, lon = live.refdata.grids[0].centroid
    picture = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 90, 200)).save(picture, "JPEG")
    posted = requests.post(f"{live.url}/open311/v2/requests.{fmt}", data={
        "api_key": key, "jurisdiction_id": "onegrid", "service_code": "C0101", "lat": lat, "long": lon,
        "address_string": "1234 5th street", "description": "A large sinkhole is destroying the street"},
        files={"media": ("sinkhole.jpg", picture.getvalue(), "image/jpeg")}, timeout=10)
    assert posted.status_code == 201, posted.text
    client = GeoReport(f"{live.url}/open311/v2", jurisdiction="onegrid", api_key=key, output_format=fmt)
    (listed,) = [r for r in (client.get_service_requests(service_code="C0101") or [])] if fmt == "json" else \
        [client.get_service_requests(service_code="C0101")]
    one = client.get_service_request(listed["service_request_id"])
    assert one["media_url"].startswith(f"{live.url}/open311/v2/media/")
    fetched = requests.get(one["media_url"], timeout=10)
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(fetched.content)).size == (32, 24)
