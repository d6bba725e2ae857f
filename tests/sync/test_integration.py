"""Two consoles and a real server (create_app under uvicorn on loopback)."""
from __future__ import annotations

import asyncio
import time

from app.platform.enums import Action, Status
from app.sync.state import Connection
from tests.support.consoles import online_console
from tests.support.sync_helpers import create_payload, dispatch_unit


async def until(predicate, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def test_dispatch_on_one_console_is_visible_on_the_other(tmp_path, live_server, refdata, now):
    operator = online_console(tmp_path / "a", live_server.url, "operator1")
    lead = online_console(tmp_path / "b", live_server.url, "lead1")
    seen_on_lead = []
    lead.cache.events.cases_changed.connect(seen_on_lead.append)
    settings_on_operator = []
    operator.cache.events.settings_changed.connect(lambda key, value: settings_on_operator.append((key, value)))
    unit = dispatch_unit(refdata)

    async def scenario():
        operator.engine.start()
        lead.engine.start()
        await until(lambda: operator.cache.refdata() and lead.cache.refdata(), what="reference data")
        created = operator.cache.issue(operator.actor, Action.CREATE, None, create_payload(refdata), now,
                                       offline=False)
        await until(lambda: lead.cache.case(created.case_id) is not None, what="the new case on the lead's console")
        lead.cache.issue(lead.actor, Action.REGISTER, created.case_id, {}, now, offline=False)
        await until(lambda: operator.cache.case(created.case_id).status == Status.REGISTERED
                    and not operator.cache.summaries([created.case_id])[0].pending, what="registered on A")
        operator.cache.issue(operator.actor, Action.DISPATCH, created.case_id, {"unit_id": unit}, now, offline=False)
        await until(lambda: lead.cache.case(created.case_id).status == Status.DISPATCHED, what="dispatch seen on B")
        await asyncio.to_thread(lead.client.set_emergency_mode, True, "typhoon warning")
        await until(lambda: operator.cache.setting("emergency_mode") is not None, what="emergency mode on A")
        await until(lambda: operator.engine.state.connection == Connection.ONLINE
                    and lead.engine.state.connection == Connection.ONLINE, what="both online")
        await operator.engine.stop()
        await lead.engine.stop()
        return created

    created = asyncio.run(scenario())
    on_server = live_server_case(lead, created.case_id)
    assert on_server.status == Status.DISPATCHED and on_server.unit_id == unit and on_server.number
    for console in (operator, lead):
        assert console.cache.case(created.case_id) == on_server == console.cache.server_case(created.case_id)
        assert console.cache.outbox_size() == 0 and console.cache.conflicts() == []
        assert console.engine.state.last_sync is not None and console.engine.state.clock_offset_s is not None
    assert any(created.case_id in change.ids for change in seen_on_lead)
    assert settings_on_operator[-1][0] == "emergency_mode" and settings_on_operator[-1][1]["on"] is True
    operator.close()
    lead.close()


def live_server_case(console, case_id):
    return console.client.case(case_id)
