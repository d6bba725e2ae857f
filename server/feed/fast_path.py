"""The hot path of `GET /api/changes`, answered in front of the framework.

Hundreds of consoles long-poll the feed and every tick answers all of them; through FastAPI each answer
cost about 1.5 ms of the event loop (ten middleware layers, routing, dependency solving, query parsing),
so 500 waiting consoles saturated the loop and starved the command requests sharing it. This ASGI
layer, outermost, answers the plain case itself with the very same code as the endpoint
(`server.feed.api.long_poll`, `server.feed.api.changes_answer`): a GET whose query holds only well-formed
`after` (or `cursor`)/`limit`/`wait` within their bounds and whose bearer token is valid (`ServerContext.user_for_token`).
Everything else — a malformed or out-of-range parameter, an unknown parameter, a missing or invalid
token, any error before the answer starts — goes to the FastAPI endpoint unchanged, which answers it (or
its error) the usual way.
The endpoint stays the contract (OpenAPI, validation messages); this only skips the framework's work.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from app.platform.feed_partition import Cursor
from server.feed.api import changes_answer, long_poll
from server.platform.errors import ApiError

if TYPE_CHECKING:  # the context is built by the composition root, above every feature
    from server.context import ServerContext

log = logging.getLogger(__name__)

PATH = "/api/changes"
_DEFAULTS = {"after": 0, "limit": 500, "wait": 0.0}


def parse_query(query: bytes) -> tuple[int | Cursor, int, float] | None:
    """(after or a partition cursor, limit, wait) from a plain query string, or None when the endpoint must
    judge it."""
    values = dict(_DEFAULTS)
    seen = set()
    cursor = None  # a partition cursor wins over `after` (sent beside it for older servers)
    if query:
        for item in query.split(b"&"):
            name, eq, raw = item.partition(b"=")
            try:
                key = name.decode("ascii")
            except UnicodeDecodeError:
                return None
            if key == "cursor" and eq and key not in seen:
                seen.add(key)
                try:
                    cursor = Cursor.from_wire(raw.decode("ascii"))
                except UnicodeDecodeError:
                    return None
                if cursor is None:
                    return None
                continue
            if not eq or key not in values or key in seen or not raw or len(raw) > 12:
                return None
            seen.add(key)
            if key == "wait":
                whole, dot, frac = raw.partition(b".")
                if not whole.isdigit() or (dot and not frac.isdigit()):
                    return None
                values[key] = float(raw)
            else:
                if not raw.isdigit():
                    return None
                values[key] = int(raw)
    after, limit, wait = values["after"], values["limit"], values["wait"]
    if not (1 <= limit <= 1000 and 0 <= wait <= 30):  # the endpoint's bounds (`ge=0` holds for digits)
        return None
    return (cursor if cursor is not None else after), limit, wait


def _token(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, bool]:
    """(bearer token or None, whether gzip is accepted)."""
    token, gzip_ok = None, False
    for name, value in headers:
        if name == b"authorization":
            if token is not None:
                return None, gzip_ok
            scheme, _, rest = value.partition(b" ")
            if scheme.lower() != b"bearer":
                return None, gzip_ok
            token = rest.strip().decode("latin-1") or None
        elif name == b"accept-encoding":
            gzip_ok = gzip_ok or b"gzip" in value
    return token, gzip_ok


class ChangesFastPath:
    def __init__(self, app: ASGIApp, ctx: ServerContext):
        self.app = app
        self.ctx = ctx
        self.answered = 0  # answers given here (tests, diagnostics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            if await self._answer(scope, send):
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send) -> bool:
        params = parse_query(scope.get("query_string", b""))
        if params is None:
            return False
        token, gzip_ok = _token(scope.get("headers", []))
        if token is None:
            return False
        ctx = self.ctx
        try:
            user = await ctx.user_for_token(token)
        except ApiError:  # e.g. expired or unknown: the endpoint says so
            return False
        try:
            page, cursor = await long_poll(ctx, user, *params)
            body, extra = changes_answer(ctx, page, gzip_ok, cursor)
        except Exception:  # noqa: BLE001 - nothing sent yet: the endpoint answers it (or its error) properly
            log.debug("fast path gave way to the endpoint", exc_info=True)
            return False
        # the server time and the security headers are the edge's (`server.platform.edge`), as on every answer
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self.answered += 1
        return True
