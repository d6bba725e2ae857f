"""Committing the commands of concurrent requests together: group commit across requests and users.

A console sends each command as the operator acts, one `POST /api/commands` of one command. Alone, each
pays its own transaction: the case lock, the stored-answer read, ~9 statements, a step of the feed counter
(whose row lock every other command then waits for until the commit), the commit and a NOTIFY — ~5 ms of
the server's CPU, and at 200 commands a second the feed counter becomes the queue every command stands in.
A batch of one request already shares one transaction per group (`server.cases.group_commit`); this
does the same for commands of different requests, the way a database's write-ahead log commits:

- one thread per server process applies the groups, one at a time. When it is idle, a request's commands
  are taken at once and applied as before (a lone command in its own transaction, `answer_one`): nothing
  waits for company, so an idle server answers as fast as without the combiner;
- while a group is in its transaction, requests that arrive queue up, and the next group takes everything
  queued, whole requests in arrival order, up to `bound` commands. Under load groups grow by themselves;
- each command keeps its own user (scope, the owner check of a stored answer, its audit entry and stored
  answer's `username`) and its request's context (its log lines and audit entry carry its request id);
- a group that fails unexpectedly is applied again one command at a time, so only the command at fault is
  answered `internal_error` (`server.cases.commands.apply_together`); the database being unreachable fails
  every request of the group (503, the consoles send again; what a rolled-back group wrote is nothing, what
  committed before is found as stored answers).

The order the server guarantees is kept: a request's commands stay together and in request order, and two
requests' commands on one case are applied in the order the requests arrived (one queue, one thread).
Each request is answered as soon as its group has committed, with the same bytes as before.

While requests keep queuing, the groups one after another run on one connection, kept from group to group (for
`_HOLD_S` at most): each checkout from the pool cost a ping of the database and the pool's bookkeeping, as much
CPU as two of a group's statements. The connection goes back to the pool as soon as the queue is empty, and
is dropped when a group fails with an exception (an outage): the next checkout pings a fresh one.

Only PostgreSQL case batches smaller than `commit_group` come here (`ServerContext.apply_in_thread`):
larger ones — a console draining its outbox — are groups already. `settings.combine_commands` turns it off.
The detections' writer (`server.detections.writer`) is the same idea for detections.
"""
from __future__ import annotations

import concurrent.futures
import contextvars
import functools
import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.cases.commands import BatchResult, CommandResult
from server.cases.commands import answer_one, apply_together
from server.platform.auth import AuthUser
from server.platform.batch_items import ReadBatch
from server.platform.queue_thread import QueueThread

log = logging.getLogger(__name__)

_HOLD_S = 5.0  # the longest one connection serves consecutive groups (the pool's ping and recycle apply again)


@dataclass
class Job:
    """One request's commands, its sender and context, and its answer to come: what `finish` makes of
    the BatchResult (the answer's bytes), or the exception that failed it."""
    user: AuthUser
    batch: ReadBatch
    finish: Callable[[BatchResult], bytes]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)


