"""The shared pages of older cursors (`server.feed.page_cache.FeedPageCache`): one read per feed state and key,
and bounded, so a finished first sync's megabyte pages do not stay in the server's memory."""
from __future__ import annotations

import asyncio

from server.feed.page_cache import FeedPageCache
from server.feed.pages import RawPage


def page(size: int, count: int = 1) -> RawPage:
    return RawPage(prefix=b"x" * size, count=count, cursor=count, more=False)


def test_one_read_per_state_and_key_and_the_pages_of_an_older_state_age_out():
    generation = [0]
    cache = FeedPageCache(lambda: generation[0])

    async def run():
        reads = []

        async def compute(n):
            reads.append(n)
            return page(10)

        state = cache.state()
        first = await cache.get(state, ("a",), lambda: compute(1))
        again = await cache.get(state, ("a",), lambda: compute(2))
        assert first is again and reads == [1]  # shared
        generation[0] += 1
        cache.max_age_s = 0.0  # the page of the older state may not be given any more
        await cache.get(cache.state(), ("b",), lambda: compute(3))
        assert list(cache._entries) == [("b",)]  # the unusable page went when the next was added

    asyncio.run(run())


def test_the_pages_kept_are_bounded_in_bytes_the_newest_kept():
    cache = FeedPageCache(lambda: 0, max_bytes=25)

    async def run():
        state = cache.state()
        for key in range(5):
            async def compute():
                return page(10)
            await cache.get(state, (key,), compute)
        assert list(cache._entries) == [(2,), (3,), (4,)]  # 2 × 10 bytes kept when the third was added
        assert cache.bytes <= 25

    asyncio.run(run())


def test_the_pages_kept_are_bounded_in_number():
    cache = FeedPageCache(lambda: 0, max_entries=3)

    async def run():
        state = cache.state()
        for key in range(6):
            async def compute():
                return page(1)
            await cache.get(state, (key,), compute)
        assert list(cache._entries) == [(3,), (4,), (5,)]

    asyncio.run(run())
