"""SyncEngine against the in-memory FakeServer: push/pull, lost answers, refusals, offline, auth expiry."""
from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest

from app.cache import LocalCache
from app.platform.enums import Action, Status
from app.sync import engine as engine_module
from app.sync.backoff import Backoff
from app.sync.client import ServerUnreachable
from app.sync.engine import SyncEngine
from app.sync.state import Connection
from tests.support.fake_server import FakeClient, FakeServer
from tests.support.sync_helpers import (
    LEAD,
    OPERATOR,
    OPERATOR2,
    create_payload,
    dispatch_unit,
)


@pytest.fixture
def server(refdata, now):
    return FakeServer(refdata, now)


def _console(path: Path, server: FakeServer, actor, **engine_options) -> tuple[LocalCache, FakeClient, SyncEngine]:
    cache = LocalCache(path)
    client = FakeClient(server, actor)
    options = {"wait_s": 0.2, "backoff_base_s": 0.01, "backoff_cap_s": 0.05, "rng": random.Random(1)}
    return cache, client, SyncEngine(cache, client, **(options | engine_options))


async def _until(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def test_sync_once_brings_two_consoles_together(tmp_path, server, refdata, now):
    cache_a, _, engine_a = _console(tmp_path / "a", server, OPERATOR)
    cache_b, _, engine_b = _console(tmp_path / "b", server, OPERATOR2)
    asyncio.run(engine_a.sync_once())  # downloads the reference data
    command = cache_a.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
    asyncio.run(engine_a.sync_once())
    asyncio.run(engine_b.sync_once())

    on_server = server.cases[command.case_id]
    for cache in (cache_a, cache_b):
        assert cache.case(command.case_id) == on_server == cache.server_case(command.case_id)
        assert cache.outbox_size() == 0 and not cache.summaries()[0].pending
    assert engine_a.state.connection == Connection.ONLINE and engine_a.state.last_sync is not None
    assert cache_b.cursor() == cache_a.cursor() > 0


def test_lost_answer_is_resent_and_applied_once(tmp_path, server, refdata, now):
    cache, client, engine = _console(tmp_path / "a", server, OPERATOR)
    asyncio.run(engine.sync_once())
    command = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
    client.lose_answers = 1
    with pytest.raises(ServerUnreachable):
        asyncio.run(engine.sync_once())
    assert engine.state.connection == Connection.OFFLINE and "reset" in engine.state.last_error
    [queued] = cache.outbox_batch(10)
    assert queued.attempts == 1 and "reset" in queued.last_error

    asyncio.run(engine.sync_once())
    assert server.applied_count == {command.command_id: 1} and cache.outbox_size() == 0
    assert cache.case(command.case_id) == server.cases[command.case_id]


def test_a_command_the_server_cannot_take_becomes_a_conflict(tmp_path, server, refdata, now):
    cache, client, engine = _console(tmp_path / "a", server, OPERATOR, batch=8)
    asyncio.run(engine.sync_once())
    issued = [cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, i), now, offline=False)
              for i in range(6)]
    client.refuse_command = issued[3].command_id
    asyncio.run(engine.sync_once())

    [conflict] = cache.conflicts()
    assert conflict.command == issued[3] and conflict.reason == "invalid_command"
    assert set(server.applied_count) == {c.command_id for i, c in enumerate(issued) if i != 3}
    assert cache.outbox_size() == 0 and engine.state.conflicts == 1
    assert [len(p) for p in client.pushes][:2] == [6, 3]  # halved around the bad command


def test_loops_push_as_soon_as_queued_and_pull_others_changes(tmp_path, server, refdata, now):
    cache_a, _, engine_a = _console(tmp_path / "a", server, OPERATOR)
    cache_b, _, engine_b = _console(tmp_path / "b", server, OPERATOR2)
    states = []
    engine_a.events.state_changed.connect(states.append)

    async def scenario():
        engine_a.start()
        engine_b.start()
        await _until(lambda: cache_a.refdata() is not None and cache_b.refdata() is not None, what="refdata")
        created = cache_a.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
        await _until(lambda: cache_b.case(created.case_id) is not None, what="case on B")
        await _until(lambda: engine_a.state.connection == Connection.ONLINE, what="A online")
        await engine_a.stop()
        await engine_b.stop()
        return created

    created = asyncio.run(scenario())
    assert cache_a.case(created.case_id) == cache_b.case(created.case_id) == server.cases[created.case_id]
    assert engine_a.state.connection == Connection.STOPPED
    assert Connection.ONLINE in {s.connection for s in states}


