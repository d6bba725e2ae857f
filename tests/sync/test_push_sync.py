"""The sync engine on the feed's push channel (`app.sync.push_feed`) against a real server: what it applies
is what long-polling would (gap-free per partition under concurrent commits, scope exits included), it
reconnects after the server process is killed, and it falls back to long-polling when no stream is offered."""
from __future__ import annotations

import asyncio
import random
import threading
import time
from uuid import UUID

import pytest

from app.cache import LocalCache
from app.platform.enums import Action
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from app.sync.session import login_online
from tests.support.consoles import online_console
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import create_payload

HANDLER, UNIT, OTHER_UNIT = "handler_water_supply", "water_supply", "roads"


async def until(predicate, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def server_case_ids(server) -> set[UUID]:
    return {UUID(str(row[0])) for row in server.query("SELECT id FROM cases")}


def cached_ids(console) -> set[UUID]:
    return {s.id for s in console.cache.summaries()}


@pytest.fixture
def server(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1", "operator2", "operator3", HANDLER),
                      feed_push_heartbeat_s=1.0).start()
    yield live
    live.stop()


def test_a_pushed_console_gets_every_concurrent_commit_and_holds_what_a_full_read_holds(tmp_path, server, refdata,
                                                                                     now):
    reader = online_console(tmp_path / "reader", server.url, "operator1", wait_s=20)
    writers = [online_console(tmp_path / f"w{n}", server.url, f"operator{n + 2}") for n in range(2)]
    for writer in writers:
        asyncio.run(writer.engine.sync_once())  # reference data first
    per_writer = 12

    def write(console, base: int) -> None:
        for n in range(per_writer):
            console.cache.issue(console.actor, Action.CREATE, None, create_payload(refdata, base + n), now,
                                offline=False)
            asyncio.run(console.engine.sync_once())

    async def scenario():
        reader.engine.start()
        await until(lambda: reader.engine.push_feed.pages > 0, what="the reader on the stream")
        threads = [threading.Thread(target=write, args=(w, 100 * i)) for i, w in enumerate(writers)]
        for thread in threads:
            thread.start()
        await asyncio.to_thread(lambda: [t.join() for t in threads])
        expected = server_case_ids(server)
        assert len(expected) == 2 * per_writer
        await until(lambda: cached_ids(reader) == expected, what="every case on the pushed console")
        await reader.engine.stop()

    asyncio.run(scenario())
    assert reader.engine.push_feed.pages > 1 and reader.engine.push_feed.opened == 1  # pushed, one stream
    fresh = online_console(tmp_path / "fresh", server.url, "operator1")
    asyncio.run(fresh.engine.sync_once())
    assert reader.cache.feed_cursor() == fresh.cache.feed_cursor()  # every partition's cursor where a full read ends
    for case_id in cached_ids(fresh):
        assert reader.cache.case(case_id) == fresh.cache.case(case_id)
    for console in (reader, fresh, *writers):
        console.close()


def test_a_scope_exit_arrives_over_the_stream(tmp_path, server, refdata, now):
    operator = online_console(tmp_path / "operator", server.url, "operator2")
    asyncio.run(operator.engine.sync_once())
    handler = online_console(tmp_path / "handler", server.url, HANDLER, wait_s=20)

    def act(action, case_id, payload):
        operator.cache.issue(operator.actor, action, case_id, payload, now, offline=False)
        asyncio.run(operator.engine.sync_once())

    created = operator.cache.issue(operator.actor, Action.CREATE, None, create_payload(refdata), now, offline=False)
    asyncio.run(operator.engine.sync_once())
    act(Action.REGISTER, created.case_id, {})
    act(Action.DISPATCH, created.case_id, {"unit_id": UNIT})

    async def scenario():
        handler.engine.start()
        await until(lambda: handler.cache.case(created.case_id) is not None, what="the case on the handler's")
        await until(lambda: handler.engine.push_feed.pages > 0, what="the handler on the stream")
        pages = handler.engine.push_feed.pages
        await asyncio.to_thread(act, Action.REASSIGN, created.case_id, {"unit_id": OTHER_UNIT})
        await until(lambda: handler.cache.case(created.case_id) is None, what="the case gone from the handler's")
        assert handler.engine.push_feed.pages > pages  # it came pushed
        await handler.engine.stop()

    asyncio.run(scenario())
    assert handler.engine.push_feed.opened == 1
    operator.close()
    handler.close()


def test_a_console_long_polls_when_the_server_offers_no_stream(tmp_path, refdata, now):
    directory = tmp_path / "server"
    directory.mkdir()
    server = LiveServer(directory, refdata, users=("operator1", "operator2"), feed_push_max_streams=0).start()
    try:
        reader = online_console(tmp_path / "reader", server.url, "operator1", wait_s=5)
        writer = online_console(tmp_path / "writer", server.url, "operator2")
        asyncio.run(writer.engine.sync_once())

        async def scenario():
            reader.engine.start()
            await until(lambda: not reader.engine.push_feed.usable(), what="the fallback")
            created = writer.cache.issue(writer.actor, Action.CREATE, None, create_payload(refdata), now,
                                         offline=False)
            await asyncio.to_thread(lambda: asyncio.run(writer.engine.sync_once()))
            await until(lambda: reader.cache.case(created.case_id) is not None, what="the case, long-polled")
            await reader.engine.stop()

        asyncio.run(scenario())
        assert reader.engine.push_feed.pages == 0 and reader.engine.push_feed.opened == 0
        reader.close()
        writer.close()
    finally:
        server.stop()


@pytest.mark.postgres
def test_a_pushed_console_reconnects_after_the_server_process_is_killed(pg_url, refdata, tmp_path, now,
                                                                       monkeypatch):
    from tests.feed import test_two_processes as processes
    from tests.support.server import password_of, prepare_database

    prepare_database(pg_url, refdata)
    first = processes.ServerProcess(pg_url, tmp_path / "server-1.log")
    first.wait_ready()
    cache = LocalCache(tmp_path / "console")
    client = ServerClient(first.url, timeout=(3.05, 15.0), retries=0, long_poll_grace_s=2.0)  # a busy machine: logins are slow
    login_online(client, cache, "operator1", password_of("operator1"))
    engine = SyncEngine(cache, client, wait_s=20, backoff_base_s=0.05, backoff_cap_s=0.5, rng=random.Random(0))
    writer = processes._login(first, "operator2")
    second = None
    try:
        async def scenario():
            nonlocal second
            engine.start()
            await until(lambda: engine.push_feed.pages > 0, what="the console on the stream")
            one = await asyncio.to_thread(_create, first, writer, refdata, 1)
            await until(lambda: cache.case(one) is not None, what="the first case, pushed")
            first.process.kill()  # no goodbye: the stream just breaks
            first.process.wait(timeout=10)
            monkeypatch.setattr(processes, "free_port", lambda: first.port)  # the same address again
            second = processes.ServerProcess(pg_url, tmp_path / "server-2.log")
            await asyncio.to_thread(second.wait_ready)
            two = await asyncio.to_thread(_create, second, processes._login(second, "operator2"), refdata, 2)
            await until(lambda: cache.case(two) is not None, timeout=30, what="the second case after the restart")
            # The case may come by the catch-up read that precedes the stream; the stream then opens again.
            await until(lambda: engine.push_feed.opened >= 2, timeout=30, what="the stream opened again")
            pages = engine.push_feed.pages
            three = await asyncio.to_thread(_create, second, processes._login(second, "operator2"), refdata, 3)
            await until(lambda: cache.case(three) is not None, timeout=30, what="a third case after the restart")
            assert engine.push_feed.pages > pages  # it came over the new stream
            await engine.stop()

        asyncio.run(scenario())
        assert engine.push_feed.opened >= 2 and engine.push_feed.usable()  # reconnected, still pushed
    finally:
        first.stop()
        if second is not None:
            second.stop()
        client.close()
        cache.close()


def _create(server, headers, refdata, n: int) -> UUID:
    import uuid
    from datetime import datetime, timezone

    import requests
    case_id = uuid.uuid4()
    command = {"command_id": str(uuid.uuid4()), "case_id": str(case_id), "action": "create",
               "issued_at": datetime.now(timezone.utc).isoformat(), "payload": create_payload(refdata, n)}
    r = requests.post(f"{server.url}/api/commands", json={"commands": [command]}, headers=headers, timeout=30)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    return case_id
