"""`POST /api/commands` of plain case commands answered in front of the framework (`server.commands_fast_path`):
the same answer as the endpoint's, counted under its route; everything else — a bad token, a body that is not
a plain envelope of case commands, another query, a large body — answered by the endpoint as before; errors
while applying answered as the app's handlers answer them."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy.exc import OperationalError

from server.commands_fast_path import MAX_BODY, CommandsFastPath
from server.platform.errors import ApiError


def _fast(h) -> CommandsFastPath:
    layer = h.app.middleware_stack
    while not isinstance(layer, CommandsFastPath):
        layer = layer.app
    return layer


def _post(h, body, *, user: str | None = "operator1", query: str = "", **headers):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    sent = {"Content-Type": "application/json", **(h.login(user) if user else {}), **headers}
    return h.client.post("/api/commands" + query, content=body, headers=sent)


def _counted(h, status: str) -> float:
    return h.ctx.metrics.requests.labels("POST", "/api/commands", status)._value.get()


def test_a_plain_command_is_answered_here_as_the_endpoint_answers_it(srv):
    fast = _fast(srv)
    answered, counted = fast.answered, _counted(srv, "200")
    command = srv.command("create", uuid.uuid4(), srv.create_payload())
    r = _post(srv, {"commands": [command]}, **{"X-Request-ID": "fast-1"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert fast.answered == answered + 1
    assert _counted(srv, "200") == counted + 1  # under the endpoint's route
    (result,) = r.json()["results"]
    assert result["status"] == "accepted" and result["case"]["number"]
    assert r.headers["x-request-id"] == "fast-1"  # the edge's headers as on every answer
    # the same command again through the endpoint (an unknown query parameter is not the fast path's): the
    # stored answer, the very result the fast path gave
    again = _post(srv, {"commands": [command]}, query="?cases=all&also=1")
    assert again.status_code == 200 and fast.answered == answered + 1
    assert again.json()["results"] == [result]
    # ?cases=newest is honoured here too
    note = srv.command("note", command["case_id"], {"text": "x"})
    r = _post(srv, {"commands": [srv.command("register", command["case_id"]), note]}, query="?cases=newest")
    first, second = r.json()["results"]
    assert fast.answered == answered + 2 and first.get("case") is None and second["case"]["version"] == 3


@pytest.mark.parametrize(("body", "kwargs", "status", "error"), [
    ({"commands": []}, {}, 422, "invalid_request"),
    ({"commands": [{}], "extra": 1}, {}, 422, "invalid_request"),
    ('{"commands": [', {}, 400, "malformed_json"),
    ({"commands": [{"kind": "handover", "command_id": "x"}]}, {}, 200, None),  # an entity command: endpoint's
    ({"commands": [{}]}, {"query": "?cases=some"}, 422, "invalid_request"),
    ({"commands": [{}]}, {"user": None}, 401, "missing_token"),
    ({"commands": [{}]}, {"user": None, "Authorization": "Bearer nope"}, 401, None),
    ({"commands": [{}]}, {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
])
def test_anything_else_is_the_endpoints_to_answer(srv, body, kwargs, status, error):
    fast = _fast(srv)
    answered = fast.answered
    r = _post(srv, body, **kwargs)
    assert r.status_code == status, r.text
    if error is not None:
        assert r.json()["error"] == error
    assert fast.answered == answered


def test_a_large_body_is_read_by_the_endpoint_after_the_fast_path_looked_at_it(srv):
    fast = _fast(srv)
    answered = fast.answered
    payload = srv.create_payload(description="d" * 1000)
    commands = [srv.command("create", uuid.uuid4(), payload) for _ in range(MAX_BODY // 1000 + 5)]
    r = _post(srv, {"commands": commands})
    assert r.status_code == 200 and [x["status"] for x in r.json()["results"]] == ["accepted"] * len(commands)
    assert fast.answered == answered
    # a bad command among plain ones is the fast path's, answered on its own as the endpoint does
    r = _post(srv, {"commands": [{"command_id": "not a uuid"}, srv.command("create", uuid.uuid4(),
                                                                            srv.create_payload())]})
    assert [x["status"] for x in r.json()["results"]] == ["rejected", "accepted"]
    assert r.json()["results"][0]["reason"] == "invalid_request" and fast.answered == answered + 1


def test_errors_while_applying_are_answered_as_the_handlers_answer_them(srv, monkeypatch):
    command = srv.command("create", uuid.uuid4(), srv.create_payload())
    raised: list[BaseException] = []

    async def failing(*_a, **_k):
        raise raised[-1]

    srv.login("operator1")
    monkeypatch.setattr(srv.ctx, "apply_in_thread", failing)
    raised.append(OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly")))
    r = _post(srv, {"commands": [command]})
    assert r.status_code == 503 and r.json()["error"] == "database_unavailable"
    raised.append(ApiError(409, "busy", "try later"))
    r = _post(srv, {"commands": [command]})
    assert (r.status_code, r.json()["error"], r.json()["message"]) == (409, "busy", "try later")
    raised.append(ZeroDivisionError("a bug"))
    r = _post(srv, {"commands": [command]})
    assert r.status_code == 500 and r.json()["error"] == "internal_error"
