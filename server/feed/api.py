"""The changes feed endpoint: pages after a cursor, held while nothing is new (long-poll). Long-polls on the
same cursor and scope share one serialised page per feed state (`server.feed.ring.FeedRing`);
`server.feed.fast_path` answers the common case without the framework."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request, Response

from app.platform.edge_types import QueryInt64
from app.platform.feed_partition import Cursor
from app.wire.feed import BULK_PAGE_MAX, PAGE_MAX, ChangesPage
from server.feed.pages import GZIP_MIN_BYTES, RawPage
from server.feed.partitions import cursor_page, cursors_member, legacy_partition
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.auth import AuthUser
from server.platform.errors import ApiError

if TYPE_CHECKING:  # the context is built by the composition root, above every feature
    from server.context import ServerContext

log = logging.getLogger(__name__)

router = APIRouter()


@router.get("/api/changes", tags=["feed"], responses=responses(
    (400, "bad_cursor: `cursor` is not a feed cursor"), 401,
    (409, "feed_partitioned: a single-position cursor (`after`) where the reader's scope spans several "
          "partitions: read with `cursor`"), 422, 503, ok=ChangesPage))
async def get_changes(
    request: Request,
    user: User,
    ctx: Ctx,
    after: Annotated[QueryInt64, Query(ge=0, description="the cursor of the previous page (0: full snapshot)")] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 500,
    wait: Annotated[float, Query(ge=0, le=30, description="seconds to hold the request while nothing is new")] = 0,
    cursor: Annotated[str | None, Query(max_length=2048, description=(
        "a cursor per feed partition (`app.platform.feed_partition.Cursor`: `g.120_3301.5012`), instead of "
        "`after` (which is then ignored); the answer then carries the next one as `cursors`"))] = None,
    bulk: Annotated[int | None, Query(ge=1, le=BULK_PAGE_MAX, description=(
        "a first sync's page size, instead of `limit`: only for a read that does not wait (`wait=0`)"))] = None,
) -> Response:
    """Long-polls on the same cursor and scope share one serialised page per feed state (see
    `server.feed.ring.FeedRing`); each answer gets its own `server_time`, spliced into the shared bytes.
    (`server.feed.fast_path` answers the common case of this endpoint without the framework.)"""
    position: int | Cursor = after
    if cursor is not None:  # `after` beside it is for a server older than partitions (`app.sync.client`)
        position = Cursor.from_wire(cursor)
        if position is None:
            raise ApiError(400, "bad_cursor", "`cursor` is not a feed cursor (`<partition>.<position>` items "
                           "joined by `_`, partition `g`, `any` or a city code)")
    if bulk is not None:
        if wait:  # a long-poll's answer is shared by the consoles waiting on it: it stays a page of `limit`
            raise ApiError(422, "invalid_request", f"`bulk` is for a page read without waiting (wait=0), "
                           f"not with wait={wait:g}")
        limit = bulk
    page, next_cursor = await long_poll(ctx, user, position, limit, wait)
    if bulk is not None and page.more:
        read_ahead(ctx, user, next_cursor if next_cursor is not None else page.cursor, limit)
    body, headers = changes_answer(ctx, page, "gzip" in request.headers.get("accept-encoding", ""), next_cursor)
    return Response(body, media_type="application/json", headers=headers)


async def long_poll(ctx: ServerContext, user: AuthUser, after: int | Cursor, limit: int,
                    wait: float) -> tuple[RawPage, Cursor | None]:
    """The page after `after`, waiting up to `wait` seconds (at most the server's limit) for one that
    is not empty; with a partition cursor, the cursor after it too (`server.feed.partitions`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, ctx.settings.long_poll_max_s)
    ctx.long_polls += 1  # spaces the reads of the recent feed (ServerContext.feed_tick_s)
    try:
        while True:
            generation = ctx.notifier.generation  # before the query: a commit after it will wake us
            if isinstance(after, Cursor):
                page, next_cursor = await cursor_page(ctx, user, after, limit)
            else:
                partition = legacy_partition(await ctx.feed_partitions(user))
                page, next_cursor = await ctx.changes_page(after, limit, user, partition), None
            remaining = deadline - loop.time()
            if page.count or page.more or remaining <= 0:
                await ctx.answer_pacer.turn()  # a feed tick wakes hundreds: let other work in between
                return page, next_cursor
            if await ctx.notifier.wait(generation, remaining):  # no thread, no connection held meanwhile
                # Woken amid a stream of commits: let the burst land, so it is answered once and every waiter
                # reads one page. A lone commit is answered at once (nothing to batch, the window is pure delay).
                window = min(ctx.feed_batch_window_s, deadline - loop.time())
                if window > 0 and ctx.notifier.busy(ctx.feed_batch_window_s):
                    await asyncio.sleep(window)
    finally:
        ctx.long_polls -= 1


_AHEAD: set[asyncio.Task] = set()  # the reads ahead running (a task nothing refers to may be collected)


def read_ahead(ctx: ServerContext, user: AuthUser, after: int | Cursor, limit: int) -> None:
    """Start reading the page after `after`, which a first sync asks next, while this one travels to the console
    and is applied there: its request then finds it in the shared pages (`ServerContext.changes_page`: the same
    page, the same state or a non-empty page of a moment ago), instead of waiting for the database read and
    the compression after the console has asked. A read that fails or is not asked for costs one page."""

    async def read() -> None:
        try:
            if isinstance(after, Cursor):
                await cursor_page(ctx, user, after, limit)
            else:
                await ctx.changes_page(after, limit, user, legacy_partition(await ctx.feed_partitions(user)))
        except Exception:  # noqa: BLE001 - the request that follows reads the page itself, and says why
            log.debug("reading a first sync's next page ahead failed", exc_info=True)

    task = asyncio.ensure_future(read())
    _AHEAD.add(task)
    task.add_done_callback(_AHEAD.discard)


def changes_answer(ctx: ServerContext, page: RawPage, gzip_ok: bool,
                   cursor: Cursor | None = None) -> tuple[bytes, dict[str, str]]:
    """The answer's body and extra headers: gzipped here when large and accepted, from the page's bytes
    compressed once (`server.feed.gzip_pieces`); the GZip middleware passes an answer with Content-Encoding
    through."""
    server_time = ctx.now().isoformat()
    extra = b"" if cursor is None else cursors_member(cursor)
    # Judged on the shared prefix: building the whole plain body (often 100 KiB) only to measure it
    # cost an allocation and a copy per answer, hundreds of times a second.
    if gzip_ok and page.size >= GZIP_MIN_BYTES:
        return page.gzip(server_time, extra), {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return page.body(server_time, extra), {}
