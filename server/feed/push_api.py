"""`GET /api/changes/stream`: the changes feed pushed over one open connection (`server.feed.push`)."""
from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response

from app.platform.feed_partition import Cursor
from server.feed.push import MEDIA_TYPE, FeedStream, PushStreams
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter()

STREAM_PATH = "/api/changes/stream"
# One event of the stream (before OpenAPI 3.2, a `text/event-stream` schema describes each event).
EVENT_SCHEMA = {"type": "object", "required": ["event", "data"], "properties": {
    "event": {"type": "string", "enum": ["page", "end"]},
    "id": {"type": "string", "description": "after a page: the partition cursor after it"},
    "data": {"type": "string", "description": "a page: the changes page's JSON; an end: an error body's JSON"}}}


def push_streams(request: Request) -> PushStreams:
    """The process's open streams (one registry per app, built on first use from the settings)."""
    state = request.app.state
    streams = getattr(state, "feed_streams", None)
    if streams is None:
        streams = state.feed_streams = PushStreams(request.app.state.ctx.settings.feed_push_max_streams)
    return streams


# `response_class` stays the plain Response: with the stream's own, FastAPI would document the error answers
# (JSON bodies) as `text/event-stream` too; the 200's media type is declared below.
@router.get(STREAM_PATH, tags=["feed"], status_code=200, response_class=Response, responses=responses(
    (400, "bad_cursor: `cursor` (or `Last-Event-ID`) is not a feed cursor"), 401, 422,
    (503, "too_many_streams: this process has as many feed streams open as it may (long-poll instead); "
          "database_unavailable")) | {200: {"content": {MEDIA_TYPE: {"schema": EVENT_SCHEMA}}, "description": (
        f"`{MEDIA_TYPE}`: Server-Sent Events. `event: page` — `data` is a changes page as `GET /api/changes` "
        "answers it (with `cursors`), `id` the partition cursor after it (send it back as `cursor` or "
        "`Last-Event-ID` to continue without a gap); the first page comes at once, even empty. `event: end` — "
        "the session ended (`invalid_token`, `token_expired`) or what the user may read changed "
        "(`scope_changed`) or the stream reached its lifetime (`stream_expired`, `feed_push_max_s`: open it "
        "again from the last `id`): `data` is an error body and the stream closes. A `: ping` comment at least every "
        "`feed_push_heartbeat_s` seconds.")}})
async def stream_changes(
    request: Request,
    user: User,
    ctx: Ctx,
    cursor: Annotated[str | None, Query(max_length=2048, description=(
        "where to start: a cursor per feed partition (`app.platform.feed_partition.Cursor`); none: a full "
        "snapshot"))] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="changes per event at most")] = 500,
    last_event_id: Annotated[str | None, Header(max_length=2048, description=(
        "an SSE client's reconnect: the `id` of the last event it read (used when `cursor` is absent)"))] = None,
    compress: Annotated[Literal["gzip"] | None, Query(description=(
        "`gzip`: the stream as gzip members, one or more per event and each ending on an event's end "
        "(`Content-Encoding: gzip`); a reader decodes a multi-member body, member after member as they arrive. "
        "Asked for explicitly, since a stream read raw with a generic `Accept-Encoding` would be unreadable"))] = None,
) -> FeedStream:
    """The feed from `cursor` on, pushed as it changes; the same pages and scope rule as `GET /api/changes`."""
    text = cursor if cursor is not None else last_event_id
    position = Cursor() if text is None else Cursor.from_wire(text)
    if position is None:
        raise ApiError(400, "bad_cursor", "`cursor` is not a feed cursor (`<partition>.<position>` items joined "
                       "by `_`, partition `g`, `any` or a city code)")
    return FeedStream(ctx, push_streams(request), auth.bearer_token(request), user, position, limit,
                      gzip=compress == "gzip")
