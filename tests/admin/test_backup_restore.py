"""Backup and restore as docs/operations.md describes them, on PostgreSQL: a server's database with cases,
commands, the audit trail and the feed is dumped with `pg_dump -Fc` (the audit chain's head recorded
outside it with `onegrid-ctl audit head`), restored with `pg_restore` into a new database, and a server
started on it: `audit verify --expect-head` passes, the feed position is the same, and a console that
synced before the backup goes on from its cursor — it never asks for the feed from 0 (no full resync)."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
from sqlalchemy.engine import make_url

from app.platform.enums import Action, Status
from server.admin import ctl
from tests.support import db_templates
from tests.support.consoles import online_console
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import create_payload

pytestmark = pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")),
                                reason="needs pg_dump and pg_restore")


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def until(predicate, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def ctl_run(capsys, *argv: str) -> tuple[int, str]:
    code = ctl.main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def feed_position(server: LiveServer) -> dict[str, int]:
    """Every feed partition's counter (the server partitions per city)."""
    return dict(server.query("SELECT name, value FROM counters WHERE name = 'feed' OR name LIKE 'feed:%'"))


def test_a_restored_backup_verifies_and_consoles_sync_on_from_their_cursor(tmp_path, pg_url, refdata, now, capsys):
    (tmp_path / "a").mkdir()
    original = LiveServer(tmp_path / "a", refdata, database_url=pg_url).start()
    console = online_console(tmp_path / "console", original.url, "operator1")

    async def before_backup():
        console.engine.start()
        await until(lambda: console.cache.refdata(), what="reference data")
        case = console.cache.issue(console.actor, Action.CREATE, None, create_payload(refdata), now, offline=False)
        await until(lambda: console.cache.outbox_size() == 0 and console.cache.server_case(case.case_id) is not None
                    and console.cache.feed_cursor(), what="the case on the server and back in the feed")
        await console.engine.stop()
        return case.case_id

    case_id = asyncio.run(before_backup())
    cursor = console.cache.feed_cursor()
    assert cursor
    code, head = ctl_run(capsys, "--database-url", pg_url, "audit", "head")  # a line per chain
    assert code == 0 and "@" in head and len(head.split()) == 2, head  # the city's and the platform's
    head = head.strip()
    position = feed_position(original)
    assert original.query("SELECT count(*) FROM commands")[0][0] >= 1
    original.stop()

    dump = tmp_path / "onegrid.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq(pg_url)], check=True, capture_output=True)
    restored_url = db_templates.prepared.create_pg()
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", libpq(restored_url), str(dump)],
                       check=True, capture_output=True)
        (tmp_path / "b").mkdir()
        restored = LiveServer(tmp_path / "b", refdata, database_url=restored_url, port=original.port,
                              prepare=False).start()
        try:
            code, out = ctl_run(capsys, "--database-url", restored_url, "audit", "verify", "--expect-head", head)
            assert code == 0 and "audit chain ok" in out and f"audit chain {case_city(restored, case_id)} ok" in out, out
            assert feed_position(restored) == position
            continue_after_restore(tmp_path, console, restored, case_id, cursor, now)
        finally:
            restored.stop()
    finally:
        console.close()
        db_templates.prepared.drop_pg(restored_url)


def case_city(server: LiveServer, case_id) -> str:
    ((street,),) = server.query(f"SELECT jurisdiction FROM cases WHERE id = '{case_id}'")
    return street[:4]


def continue_after_restore(tmp_path, console, restored, case_id, cursor, now) -> None:
    asked: list = []  # the cursor of every feed request the console makes
    fetch = console.client.fetch_changes

    def recording(after, *args, **kwargs):
        asked.append(after)
        return fetch(after, *args, **kwargs)

    console.client.fetch_changes = recording
    lead = online_console(tmp_path / "lead", restored.url, "lead1")

    async def after_restore():
        console.engine.start()
        lead.engine.start()
        await until(lambda: lead.cache.case(case_id) is not None, what="the case on the lead's console")
        lead.cache.issue(lead.actor, Action.REGISTER, case_id, {}, now, offline=False)
        await until(lambda: console.cache.case(case_id).status == Status.REGISTERED,
                    what="the registration, made after the restore, on the first console")
        await console.engine.stop()
        await lead.engine.stop()

    try:
        asyncio.run(after_restore())
    finally:
        lead.close()
    assert asked and asked[0] == cursor, asked
    assert all(asked)  # an incremental sync from the cursor, never a full one (a cursor that read nothing)
    after = console.cache.feed_cursor()  # moved on in the case's partition
    city = case_city(restored, case_id)
    assert after.after(city) > cursor.after(city)
