"""One command pipeline for every entity kind: case commands and handover commands in one batch on
`POST /api/commands`, each answered on its own, exactly once, in batch order; unknown kinds and actions
refused by name; the older `/api/entity-commands` answers the same through the same path."""
from __future__ import annotations

import uuid

from sqlalchemy import text


def _handover_to_sign(srv, clock):
    shift = srv.client.post("/api/shifts", json={}, headers=srv.login("lead1")).json()
    clock.advance(hours=1)
    draft = srv.client.post(f"/api/shifts/{shift['id']}/close", json={"notes": ""},
                            headers=srv.login("lead1")).json()
    return shift["id"], draft


def _entity(shift_id: str, action: str, payload: dict, clock, **extra) -> dict:
    return {"command_id": str(uuid.uuid4()), "kind": "handover", "entity_id": shift_id, "action": action,
            "payload": payload, "issued_at": clock.now.isoformat(), **extra}


def test_a_batch_of_several_kinds_is_answered_in_order_each_once(srv, clock):
    shift_id, draft = _handover_to_sign(srv, clock)
    case_id = uuid.uuid4()
    batch = [srv.command("create", case_id, srv.create_payload()),
             _entity(shift_id, "set_notes", {"notes": "pumps checked"}, clock),
             {**srv.command("register", case_id), "kind": "case"},  # a case command may name its kind
             _entity(shift_id, "sign", {"content_hash": draft["content_hash"]}, clock)]
    first = srv.post("lead1", *batch)
    assert [r["status"] for r in first] == ["accepted", "accepted", "accepted", "rejected"]
    assert first[0]["case"]["status"] == "reported" and first[2]["case"]["status"] == "registered"
    assert first[1]["data"]["notes"] == "pumps checked" and "case" not in first[1]
    # the outgoing lead may not sign; the refusal is an answer with the report (a lead may read it)
    assert first[3]["reason"] == "forbidden" and first[3]["data"]["status"] == "draft"
    assert srv.post("lead1", *batch) == first  # a retry gets the stored answers, nothing applied twice
    with srv.ctx.db.reader() as session:
        assert session.execute(text("SELECT count(*) FROM case_events")).scalar() == 2
        assert session.execute(text("SELECT count(*) FROM entity_commands")).scalar() == 2
        assert session.execute(text("SELECT version FROM handovers")).scalar() == 2


def test_unknown_kinds_and_actions_are_refused_by_name(srv, clock):
    shift_id, _ = _handover_to_sign(srv, clock)
    unknown_kind = {**_entity(shift_id, "sign", {}, clock), "kind": "drone"}
    unknown_action = _entity(shift_id, "approve", {}, clock)
    not_a_shift = _entity("shift-7", "set_notes", {"notes": "x"}, clock)
    results = srv.post("lead1", unknown_kind, unknown_action, not_a_shift)
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert results[0]["reason"] == "invalid_request" and "kind: unknown entity kind 'drone'" in results[0]["message"]
    assert results[1]["reason"] == "invalid_request" and "action: handover has no action 'approve'" in results[1]["message"]
    assert results[2]["reason"] == "invalid_request" and "'shift-7' is not a shift id" in results[2]["message"]
    assert srv.post("lead1", unknown_kind, unknown_action, not_a_shift) == results  # stored answers


def test_the_older_entity_endpoint_takes_the_same_path(srv, clock):
    shift_id, draft = _handover_to_sign(srv, clock)
    command = _entity(shift_id, "sign", {"content_hash": draft["content_hash"]}, clock)
    old = srv.client.post("/api/entity-commands", json={"commands": [command]}, headers=srv.login("lead2")).json()
    (new,) = srv.post("lead2", command)
    assert old["results"] == [new] and new["status"] == "accepted" and new["data"]["signed_by"] == "lead2"
