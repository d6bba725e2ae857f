"""Login, bearer tokens and their failures."""
from __future__ import annotations

import hashlib

from tests.support.server import password_of


def test_login_returns_token_user_and_times(srv):
    r = srv.client.post("/api/login", json={"username": "lead1", "password": password_of("lead1"),
                                           "console_id": "desk-3"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"] == {"username": "lead1", "display_name": srv.refdata.user("lead1").display_name,
                            "role": "shift_lead", "unit_id": None, "jurisdictions": []}
    assert body["server_time"] == srv.clock().isoformat()
    assert body["expires_at"] > body["server_time"]
    assert len(body["token"]) >= 40
    me = srv.client.get("/api/refdata", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200


def test_only_the_token_digest_is_stored(lite):
    token = lite.login("operator1")["Authorization"].split()[1]
    from sqlalchemy import select

    from db.platform import TokenRow
    with lite.ctx.db.reader() as session:
        stored = session.execute(select(TokenRow.token_sha256, TokenRow.console_id)).all()
    assert [s[0] for s in stored] == [hashlib.sha256(token.encode()).hexdigest()]


def test_bad_password_and_unknown_user_get_the_same_answer(lite):
    wrong = lite.client.post("/api/login", json={"username": "lead1", "password": "guess"})
    unknown = lite.client.post("/api/login", json={"username": "nobody", "password": "guess"})
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert r.json()["error"] == "bad_credentials"
    assert wrong.json()["message"] == unknown.json()["message"]


def test_login_body_is_validated(lite):
    r = lite.client.post("/api/login", json={"username": "lead1", "password": "x", "role": "admin"})
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_request"
    assert {"loc": ["body", "role"], "msg": "Extra inputs are not permitted"} in r.json()["details"]


def test_expired_token(lite):
    headers = lite.login("operator1")
    lite.clock.advance(minutes=719)
    assert lite.client.get("/api/refdata", headers=headers).status_code == 200
    lite.clock.advance(minutes=2)
    r = lite.client.get("/api/refdata", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"] == "token_expired"
    assert r.headers["www-authenticate"] == "Bearer"


def test_ttl_comes_from_settings(make_harness, sqlite_url):
    srv = make_harness(sqlite_url, token_ttl_minutes=5)
    headers = srv.login("operator1")
    srv.clock.advance(minutes=6)
    assert srv.client.get("/api/changes", headers=headers).json()["error"] == "token_expired"


def test_forged_missing_and_malformed_tokens(lite):
    lite.login("operator1")
    cases = [({"Authorization": "Bearer " + "A" * 43}, "invalid_token"),
             ({}, "missing_token"),
             ({"Authorization": "Basic b3BlcmF0b3IxOng="}, "invalid_token"),
             ({"Authorization": "Bearer"}, "invalid_token")]
    for headers, error in cases:
        for method, path in [("GET", "/api/refdata"), ("GET", "/api/changes"), ("POST", "/api/commands"),
                             ("PUT", "/api/settings/emergency_mode"),
                             ("GET", "/api/cases/7f0c8f4e-1111-4c8e-9a7e-000000000000")]:
            r = lite.client.request(method, path, headers=headers, json={"commands": []} if method != "GET" else None)
            assert r.status_code == 401, (method, path, r.text)
            assert r.json()["error"] == error, (method, path, headers)


def test_deactivated_user_cannot_log_in_or_use_old_tokens(lite):
    from db.platform import UserRow
    headers = lite.login("operator2")
    with lite.ctx.db.writer() as session, session.begin():
        session.get(UserRow, "operator2").active = False
    assert lite.client.get("/api/refdata", headers=headers).json()["error"] == "invalid_token"
    r = lite.client.post("/api/login", json={"username": "operator2", "password": password_of("operator2")})
    assert r.json()["error"] == "bad_credentials"
