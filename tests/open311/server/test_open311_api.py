"""Open311 GeoReport v2 over the server's HTTP API, on SQLite and PostgreSQL: the six methods in both
formats, a report becoming a case through the one command pipeline, and what a citizen may see."""
from __future__ import annotations

import json
import uuid
from xml.etree import ElementTree

from sqlalchemy import func, select

from db.audit import AuditEntryRow
from db.cases import CaseRow
from db.open311 import Open311RequestRow
from tests.open311.server.conftest import make_key, report_fields

V2 = "/open311/v2"


def _xml(response):
    assert response.headers["content-type"].startswith("text/xml"), response.headers
    return ElementTree.fromstring(response.content)


def test_service_list_is_the_categories_in_both_formats(srv):
    as_json = srv.client.get(f"{V2}/services.json")
    as_xml = srv.client.get(f"{V2}/services.xml")
    assert as_json.status_code == as_xml.status_code == 200
    codes = sorted(c.code for c in srv.refdata.categories)
    assert [s["service_code"] for s in as_json.json()] == codes
    root = _xml(as_xml)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == codes
    cover = next(s for s in as_json.json() if s["service_code"] == "C0101")
    category = srv.refdata.category("C0101")
    assert cover == {"service_code": "C0101", "service_name": category.name, "description": category.name_en,
                     "metadata": True, "type": "realtime", "keywords": "component,0101", "group": "component"}
    xml_cover = next(s for s in root.findall("service") if s.findtext("service_code") == "C0101")
    assert xml_cover.findtext("metadata") == "true" and xml_cover.findtext("type") == "realtime"


def test_service_definition_asks_each_categorys_questions(srv):
    component = srv.client.get(f"{V2}/services/C0101.json").json()
    assert component["service_code"] == "C0101"
    assert [a["code"] for a in component["attributes"]] == ["object_code", "meets_standard"]
    assert [a["order"] for a in component["attributes"]] == [1, 2]
    standard = component["attributes"][1]
    assert standard["datatype"] == "singlevaluelist" and standard["required"] is False
    assert srv.refdata.category("C0101").register_criteria_en in standard["description"]
    assert [v["key"] for v in standard["values"]] == ["yes", "no", "unsure"]
    emergency = srv.client.get(f"{V2}/services/E0401.xml")
    root = _xml(emergency)
    assert root.tag == "service_definition"
    first = root.find("attributes/attribute")
    assert (first.findtext("code"), first.findtext("required"), first.findtext("datatype")) == \
        ("danger", "true", "singlevaluelist")
    assert [v.findtext("key") for v in first.findall("values/value")] == ["yes", "no"]
    event = srv.client.get(f"{V2}/services/E0101.json").json()
    assert "object_code" not in [a["code"] for a in event["attributes"]]  # an event is no asset


def test_a_report_is_a_case_through_the_command_pipeline(srv):
    key = make_key(srv)
    before = srv.changes("operator1")["cursors"]
    r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key, **{"attribute[meets_standard]": "yes"}))
    assert r.status_code == 201, r.text
    (answer,) = r.json()
    assert answer["account_id"] == "acct-7" and answer["service_notice"] == ""
    number, token = answer["service_request_id"], answer["token"]
    with srv.ctx.db.reader() as session:
        row = session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one()
        contact = session.get(Open311RequestRow, uuid.UUID(token))
        audited = session.execute(select(AuditEntryRow).where(AuditEntryRow.entity_id == str(row.id))).scalars().all()
    case = row.data
    assert (case["source"], case["status"], case["category_code"]) == ("citizen_app", "reported", "C0101")
    assert (case["reporter_name"], case["reporter_phone"]) == ("Na Li", "138 0013 8000")  # as the hotline form keeps it
    assert case["location"]["grid_code"] == srv.refdata.grids[0].code
    assert case["description"] == "Manhole cover missing by the bus stop\n[meets_standard=yes]"
    assert case["events"][0]["actor"] == "system:open311"
    assert (contact.case_id, contact.email, contact.device_id) == (row.id, "li.na@example.com", "dev-1")
    assert [(a.action, a.result) for a in audited] == [("create", "accepted")]
    # every console sees it in the feed like any other new case
    changes = srv.changes("operator1", after=before)["changes"]
    assert [c["id"] for c in changes if c["kind"] == "case"] == [str(row.id)]
    # and the operator takes it on from `reported`
    assert srv.do("operator1", "register", row.id)["status"] == "accepted"


def test_post_in_xml_and_json_bodies_and_the_xml_answer(srv):
    key = make_key(srv)
    lat, lon = srv.refdata.grids[1].centroid
    body = (f"<service_request><api_key>{key}</api_key><service_code>E0401</service_code><lat>{lat}</lat>"
            f"<long>{lon}</long><description>Water over the road</description>"
            f"<attribute><danger>yes</danger></attribute></service_request>")
    r = srv.client.post(f"{V2}/requests.xml", content=body.encode(), headers={"Content-Type": "application/xml"})
    assert r.status_code == 201, r.text
    root = _xml(r)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert number and root.findtext("request/token")
    code = f"{srv.refdata.grids[1].code[:6]}01010001"  # the county of the place, class 01 01, serial 0001
    r = srv.client.post(f"{V2}/requests.json", json={"api_key": key, "service_code": "C0101", "lat": lat, "long": lon,
                                                     "attribute": {"object_code": code}})
    assert r.status_code == 201, r.text
    with srv.ctx.db.reader() as session:
        flood = session.execute(select(CaseRow.data).where(CaseRow.number == number)).scalar_one()
        cover = session.execute(select(CaseRow.data).where(CaseRow.number == r.json()[0]["service_request_id"])
                                ).scalar_one()
    assert flood["priority"] == "urgent"  # someone is in danger
    assert cover["object_code"] == code
    assert cover["description"] == f"{srv.refdata.category('C0101').name} (Water supply manhole cover)\n" \
                                   f"[object_code={code}]"


