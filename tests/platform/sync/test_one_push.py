"""The console's one push call: case commands and entity commands travel in one `ServerClient.push`, and
each answer comes back typed as its command's kind; the engine drains both queues through it."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

from app.cases.commands import CommandResult
from app.cases.workflow import new_command
from app.platform.entity_commands import EntityCommand, EntityCommandResult
from app.platform.enums import Action
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from app.sync.session import login_online


def test_a_mixed_push_answers_each_command_in_its_own_shape(live_server, refdata):
    client = ServerClient(live_server.url)
    client.login("lead1", "demo-lead1")
    now = datetime.now(timezone.utc)
    lat, lon = refdata.grids[0].centroid
    create = new_command(uuid.uuid4(), Action.CREATE, {"source": "hotline", "category_code": "C0101",
                                                        "description": "manhole cover missing",
                                                        "location": {"lat": lat, "lon": lon}}, now)
    notes = EntityCommand(command_id=uuid.uuid4(), kind="handover", entity_id=str(uuid.uuid4()), action="set_notes",
                          payload={"notes": "x"}, issued_at=now)
    answer = client.push([create, notes])
    first, second = answer.results
    assert isinstance(first, CommandResult) and first.status == "accepted" and first.case.number
    assert isinstance(second, EntityCommandResult) and second.status == "rejected"
    assert second.reason == "not_found" and second.data is None, second  # no handover for a made-up shift
    client.close()


def test_the_engine_sends_a_queued_signature_through_the_same_call(live_server, tmp_path, refdata):
    """A lead's notes, queued offline in the entity outbox, reach the server by the one push call."""
    from app.cache import LocalCache
    from app.shifts.handover import handover_state, queue_notes

    lead = ServerClient(live_server.url)
    lead.login("lead1", "demo-lead1")
    shift = lead._json(lead._request("POST", "/api/shifts", json={}))
    lead._request("POST", f"/api/shifts/{shift['id']}/close", json={"notes": ""})
    cache = LocalCache(tmp_path / "lead")
    client = ServerClient(live_server.url)
    session = login_online(client, cache, "lead1", "demo-lead1")
    engine = SyncEngine(cache, client, wait_s=0.2)
    asyncio.run(engine.sync_once())
    pushed = []
    original = client.push
    client.push = lambda commands: pushed.append([type(c).__name__ for c in commands]) or original(commands)
    queue_notes(cache, session.actor.username, handover_state(cache, shift["id"]), "pumps checked",
                datetime.now(timezone.utc), offline=False)
    asyncio.run(engine.sync_once())
    assert pushed == [["EntityCommand"]]
    assert cache.entity_outbox.pending_count() == 0 and cache.entity_outbox.rejected() == []
    assert cache.entity("handover", shift["id"])["notes"] == "pumps checked"
    engine.close()
    client.close()
    lead.close()
    cache.close()
