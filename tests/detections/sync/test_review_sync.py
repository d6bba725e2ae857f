"""A detection confirmed offline on a console: the case and the confirm wait in the outboxes and reach a real
server (uvicorn on loopback) in order when the network is back; the case comes back merged if it repeats one."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from app.detections.review import queue_confirm, queue_reject, waiting
from app.platform.enums import Role
from app.wire.detections import DetectionIn
from server.detections import ingest, reference
from tests.support.consoles import online_console
from tests.support.live_server import LiveServer
from tests.sync.test_integration import until


@pytest.fixture
def server(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1", "lead1")).start()
    with live.ctx.db.writer() as session, session.begin():
        reference.seed_if_empty(session, reference.demo_reference())
    yield live
    live.stop()


def _detect(server, camera="cam-hubin-01", kind="illegal_parking") -> dict:
    body = DetectionIn(source="video_ai", camera_id=camera, type=kind, confidence=0.9,
                       time=datetime.now(timezone.utc))
    return ingest.receive(server.ctx, body)["detection"]


def test_a_confirm_and_a_reject_queued_offline_reach_the_server_in_order(tmp_path, server):
    first = _detect(server)
    second = _detect(server, camera="cam-yanan-02", kind="street_stall")
    console = online_console(tmp_path / "console", server.url, "operator1")
    actor = console.session.actor
    assert actor.role == Role.OPERATOR

    async def scenario():
        await console.engine.sync_once()
        assert [d["id"] for d in waiting(console.cache.entities("detection").values())] == [first["id"],
                                                                                            second["id"]]
    asyncio.run(scenario())
    now = datetime.now(timezone.utc)
    case_id = queue_confirm(console.cache, actor, console.cache.entity("detection", first["id"]), now, offline=True)
    queue_reject(console.cache, actor, second["id"], "a market stall with a permit", now, offline=True)
    assert console.cache.entity_outbox.pending_count() == 2 and console.cache.outbox_size() == 1

    async def back_online():
        await console.engine.sync_once()
        await until(lambda: console.cache.entity_outbox.pending_count() == 0, what="the outbox drained")
        await console.engine.sync_once()
    asyncio.run(back_online())
    assert console.cache.entity_outbox.rejected() == []
    confirmed = console.cache.entity("detection", first["id"])
    assert confirmed["state"] == "confirmed" and confirmed["case_id"] == str(case_id)
    rejected = console.cache.entity("detection", second["id"])
    assert rejected["state"] == "rejected" and rejected["reason"] == "a market stall with a permit"
    case = console.cache.case(case_id)
    assert case.number is not None and case.frame_url is None  # no frame was sent with this one
    assert server.query("SELECT state, decided_by FROM detections ORDER BY detected_at") == [
        ("confirmed", "operator1"), ("rejected", "operator1")]
    console.close()