def test_offline_then_back_drains_the_outbox(tmp_path, server, refdata, now):
    cache, client, engine = _console(tmp_path / "a", server, OPERATOR)
    asyncio.run(engine.sync_once())
    client.down = True

    async def scenario():
        engine.start()
        await _until(lambda: engine.state.connection == Connection.OFFLINE, what="offline")
        commands = [cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, i), now, offline=True)
                    for i in range(3)]
        await asyncio.sleep(0.2)
        assert engine.state.outbox == 3 and not server.cases
        client.down = False
        await _until(lambda: cache.outbox_size() == 0 and engine.state.connection == Connection.ONLINE,
                     what="drained")
        await engine.stop()
        return commands

    commands = asyncio.run(scenario())
    assert all(server.cases[c.case_id].events[0].offline for c in commands)
    assert engine.state.outbox == 0


def test_auth_expired_waits_for_relogin(tmp_path, server, refdata, now):
    cache, client, engine = _console(tmp_path / "a", server, OPERATOR)
    asyncio.run(engine.sync_once())
    client.token = "expired"

    async def scenario():
        engine.start()
        await _until(lambda: engine.state.connection == Connection.AUTH_EXPIRED, what="auth_expired")
        command = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
        await asyncio.sleep(0.2)
        assert cache.outbox_size() == 1 and engine.state.connection == Connection.AUTH_EXPIRED
        engine.relogin("token")
        await _until(lambda: cache.outbox_size() == 0, what="drained after relogin")
        await engine.stop()
        return command

    command = asyncio.run(scenario())
    assert command.case_id in server.cases


def test_offline_session_reports_offline_then_asks_for_login(tmp_path, server, refdata, now):
    cache, client, engine = _console(tmp_path / "a", server, OPERATOR)
    asyncio.run(engine.sync_once())
    client.token = None   # an offline login has no token
    client.down = True

    async def scenario():
        engine.start()
        await _until(lambda: engine.state.connection == Connection.OFFLINE, what="offline")
        client.down = False
        await _until(lambda: engine.state.connection == Connection.AUTH_EXPIRED, what="asks for login")
        engine.relogin("token")
        await _until(lambda: engine.state.connection == Connection.ONLINE, what="online")
        await engine.stop()

    asyncio.run(scenario())


def test_double_dispatch_one_wins_the_other_becomes_a_conflict(tmp_path, server, refdata, now):
    cache_a, _, engine_a = _console(tmp_path / "a", server, OPERATOR)
    cache_b, _, engine_b = _console(tmp_path / "b", server, OPERATOR2)
    asyncio.run(engine_a.sync_once())
    asyncio.run(engine_b.sync_once())
    created = cache_a.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
    asyncio.run(engine_a.sync_once())
    asyncio.run(engine_b.sync_once())
    lead_cache, _, lead_engine = _console(tmp_path / "lead", server, LEAD)
    asyncio.run(lead_engine.sync_once())
    lead_cache.issue(LEAD, Action.REGISTER, created.case_id, {}, now, offline=False)
    asyncio.run(lead_engine.sync_once())
    asyncio.run(engine_a.sync_once())
    asyncio.run(engine_b.sync_once())

    unit = dispatch_unit(refdata)
    first = cache_a.issue(OPERATOR, Action.DISPATCH, created.case_id, {"unit_id": unit}, now, offline=False)
    second = cache_b.issue(OPERATOR2, Action.DISPATCH, created.case_id, {"unit_id": unit}, now, offline=False)
    asyncio.run(engine_a.sync_once())
    asyncio.run(engine_b.sync_once())

    assert server.applied_count.get(first.command_id) == 1 and second.command_id not in server.applied_count
    [conflict] = cache_b.conflicts()
    assert conflict.command == second and conflict.reason == "illegal_state"
    assert conflict.server_case.status == Status.DISPATCHED
    for cache in (cache_a, cache_b):
        assert cache.case(created.case_id) == server.cases[created.case_id]


def test_backoff_is_full_jitter_with_a_cap():
    backoff = Backoff(base_s=1, cap_s=8, rng=random.Random(7))
    ceilings = [1, 2, 4, 8, 8, 8]
    delays = [backoff.next_delay() for _ in ceilings]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings))
    assert len(set(delays)) == len(delays)
    backoff.reset()
    assert backoff.failures == 0 and backoff.next_delay() <= 1
    with pytest.raises(ValueError):
        Backoff(base_s=0)


def test_start_needs_a_running_loop(tmp_path, server):
    _, _, engine = _console(tmp_path / "a", server, OPERATOR)
    with pytest.raises(RuntimeError, match="running asyncio event loop"):
        engine.start()


