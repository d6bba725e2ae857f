"""The audit trail keeps the offline flag: commands queued while the server could not be reached (an
offline login, or an online session whose connection dropped) come back from the "issued offline"
filter once sent, and every action the server audits has a readable label."""
from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from app.audit import trail
from app.platform.enums import Action
from app.sync.state import Connection, SyncState
from tests.support.consoles import online_console
from tests.support.sync_helpers import create_payload
from ui.shell.context import working_offline

ROOT = Path(__file__).resolve().parents[3]


def test_a_dropped_connection_counts_as_offline_not_only_an_offline_login():
    online = SimpleNamespace(offline=False)
    engine = SimpleNamespace(state=SyncState(connection=Connection.OFFLINE))
    assert working_offline(SimpleNamespace(session=online, engine=engine))
    engine.state = SyncState(connection=Connection.ONLINE)
    assert not working_offline(SimpleNamespace(session=online, engine=engine))
    assert working_offline(SimpleNamespace(session=SimpleNamespace(offline=True), engine=None))
    assert not working_offline(SimpleNamespace(session=online, engine=None))


def test_commands_queued_offline_come_back_from_the_offline_filter(tmp_path, live_server, refdata):
    console = online_console(tmp_path / "a", live_server.url, "operator1")
    lead = online_console(tmp_path / "b", live_server.url, "lead1")
    now = datetime.now(timezone.utc)

    async def until(predicate):
        deadline = time.monotonic() + 15
        while not predicate():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)

    async def scenario():
        console.engine.start()
        await until(lambda: console.cache.refdata() is not None)
        await console.engine.stop()  # the network goes away; four commands wait in the outbox
        created = console.cache.issue(console.actor, Action.CREATE, None, create_payload(refdata), now, offline=True)
        for action, payload in ((Action.REGISTER, {}), (Action.NOTE, {"text": "rang again"}),
                                (Action.NOTE, {"text": "and again"})):
            console.cache.issue(console.actor, action, created.case_id, payload, now, offline=True)
        online = console.cache.issue(console.actor, Action.NOTE, created.case_id, {"text": "back"}, now, offline=False)
        console.engine.start()
        await until(lambda: console.cache.outbox_size() == 0)
        await console.engine.stop()
        return created.case_id, online

    case_id, online = asyncio.run(scenario())
    flagged = lead.client.audit(offline="true", entity_id=str(case_id)).entries
    assert sorted(e.action for e in flagged) == ["create", "note", "note", "register"]
    assert all(e.offline and e.result == "accepted" for e in flagged)
    unflagged = lead.client.audit(offline="false", entity_id=str(case_id)).entries
    assert [e.detail["command_id"] for e in unflagged] == [str(online.command_id)]
    assert [trail.cell_text(e, "offline") for e in flagged] == ["offline"] * 4
    console.close()
    lead.close()


def test_every_action_the_server_audits_has_a_readable_label():
    names = set()
    for path in ROOT.glob("server/**/*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'action="([a-z_]+)"', text))
        names |= set(re.findall(r'^[A-Z_]+ = "([a-z_]+)"$', text, re.M)) & {"login", "logout", "login_lockout",
                                                                          "login_unlock", "emergency_mode",
                                                                          "user_add", "user_replace", "refdata_import"}
        for prefix, kinds in (("handover_", ("set_notes", "sign", "notes")), ("alarm_", ("acknowledge", "clear"))):
            if f'f"{prefix}' in text or f'"{prefix}' in text:
                names |= {prefix + k for k in kinds}
    names -= {"store_true", "store_const", "version", "append"}  # argparse, not audit
    assert {"outages_report", "shift_open", "handover_sign", "alarm_clear"} <= names
    for name in sorted(names):
        label = trail.action_text(name)
        assert label != name and "_" not in label, name
    for action in Action:
        assert trail.action_text(str(action)) != str(action)
    for kind in ("case", "user", "alarm", "console", "sensor_batch", "shift", "handover", "address"):
        assert "_" not in trail.kind_text(kind) and trail.kind_text(kind) != kind