class CommandCombiner(QueueThread):
    """The process's combiner thread. `ctx` gives the database, reference data, clock and test hook
    (`server.context.ServerContext`); `bound` is the most commands a group takes (`commit_group`). Stopping
    answers what is queued first."""

    thread_name = "onegrid-command-combiner"
    stop_timeout_s = 30.0

    def __init__(self, ctx, bound: int):
        self.ctx = ctx
        self.bound = max(1, bound)
        self.groups = 0  # transactions tried (tests and the bench count them)
        self.received = 0  # requests submitted
        self.checkouts = 0  # connections taken from the pool for groups (tests count them)
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._held: tuple[object, float, Callable] | None = None  # (connection, since, its session factory)

    def queued(self) -> int:
        """Requests waiting for the next group (approximate while others queue)."""
        return self._queue.qsize()

    def submit(self, user: AuthUser, batch: ReadBatch, finish: Callable[[BatchResult], bytes]
               ) -> concurrent.futures.Future:
        """The request's answer to come (`finish`'s bytes). Made in the caller's context: the copy taken
        here carries the request id into the group."""
        job = Job(user, batch, finish)
        self.received += 1  # the event loop's thread only
        self._queue.put(job)
        return job.future

    def _run(self) -> None:
        carried: Job | None = None  # the request that did not fit the last group: first in the next
        while True:
            first = carried if carried is not None else self._queue.get()
            carried = None
            if first is None:
                break
            jobs, size, stopping = [first], len(first.batch.commands), False
            while size < self.bound:  # whatever queued meanwhile, no waiting for more
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                if size + len(job.batch.commands) > self.bound:
                    carried = job
                    break
                jobs.append(job)
                size += len(job.batch.commands)
            self.write(jobs)
            if carried is None and self._queue.empty():
                self._release()  # idle: the connection goes back to the pool
            if stopping:
                if carried is not None:
                    self.write([carried])
                break
        self._drain()  # what is still queued at stop is answered too
        self._release()

    def write(self, jobs: list[Job]) -> None:
        """Apply `jobs` as one group and answer each. A request whose caller went away before its group
        began is dropped unapplied: nobody was answered, and the console sends it again."""
        jobs = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        if not jobs:
            return
        try:
            results = self._apply(jobs)
        except BaseException as exc:  # noqa: BLE001 - every request of the group fails alike (an outage)
            self._release()  # not used again: the next group checks out (and pings) a connection
            log.warning("a group of %d requests failed: %s: %s", len(jobs), type(exc).__name__, exc)
            for job in jobs:
                job.future.set_exception(exc)
            return
        server_time = self.ctx.now()
        start = 0
        for job in jobs:
            answer = BatchResult(results=results[start:start + len(job.batch.commands)], server_time=server_time)
            start += len(job.batch.commands)
            try:
                job.future.set_result(job.context.run(job.finish, answer))
            except BaseException as exc:  # noqa: BLE001 - the request's own failure, answered to it alone
                job.future.set_exception(exc)

    def _apply(self, jobs: list[Job]) -> list[CommandResult]:
        """Every command's answer, in queue order: one command in its own transaction as ever; more in
        one group, each under its own sender and context."""
        ctx = self.ctx
        db, refdata, now, hook = self._writer(), ctx.refdata, ctx.now, ctx.before_commit
        users, commands, contexts = [], [], []
        for job in jobs:
            for command in job.batch.commands:
                users.append(job.user)
                commands.append(command)
                contexts.append(job.context)
        self.groups += 1
        if len(commands) == 1:
            return [contexts[0].run(functools.partial(answer_one, db, users[0], commands[0], refdata, now,
                                                      before_commit=hook))]
        return apply_together(db, users, commands, refdata, now, hook, contexts)

    def _writer(self) -> Callable:
        """The writer session factory of the next group, bound to the connection kept while groups follow one
        another (module doc); a new one is checked out when none is kept or it has served `_HOLD_S`."""
        if self._held is not None and time.monotonic() - self._held[1] < _HOLD_S:
            return self._held[2]
        self._release()
        writer = self.ctx.db.writer
        connection = writer.kw["bind"].connect()
        self.checkouts += 1
        self._held = (connection, time.monotonic(), functools.partial(writer, bind=connection))
        return self._held[2]

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            try:
                held[0].close()
            except Exception:  # noqa: BLE001 - a broken connection is discarded by the pool all the same
                log.debug("closing the combiner's connection failed", exc_info=True)


def start_combiner(ctx) -> CommandCombiner | None:
    """The process's combiner, on PostgreSQL when `combine_commands` is on and groups are (`commit_group` > 1)."""
    settings = ctx.settings
    if not (settings.combine_commands and settings.commit_group > 1 and ctx.db.is_postgres):
        return None
    combiner = CommandCombiner(ctx, settings.commit_group)
    combiner.start()
    return combiner


def stop_combiner(combiner: CommandCombiner | None) -> None:
    if combiner is not None:
        combiner.stop()
