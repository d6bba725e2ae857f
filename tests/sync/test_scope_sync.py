"""A unit handler's console converges on the server's view when a case leaves its unit, and when the
user's own unit changes: through a real server on loopback, the sync engine and the cache. The handler's
cache afterwards holds exactly the cases a fresh console of the same user gets from a full read (cursor 0)."""
from __future__ import annotations

import asyncio
import time
from uuid import UUID

import pytest

from app.platform.enums import Action, Status
from server.admin.bootstrap import add_user
from tests.support.consoles import online_console
from tests.support.sync_helpers import PASSWORDS, create_payload

HANDLER, OTHER_HANDLER = "handler_water_supply", "handler_roads"
UNIT, OTHER_UNIT = "water_supply", "roads"


@pytest.fixture
def server(live_server):
    for username, unit in ((HANDLER, UNIT), (OTHER_HANDLER, OTHER_UNIT)):
        add_user(live_server.database_url, username, PASSWORDS[username], "unit_handler", unit)
    return live_server


def sync(console) -> None:
    asyncio.run(console.engine.sync_once())


def console_of(directory, url: str, username: str, **kw):
    """An online console that has synced once (reference data included)."""
    console = online_console(directory, url, username, **kw)
    sync(console)
    return console


def cached_ids(console) -> set[UUID]:
    return {s.id for s in console.cache.summaries()}


def fresh_ids(directory, url: str, username: str) -> set[UUID]:
    """The cases a new console of `username` holds after its first full sync (cursor 0)."""
    console = console_of(directory, url, username)
    try:
        sync(console)
        return cached_ids(console)
    finally:
        console.close()


def act(console, action: Action, case_id, payload: dict, now) -> None:
    sync(console)  # sees what the others did
    console.cache.issue(console.actor, action, case_id, payload, now, offline=False)
    sync(console)
    assert console.cache.conflicts() == [], console.cache.conflicts()


def dispatched_case(operator, refdata, now, n: int = 0) -> UUID:
    created = operator.cache.issue(operator.actor, Action.CREATE, None, create_payload(refdata, n), now, offline=False)
    sync(operator)
    act(operator, Action.REGISTER, created.case_id, {}, now)
    act(operator, Action.DISPATCH, created.case_id, {"unit_id": UNIT}, now)
    return created.case_id


def reassign(operator, handler, case_id, now):
    act(operator, Action.REASSIGN, case_id, {"unit_id": OTHER_UNIT}, now)
    yield


def return_and_redispatch(operator, handler, case_id, now):
    act(handler, Action.RETURN, case_id, {"reason": "a road drain, not a water main"}, now)
    yield
    act(operator, Action.DISPATCH, case_id, {"unit_id": OTHER_UNIT}, now)
    yield


def escalate_and_reassign(operator, handler, case_id, now):
    act(operator, Action.ESCALATE, case_id, {"reason": "no progress", "target_unit_id": OTHER_UNIT}, now)
    yield
    act(operator, Action.REASSIGN, case_id, {"unit_id": OTHER_UNIT}, now)
    yield


SCENARIOS = {"reassign": reassign, "return_redispatch": return_and_redispatch,
             "escalate_reassign": escalate_and_reassign}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_the_handlers_cache_equals_a_full_read_after_the_case_leaves_its_unit(tmp_path, server, refdata, now,
                                                                             scenario, online):
    operator = console_of(tmp_path / "operator", server.url, "operator1")
    handler = console_of(tmp_path / "handler", server.url, HANDLER)
    moving = dispatched_case(operator, refdata, now, 0)
    staying = dispatched_case(operator, refdata, now, 1)
    sync(handler)
    assert {moving, staying} <= cached_ids(handler)
    for _step in SCENARIOS[scenario](operator, handler, moving, now):
        if online:  # offline: the handler syncs only at the end, from the cursor it had before
            sync(handler)
    sync(handler)
    assert cached_ids(handler) == fresh_ids(tmp_path / "fresh", server.url, HANDLER)
    assert moving not in cached_ids(handler) and staying in cached_ids(handler)
    assert handler.cache.case(moving) is None and handler.cache.outbox_size() == 0
    other = console_of(tmp_path / "other", server.url, OTHER_HANDLER)
    sync(other)
    assert moving in cached_ids(other)
    for console in (operator, handler, other):
        console.close()


