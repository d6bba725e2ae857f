"""Periodic housekeeping on the server's event loop: automatic escalation, overdue supervision orders, the
sensor sweep, raw-reading retention, photo retention, and purging old tokens and failed-login counts.

Each round runs in a worker thread (blocking database work) and never overlaps the next one; a failing
round is logged and the loop goes on. On PostgreSQL one process among all those on the database sweeps:
the one holding the advisory lock `SWEEP_LOCK` (`server.platform.advisory`), kept until it stops or
loses its database session; the others try at each round and take over from a process that went away.
On SQLite every process sweeps, as before (the database's write lock serialises them).
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from server.avl.store import purge_tracks
from server.cases.escalation import escalate_overdue
from server.cases.joint_overdue import escalate_overdue_co_tasks
from server.cases.supervision import mark_overdue_orders
from server.photos import retention as photo_retention
from server.platform.advisory import SWEEP_LOCK
from server.platform.auth import purge_expired_tokens
from server.sensors import alarm_sweep, partitions
from server.sensors.store import purge_raw_readings

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)


def maintenance_round(ctx: ServerContext) -> bool:
    """One round of every sweep, if this process is the sweeper; whether it swept."""
    if ctx.locks is not None and not ctx.locks.try_lock(SWEEP_LOCK):
        log.debug("another server process holds the sweeps")
        return False
    escalate_overdue(ctx.db.reader, ctx.db.writer, ctx.refdata, ctx.now, before_commit=ctx.before_commit)
    mark_overdue_orders(ctx.db.reader, ctx.db.writer, ctx.refdata, ctx.now, before_commit=ctx.before_commit)
    escalate_overdue_co_tasks(ctx.db.reader, ctx.db.writer, ctx.refdata, ctx.now, before_commit=ctx.before_commit)
    with ctx.db.writer() as session, session.begin():
        purged = purge_expired_tokens(session, ctx.now())
    if purged:
        log.info("purged %d expired tokens", purged)
    with ctx.db.writer() as session, session.begin():
        purged = ctx.login_throttle.purge(session, ctx.now())
    if purged:
        log.info("purged %d failed-login counts nothing counts any more", purged)
    sensor_maintenance(ctx)
    try:
        photo_retention.sweep(ctx)
    except Exception:
        log.exception("photo retention sweep failed")
    with ctx.db.writer() as session, session.begin():
        purged = purge_tracks(session, ctx.now(), ctx.settings.avl_track_retention_days)
    if purged:
        log.info("purged %d vehicle and staff track points past their retention", purged)
    return True


def sensor_maintenance(ctx: ServerContext) -> None:
    """Silent sensors, ended alarm episodes, missing alarm cases, and raw-reading retention (day partitions
    created ahead and dropped once past the window on PostgreSQL, a DELETE on SQLite)."""
    try:
        counts = alarm_sweep.sweep(ctx, ctx.sensor_ingest)
        if any(counts.values()):
            log.info("sensor sweep: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    except Exception:
        log.exception("sensor sweep failed")
    retention_h = ctx.settings.sensor_raw_retention_h
    with ctx.db.writer() as session, session.begin():
        partitioned = partitions.is_partitioned(session)
        if partitioned:
            partitions.ensure_partitions(session, ctx.now())
    if partitioned:
        with ctx.db.writer() as session, session.begin():
            partitions.drop_expired(session, ctx.now(), retention_h)  # logged and audited there
        return
    with ctx.db.writer() as session, session.begin():
        purged = purge_raw_readings(session, ctx.now(), retention_h)
    if purged:
        log.info("purged %d raw sensor readings older than %g h", purged, retention_h)


async def maintenance_loop(ctx: ServerContext, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await run_in_threadpool(maintenance_round, ctx)
        except Exception:
            log.exception("maintenance round failed; retrying in %.0f s", interval_s)
