"""A command batch is answered command by command (`server.platform.batch_items`): one bad command is rejected with
its reason and stored like any answer, the others are applied, and a retry gets the same answers. A batch
answered 422 or 500 as a whole would be answered so at every retry, and the console's outbox would be
stuck behind it for good."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from db.audit import AuditEntryRow
from tests.platform.server.test_edge_input import (
    NUL,
    SURROGATE,
    YEAR_1,
    _entity,
    _handover,
    send,
)


def _post(srv, path: str, commands: list, user: str = "operator1") -> list[dict]:
    r = send(srv, "POST", path, user, {"commands": commands})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_a_bad_command_between_good_ones_is_rejected_alone_and_a_retry_gets_the_same_answers(srv):
    first, last = uuid.uuid4(), uuid.uuid4()
    commands = [
        srv.command("create", first, srv.create_payload()),
        srv.command("create", uuid.uuid4(), srv.create_payload(description=NUL)),   # payload
        srv.command("note", first, {"text": "called back"}, console_id=SURROGATE),  # command schema
        {**srv.command("note", first, {"text": "called back"}), "issued_at": YEAR_1},
        42,                                                                         # not even an object
        srv.command("create", last, srv.create_payload()),
    ]
    results = _post(srv, "/api/commands", commands)
    assert [(r["status"], r["reason"]) for r in results] == [
        ("accepted", None), ("rejected", "invalid_payload"), ("rejected", "invalid_request"),
        ("rejected", "invalid_time"), ("rejected", "invalid_request"), ("accepted", None)]
    assert [r["command_id"] for r in results] == [c["command_id"] for c in commands[:4]] + [None,
                                                                                            commands[5]["command_id"]]
    assert "description" in results[1]["message"] and "console_id" in results[2]["message"]
    assert results[2]["case"]["id"] == str(first)  # a rejection shows the server's case, as any other
    assert "JSON object" in results[4]["message"]
    assert _post(srv, "/api/commands", commands) == results  # the very same answers: nothing applied twice

    # Stored by command id like any answer: the same id with a repaired body still gets its rejection.
    repaired = {**commands[2], "console_id": "desk-1"}
    assert _post(srv, "/api/commands", [repaired]) == [results[2]]
    with srv.ctx.db.reader() as session:
        rows = session.execute(select(AuditEntryRow.result, AuditEntryRow.reason)
                               .where(AuditEntryRow.entity_kind == "case")).all()
    assert sorted(rows, key=str) == sorted([("accepted", None), ("accepted", None), ("rejected", "invalid_payload"),
                                            ("rejected", "invalid_request"), ("rejected", "invalid_time")], key=str)


def test_another_users_command_id_stays_theirs_even_when_the_item_is_bad(srv):
    command = {**srv.command("note", uuid.uuid4(), {"text": "hi"}), "console_id": NUL}
    (mine,) = _post(srv, "/api/commands", [command])
    (theirs,) = _post(srv, "/api/commands", [command], user="operator2")
    assert mine["reason"] == "invalid_request" and theirs["reason"] == "conflict"


def test_only_a_malformed_envelope_refuses_the_whole_batch(srv):
    headers = {**srv.login("operator1"), "Content-Type": "application/json"}
    for path in ("/api/commands", "/api/entity-commands"):
        for body, status in [(b"{not json", 400), (b'[{"command_id": 1}]', 422), (b'{"commands": {}}', 422),
                             (b'{"commands": []}', 422), (json.dumps({"commands": [{}] * 501}).encode(), 422)]:
            r = srv.client.post(path, content=body, headers=headers)
            assert r.status_code == status, (path, body[:40], r.text)
            assert r.json()["error"] in ("malformed_json", "invalid_request")


def test_entity_commands_are_answered_one_by_one(srv, clock):
    shift_id = _handover(srv, clock)["shift_id"]
    commands = [_entity(shift_id, clock, payload={"notes": "first"}),
                _entity(shift_id, clock, payload={"notes": NUL}),
                _entity(shift_id, clock, console_id=NUL),
                {"kind": "handover"},
                _entity(shift_id, clock, payload={"notes": "second"})]
    results = _post(srv, "/api/entity-commands", commands, user="lead1")
    assert [(r["status"], r["reason"]) for r in results] == [
        ("accepted", None), ("rejected", "invalid_payload"), ("rejected", "invalid_request"),
        ("rejected", "invalid_request"), ("accepted", None)]
    assert results[3]["command_id"] is None and "command_id" in results[3]["message"]
    assert results[-1]["data"]["notes"] == "second"
    assert _post(srv, "/api/entity-commands", commands, user="lead1") == results