def test_an_accept_queued_offline_on_a_case_moved_meanwhile_ends_as_a_conflict_and_the_row_goes(
        tmp_path, server, refdata, now):
    operator = console_of(tmp_path / "operator", server.url, "operator1")
    handler = console_of(tmp_path / "handler", server.url, HANDLER)
    case_id = dispatched_case(operator, refdata, now)
    sync(handler)
    handler.cache.issue(handler.actor, Action.ACCEPT, case_id, {}, now, offline=True)  # queued, shown accepted
    assert handler.cache.case(case_id).status == Status.IN_PROGRESS
    act(operator, Action.REASSIGN, case_id, {"unit_id": OTHER_UNIT}, now)
    sync(handler)  # back online: the accept is sent (and refused), then the feed says the case has gone
    (conflict,) = handler.cache.conflicts()
    assert conflict.reason == "out_of_scope" and conflict.server_case is None
    assert handler.cache.case(case_id) is None and handler.cache.outbox_size() == 0
    assert cached_ids(handler) == fresh_ids(tmp_path / "fresh", server.url, HANDLER)
    operator.close()
    handler.close()


def test_a_waiting_console_drops_the_case_as_soon_as_it_is_reassigned(tmp_path, server, refdata, now):
    operator = console_of(tmp_path / "operator", server.url, "operator1")
    handler = console_of(tmp_path / "handler", server.url, HANDLER, wait_s=10)
    case_id = dispatched_case(operator, refdata, now)
    removed: list = []
    handler.cache.events.cases_changed.connect(lambda change: removed.extend(change.removed))

    async def scenario() -> None:
        handler.engine.start()
        deadline = time.monotonic() + 15
        while handler.cache.case(case_id) is None or not handler.engine.state.last_sync:
            assert time.monotonic() < deadline, "the handler never got the case"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the engine is now waiting in a long-poll
        await asyncio.to_thread(act, operator, Action.REASSIGN, case_id, {"unit_id": OTHER_UNIT}, now)
        deadline = time.monotonic() + 15
        while handler.cache.case(case_id) is not None:
            assert time.monotonic() < deadline, "the case stayed in the handler's cache"
            await asyncio.sleep(0.05)
        await handler.engine.stop()

    asyncio.run(scenario())
    assert removed == [case_id]
    operator.close()
    handler.close()


def test_a_console_whose_users_unit_changed_starts_again_and_holds_the_new_units_cases(tmp_path, server,
                                                                                    refdata, now):
    operator = console_of(tmp_path / "operator", server.url, "operator1")
    ours = dispatched_case(operator, refdata, now, 0)
    roads = dispatched_case(operator, refdata, now, 1)
    act(operator, Action.REASSIGN, roads, {"unit_id": OTHER_UNIT}, now)
    handler = console_of(tmp_path / "handler", server.url, HANDLER)
    sync(handler)
    assert cached_ids(handler) == {ours}
    # `onegrid-ctl users add --replace`: the same account, now of the roads unit; the console's token stays
    add_user(server.database_url, HANDLER, PASSWORDS[HANDLER], "unit_handler", OTHER_UNIT, replace=True)
    server.ctx.token_cache.clear()  # another process wrote it: this one's 5 s token cache would lag
    sync(handler)
    assert cached_ids(handler) == {roads} == fresh_ids(tmp_path / "fresh", server.url, HANDLER)
    assert handler.cache.case(ours) is None
    operator.close()
    handler.close()
