"""Every refusal of the Open311 endpoint is the spec's error body (`[{code, description}]`, XML
`<errors><error>`) naming what was wrong, with nothing written."""
from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from db.cases import CaseRow
from db.open311 import Open311RequestRow
from tests.open311.server.conftest import make_key, report_fields, revoke, set_limits

V2 = "/open311/v2"


def _error(response, fmt: str = "json") -> tuple[int, str]:
    if fmt == "xml":
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors"
        (error,) = root.findall("error")
        return int(error.findtext("code")), error.findtext("description")
    (error,) = response.json()
    assert set(error) == {"code", "description"}
    return error["code"], error["description"]


def _nothing_written(srv) -> None:
    with srv.ctx.db.reader() as session:
        assert session.execute(select(func.count()).select_from(CaseRow)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Open311RequestRow)).scalar_one() == 0


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<service_request><description>&lol2;</description></service_request>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b"<service_request><description>&x;</description></service_request>")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_bodies(srv, fmt):
    key = make_key(srv)
    cases = [
        ("application/xml", b"<service_request><api_key>", 400, "malformed XML"),
        ("application/xml", BOMB, 400, "entities and DTDs are not accepted"),
        ("text/xml", XXE, 400, "entities and DTDs are not accepted"),
        ("application/json", b'{"api_key": ', 400, "malformed JSON"),
        ("application/json", b'["api_key"]', 400, "must be an object"),
        ("application/json", b'{"api_key": "%s", "lat": [1]}' % key.encode(), 400, "field lat must be a single value"),
        ("text/plain", b"hello", 415, "unsupported body type text/plain"),
    ]
    for content_type, body, status, words in cases:
        r = srv.client.post(f"{V2}/requests.{fmt}", content=body, headers={"Content-Type": content_type})
        assert r.status_code == status, (body, r.text)
        code, description = _error(r, fmt)
        assert code == status and words in description, description
    _nothing_written(srv)


def test_bad_fields(srv):
    key = make_key(srv)
    outside = {"lat": "39.9", "long": "116.4"}  # Beijing: not this city
    cases = [
        ({"service_code": "X9999"}, 404, "service_code X9999 is not a service"),
        ({"service_code": None}, 400, "service_code is required"),
        (outside, 400, "outside the city"),
        ({"lat": None}, 400, "lat and long are required"),
        ({"lat": "north"}, 400, "lat is not a number"),
        ({"long": "181"}, 400, "long 181 is outside"),
        ({"lat": "nan"}, 400, "lat nan is outside"),
        ({"phone": "call me"}, 400, "phone must be a phone number"),
        ({"email": "not-an-address"}, 400, "email is not an e-mail address"),
        ({"media_url": "ftp://x/y.jpg"}, 400, "media_url must be an http or https URL"),
        ({"attribute[meets_standard]": "perhaps"}, 400, "must be one of yes, no, unsure"),
        ({"attribute[object_code]": "12ab"}, 400, "is not an asset code"),
        ({"service_code": "E0401"}, 400, "attribute[danger] is required"),
        ({"description": "x" * 4001}, 400, "description is longer than 4000"),
        ({"first_name": "a\x00b"}, 400, "first_name holds a NUL"),
    ]
    for overrides, status, words in cases:
        r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key, **overrides))
        assert r.status_code == status, (overrides, r.text)
        code, description = _error(r)
        assert code == status and words in description, (overrides, description)
    _nothing_written(srv)


def test_keys_wrong_missing_and_revoked(srv):
    key = make_key(srv)
    for fields, words in ((report_fields(srv, "o311_made-up"), "invalid api_key"),
                          (report_fields(srv, key, api_key=None), "api_key is required")):
        r = srv.client.post(f"{V2}/requests.xml", data=fields)
        assert r.status_code == 403
        assert _error(r, "xml")[0] == 403 and words in _error(r, "xml")[1]
    assert srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key)).status_code == 201
    assert revoke(srv)
    r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key))
    assert r.status_code == 403 and "revoked" in _error(r)[1]
    fresh = make_key(srv)  # the app gets a new key after a revocation; the old one stays refused
    assert srv.client.post(f"{V2}/requests.json", data=report_fields(srv, fresh)).status_code == 201
    assert srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key)).status_code == 403


