"""Security headers (server.platform.edge.EdgeMiddleware): `Cache-Control: no-store` on /api answers
that carry tokens or personal data, `X-Content-Type-Options: nosniff` everywhere, and the API's docs only
where the settings ask for them (ServerSettings.api_docs)."""
from __future__ import annotations

import pytest

from server.app import create_app
from server.platform.settings import ServerSettings
from tests.support.server import Harness, password_of


def _no_store(r):
    assert r.headers.get("cache-control") == "no-store", (r.request.url, r.status_code, dict(r.headers))
    assert r.headers.get("x-content-type-options") == "nosniff", (r.request.url, dict(r.headers))


def test_api_answers_are_not_stored_and_not_sniffed(srv):
    r = srv.client.post("/api/login", json={"username": "lead1", "password": password_of("lead1")})
    assert r.status_code == 200
    _no_store(r)
    _no_store(srv.client.post("/api/login", json={"username": "lead1", "password": "wrong"}))  # an error too
    lead = srv.login("lead1")
    case = srv.new_case()
    shift = srv.client.post("/api/shifts", json={}, headers=lead).json()
    srv.clock.advance(hours=1)
    assert srv.client.post(f"/api/shifts/{shift['id']}/close", json={}, headers=lead).status_code == 200
    for path in [f"/api/cases/{case['id']}", "/api/changes?after=0&limit=bad", "/api/audit", "/api/shifts",
                 f"/api/handovers/{shift['id']}", "/api/sensors", "/api/alarms", "/api/nothing-here"]:
        _no_store(srv.client.get(path, headers=lead))
    _no_store(srv.client.post("/api/users/operator1/unlock", headers=lead))
    _no_store(srv.client.get("/api/changes"))  # 401 missing_token


def test_the_long_poll_fast_path_answers_with_the_same_headers(srv):
    from server.feed.fast_path import ChangesFastPath

    fast = srv.app.middleware_stack
    while not isinstance(fast, ChangesFastPath):
        fast = fast.app
    before = fast.answered
    r = srv.client.get("/api/changes", params={"cursor": "any.0"}, headers=srv.login("operator1"))
    assert r.status_code == 200 and fast.answered == before + 1  # answered in front of the framework
    _no_store(r)


def test_refdata_keeps_its_own_caching(srv):
    r = srv.client.get("/api/refdata", headers=srv.login("operator1"))
    assert r.headers["cache-control"] == "private, no-cache" and r.headers["etag"]
    assert r.headers["x-content-type-options"] == "nosniff"
    again = srv.client.get("/api/refdata", headers={**srv.login("operator1"), "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "private, no-cache"


def test_other_answers_are_not_sniffed(lite):
    r = lite.client.get("/healthz")
    assert r.headers["x-content-type-options"] == "nosniff" and "cache-control" not in r.headers


@pytest.mark.parametrize("settings,served", [
    ({}, False),                                  # production default
    ({"demo": True}, True),                       # the demo shows its API
    ({"api_docs": True}, True),
    ({"demo": True, "api_docs": False}, False),
])
def test_docs_only_where_the_settings_ask(sqlite_url, refdata, clock, settings, served):
    from tests.support.server import prepare_database

    prepare_database(sqlite_url, refdata)
    with Harness(sqlite_url, refdata, clock, api_docs=settings.get("api_docs"),
                 **{k: v for k, v in settings.items() if k != "api_docs"}) as srv:
        for path in ("/docs", "/redoc", "/openapi.json"):
            r = srv.client.get(path)
            assert r.status_code == (200 if served else 404), (path, settings)
            assert r.headers["x-content-type-options"] == "nosniff"
            if not served:
                assert r.json()["error"] == "not_found"
        assert srv.app.openapi()["paths"]["/api/login"]  # tools still get the schema in code


def test_docs_setting_from_the_environment():
    assert ServerSettings.from_env({}).api_docs_enabled is False
    assert ServerSettings.from_env({"ONEGRID_DEMO": "true"}).api_docs_enabled is True
    assert ServerSettings.from_env({"ONEGRID_API_DOCS": "true"}).api_docs_enabled is True
    assert ServerSettings.from_env({"ONEGRID_DEMO": "1", "ONEGRID_API_DOCS": "false"}).api_docs_enabled is False
    assert create_app(ServerSettings(database_url="sqlite://")).openapi_url is None
