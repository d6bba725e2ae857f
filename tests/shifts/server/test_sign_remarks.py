"""The incoming lead's remarks travel with the signature into its audit entry and stay with the handover,
shown under the signature of the printed report; the signed report (and its hash) stays the outgoing
lead's."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import text

from tests.shifts.server.test_shifts import _close, _open


def test_remarks_go_into_the_signatures_audit_entry(lite, clock):
    srv = lite
    shift = _open(srv)
    clock.advance(hours=1)
    draft = _close(srv, shift["id"])
    command = {"command_id": str(uuid.uuid4()), "kind": "handover", "entity_id": shift["id"], "action": "sign",
               "payload": {"content_hash": draft["content_hash"], "remarks": "泵站 3 已查看 pump 3 checked"},
               "issued_at": clock.now.isoformat(), "offline": False, "console_id": "c2"}
    (result,) = srv.client.post("/api/commands", json={"commands": [command]},
                                headers=srv.login("lead2")).json()["results"]
    assert result["status"] == "accepted" and result["data"]["content_hash"] == draft["content_hash"]
    assert result["data"]["signed_remarks"] == "泵站 3 已查看 pump 3 checked"
    got = srv.client.get(f"/api/handovers/{shift['id']}", headers=srv.login("lead1"))
    assert got.status_code == 200 and got.json()["signed_remarks"] == "泵站 3 已查看 pump 3 checked"
    too_long = {**command, "command_id": str(uuid.uuid4()), "payload": {"content_hash": draft["content_hash"],
                                                                        "remarks": "x" * 4001}}
    (refused,) = srv.client.post("/api/commands", json={"commands": [too_long]},
                                 headers=srv.login("lead2")).json()["results"]
    assert refused["reason"] == "invalid_payload" and "remarks" in refused["message"]
    with srv.ctx.db.reader() as session:
        (detail,) = session.execute(text("SELECT detail FROM audit_log WHERE action = 'handover_sign' AND result = 'ok'")).one()
    detail = detail if isinstance(detail, dict) else json.loads(detail)
    assert detail["remarks"] == "泵站 3 已查看 pump 3 checked" and detail["content_hash"] == draft["content_hash"]

