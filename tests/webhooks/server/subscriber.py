"""A real HTTP subscriber on loopback for the webhook tests: it records what it is sent, and can be told to
answer 500 for a while or to hang."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, verify


@dataclass
class Received:
    event_id: str
    idempotency_key: str
    body: dict
    signed: bool
    answered: int


@dataclass
class Subscriber:
    secret: str = "s3cret"
    fail_next: int = 0        # answer 500 to this many deliveries
    fail_always: bool = False
    hang_s: float = 0.0       # wait this long before answering
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def taken(self) -> list[str]:
        """The event ids it answered 2xx to, in order."""
        return [r.event_id for r in self.received if r.answered == 200]

    def start(self) -> Subscriber:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if owner.hang_s:
                    time.sleep(owner.hang_s)
                status = 200
                if owner.fail_always or owner.fail_next > 0:
                    owner.fail_next = max(owner.fail_next - 1, 0)
                    status = 500
                owner.received.append(Received(
                    self.headers[EVENT_ID_HEADER], self.headers["Idempotency-Key"], json.loads(raw),
                    verify(owner.secret, self.headers[SIGNATURE_HEADER], raw, time.time()), status))
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the dispatcher gave up waiting

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
