"""What every HTTP answer gets at the server's edge, in one ASGI layer: the request id (`X-Request-ID` and
the log context, `server.platform.request_context`), the request's count and duration
(`server.platform.prometheus`), `X-Server-Time` (so consoles can measure clock skew) and the security
headers: `X-Content-Type-Options: nosniff` on every answer (a browser never guesses a JSON error page into
HTML) and `Cache-Control: no-store` on every /api answer that does not set its own (tokens, cases, personal
data: no proxy or browser cache keeps them; `GET /api/refdata` sets its own for its ETag).

One layer, not four: each layer wrapped `send` in a closure of its own and copied the answer's start
message and header list again, on every request, hundreds of times a second. Outermost of the app's own
middleware, so the feed's fast path and the JSON 500 and 413 answers inside it get all of it; plain ASGI,
so long-polls and streamed bodies pass through untouched.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.platform import request_context
from server.platform.prometheus import ServerMetrics, route_label

log = logging.getLogger(__name__)

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")
_SERVER_TIME = b"x-server-time"
_REQUEST_ID = request_context.HEADER.lower().encode()


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, clock: Callable[[], datetime], metrics: ServerMetrics):
        self.app = app
        self.clock = clock
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent = None
        for name, value in scope.get("headers", ()):
            if name == _REQUEST_ID:
                sent = value.decode("latin-1")
                break
        rid = request_context.accepted_request_id(sent)
        scope.setdefault("state", {})["request_id"] = rid
        path = scope.get("path", "")
        api = path == "/api" or path.startswith("/api/")
        status = "none"  # the client went away before any answer

        async def edge_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
                headers = list(message.get("headers", ()))
                nosniff = no_store = False
                for name, _ in headers:
                    name = name.lower()
                    if name == NOSNIFF[0]:
                        nosniff = True
                    elif name == NO_STORE[0]:
                        no_store = True
                headers.append((_SERVER_TIME, self.clock().isoformat().encode()))
                if not nosniff:
                    headers.append(NOSNIFF)
                if api and not no_store:
                    headers.append(NO_STORE)
                headers.append((_REQUEST_ID, rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        tokens = request_context.enter_request(rid)
        try:
            await self.app(scope, receive, edge_send)
        except Exception:  # (a cancelled request, e.g. at shutdown, stays "none": no answer was sent)
            status = "500" if status == "none" else status
            raise
        finally:
            request_context.leave_request(tokens)
            route, method = route_label(scope), scope.get("method", "")
            self.metrics.requests.labels(method, route, status).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
