"""Handover notes and signatures queued offline: console cache + entity outbox + sync engine
against a real server (uvicorn on loopback, through the fault proxy to pull the cable)."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from app.cache import LocalCache
from app.platform.enums import Role
from app.shifts.handover import handover_state, queue_notes, queue_signature
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from app.sync.state import Connection
from app.wire.shifts import HandoverAnswer
from tests.support.consoles import online_console
from tests.support.faultproxy import FaultProxy
from tests.support.live_server import LiveServer
from tests.sync.test_integration import until


@pytest.fixture
def server(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1", "lead1", "lead2")).start()
    yield live
    live.stop()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _closed_shift(lead) -> HandoverAnswer:
    shift = lead.client.open_shift(on_duty=["operator1"])
    return lead.client.close_shift(shift.id, notes="handover at 08:00")


def test_a_signature_given_offline_syncs_exactly_once(tmp_path, server):
    proxy = FaultProxy(server.port).start()
    outgoing = online_console(tmp_path / "out", server.url, "lead1")
    incoming = online_console(tmp_path / "in", proxy.url, "lead2")
    draft = _closed_shift(outgoing)
    sid = str(draft.shift_id)

    async def scenario():
        incoming.engine.start()
        await until(lambda: incoming.cache.entity("handover", sid) is not None, what="the draft on the console")
        proxy.set_mode("drop")  # the cable is pulled
        await until(lambda: incoming.engine.state.connection == Connection.OFFLINE, what="offline")
        state = handover_state(incoming.cache, sid)
        assert state.can_sign("lead2", Role.SHIFT_LEAD)
        queue_signature(incoming.cache, "lead2", Role.SHIFT_LEAD, state, _now(), offline=True)
        await asyncio.sleep(0.5)  # the engine tries and fails meanwhile
        assert incoming.cache.entity_outbox.pending_count() == 1
        assert handover_state(incoming.cache, sid).signature_pending == draft.content_hash
        await incoming.engine.stop()

    asyncio.run(scenario())
    incoming.close()  # the console is closed while offline: the signature must survive in outbox.sqlite
    cache = LocalCache(tmp_path / "in")
    assert cache.entity_outbox.pending_count() == 1
    (queued,) = cache.entity_outbox.pending()
    client = ServerClient(proxy.url, token=incoming.client.token)
    proxy.set_mode("pass")  # the network is back
    # the first send reached the server but its answer was lost: the engine sends the same command again
    (lost,) = client.push([queued.command]).results
    assert lost.status == "accepted"
    engine = SyncEngine(cache, client, wait_s=1)
    asyncio.run(engine.sync_once())
    assert cache.entity_outbox.pending_count() == 0 and cache.entity_outbox.rejected() == []
    signed = cache.entity("handover", sid)
    assert (signed["status"], signed["signed_by"], signed["signed_offline"]) == ("signed", "lead2", True)
    assert server.query("SELECT count(*) FROM entity_commands") == [(1,)]
    assert server.query("SELECT status, signed_by FROM handovers") == [("signed", "lead2")]
    engine.close()
    client.close()
    cache.close()
    outgoing.close()
    proxy.stop()


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # a window shown offscreen
def test_a_signature_of_a_changed_report_is_refused_visibly(tmp_path, server):
    outgoing = online_console(tmp_path / "out", server.url, "lead1")
    incoming = online_console(tmp_path / "in", server.url, "lead2")
    draft = _closed_shift(outgoing)
    sid = str(draft.shift_id)
    asyncio.run(incoming.engine.sync_once())
    asyncio.run(outgoing.engine.sync_once())
    seen = handover_state(incoming.cache, sid)
    # offline on the incoming side: the signature waits in the outbox (the engine is not running) …
    queue_signature(incoming.cache, "lead2", Role.SHIFT_LEAD, seen, _now(), offline=True)
    # … while the outgoing lead adds to the notes, through their own queue
    queue_notes(outgoing.cache, "lead1", handover_state(outgoing.cache, sid), "pump at Hubin Rd: check at 09:00",
                _now(), offline=False)
    asyncio.run(outgoing.engine.sync_once())
    assert outgoing.cache.entity("handover", sid)["version"] == 2
    asyncio.run(incoming.engine.sync_once())  # back online
    state = handover_state(incoming.cache, sid)
    (refusal,) = state.refusals
    assert refusal.reason == "report_changed" and "changed after you reviewed it" in refusal.message
    assert not state.signed and state.signature_pending is None
    assert state.server["notes"] == "pump at Hubin Rd: check at 09:00"  # the version to review now
    assert server.query("SELECT status FROM handovers") == [("draft",)]
    # having read the new version, the incoming lead signs it
    incoming.cache.entity_outbox.dismiss(refusal.command_id)
    queue_signature(incoming.cache, "lead2", Role.SHIFT_LEAD, handover_state(incoming.cache, sid), _now(),
                    offline=False)
    asyncio.run(incoming.engine.sync_once())
    assert handover_state(incoming.cache, sid).signed
    asyncio.run(outgoing.engine.sync_once())
    with pytest.raises(ValueError):
        queue_notes(outgoing.cache, "lead1", handover_state(outgoing.cache, sid), "too late", _now(), offline=False)
    incoming.close()
    outgoing.close()


def test_offline_periods_are_recorded_and_reported(tmp_path, server):
    proxy = FaultProxy(server.port).start()
    console = online_console(tmp_path / "c", proxy.url, "operator1")

    async def scenario():
        console.engine.start()
        await until(lambda: console.engine.state.connection == Connection.ONLINE, what="online")
        proxy.set_mode("drop")
        await until(lambda: console.engine.state.connection == Connection.OFFLINE, what="offline")
        assert console.cache.entity_outbox.open_outage() is not None
        await asyncio.sleep(0.3)
        proxy.set_mode("pass")
        await until(lambda: server.query("SELECT count(*) FROM console_outages") == [(1,)], what="outage reported")
        await until(lambda: console.cache.entity_outbox.closed_outages() == [], what="outage forgotten locally")
        await console.engine.stop()

    asyncio.run(scenario())
    ((console_id, username, seconds),) = server.query(
        "SELECT console_id, username, (julianday(ended_at) - julianday(started_at)) * 86400 FROM console_outages")
    assert (console_id, username) == (console.cache.console_id, "operator1") and seconds >= 0.3
    console.close()
    proxy.stop()
