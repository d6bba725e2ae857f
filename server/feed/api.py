"""The changes feed endpoint: pages after a cursor, held while nothing is new (long-poll). Long-polls on the
same cursor and scope share one serialised page per feed state (`server.feed.ring.FeedRing`);
`server.feed.fast_path` answers the common case without the framework."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request, Response

from app.platform.edge_types import QueryInt64
from app.wire.feed import ChangesPage
from server.feed.pages import GZIP_MIN_BYTES, RawPage
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.auth import AuthUser

if TYPE_CHECKING:  # the context is built by the composition root, above every feature
    from server.context import ServerContext

router = APIRouter()


@router.get("/api/changes", tags=["feed"], responses=responses(401, 422, 503, ok=ChangesPage))
async def get_changes(
    request: Request,
    user: User,
    ctx: Ctx,
    after: Annotated[QueryInt64, Query(ge=0, description="the cursor of the previous page (0: full snapshot)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    wait: Annotated[float, Query(ge=0, le=30, description="seconds to hold the request while nothing is new")] = 0,
) -> Response:
    """Long-polls on the same cursor and scope share one serialised page per feed state (see
    `server.feed.ring.FeedRing`); each answer gets its own `server_time`, spliced into the shared bytes.
    (`server.feed.fast_path` answers the common case of this endpoint without the framework.)"""
    page = await long_poll(ctx, user, after, limit, wait)
    body, headers = changes_answer(ctx, page, "gzip" in request.headers.get("accept-encoding", ""))
    return Response(body, media_type="application/json", headers=headers)


async def long_poll(ctx: ServerContext, user: AuthUser, after: int, limit: int, wait: float) -> RawPage:
    """The page after `after`, waiting up to `wait` seconds (at most the server's limit) for one that
    is not empty."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, ctx.settings.long_poll_max_s)
    ctx.long_polls += 1  # spaces the reads of the recent feed (ServerContext.feed_tick_s)
    try:
        while True:
            generation = ctx.notifier.generation  # before the query: a commit after it will wake us
            page: RawPage = await ctx.changes_page(after, limit, user)
            remaining = deadline - loop.time()
            if page.count or page.more or remaining <= 0:
                await ctx.answer_pacer.turn()  # a feed tick wakes hundreds: let other work in between
                return page
            if await ctx.notifier.wait(generation, remaining):  # no thread, no connection held meanwhile
                # Woken amid a stream of commits: let the burst land, so it is answered once and every waiter
                # reads one page. A lone commit is answered at once (nothing to batch, the window is pure delay).
                window = min(ctx.feed_batch_window_s, deadline - loop.time())
                if window > 0 and ctx.notifier.busy(ctx.feed_batch_window_s):
                    await asyncio.sleep(window)
    finally:
        ctx.long_polls -= 1


def changes_answer(ctx: ServerContext, page: RawPage, gzip_ok: bool) -> tuple[bytes, dict[str, str]]:
    """The answer's body and extra headers: gzipped here (cheap level, shared compressed prefix) when
    large and accepted; the GZip middleware passes an answer with Content-Encoding through."""
    server_time = ctx.now().isoformat()
    # Judged on the shared prefix: building the whole plain body (often 100 KiB) only to measure it
    # cost an allocation and a copy per answer, hundreds of times a second.
    if gzip_ok and len(page.prefix) >= GZIP_MIN_BYTES:
        return page.gzip(server_time), {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return page.body(server_time), {}
