"""A lone commit is answered at once; the batching window is only waited amid a stream of commits
(`server.feed.notifier.FeedNotifier.busy`, `server.feed.api.long_poll`)."""
from __future__ import annotations

import asyncio
import threading
import time
import types

from server.feed import api as feed_api
from server.feed.notifier import FeedNotifier


def _run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def test_a_position_already_announced_wakes_nobody_again():
    async def scenario():
        notifier = FeedNotifier()
        await notifier.start()
        start = notifier.generation
        notifier._bump(5)  # the after-commit hook
        notifier._bump(5)  # the same commit's NOTIFY coming back
        notifier._bump(4)  # an older commit's NOTIFY, late: whoever woke for 5 reads 4 too
        after_dupes = notifier.generation
        notifier._bump(6)
        notifier._bump(None)  # no position (a reconnect, SQLite's poller): always wakes
        await notifier.stop()
        return start, after_dupes, notifier.generation

    start, after_dupes, end = _run(scenario())
    assert after_dupes == start + 1
    assert end == start + 3 + 1  # 6, the positionless one, and stop()'s release


def test_busy_only_when_a_stream_of_announcements_comes_within_the_window():
    async def scenario():
        notifier = FeedNotifier()
        await notifier.start()
        loop = asyncio.get_running_loop()
        now = [1000.0]
        loop.time = lambda: now[0]  # the notifier's clock, moved by hand
        seen = []
        notifier._bump(1)
        seen.append(notifier.busy(0.05))  # the first commit after idle: nothing to batch
        now[0] += 0.010
        notifier._bump(2)
        seen.append(notifier.busy(0.05))  # a pair (a case's register, then its dispatch): still nothing to batch
        now[0] += 0.010
        notifier._bump(2)  # a duplicate moves nothing
        seen.append(notifier.busy(0.05))
        now[0] += 0.010
        notifier._bump(3)
        seen.append(notifier.busy(0.05))  # three within 50 ms: a stream
        now[0] += 0.015
        notifier._bump(4)
        seen.append(notifier.busy(0.05))  # 2, 3, 4 within 50 ms: still one
        now[0] += 1.0
        notifier._bump(5)
        seen.append(notifier.busy(0.05))  # a second later: alone again
        del loop.time
        await notifier.stop()
        return seen

    assert _run(scenario()) == [False, False, False, True, True, False]


def test_the_recent_feed_is_read_again_at_once_unless_commits_stream(srv):
    """The ring's reads are spaced by the batching window only amid a stream of commits: a commit
    soon after a read (the dispatch after its register) is read at once."""
    ctx = srv.ctx
    ctx.feed_batch_window_s = 0.05
    recent = ctx.notifier._recent
    recent.clear()
    assert ctx.feed_tick_s() == 0.0  # idle, no long-polls: nothing to space
    recent.extend([10.0, 10.01])
    assert ctx.feed_tick_s() == 0.0  # a pair
    recent.append(10.02)
    assert ctx.feed_tick_s() == 0.05  # a stream: read at most once per window
    ctx.long_polls += 500
    try:
        assert ctx.feed_tick_s() == 0.75  # hundreds waiting: spaced by their number (at most 0.75 s)
    finally:
        ctx.long_polls -= 500


def test_the_longest_tick_is_a_setting(srv, monkeypatch):
    """Thousands of waiting consoles are answered once per tick each: `feed_max_tick_ms` bounds the tick, so a
    process holding more consoles can answer fewer times a second (each change reaching them later)."""
    ctx = srv.ctx
    ctx.notifier._recent.clear()
    ctx.long_polls += 2000
    try:
        assert ctx.feed_tick_s() == 0.75  # the default bound
        monkeypatch.setattr(ctx, "settings", ctx.settings.model_copy(update={"feed_max_tick_ms": 2000}))
        assert ctx.feed_tick_s() == 2.0
        monkeypatch.setattr(ctx, "settings", ctx.settings.model_copy(update={"feed_max_tick_ms": 5000}))
        assert ctx.feed_tick_s() == 3.0  # 1.5 ms for each of 2,000
    finally:
        ctx.long_polls -= 2000


def test_a_lone_commit_wakes_a_long_poll_without_the_batching_window(srv, monkeypatch):
    srv.new_case()
    cursor = srv.changes("operator1")["cursors"]
    srv.ctx.feed_batch_window_s = 0.05
    sleeps: list[float] = []

    async def recording_sleep(delay, *args):
        sleeps.append(delay)
        return await asyncio.sleep(delay, *args)

    monkeypatch.setattr(feed_api, "asyncio", types.SimpleNamespace(get_running_loop=asyncio.get_running_loop,
                                                                   sleep=recording_sleep))
    answer: list = []
    poller = threading.Thread(target=lambda: answer.append(srv.changes("operator1", after=cursor, wait=20)))
    poller.start()
    time.sleep(1.5)  # waiting on the empty page after `cursor` (and SQLite's poller has ticked past it)
    case = srv.new_case()
    poller.join(15)
    assert not poller.is_alive()
    assert [c["id"] for c in answer[0]["changes"]] == [case["id"]]
    assert sleeps == []  # woken and answered, no window waited
