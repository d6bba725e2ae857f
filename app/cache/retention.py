"""What the console's cache keeps beyond its scope's active cases: closed and voided cases of the last
`closed_days` (`ConsoleSettings.cache_closed_days`, default 30), and every case the operator opened (from the
server's search, say) for as long again from its opening. Older ones leave the cache (`prune`); the lookup
finds them through the server's search when online and says offline that they are not in this workstation's
cache. A case with a command still waiting in the outbox is never pruned: its answer must find it.

The feed still brings a pruned case back when it changes (a callback reopens it): a newer version is taken,
as for any case.
"""
from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Connection, delete
from sqlalchemy.exc import OperationalError

from app.cache import cache_tables as tables
from app.cache import case_rows
from app.platform.enums import Status
from db.cache import cases

log = logging.getLogger(__name__)

OPENED = "opened_cases"  # meta key: {case id: when the operator opened it (ISO-8601)}
TERMINAL = (str(Status.CLOSED), str(Status.VOIDED))


def note_opened(conn: Connection, case_id: str, now: datetime) -> None:
    opened = dict(tables.get_meta(conn, OPENED) or {})
    opened[str(case_id)] = now.isoformat()
    tables.set_meta(conn, OPENED, opened)


def opened_since(conn: Connection, since: datetime) -> set[str]:
    """The cases opened at or after `since`."""
    return {cid for cid, at in (tables.get_meta(conn, OPENED) or {}).items()
            if datetime.fromisoformat(at) >= since}


def prune(conn: Connection, now: datetime, closed_days: int, pending: Collection[UUID]) -> set[UUID]:
    """Delete the closed and voided server copies last changed before `now - closed_days`, except those opened
    since then and those with a waiting command; the ids deleted. Forgets openings older than the window."""
    since = now - timedelta(days=closed_days)
    keep = opened_since(conn, since) | {str(c) for c in pending}
    old = _old_terminal_ids(conn, since)
    gone = [cid for cid in old if cid not in keep]
    for chunk in tables.chunks(gone):
        conn.execute(delete(cases).where(cases.c.id.in_(chunk)))
    opened = tables.get_meta(conn, OPENED) or {}
    if opened:
        tables.set_meta(conn, OPENED, {cid: at for cid, at in opened.items() if datetime.fromisoformat(at) >= since})
    if gone:
        log.info("cache: %d closed or voided cases older than %d days left the cache", len(gone), closed_days)
    return {UUID(cid) for cid in gone}


def _old_terminal_ids(conn: Connection, since: datetime) -> list[str]:
    """The closed and voided server copies last changed before `since`, read from the queue's covering index
    (`ix_cases_summary` holds status, updated_at and server_version): SQLite would otherwise take the status
    index and fetch every closed case's row, JSON and all, for its updated_at (~0.15 s of each start with
    100,000 cases, before the queue can read). Without the index (a first sync writing), the plain table."""
    sql = (f"SELECT id FROM cases{{}} WHERE status IN ({', '.join('?' * len(TERMINAL))}) AND updated_at < ? "
           "AND server_version IS NOT NULL")
    params = (*TERMINAL, case_rows.stored_time(since))
    try:
        return [cid for (cid,) in conn.exec_driver_sql(sql.format(case_rows.BY_SUMMARY_INDEX), params)]
    except OperationalError as exc:
        if "no such index" not in str(exc):
            raise
        return [cid for (cid,) in conn.exec_driver_sql(sql.format(""), params)]
