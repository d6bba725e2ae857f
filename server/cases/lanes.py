"""A batch's cases applied at once on PostgreSQL, one transaction per command (`server.cases.commands
apply_batch` with `commit_group` 1): each case's commands in batch order in one lane, up to
`settings.batch_lanes` lanes at a time."""
from __future__ import annotations

import collections
import concurrent.futures
import contextvars
import functools
import logging
import threading
import uuid
from collections.abc import Callable

from app.cases.commands import Command, CommandResult
from server.platform.auth import AuthUser

log = logging.getLogger(__name__)


class BatchLanes:
    """How many cases of one batch are applied at once on PostgreSQL (`settings.batch_lanes`, 1 = one after
    another), and the helper threads that run the lanes beyond the calling one (`count - 1`, shared by every
    batch of the server; each holds one more pooled connection while it works). Built by the server context;
    the threads start on first use."""

    def __init__(self, count: int):
        self.count = max(1, count)
        self._pool = (concurrent.futures.ThreadPoolExecutor(max_workers=self.count - 1, thread_name_prefix="onegrid-lane")
                      if self.count > 1 else None)

    def submit(self, fn: Callable[[], None]) -> concurrent.futures.Future:
        assert self._pool is not None, "a single lane has no helpers"
        return self._pool.submit(fn)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


ONE_LANE = BatchLanes(1)  # no helper threads: what a caller without a server context gets


def by_case_lanes(commands: list[Command]) -> list[list[int]] | None:
    """The batch's command indexes per case, each lane in batch order, lanes in order of first appearance;
    None if a command id repeats (which of two such commands is applied first must stay the batch's
    order, and lanes would race for it)."""
    if len({c.command_id for c in commands}) != len(commands):
        return None
    lanes: dict[uuid.UUID, list[int]] = {}
    for i, command in enumerate(commands):
        lanes.setdefault(command.case_id, []).append(i)
    return list(lanes.values())


def apply_lanes(bind, session_factory, user: AuthUser, commands: list[Command], by_case: list[list[int]],
                lanes: BatchLanes, refdata, now_fn, before_commit, answer_one: Callable) -> list[CommandResult]:
    """Apply a batch's cases concurrently: each lane (one case's commands, in batch order) runs on one
    thread and its own pooled connection, up to `lanes.count` lanes at a time (this thread plus helpers
    from `lanes`, shared by all batches of the server). Commands on different cases are independent
    (each locks its own case row; the shared rows, case-number counter → feed counter → audit head, are
    always locked in that one order, so no deadlock), and their database round trips now overlap with
    another's Python work (more than 2 lanes were slower in bench_sync's outbox drain: convoys on the
    feed counter and audit head locks, held to commit, and on the GIL). `answer_one` is
    `server.cases.commands.answer_one`. The first exception (a database outage: `answer_one` answers any other) stops every lane before its next command and is raised after
    all lanes stopped; the lane it happened in applies nothing more, so a case's later commands never
    run ahead of an earlier one."""
    results: list[CommandResult | None] = [None] * len(commands)
    pending = collections.deque(by_case)
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        with bind.connect() as connection:
            factory = functools.partial(session_factory, bind=connection)
            while True:
                with lock:
                    if failures or not pending:
                        return
                    lane = pending.popleft()
                for i in lane:
                    try:
                        results[i] = answer_one(factory, user, commands[i], refdata, now_fn,
                                                before_commit=before_commit)
                    except BaseException as exc:  # noqa: BLE001 - re-raised below, after the lanes stopped
                        with lock:
                            failures.append(exc)
                        return
                    if failures:
                        return

    # Each helper runs in a copy of this thread's context: its log lines and audit entries keep the request id.
    helpers = [lanes.submit(functools.partial(contextvars.copy_context().run, work))
               for _ in range(min(lanes.count, len(by_case)) - 1)]
    try:
        work()
    finally:
        for helper in helpers:
            if not helper.cancel():  # not started yet (the pool is busy with other batches): never will be
                concurrent.futures.wait([helper])
                if helper.exception() is not None:  # work() catches everything but a failed connect
                    failures.append(helper.exception())
    if any(result is None for result in results):
        raise failures[0]  # a lane stopped early, and only a failure stops one
    if failures:  # a helper that could not connect while the others applied everything: nothing is lost
        log.warning("a batch lane failed to start: %s", failures[0])
    return results  # type: ignore[return-value] - every slot is filled
