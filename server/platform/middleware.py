"""ASGI middleware: a JSON 500 for unexpected errors and a request-body size limit (the headers every answer
carries are `server.platform.edge`'s).

Plain ASGI (not BaseHTTPMiddleware) so long-polls and streamed bodies pass through untouched.
"""
from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.platform.errors import error_response

log = logging.getLogger(__name__)


class CatchAllMiddleware:
    """Answers any unhandled exception with a JSON 500 (the transaction it happened in was rolled back)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # the answer is already on its way; nothing sensible left to send
            response = error_response(500, "internal_error",
                                      f"the server failed ({type(exc).__name__}); nothing was changed by the "
                                      f"failing operation, retry later")
            await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413 `payload_too_large`: up front from
    Content-Length, and by counting the bytes of bodies streamed without (or lying about) it."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self):
        return error_response(413, "payload_too_large", f"the request body is larger than {self.max_bytes} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
        received = 0
        exceeded = False
        answered = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the app answers after the limit tripped (it may have turned our exception into a
            # 400 of its own) is replaced by the 413.
            nonlocal answered
            if not exceeded:
                await send(message)
            elif not answered and message["type"] == "http.response.start":
                answered = True
                await self._too_large()(scope, receive, send)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            pass
        if exceeded and not answered:
            await self._too_large()(scope, receive, send)
