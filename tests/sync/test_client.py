"""ServerClient maps every answer to a result or one of three exceptions, and measures clock skew."""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.cases import workflow
from app.platform.enums import Action
from app.sync.client import AuthExpired, ServerClient, ServerRefused, ServerUnreachable
from tests.support.sync_helpers import free_port

SKEW = timedelta(seconds=90)


class CannedServer:
    """Answers each path with a canned (status, body); records the requests it saw."""

    def __init__(self, answers: dict[str, tuple[int, object]]):
        self.answers = answers
        self.seen: list[tuple[str, str, dict]] = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                path = self.path.split("?")[0]
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                canned.seen.append((self.command, self.path, dict(self.headers)))
                status, body = canned.answers.get(path, (404, {"error": "not_found", "message": path}))
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("X-Server-Time", (datetime.now(timezone.utc) + SKEW).isoformat())
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canned():
    servers = []

    def make(answers):
        servers.append(CannedServer(answers))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def test_answers_and_errors_are_mapped(canned):
    now = datetime.now(timezone.utc).isoformat()
    server = canned({
        "/api/login": (401, {"error": "bad_credentials", "message": "wrong username or password"}),
        "/api/changes": (200, {"changes": [{"position": 3, "kind": "setting", "id": "emergency_mode",
                                            "data": {"key": "emergency_mode", "value": {"on": True}}}],
                               "cursor": 3, "more": False, "server_time": now}),
        "/api/refdata": (304, b""),
        "/api/cases/x": (403, {"error": "out_of_scope", "message": "not yours"}),
        "/healthz": (503, {"status": "unavailable", "database": "unreachable: down"}),
    })
    client = ServerClient(server.url, token="t0ken", retries=0)

    with pytest.raises(ServerRefused) as refused:
        client.login("operator1", "nope")
    assert refused.value.status == 401 and refused.value.error == "bad_credentials"
    page = client.changes(0, 10, 0)
    assert page.cursor == 3 and page.changes[0].kind == "setting" and not page.more
    assert server.seen[-1][2]["Authorization"] == "Bearer t0ken"
    assert abs(client.clock_offset_s - SKEW.total_seconds()) < 5
    assert client.refdata(etag="abc") is None and server.seen[-1][2]["If-None-Match"] == "abc"
    assert client.healthz().database.startswith("unreachable")
    client.close()


def test_expired_token_server_errors_and_garbage(canned):
    server = canned({
        "/api/changes": (401, {"error": "token_expired", "message": "log in again"}),
        "/api/commands": (500, {"error": "internal", "message": "boom"}),
        "/api/refdata": (200, b"{not json"),
    })
    client = ServerClient(server.url, token="old", retries=0)
    with pytest.raises(AuthExpired) as expired:
        client.changes(0)
    assert expired.value.error == "token_expired"
    note = workflow.new_command(uuid.uuid4(), Action.NOTE, {"text": "x"}, datetime.now(timezone.utc))
    with pytest.raises(ServerUnreachable, match="server error 500"):
        client.push([note])
    with pytest.raises(ServerUnreachable, match="unparsable"):
        client.refdata()
    client.set_token(None)
    with pytest.raises(AuthExpired, match="log in online"):
        client.changes(0)
    client.close()


def test_nobody_listening_is_unreachable():
    client = ServerClient(f"http://127.0.0.1:{free_port()}", timeout=(0.5, 0.5), retries=0)
    with pytest.raises(ServerUnreachable, match="ConnectionError"):
        client.healthz()
    client.close()


def test_clock_offset_ignores_answers_the_server_held():
    """A long poll is answered when a change commits, seconds after it was sent: its midpoint would put
    the server clock seconds off. Only quick answers estimate the offset."""
    import time
    from types import SimpleNamespace

    client = ServerClient("http://127.0.0.1:9", retries=0)
    now = time.time()
    server_says = datetime.fromtimestamp(now + 120, timezone.utc).isoformat()  # server 2 min ahead
    client._note_clock(server_says, SimpleNamespace(onegrid_timing=(now - 0.05, now + 0.05)))
    assert abs(client.clock_offset_s - 120) < 0.5
    held = datetime.fromtimestamp(now + 25 + 120, timezone.utc).isoformat()
    client._note_clock(held, SimpleNamespace(onegrid_timing=(now, now + 25)))  # a 25 s long poll
    assert abs(client.clock_offset_s - 120) < 0.5
    client.close()
