"""GET /api/search/cases: a case found on the server by number, phone, address or description, ranked like
the console's lookup, within the caller's scope — a district operator its district's cases, a unit handler
its unit's, a city operator all; a bad query is a 4xx naming `q`; a case out of scope is never named."""
from __future__ import annotations

from tests.feed.test_jurisdictions import AWAY, HOME
from tests.support.server import HANDLER, UNIT

PATH = "/api/search/cases"


def _case(srv, grid, **payload) -> dict:
    lat, lon = grid.centroid
    return srv.new_case("operator1", location={"lat": lat, "lon": lon, "address": payload.pop("address", grid.name)},
                        **payload)


def _search(srv, username: str, q: str, expect: int = 200, **params) -> dict:
    r = srv.client.get(PATH, params={"q": q, **params}, headers=srv.login(username))
    assert r.status_code == expect, r.text
    return r.json()


def _ids(answer: dict) -> list[str]:
    return [h["case_id"] for h in answer["hits"]]


def test_search_by_number_phone_address_and_words(srv):
    home = _case(srv, HOME, description="路灯不亮 lamp out on Hubin Road", reporter_phone="138-0013-8000",
                 address="湖滨路 12 号")
    other = _case(srv, HOME, description="another lamp", address="松岭路 3 号")
    by_number = _search(srv, "operator1", home["number"])
    assert _ids(by_number)[0] == home["id"] and by_number["hits"][0]["field"] == "number"
    assert by_number["hits"][0]["rank"] == 0 and by_number["complete"] is True
    assert _ids(_search(srv, "operator1", "13800138000")) == [home["id"]]
    assert _search(srv, "operator1", "13800138000")["hits"][0]["field"] == "phone"
    assert _ids(_search(srv, "operator1", "湖滨路")) == [home["id"]]
    assert set(_ids(_search(srv, "operator1", "LAMP"))) == {home["id"], other["id"]}  # any case
    assert _search(srv, "operator1", "no such words")["hits"] == []
    assert len(_search(srv, "operator1", "lamp", limit=1)["hits"]) == 1


def test_search_keeps_to_each_users_scope(srv):
    home = _case(srv, HOME, description="zebra crossing faded")
    away = _case(srv, AWAY, description="zebra crossing faded")
    assert set(_ids(_search(srv, "operator1", "zebra"))) == {home["id"], away["id"]}
    district = _search(srv, "operator_cj", "zebra")
    assert _ids(district) == [away["id"]] and district["hits"][0]["jurisdiction"].startswith("330108")
    # by number too: another district's case is not named
    assert _search(srv, "operator_cj", home["number"])["hits"] == []
    # a unit handler: its unit's cases only
    assert _search(srv, HANDLER, "zebra")["hits"] == []
    for step, payload in (("register", {}), ("dispatch", {"unit_id": UNIT})):
        assert srv.do("operator1", step, home["id"], payload)["status"] == "accepted"
    assert _ids(_search(srv, HANDLER, "zebra")) == [home["id"]]
    assert _search(srv, "handler_roads", "zebra")["hits"] == []


def test_bad_queries_are_refused_naming_q(srv):
    for params, status in (({"q": "   "}, 400), ({"q": "x" * 201}, 422), ({"q": "a\x00b"}, 422),
                           ({"q": "x", "limit": 0}, 422), ({"q": "x", "limit": 51}, 422), ({}, 422)):
        r = srv.client.get(PATH, params=params, headers=srv.login("operator1"))
        assert r.status_code == status, (params, r.text)
        assert ("q" in r.text) or ("limit" in r.text)
    assert srv.client.get(PATH, params={"q": "x"}).status_code == 401
