"""Reading a partitioned feed (`app.platform.feed_partition`): which partitions a user reads, and one answer
for a reader's cursor over them.

A reader pages each partition with `position > cursor[partition]` (docs/ARCHITECTURE.md, "The changes feed
and the cursor gap", says why that misses nothing). One answer holds the page of every partition that has
one (the shared serialised pages of `server.feed.pages` and `server.feed.ring`, each partition's as every
other reader gets it), and the reader's new cursor, `cursors`, beside the page's own members.
"""
from __future__ import annotations

import logging
from collections.abc import Collection
from typing import TYPE_CHECKING

from app.platform.feed_partition import GLOBAL, Cursor
from app.platform.scope import JURISDICTION_KEY, by_jurisdiction
from server.feed.pages import RawPage, combine
from server.platform.errors import ApiError

if TYPE_CHECKING:  # the context is built by the composition root, above every feature
    from server.context import ServerContext
    from server.platform.auth import AuthUser

log = logging.getLogger(__name__)


def user_partitions(units: Collection[str] | None, present: Collection[str]) -> list[str]:
    """The partitions among `present` that a user with visible `units` reads: a jurisdiction user its
    cities' and the global one; everyone else (a unit handler's unit may work anywhere) every partition."""
    if by_jurisdiction(units):
        cities = {u[len(JURISDICTION_KEY):len(JURISDICTION_KEY) + 4] for u in units if u != JURISDICTION_KEY}
        return sorted(p for p in present if p == GLOBAL or p in cities)
    return sorted(present)


def legacy_partition(partitions: list[str]) -> str:
    """The one partition a single-number cursor (`after=`) reads; 409 when the reader's scope spans several,
    since one number cannot say where it stands in each (an old console: it must be updated)."""
    if partitions == [GLOBAL]:
        return GLOBAL
    raise ApiError(409, "feed_partitioned", "this server's changes feed is partitioned per city: read it with a "
                   "partition cursor (`cursor=`, sent by an updated console), not a single position (`after=`)")


async def cursor_page(ctx: ServerContext, user: AuthUser, cursor: Cursor, limit: int,
                      state: tuple[int, int] | None = None) -> tuple[RawPage, Cursor]:
    """The page of every partition `user` reads that has changes after `cursor`, as one answer, and the
    cursor after it. The page's `cursor` member is the global partition's (the single position space a
    server that does not partition has); `more` when any partition's page was full. `state`: the feed
    state the page must cover at least (`ServerContext.changes_page`)."""
    partitions = await ctx.feed_partitions(user)
    pages: list[tuple[str, RawPage]] = []
    for partition in cursor.order(partitions):
        pages.append((partition, await ctx.changes_page(cursor.after(partition), limit, user, partition, state)))
    after = cursor
    for partition, page in pages:
        after = after.moved(partition, page.cursor)
    given = [page for _, page in pages if page.count or page.more]
    if len(given) == 1:
        return given[0], after
    first = pages[0][1]
    if not given:
        return first, after
    tag = first.prefix[first.prefix.rindex(b'"scope":') + len(b'"scope":'):]
    return combine(given, after.after(GLOBAL), any(p.more for p in given), tag), after


def cursors_member(cursor: Cursor) -> bytes:
    """The `cursors` member of an answer (`RawPage.body`'s `extra`)."""
    return b',"cursors":"' + cursor.to_wire().encode("ascii") + b'"'
