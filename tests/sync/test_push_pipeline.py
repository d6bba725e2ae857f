"""SyncEngine keeps several command batches in flight (`app.sync.outbox_push.PUSH_DEPTH`) without ever letting
a case's commands overtake each other, and loses nothing when one of the batches in flight fails."""
from __future__ import annotations

import asyncio
import random
import threading
import time

from app.cache import LocalCache
from app.platform.enums import Action
from app.sync import outbox_push
from app.sync.client import ServerUnreachable
from app.sync.engine import SyncEngine
from tests.support.fake_server import FakeClient, FakeServer
from tests.support.sync_helpers import OPERATOR, create_payload, dispatch_unit


class SlowClient(FakeClient):
    """Each push takes a while (so batches overlap) and records which pushes were in flight together."""

    def __init__(self, server, actor):
        super().__init__(server, actor)
        self.in_flight: list[set] = []  # case ids of each push now in flight
        self.overlaps = 0
        self.fail_next_slow: int = 0  # this many pushes fail after a delay (answer lost, nothing applied)
        self._guard = threading.Lock()

    def push(self, commands):
        cases = {c.case_id for c in commands}
        with self._guard:
            for other in self.in_flight:
                assert not other & cases, "two batches in flight share a case"
            if self.in_flight:
                self.overlaps += 1
            self.in_flight.append(cases)
            fail = self.fail_next_slow > 0
            self.fail_next_slow -= fail
        try:
            time.sleep(0.03)
            if fail:
                raise ServerUnreachable("connection reset before the batch was read")
            return super().push(commands)
        finally:
            with self._guard:
                self.in_flight.remove(cases)


def _issue_cases(cache, refdata, now, cases: int) -> list:
    issued = []
    for i in range(cases):
        created = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, i), now, offline=True)
        issued.append(created)
        issued.append(cache.issue(OPERATOR, Action.REGISTER, created.case_id, {}, now, offline=True))
        issued.append(cache.issue(OPERATOR, Action.DISPATCH, created.case_id, {"unit_id": dispatch_unit(refdata)},
                                  now, offline=True))
    return issued


def _console(tmp_path, server, batch: int):
    cache = LocalCache(tmp_path)
    client = SlowClient(server, OPERATOR)
    engine = SyncEngine(cache, client, wait_s=0.2, backoff_base_s=0.01, backoff_cap_s=0.05, rng=random.Random(1),
                        batch=batch)
    return cache, client, engine


def test_batches_in_flight_never_share_a_case_and_keep_each_cases_order(tmp_path, refdata, now):
    assert outbox_push.PUSH_DEPTH >= 2
    server = FakeServer(refdata, now)
    cache, client, engine = _console(tmp_path / "a", server, batch=4)  # batches straddle cases
    asyncio.run(engine.sync_once())
    issued = _issue_cases(cache, refdata, now, 10)
    asyncio.run(engine.sync_once())

    assert cache.outbox_size() == 0 and cache.conflict_count() == 0
    assert server.applied_count == {c.command_id: 1 for c in issued}  # all accepted (in order), once each
    assert client.overlaps > 0  # the pipeline did overlap batches
    for command in issued:
        assert cache.case(command.case_id) == server.cases[command.case_id]
    sent = [i for push in client.pushes for i in push]
    assert sorted(sent, key=str) == sorted((c.command_id for c in issued), key=str)  # each sent once


def test_a_failed_batch_while_the_next_one_succeeds_loses_nothing(tmp_path, refdata, now):
    server = FakeServer(refdata, now)
    cache, client, engine = _console(tmp_path / "a", server, batch=3)  # one whole case per batch
    asyncio.run(engine.sync_once())
    issued = _issue_cases(cache, refdata, now, 6)
    client.fail_next_slow = 1  # the first batch fails, the one sent behind it gets through
    try:
        asyncio.run(engine.sync_once())
    except ServerUnreachable:
        pass
    assert cache.outbox_size() > 0  # the failed batch is still queued
    assert not any(server.applied_count.get(c.command_id) for c in issued[:3])
    asyncio.run(engine.sync_once())

    assert cache.outbox_size() == 0 and cache.conflict_count() == 0
    assert server.applied_count == {c.command_id: 1 for c in issued}
    for command in issued:
        assert cache.case(command.case_id) == server.cases[command.case_id]
