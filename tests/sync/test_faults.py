"""Two consoles issue commands (some conflicting) through a proxy that drops, delays, resets and
blackholes connections. After healing: both caches equal the server exactly, every issued command was
applied at most once and is either in the server's ledger or in its console's conflicts list."""
from __future__ import annotations

import asyncio
import logging
import os
import random
import uuid

import pytest

from app.cases.workflow import WorkflowError
from app.platform.enums import Action, Status
from app.platform.feed_partition import Cursor
from app.sync.client import ServerClient
from tests.support.consoles import Console, online_console
from tests.support.faultproxy import FaultProxy
from tests.support.sync_helpers import create_payload, dispatch_unit, other_unit
from tests.sync.test_integration import until

log = logging.getLogger(__name__)
SEED = int(os.environ.get("ONEGRID_FAULT_SEED", "20261123"))  # set it to replay another run


def _issue(console: Console, action: Action, case_id, payload, now, issued: list) -> None:
    try:
        issued.append(console.cache.issue(console.actor, action, case_id, payload, now, offline=False))
    except WorkflowError:
        pass  # refused locally (the console already knows better): never queued, nothing to account for


def _random_command(console: Console, rng: random.Random, refdata, now, issued: list, n: int) -> None:
    summaries = console.cache.summaries()
    by_status: dict[Status, list] = {}
    for s in summaries:
        by_status.setdefault(s.status, []).append(s.id)
    roll = rng.random()
    units = [u.id for u in refdata.units if u.parent_id is not None]
    if roll < 0.25 or not summaries:
        _issue(console, Action.CREATE, None, create_payload(refdata, n), now, issued)
    elif roll < 0.45 and by_status.get(Status.REPORTED):
        _issue(console, Action.REGISTER, rng.choice(by_status[Status.REPORTED]), {}, now, issued)
    elif roll < 0.70 and by_status.get(Status.REGISTERED):
        _issue(console, Action.DISPATCH, rng.choice(by_status[Status.REGISTERED]),
               {"unit_id": rng.choice(units)}, now, issued)
    elif roll < 0.78 and by_status.get(Status.REGISTERED):
        _issue(console, Action.VOID, rng.choice(by_status[Status.REGISTERED]), {"reason": "duplicate"}, now, issued)
    else:
        _issue(console, Action.NOTE, rng.choice(summaries).id, {"text": f"note {n}"}, now, issued)


def _server_cases(url: str, token: str) -> dict:
    client = ServerClient(url, token=token)
    cases, cursor = {}, Cursor()  # a position per feed partition: the server partitions per city
    try:
        while True:
            page = client.changes(cursor, 1000, 0)
            for change in page.changes:
                if change.kind == "case":
                    cases[uuid.UUID(change.id)] = client.case(uuid.UUID(change.id))
            cursor = Cursor.from_wire(page.cursors)
            if not page.more:
                return cases
    finally:
        client.close()


