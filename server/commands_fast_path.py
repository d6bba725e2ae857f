"""The hot path of `POST /api/commands`, answered in front of the framework.

A console sends each command as the operator acts: one small POST per command, 200 a second under the
scale-out load. Through FastAPI each one also paid the framework's generic request path on the event loop
(the exception and exit-stack middlewares, routing, dependency solving, reading the body into the envelope
model); skipping it, with the combiner's kept connection, cut command p50 by about a third and the server's
CPU per command by 2-6 % (alternated against the code before, docs/group_commit.md). This ASGI layer, the innermost of the app's own (inside the edge,
the catch-all 500, the body limit and gzip), answers the plain case itself with the very same steps as the
endpoint (`server.commands_api.post_commands`): a POST whose query is empty or `cases=all|newest`, whose body
is JSON (`Content-Type: application/json`, a declared length of at most `MAX_BODY`, no content encoding), an
object of `commands` only, 1 to `MAX_BATCH` case commands, and whose bearer token is valid
(`ServerContext.user_for_token`). Each command is read (`read_items`) and applied (`ServerContext.apply_in_thread`)
as the endpoint does, and answered with the same bytes.

Everything else — another query, a missing or invalid token, a body that is not such an object, entity
commands — goes to the endpoint unchanged (the body read here handed on as it came), which answers it or
its error the usual way. Once the commands are handed on to be applied nothing gives way any more: an
`ApiError` or a database outage is answered as the app's handlers answer it (`error_answer`), anything else
raises to the catch-all's JSON 500. The endpoint stays the contract (OpenAPI, validation messages).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.cases.commands import MAX_BATCH, Command
from app.platform import fast_json
from app.platform.entity_commands import CASE_KIND
from app.wire.cases import kind_of
from server import commands_api
from server.platform import request_context
from server.platform.batch_items import ReadBatch, read_items
from server.platform.errors import ApiError, error_answer

if TYPE_CHECKING:  # the context is built by the composition root, above every feature
    from server.context import ServerContext

log = logging.getLogger(__name__)

PATH = "/api/commands"
MAX_BODY = 64 * 1024  # an operator's few commands; a drained outbox goes the endpoint's way
_QUERIES = {b"": False, b"cases=all": False, b"cases=newest": True}  # -> newest cases only


def _headers(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The bearer token of a request the fast path may answer (one Authorization header, a JSON body of a
    declared length within `MAX_BODY`, not encoded), else None."""
    token = length = None
    json_body = False
    for name, value in headers:
        if name == b"authorization":
            scheme, _, rest = value.partition(b" ")
            if token is not None or scheme.lower() != b"bearer":
                return None
            token = rest.strip().decode("latin-1")
        elif name == b"content-type":
            json_body = value.partition(b";")[0].strip().lower() == b"application/json"
        elif name == b"content-length":
            if length is not None or not value.isdigit():
                return None
            length = int(value)
        elif name in (b"content-encoding", b"transfer-encoding"):
            return None
    if not token or not json_body or length is None or length > MAX_BODY:
        return None
    return token


def _case_commands(body: bytes) -> list[Any] | None:
    """The commands of a body the endpoint would take as a batch of case commands only, or None."""
    try:
        envelope = fast_json.loads(body)
    except ValueError:
        return None
    if not isinstance(envelope, dict) or envelope.keys() != {"commands"}:
        return None
    items = envelope["commands"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH \
            or any(kind_of(item) != CASE_KIND for item in items):
        return None
    return items


class CommandsFastPath:
    def __init__(self, app: ASGIApp, ctx: ServerContext):
        self.app = app
        self.ctx = ctx
        self.answered = 0  # answers given here (tests, diagnostics)
        # counted under the endpoint's route (`server.platform.prometheus.route_label` reads the scope's route)
        self._route = next(r for r in commands_api.router.routes if getattr(r, "path", None) == PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == PATH:
            receive = await self._answer(scope, receive, send)
            if receive is None:
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """None when answered here; else the `receive` the endpoint is to read the request with."""
        newest = _QUERIES.get(scope.get("query_string", b""))
        token = _headers(scope.get("headers", [])) if newest is not None else None
        if token is None:
            return receive
        ctx = self.ctx
        try:
            user = await ctx.user_for_token(token)
        except ApiError:  # e.g. expired or unknown: the endpoint says so
            return receive
        body, messages = await _read_body(receive)
        items = _case_commands(body) if body is not None else None
        if items is None:
            return _replay(messages, receive)
        request_context.user.set(user.username)  # as the endpoint's `current_user`: the log lines name them
        request_context.console_id.set(user.console_id)
        scope["route"] = self._route
        read = ReadBatch(read_items([commands_api.case_item(item) for item in items], Command))
        try:
            answer = await ctx.apply_in_thread(user, read, newest_cases=newest)
        except Exception as exc:
            response = error_answer(exc)
            if response is None:
                raise  # a bug: the catch-all answers 500
            await response(scope, receive, send)
            return None
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(answer)).encode()),
                                (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": answer})
        self.answered += 1
        return None


async def _read_body(receive: Receive) -> tuple[bytes | None, list[Message]]:
    """The request body (None if the client left, or it outgrew `MAX_BODY`) and the messages it came in."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return None, messages
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None, messages
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that first hands on what was already read."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
