"""Closing the console while connected logs out of the server (`ui.shell.main.end_server_session`): the token
is revoked and the audit trail shows it; a server that does not answer never holds the closing up."""
from __future__ import annotations

import asyncio
import time

import requests

from app.sync.client import ServerClient
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import PASSWORDS
from ui.shell.main import end_server_session


def test_close_while_connected_revokes_the_token_and_is_audited(tmp_path, refdata):
    server = LiveServer(tmp_path, refdata, users=("operator1",)).start()
    try:
        client = ServerClient(server.url)
        token = client.login("operator1", PASSWORDS["operator1"], console_id="desk-9").token
        asyncio.run(end_server_session(client))
        assert client.token is None
        r = requests.get(f"{server.url}/api/refdata", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 401 and r.json()["error"] == "invalid_token"
        rows = server.query("SELECT actor, console_id FROM audit_log WHERE action = 'logout'")
        assert [tuple(r) for r in rows] == [("operator1", "desk-9")]
        client.close()
    finally:
        server.stop()


def test_close_with_the_server_gone_goes_on_at_once_and_keeps_nothing_waiting():
    client = ServerClient("http://127.0.0.1:9", token="t" * 43)  # nothing listens on port 9
    started = time.monotonic()
    asyncio.run(end_server_session(client))  # no exception: closing goes on
    assert time.monotonic() - started < 5
    assert client.token == "t" * 43  # not revoked, so kept (it lapses at its expiry)
    client.close()
