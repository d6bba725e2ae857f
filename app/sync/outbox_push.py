"""The sync engine's case outbox: sent in issue order, pipelined, answers stored before rows leave. A part
of `app.sync.engine.SyncEngine` (which it is mixed into: it uses the engine's client, cache calls, state,
photos and batch size), kept apart because it is one idea: how queued commands reach the server exactly once
and in each case's order."""
from __future__ import annotations

import asyncio
import logging

from app.cases.commands import CommandResult
from app.cases.evidence import PHOTO_GATED, photo_hashes
from app.sync.client import ServerRefused, ServerUnreachable
from app.sync.net_calls import drop, off_loop

log = logging.getLogger(__name__)

# Command batches in flight at once (see OutboxPush._push_all); 1 = each waits for the answer to the one before.
# Three keep one batch waiting at the server while the console stores an answer and reads the next rows
# (the 10,000-command drain: ~5.2 s with two, ~4.9 s with three, alternated on one machine; four no better).
PUSH_DEPTH = 3


class OutboxPush:
    """Mixed into SyncEngine; expects its `client`, `cache`, `photos`, `batch`, `_push_lock`, `_in_cache` and
    `_connected`."""

    async def _push_all(self) -> None:
        """Send the outbox in batches, oldest first, until it is empty.

        Pipelined: up to PUSH_DEPTH batches are in flight at once, so the server applies batch N+1
        while batch N's answer travels back and is stored (a cache worker thread). A batch in flight
        never shares a case with a newer one: the newer batch is cut before the first command on a
        case still in flight (and waits, if that leaves nothing), so each case's commands reach the
        server strictly in issue order, one after the answer to the one before; commands on different
        cases are independent. Answers are stored in send order, and outbox rows leave only once their
        answers are stored, so a failure or crash at any point only resends what the server
        deduplicates. On any failure the batches still in flight are awaited and their answers stored
        first; then the failure is handled as for a lone batch (halving on a refusal)."""
        async with self._push_lock:
            await self._send_photos()
            await self._push_commands()
            if self.photos is not None and self.photos.store.pending_count():
                await self._send_photos()  # report photos of cases the push just created

    async def _send_photos(self) -> None:
        if self.photos is not None and self.photos.store.pending_count():
            sent = await off_loop(self.photos.drain)
            if sent:
                self._connected()

    def _photos_ready(self, command) -> bool:
        """Whether the photos a step's command names have left this console's queue (sent, or refused
        for good: the server then refuses the command `photos_missing`, never holding the outbox)."""
        if self.photos is None or command.action not in PHOTO_GATED:
            return True
        return self.photos.store.ready(command.case_id, photo_hashes(command.payload.get("attachments", ())))

    async def _push_commands(self) -> None:
        size = self.batch
        storing: asyncio.Future | None = None  # apply_results of the last answered batch
        after: int | None = None               # last seq sent or being stored: read the outbox past it
        flight: list[tuple[list, asyncio.Future]] = []  # (queued rows, push), oldest first

        async def stored() -> None:
            nonlocal storing
            if storing is not None:
                future, storing = storing, None
                await future
                self._connected()

        async def store(results: list[CommandResult]) -> None:
            nonlocal storing
            await stored()
            storing = asyncio.ensure_future(self._in_cache(self.cache.apply_results, results))

        try:
            while True:
                queued = await self._in_cache(self.cache.outbox_batch, size, after) \
                    if len(flight) < PUSH_DEPTH else []
                if queued and self.photos is not None:  # a step waits for its photos, in issue order
                    queued = queued[:next((i for i, q in enumerate(queued) if not self._photos_ready(q.command)),
                                          len(queued))]
                if queued and flight:
                    busy = {q.command.case_id for sent, _ in flight for q in sent}
                    queued = queued[:next((i for i, q in enumerate(queued) if q.command.case_id in busy),
                                          len(queued))]
                if queued:
                    commands = [q.command for q in queued]
                    flight.append((queued, asyncio.ensure_future(off_loop(self.client.push, commands))))
                    after = queued[-1].seq
                    if len(flight) < PUSH_DEPTH:
                        continue  # send the next batch before waiting for this one
                if not flight:
                    break
                sent, push = flight[0]
                try:
                    answer = await asyncio.shield(push)
                except (ServerUnreachable, ServerRefused) as exc:
                    size = await self._push_failed(exc, flight, store, stored, size)
                    after = None  # the failed batch's rows are still queued: read from the start
                    continue
                flight.pop(0)
                await store(answer.results)
        finally:
            for _, push in flight:  # cancelled or failed otherwise: the server deduplicates the resend
                drop(push)
            await stored()

    async def _push_failed(self, exc: Exception, flight: list, store, stored, size: int) -> int:
        """The oldest batch in flight failed with `exc`: store the answers of the newer ones (their
        cases are not the failed batch's), then handle the failure. Returns the next batch size;
        raises ServerUnreachable after noting the send failure."""
        failed, _ = flight.pop(0)
        for sent, push in flight:
            try:
                answer = await asyncio.shield(push)
            except (ServerUnreachable, ServerRefused) as later:
                if isinstance(later, ServerUnreachable):
                    await self._in_cache(self.cache.note_send_failure, [q.command.command_id for q in sent],
                                         str(later))
                continue  # a refused newer batch is simply sent again (and halved then, if need be)
            await store(answer.results)
        flight.clear()
        await stored()
        commands = [q.command for q in failed]
        if isinstance(exc, ServerUnreachable):
            await self._in_cache(self.cache.note_send_failure, [c.command_id for c in commands], str(exc))
            raise exc
        assert isinstance(exc, ServerRefused)
        if len(commands) > 1:  # halve until the one command the server cannot take is alone
            return max(1, len(commands) // 2)
        log.error("server refused command %s outright: %s", commands[0].command_id, exc)
        answer_results = [CommandResult(command_id=commands[0].command_id, case_id=commands[0].case_id,
                                        status="rejected", reason=exc.error, message=exc.message)]
        await self._in_cache(self.cache.apply_results, answer_results)
        return self.batch
