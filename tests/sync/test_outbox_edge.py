"""A console's outbox drains past a command the server cannot store (a NUL in its payload or its console
id): the server answers it rejected on its own, the console records a conflict and goes on. Before, the
whole batch failed with a 500 at every attempt (PostgreSQL) and the outbox was stuck behind it. The
commands are queued as an older console would have: the current one refuses them when issued, and reads
them back as stored (`app.cases.commands.stored_command`)."""
from __future__ import annotations

import asyncio

import pytest

from app.cases.commands import Command
from app.cases.workflow import new_command
from app.platform.enums import Action
from tests.support.consoles import online_console
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import create_payload


@pytest.fixture
def any_db_server(tmp_path, refdata, server_db_url):
    """The real server on loopback, on SQLite and on PostgreSQL."""
    directory = tmp_path / "server"
    directory.mkdir()
    server = LiveServer(directory, refdata, database_url=server_db_url).start()
    yield server
    server.stop()


def test_an_outbox_with_a_command_the_server_cannot_store_drains(tmp_path, any_db_server, refdata, now):
    console = online_console(tmp_path / "console", any_db_server.url, "operator1")
    cache = console.cache
    cache.store_refdata(refdata.to_dict())  # as after the engine's first round
    first = cache.issue(console.actor, Action.CREATE, None, create_payload(refdata, 0), now, offline=False)
    # as queued by an older console: a NUL in a payload text, a NUL in the console id
    nul_note = new_command(first.case_id, Action.NOTE, {"text": "caller\x00rang"}, now, console_id=cache.console_id)
    bad_console = Command.model_construct(**{**new_command(first.case_id, Action.NOTE, {"text": "hi"}, now)
                                             .model_dump(), "console_id": "desk\x00"})
    for command in (nul_note, bad_console):
        cache._outbox.add(command, console.actor, now)
    last = cache.issue(console.actor, Action.CREATE, None, create_payload(refdata, 1), now, offline=False)

    asyncio.run(console.engine.sync_once())

    assert cache.outbox_size() == 0
    conflicts = {c.command.command_id: c for c in cache.conflicts()}
    assert set(conflicts) == {nul_note.command_id, bad_console.command_id}
    assert conflicts[nul_note.command_id].reason == "invalid_payload"
    assert "text" in conflicts[nul_note.command_id].message
    assert conflicts[bad_console.command_id].reason == "invalid_request"
    assert "console_id" in conflicts[bad_console.command_id].message
    for created in (first, last):  # the good commands on either side reached the server
        assert console.client.case(created.case_id).number
    assert cache.case(first.case_id).version == 1  # nothing of the refused notes
    console.close()


def test_an_answer_without_a_command_id_is_ignored_by_the_cache(cache, now):
    """The server answers an item it could not even read an id from with `command_id` null; the console
    (which never sends such an item) stores the other answers and takes nothing from that one."""
    from app.cases.commands import BatchResult

    answer = BatchResult.model_validate({"results": [{"command_id": None, "case_id": None, "status": "rejected",
                                                      "reason": "invalid_request", "message": "command_id: …"}],
                                         "server_time": now.isoformat()})
    cache.apply_results(answer.results)
    assert cache.conflicts() == [] and cache.outbox_size() == 0
