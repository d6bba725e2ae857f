"""Online and offline login; commands issued offline reach the server when it is back."""
from __future__ import annotations

import asyncio
import random

import pytest

from app.cache import LocalCache
from app.platform.enums import Action, Role, Status
from app.sync.client import ServerClient, ServerUnreachable
from app.sync.engine import SyncEngine
from app.sync.session import LoginError, login_offline, login_online
from app.sync.state import Connection
from tests.support.consoles import TEST_TIMEOUT
from tests.support.faultproxy import FaultProxy
from tests.support.sync_helpers import create_payload
from tests.sync.test_integration import until


def test_offline_login_needs_a_previous_online_login(tmp_path, live_server):
    cache = LocalCache(tmp_path / "console")
    client = ServerClient(live_server.url, timeout=TEST_TIMEOUT)
    with pytest.raises(LoginError) as never:
        login_offline(cache, "operator1", "demo-operator1")
    assert never.value.code == "unknown_user" and "never logged in online" in never.value.message

    with pytest.raises(LoginError) as refused:
        login_online(client, cache, "operator1", "wrong password")
    assert refused.value.code == "bad_credentials"

    online = login_online(client, cache, "operator1", "demo-operator1")
    assert not online.offline and online.token and online.actor.role == Role.OPERATOR
    assert cache.server_url() == live_server.url

    assert cache.offline_users() == ["operator1"]
    offline = login_offline(cache, "operator1", "demo-operator1")
    assert offline.offline and offline.token is None and offline.actor == online.actor
    with pytest.raises(LoginError) as wrong:
        login_offline(cache, "operator1", "demo-operator2")
    assert wrong.value.code == "bad_password" and "wrong password" in wrong.value.message
    with pytest.raises(LoginError) as other:
        login_offline(cache, "lead1", "demo-lead1")
    assert other.value.code == "unknown_user"
    client.close()
    cache.close()


def test_commands_issued_offline_are_sent_when_the_server_is_back(tmp_path, live_server, refdata, now):
    proxy = FaultProxy(live_server.port).start()
    cache = LocalCache(tmp_path / "console")
    client = ServerClient(proxy.url, timeout=TEST_TIMEOUT, retries=0, long_poll_grace_s=2.0)
    login_online(client, cache, "operator1", "demo-operator1")
    engine = SyncEngine(cache, client, wait_s=1, backoff_base_s=0.05, backoff_cap_s=0.3, rng=random.Random(3))
    asyncio.run(engine.sync_once())  # reference data

    # The console restarts while the server is unreachable: online login fails, offline login works.
    engine.close()
    client.close()
    proxy.set_mode("drop")
    client = ServerClient(proxy.url, timeout=TEST_TIMEOUT, retries=0, long_poll_grace_s=2.0)
    with pytest.raises(ServerUnreachable):
        login_online(client, cache, "operator1", "demo-operator1")
    session = login_offline(cache, "operator1", "demo-operator1")
    engine = SyncEngine(cache, client, wait_s=1, backoff_base_s=0.05, backoff_cap_s=0.3, rng=random.Random(4))

    async def scenario():
        engine.start()
        await until(lambda: engine.state.connection == Connection.OFFLINE, what="offline")
        issued = [cache.issue(session.actor, Action.CREATE, None, create_payload(refdata, i), now, offline=True)
                  for i in range(3)]
        assert all(cache.case(c.case_id).status == Status.REPORTED for c in issued)
        proxy.set_mode("pass")
        await until(lambda: engine.state.connection == Connection.AUTH_EXPIRED, what="asks for a login")
        assert cache.outbox_size() == 3
        again = await asyncio.to_thread(login_online, client, cache, "operator1", "demo-operator1")
        engine.relogin(again.token)
        await until(lambda: cache.outbox_size() == 0 and engine.state.connection == Connection.ONLINE,
                    what="outbox sent")
        await engine.stop()
        return issued

    issued = asyncio.run(scenario())
    rows = live_server.query("SELECT command_id, offline, actor FROM case_events WHERE action = 'create'")
    by_id = {r[0].replace("-", ""): (bool(r[1]), r[2]) for r in rows}
    for command in issued:
        assert by_id[command.command_id.hex] == (True, "operator1")
        shown = cache.case(command.case_id)
        assert shown.number and shown.provisional_number == command.payload["provisional_number"]
        assert shown.events[0].offline
    proxy.stop()
    client.close()
    cache.close()
