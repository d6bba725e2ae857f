"""Every figure filterable by jurisdiction: GET /api/metrics?jurisdiction= counts only the cases that lie in
it, a district lead's report is its district's by default and may not reach into another, and a code that is
none is a 400 naming `jurisdiction`. Worked example: two cases registered on 2026-11-23, one in each district
— the city's report counts 2, the district 330108's 1, the district 330106's 1."""
from __future__ import annotations

from tests.feed.test_jurisdictions import AWAY, HOME, _new_case

DAY = "2026-11-23"  # the harness's clock: Monday 10:00 in Shanghai


def _registered(srv, username: str, expect: int = 200, **params):
    r = srv.client.get("/api/metrics", params={"start": DAY, "end": DAY, **params}, headers=srv.login(username))
    assert r.status_code == expect, r.text
    if expect != 200:
        return r.json()
    body = r.json()
    return body["jurisdiction"], next(f["value"] for f in body["figures"] if f["key"] == "registered")


def test_reports_per_jurisdiction_as_each_role(srv):
    for grid in (HOME, AWAY):
        case = _new_case(srv, grid)
        assert srv.do("operator1", "register", case["id"])["status"] == "accepted"
    srv.clock.advance(hours=1)  # a report runs to now (exclusive): the registrations are an hour old
    assert _registered(srv, "lead1") == (None, 2)
    assert _registered(srv, "lead1", jurisdiction="3301") == ("3301", 2)
    assert _registered(srv, "lead1", jurisdiction="330108") == ("330108", 1)
    assert _registered(srv, "lead1", jurisdiction="330106") == ("330106", 1)
    other_street = next(s for s in sorted(srv.refdata.streets) if s.startswith("330106") and s != HOME.jurisdiction)
    assert _registered(srv, "lead1", jurisdiction=other_street) == (other_street, 0)
    # the district lead: its district by default, a street of it on request, never the other district
    assert _registered(srv, "lead_cj") == ("330108", 1)
    assert _registered(srv, "lead_cj", jurisdiction=AWAY.jurisdiction) == (AWAY.jurisdiction, 1)
    refused = _registered(srv, "lead_cj", 403, jurisdiction="330106")
    assert "330106" in str(refused) and "registered" not in str(refused)
    assert _registered(srv, "lead_cj", 403, jurisdiction="3301")  # the whole city is more than its district
    for bad in ("33010", "abcd", "3301060011"):
        assert "jurisdiction" in str(_registered(srv, "lead1", 400, jurisdiction=bad))
    _registered(srv, "operator1", 403, jurisdiction="330108")  # figures are for leads and admins
    _registered(srv, "operator_cj", 403)