def _cases_and_a_second_console(tmp_path, server, refdata, now, count: int):
    """Console A creates `count` cases on the server; console B, empty, reads the feed in pages of two."""
    cache_a, _, engine_a = _console(tmp_path / "a", server, OPERATOR)
    asyncio.run(engine_a.sync_once())  # the reference data
    for i in range(count):
        cache_a.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, i), now, offline=False)
    asyncio.run(engine_a.sync_once())
    return (cache_a, engine_a), _console(tmp_path / "b", server, OPERATOR2, page=2, bulk_page=2)


def test_the_page_fetched_ahead_is_read_only_once_the_previous_page_commits(tmp_path, server, refdata, now,
                                                                              monkeypatch):
    (cache_a, engine_a), (cache_b, _, engine_b) = _cases_and_a_second_console(tmp_path, server, refdata, now, 7)
    log: list[tuple[str, int]] = []  # in the order it happened, on whichever thread
    real_read = engine_module.read_page

    def read(changes):
        changes = list(changes)
        log.append(("read", changes[0].position if changes else -1))
        return real_read(changes)

    real_apply = cache_b.apply_changes

    def apply(read_page, cursor, more=False, committing=None):
        def announce():
            log.append(("commit", len(log)))
            committing()
        return real_apply(read_page, cursor, more, announce)

    monkeypatch.setattr(engine_module, "read_page", read)
    cache_b.apply_changes = apply
    asyncio.run(engine_b.sync_once())
    assert cache_b.case_count() == 7 and cache_b.cursor() == cache_a.cursor()
    kinds = [kind for kind, _ in log]
    # read, then for each page with a next one: its commit before the next page's read
    assert kinds[0] == "read" and kinds.count("read") >= 4
    assert all(kinds[i - 1] == "commit" for i, kind in enumerate(kinds) if kind == "read" and i > 0)
    for cache, engine in ((cache_a, engine_a), (cache_b, engine_b)):
        engine.close()
        cache.close()


def test_a_malformed_page_fetched_ahead_changes_nothing_and_the_next_sync_resumes(tmp_path, server, refdata,
                                                                                 now):
    (cache_a, engine_a), (cache_b, client_b, engine_b) = _cases_and_a_second_console(tmp_path, server, refdata,
                                                                                     now, 5)
    fetch, fetches = client_b.fetch_changes, []

    def fetch_spoiling_the_second(after, *args):
        page = fetch(after, *args)
        fetches.append(after)
        if len(fetches) == 2:  # a case without its status: the whole page is refused, none of it kept
            spoiled = page.changes[0]
            page = page.model_copy(update={"changes": [
                spoiled.model_copy(update={"data": {k: v for k, v in spoiled.data.items() if k != "status"}}),
                *page.changes[1:]]})
        return page

    client_b.fetch_changes = fetch_spoiling_the_second
    with pytest.raises(ValueError, match="status"):
        asyncio.run(engine_b.sync_once())
    assert cache_b.case_count() == 2  # the first page only
    client_b.fetch_changes = fetch
    asyncio.run(engine_b.sync_once())
    assert cache_b.case_count() == 5 and cache_b.cursor() == cache_a.cursor()
    for cache, engine in ((cache_a, engine_a), (cache_b, engine_b)):
        engine.close()
        cache.close()


def test_catch_up_fetches_ahead_and_a_failed_apply_loses_nothing(tmp_path, server, refdata, now):
    cache_a, _, engine_a = _console(tmp_path / "a", server, OPERATOR)
    asyncio.run(engine_a.sync_once())
    for i in range(7):
        cache_a.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, i), now, offline=False)
    asyncio.run(engine_a.sync_once())
    # pages of 2 throughout, a first sync's too: several pages to fetch ahead
    cache_b, client_b, engine_b = _console(tmp_path / "b", server, OPERATOR2, page=2, bulk_page=2)
    fetched: list[int] = []
    fetch = client_b.fetch_changes
    client_b.fetch_changes = lambda after, *args: fetched.append(after) or fetch(after, *args)
    real_apply, calls = cache_b.apply_changes, []

    def failing_apply(page_changes, cursor, more=False, committing=None):
        calls.append(cursor)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_apply(page_changes, cursor, more, committing)

    cache_b.apply_changes = failing_apply
    with pytest.raises(RuntimeError, match="disk full"):
        asyncio.run(engine_b.sync_once())
    assert cache_b.feed_cursor() == calls[1] and cache_b.case_count() < 7
    asyncio.run(engine_b.sync_once())
    assert cache_b.case_count() == 7 and cache_b.cursor() == cache_a.cursor()
    assert all(cache_b.case(s.id) == cache_a.case(s.id) for s in cache_a.summaries())
    assert len(fetched) > 4
    for cache, engine in ((cache_a, engine_a), (cache_b, engine_b)):
        engine.close()
        cache.close()