def test_oversized_media_and_uploads(lite):
    set_limits(lite, max_media_bytes=1000)
    key = make_key(lite)
    r = lite.client.post(f"{V2}/requests.json", data=report_fields(lite, key),
                         files={"media": ("photo.jpg", b"\xff" * 5000, "image/jpeg")})
    assert r.status_code == 413
    assert _error(r) == (413, "media is 5000 bytes; at most 1000 bytes are accepted")
    r = lite.client.post(f"{V2}/requests.json", data=report_fields(lite, key),
                         files={"media": ("photo.jpg", b"\xff" * 70_000, "image/jpeg")})
    assert r.status_code == 413  # refused from its length, before the body is read
    assert _error(r)[1].endswith("media of at most 1000 bytes are accepted")
    set_limits(lite, max_media_bytes=100_000)
    r = lite.client.post(f"{V2}/requests.xml", data=report_fields(lite, key),
                         files={"media": ("photo.jpg", b"\xff" * 5000, "image/jpeg")})
    assert r.status_code == 400
    code, description = _error(r, "xml")
    assert code == 400 and "media must be a JPEG, PNG or HEIC image" in description  # judged by content
    _nothing_written(lite)


def test_a_flood_from_one_key_or_one_address_is_refused_429(lite):
    set_limits(lite, key_rate_per_s=0.01, key_burst=3, address_rate_per_s=1000, address_burst=1000)
    key = make_key(lite)
    answers = [lite.client.post(f"{V2}/requests.json", data=report_fields(lite, key)).status_code for _ in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    r = lite.client.post(f"{V2}/requests.xml", data=report_fields(lite, key))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    code, description = _error(r, "xml")
    assert code == 429 and "the key of app citizen-app" in description
    other = make_key(lite, "other-app")  # another app is not held back by the first one's flood
    assert lite.client.post(f"{V2}/requests.json", data=report_fields(lite, other)).status_code == 201

    set_limits(lite, address_rate_per_s=0.01, address_burst=2)
    answers = [lite.client.get(f"{V2}/services.json").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert "this client address" in _error(lite.client.get(f"{V2}/services.json"))[1]
    # the console's own API is not limited by the Open311 buckets
    assert lite.client.get("/healthz").status_code == 200


def test_bad_queries(srv):
    cases = [
        ("services/X9999.json", {}, 404, "X9999 is not a service"),
        ("requests.json", {"service_code": "X1"}, 404, "service_code X1 is not a service"),
        ("requests.json", {"status": "pending"}, 400, "status must be open or closed"),
        ("requests.json", {"start_date": "yesterday"}, 400, "start_date is not a W3C date-time"),
        ("requests.json", {"end_date": "2026-11-01T00:00:00"}, 400, "end_date needs a time zone"),
        ("requests.json", {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, 400,
         "at most 90 days apart"),
        ("requests.json", {"start_date": "2026-11-01T00:00:00Z", "end_date": "2026-10-01T00:00:00Z"}, 400,
         "end_date is before start_date"),
        ("requests/2026-999999.json", {}, 404, "no service request 2026-999999"),
        ("tokens/not-a-token.json", {}, 404, "no service request has that token"),
    ]
    for path, params, status, words in cases:
        for fmt in ("json", "xml"):
            r = srv.client.get(f"{V2}/{path.replace('.json', '.' + fmt)}", params=params)
            assert r.status_code == status, (path, params, r.text)
            code, description = _error(r, fmt)
            assert code == status and words in description, description
    r = srv.client.get(f"{V2}/services.yaml")
    assert r.status_code == 404 and "use .xml or .json" in _error(r)[1]


def test_a_onegrid_login_is_no_api_key(srv):
    """Staff tokens, of any role, neither stand in for an app's key nor change what Open311 answers."""
    for username in ("operator1", "lead1", "admin", "handler_water_supply"):
        headers = srv.login(username)
        token = headers["Authorization"].split()[1]
        for fields in (report_fields(srv, token), report_fields(srv, "", api_key=None)):
            r = srv.client.post(f"{V2}/requests.json", data=fields, headers=headers)
            assert r.status_code == 403, (username, r.text)
            assert _error(r)[0] == 403
    _nothing_written(srv)
