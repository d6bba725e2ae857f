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

from sqlalchemy import Connection, and_, delete, select

from app.cache import cache_tables as tables
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
    old = conn.execute(select(cases.c.id).where(and_(cases.c.status.in_(TERMINAL), cases.c.updated_at < since,
                                                     cases.c.server_version.is_not(None)))).scalars().all()
    gone = [cid for cid in old if cid not in keep]
    for chunk in tables.chunks(gone):
        conn.execute(delete(cases).where(cases.c.id.in_(chunk)))
    opened = tables.get_meta(conn, OPENED) or {}
    if opened:
        tables.set_meta(conn, OPENED, {cid: at for cid, at in opened.items() if datetime.fromisoformat(at) >= since})
    if gone:
        log.info("cache: %d closed or voided cases older than %d days left the cache", len(gone), closed_days)
    return {UUID(cid) for cid in gone}