@pytest.mark.slow
def test_consoles_converge_through_injected_faults(tmp_path, live_server, refdata, now, caplog):
    rng = random.Random(SEED)
    lead = online_console(tmp_path / "lead", live_server.url, "lead1")
    asyncio.run(lead.engine.sync_once())
    seeded = []
    for i in range(6):
        created = lead.cache.issue(lead.actor, Action.CREATE, None, create_payload(refdata, 100 + i), now,
                                   offline=False)
        lead.cache.issue(lead.actor, Action.REGISTER, created.case_id, {}, now, offline=False)
        seeded.append(created.case_id)
    asyncio.run(lead.engine.sync_once())

    proxy = FaultProxy(live_server.port).start()
    consoles = [online_console(tmp_path / "a", proxy.url, "operator1", seed=1),
                online_console(tmp_path / "b", proxy.url, "operator2", seed=2)]
    issued: dict[str, list] = {"a": [], "b": []}
    for console in consoles:
        asyncio.run(console.engine.sync_once())

    async def operator(console: Console, name: str, stop: asyncio.Event, seed: int) -> None:
        own = random.Random(seed)
        n = 0
        while not stop.is_set():
            n += 1
            _random_command(console, own, refdata, now, issued[name], 1000 * seed + n)
            await asyncio.sleep(own.uniform(0.02, 0.12))

    async def chaos(stop: asyncio.Event) -> None:
        # Every fault twice, in a seeded random order, with a healthy spell after each.
        faults = ["drop", "delay", "reset", "blackhole"] * 2
        rng.shuffle(faults)
        for fault in faults:
            for mode in (fault, "pass"):
                proxy.set_mode(mode, delay_s=rng.uniform(0.05, 0.6),
                               reset_after_bytes=rng.choice([0, 1, 60, 300, 2000]))
                await asyncio.sleep(rng.uniform(0.15, 0.5))
        stop.set()

    async def scenario() -> None:
        # Certain conflicts: both consoles dispatch the same registered cases while cut off.
        proxy.set_mode("blackhole")
        first_unit = dispatch_unit(refdata)
        for console, name, unit in zip(consoles, "ab", (first_unit, other_unit(refdata, first_unit))):
            for case_id in seeded[:3]:
                _issue(console, Action.DISPATCH, case_id, {"unit_id": unit}, now, issued[name])
        for console in consoles:
            console.engine.start()
        stop = asyncio.Event()
        await asyncio.gather(chaos(stop), operator(consoles[0], "a", stop, 11), operator(consoles[1], "b", stop, 12))
        proxy.set_mode("pass")  # heal
        await until(lambda: all(c.cache.outbox_size() == 0 for c in consoles), timeout=40, what="outboxes drained")
        for console in consoles:
            await console.engine.stop()
        for console in consoles:
            await console.engine.sync_once()

    asyncio.run(scenario())
    assert proxy.stats.resets and proxy.stats.refused, f"faults were not exercised: {proxy.stats}"
    unexpected = [r.getMessage() for r in caplog.records if r.name.startswith("app.") and r.exc_info]
    assert unexpected == [], "the sync loops hit unexpected exceptions"
    log.info("issued a=%d b=%d; proxy %s", len(issued["a"]), len(issued["b"]), proxy.stats)

    # 1. Both caches equal the server exactly.
    on_server = _server_cases(live_server.url, lead.session.token)
    for console in consoles:
        cache = console.cache
        assert cache.outbox_size() == 0
        assert {s.id for s in cache.summaries()} == set(on_server)
        assert not any(s.pending for s in cache.summaries())
        for case_id, case in on_server.items():
            assert cache.case(case_id) == case, f"display copy of {case_id} differs from the server"
            assert cache.server_case(case_id) == case

    # 2. Applied exactly once: no command_id twice in the ledger.
    duplicates = live_server.query("SELECT command_id, COUNT(*) FROM case_events WHERE command_id IS NOT NULL "
                                   "GROUP BY command_id HAVING COUNT(*) > 1")
    assert duplicates == []
    in_ledger = {uuid.UUID(str(r[0])) for r in live_server.query(
        "SELECT command_id FROM case_events WHERE command_id IS NOT NULL")}
    answered = {uuid.UUID(str(r[0])): r[1] for r in live_server.query("SELECT command_id, status FROM commands")}

    # 3. Nothing silently dropped: every issued command is in the ledger or in its console's conflicts.
    total_conflicts = 0
    for console, name in zip(consoles, "ab"):
        mine = {c.command_id for c in issued[name]}
        conflicted = {c.command.command_id for c in console.cache.conflicts()}
        total_conflicts += len(conflicted)
        accepted = mine & in_ledger
        assert accepted | conflicted == mine, f"console {name}: commands neither applied nor in conflicts"
        assert not accepted & conflicted
        assert all(answered[c] == "accepted" for c in accepted)
        assert all(answered[c] == "rejected" for c in conflicted)
    assert total_conflicts >= 3  # the three double dispatches at least
    assert sum(len(v) for v in issued.values()) > 30

    proxy.stop()
    for console in (*consoles, lead):
        console.close()