def _walk(srv, number: str, *steps):
    with srv.ctx.db.reader() as session:
        case_id = session.execute(select(CaseRow.id).where(CaseRow.number == number)).scalar_one()
    for user, action, payload in steps:
        assert srv.do(user, action, case_id, payload)["status"] == "accepted"


def test_get_requests_with_the_specs_filters(srv):
    key = make_key(srv)
    numbers = []
    for code in ("C0101", "C0101", "E0101"):
        r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key, service_code=code))
        numbers.append(r.json()[0]["service_request_id"])
        srv.clock.advance(minutes=10)
    _walk(srv, numbers[0], ("operator1", "register", {}), ("operator1", "dispatch", {"unit_id": "water_supply"}))
    _walk(srv, numbers[1], ("operator1", "void", {"reason": "duplicate"}))

    def ids(**params):
        r = srv.client.get(f"{V2}/requests.json", params=params)
        assert r.status_code == 200, r.text
        return [item["service_request_id"] for item in r.json()]

    assert ids() == numbers[::-1]  # newest first
    assert ids(service_code="C0101") == [numbers[1], numbers[0]]
    assert ids(status="closed") == [numbers[1]]
    assert ids(status="open") == [numbers[2], numbers[0]]
    assert ids(status="open,closed", service_code="E0101,C0101") == numbers[::-1]
    start = (srv.clock() - __import__("datetime").timedelta(minutes=25)).isoformat().replace("+00:00", "Z")
    assert ids(start_date=start) == [numbers[2], numbers[1]]
    assert ids(service_request_id=f"{numbers[0]},{numbers[2]}", status="closed") == [numbers[2], numbers[0]]
    dispatched = srv.client.get(f"{V2}/requests/{numbers[0]}.json").json()[0]
    assert dispatched["agency_responsible"] == srv.refdata.unit("water_supply").name
    assert dispatched["status"] == "open" and "responsible unit" in dispatched["status_notes"]
    voided = _xml(srv.client.get(f"{V2}/requests/{numbers[1]}.xml"))
    assert voided.findtext("request/status") == "closed"
    assert voided.findtext("request/service_request_id") == numbers[1]


def test_a_citizen_never_sees_a_reporters_personal_data(srv):
    key = make_key(srv)
    r = srv.client.post(f"{V2}/requests.json", data=report_fields(
        srv, key, description="Cover gone; call me on 13800138000 or mail li.na@example.com"))
    number = r.json()[0]["service_request_id"]
    hotline = srv.new_case(reporter_name="王芳", reporter_phone="0571-8702 3456",
                           description="王芳 0571-87023456 reports a broken cover")
    listed = srv.client.get(f"{V2}/requests.json").text + srv.client.get(f"{V2}/requests.xml").text
    one = srv.client.get(f"{V2}/requests/{number}.json").text + srv.client.get(f"{V2}/requests/{hotline['number']}.xml").text
    for text in (listed, one):
        for private in ("13800138000", "li.na@example.com", "138 0013 8000", "Na Li", "acct-7", "dev-1",
                        "87023456", "0571-8702 3456"):
            assert private not in text
    assert "call me on [phone] or mail [e-mail]" in listed


def test_token_lookup(srv):
    key = make_key(srv)
    r = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key))
    number, token = r.json()[0]["service_request_id"], r.json()[0]["token"]
    assert srv.client.get(f"{V2}/tokens/{token}.json").json() == [{"service_request_id": number, "token": token}]
    root = _xml(srv.client.get(f"{V2}/tokens/{token}.xml"))
    assert (root.findtext("request/service_request_id"), root.findtext("request/token")) == (number, token)
    unknown = srv.client.get(f"{V2}/tokens/{uuid.uuid4()}.json")
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404


def test_jurisdiction_id(srv):
    key = make_key(srv)
    assert srv.client.get(f"{V2}/services.json", params={"jurisdiction_id": "onegrid"}).status_code == 200
    other = srv.client.get(f"{V2}/services.xml", params={"jurisdiction_id": "sfgov.org"})
    assert other.status_code == 404
    assert "sfgov.org" in _xml(other).findtext("error/description")
    posted = srv.client.post(f"{V2}/requests.json", data=report_fields(srv, key, jurisdiction_id="sfgov.org"))
    assert posted.status_code == 404 and json.loads(posted.text)[0]["code"] == 404
    with srv.ctx.db.reader() as session:
        assert session.execute(select(func.count()).select_from(CaseRow)).scalar_one() == 0
