"""Reference data with ETags, health, the error envelope, body limits and the X-Server-Time header."""
from __future__ import annotations

import socket

import pytest

from tests.support.server import Harness, prepare_database


def test_refdata_with_etag(srv):
    headers = srv.login("operator1")
    r = srv.client.get("/api/refdata", headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == srv.refdata.version
    assert r.headers["etag"] == f'"{srv.refdata.version}"'
    assert {u["id"] for u in body["units"]} == {u.id for u in srv.refdata.units}
    assert all(u["password"] is None for u in body["users"])  # demo passwords never leave the server
    again = srv.client.get("/api/refdata", headers={**headers, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = srv.client.get("/api/refdata", headers={**headers, "If-None-Match": '"0000"'})
    assert other.status_code == 200


def test_refdata_comes_from_the_database_when_not_given(sqlite_url, refdata, clock):
    prepare_database(sqlite_url, refdata)
    with Harness(sqlite_url, None, clock) as srv:
        r = srv.client.get("/api/refdata", headers=srv.login("admin"))
        assert r.status_code == 200 and r.json()["version"] == refdata.version
        assert srv.ctx.refdata == refdata.__class__.from_dict(refdata.to_dict())


def test_refdata_missing_from_the_database_is_503(sqlite_url, clock):
    from server.platform.database import upgrade
    upgrade(sqlite_url)
    with Harness(sqlite_url, None, clock) as srv:
        from server.admin.bootstrap import add_user
        add_user(sqlite_url, "ops", "pw", "operator")
        token = srv.client.post("/api/login", json={"username": "ops", "password": "pw"}).json()["token"]
        r = srv.client.get("/api/refdata", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 503 and r.json()["error"] == "no_refdata"


def test_healthz_ok(srv):
    r = srv.client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}
    assert r.headers["x-server-time"] == srv.clock().isoformat()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_503_when_the_database_is_unreachable(make_harness, refdata):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/onegrid"
    srv = make_harness(url, prepare=False)
    r = srv.client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"
    assert r.json()["database"].startswith("unreachable: ")
    # Anything else needing the database says so too, instead of a bare 500.
    login = srv.client.post("/api/login", json={"username": "lead1", "password": "x"})
    assert login.status_code == 503 and login.json()["error"] == "database_unavailable"


def test_healthz_sqlite_unreadable_file(make_harness, tmp_path):
    srv = make_harness(f"sqlite:///{tmp_path / 'missing-dir' / 'x.sqlite'}", prepare=False)
    r = srv.client.get("/healthz")
    assert r.status_code == 503 and r.json()["database"].startswith("unreachable: ")


def test_openapi_lists_the_contract(lite):
    r = lite.client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ["/api/login", "/api/refdata", "/api/commands", "/api/changes", "/api/cases/{case_id}",
                 "/api/settings/emergency_mode", "/healthz"]:
        assert path in paths


def test_error_envelope_for_unknown_routes_and_methods(lite):
    r = lite.client.get("/api/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = lite.client.delete("/api/commands")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    assert "x-server-time" in r.headers


def test_malformed_json_is_400(lite):
    r = lite.client.post("/api/commands", content=b'{"commands": [', headers={**lite.login("operator1"),
                                                                          "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == "malformed_json"
    r = lite.client.post("/api/login", content=b"not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"


def test_body_that_is_not_declared_json_is_415(lite):
    r = lite.client.post("/api/login", content=b'{"username": "a", "password": "b"}',
                         headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["error"] == "unsupported_media_type"


def test_oversized_body_by_content_length(make_harness, sqlite_url):
    srv = make_harness(sqlite_url, max_body_bytes=2000)
    body = b'{"username": "' + b"a" * 3000 + b'", "password": "x"}'
    r = srv.client.post("/api/login", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"
    assert "x-server-time" in r.headers


def test_oversized_streamed_body_without_content_length(make_harness, sqlite_url):
    srv = make_harness(sqlite_url, max_body_bytes=2000)

    def chunks():
        yield b'{"username": "'
        for _ in range(10):
            yield b"a" * 500
        yield b'", "password": "x"}'

    r = srv.client.post("/api/login", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"


def test_default_limit_is_one_mebibyte(lite):
    headers = {**lite.login("operator1"), "Content-Type": "application/json"}
    r = lite.client.post("/api/commands", content=b" " * (1024 * 1024 + 1), headers=headers)
    assert r.status_code == 413


def test_unexpected_errors_are_json_500(srv, monkeypatch):
    import server.platform.api

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(server.platform.api.auth, "check_credentials", explode)
    r = srv.client.post("/api/login", json={"username": "operator1", "password": "x"})
    assert r.status_code == 500
    assert r.json()["error"] == "internal_error"
    assert "x-server-time" in r.headers


def test_a_command_failing_unexpectedly_is_rejected_with_nothing_written(srv):
    import uuid

    from sqlalchemy import func, select

    from db.cases import CaseEventRow, CaseRow, CommandRow
    from db.feed import FeedRow

    def explode(_session):
        raise RuntimeError("disk on fire")

    srv.ctx.before_commit = explode
    case_id = uuid.uuid4()
    (result,) = srv.post("operator1", srv.command("create", case_id, srv.create_payload()))
    assert (result["status"], result["reason"]) == ("rejected", "internal_error")
    assert "RuntimeError" in result["message"] and "disk on fire" not in result["message"]
    with srv.ctx.db.reader() as session:
        for table in (CaseRow, CaseEventRow, CommandRow, FeedRow):
            assert session.execute(select(func.count()).select_from(table)).scalar() == 0, table
    srv.ctx.before_commit = None
    assert srv.do("operator1", "create", case_id, srv.create_payload())["status"] == "accepted"


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", "/api/refdata"])
def test_every_answer_carries_server_time(lite, path):
    r = lite.client.get(path)
    assert r.headers["x-server-time"] == lite.clock().isoformat()
