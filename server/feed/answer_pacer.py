"""Long-poll answers released a few per event-loop turn, so a tick cannot monopolise the loop.

When the recent feed moves (`server.feed.ring.FeedRing`), every waiting long-poll wakes in the same loop
iteration; answering 500 of them back to back kept the loop busy for a quarter of a second, and every
command answer (and every new request) due meanwhile waited behind them — the tail of command latency.
Passing each answer through `turn()` lets `per_turn` of them go per iteration: whatever else became
ready (a command's result back from its thread, a new request) runs in between. The answers still all
go, at the same total cost; they are only interleaved.
"""
from __future__ import annotations

import asyncio
import collections


class AnswerPacer:
    """Use on one event loop (a new loop starts afresh, as in tests)."""

    def __init__(self, per_turn: int = 8):
        if per_turn < 1:
            raise ValueError(f"per_turn must be at least 1, not {per_turn}")
        self.per_turn = per_turn
        self._queue: collections.deque[asyncio.Future] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pumping = False
        self.turns = 0  # loop turns that released answers (tests, diagnostics)

    async def turn(self) -> None:
        """Return once this answer may go (the next loop turn or a later one, in arrival order)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._queue, self._pumping = loop, collections.deque(), False
        future = loop.create_future()
        self._queue.append(future)
        if not self._pumping:
            self._pumping = True
            loop.call_soon(self._pump)
        await future

    def _pump(self) -> None:
        released = 0
        queue = self._queue
        while queue and released < self.per_turn:
            future = queue.popleft()
            if not future.done():  # done = cancelled: its client went away
                future.set_result(None)
                released += 1
        self.turns += 1
        if queue:
            # call_soon runs this again in the *next* iteration, after everything made ready meanwhile
            self._loop.call_soon(self._pump)
        else:
            self._pumping = False
