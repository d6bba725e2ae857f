"""Each device's ingest gate in the database (`db.avl.DeviceIngestRow`), shared by every server process:
the time of its latest accepted report and when its position last went to the feed.

An ingest batch, in its one transaction, `lock`s the rows of the devices it carries (created when missing,
then `SELECT … FOR UPDATE` in device id order, so two writers never wait on each other in a cycle), checks
its reports against them, and `advance`s them with what it accepted and fed. A second process's batch with
the same devices waits for the first's commit and then reads what it wrote: a report the first superseded
is `out_of_order`, a device the first fed within the throttle period is not fed again. On SQLite a writer
holds the database's write lock from BEGIN IMMEDIATE, which serialises the same way.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from db.avl import DeviceIngestRow
from server.platform.database import dialect_insert

log = logging.getLogger(__name__)

_TABLE = DeviceIngestRow.__table__


@dataclass(frozen=True)
class Gate:
    accepted_at: datetime | None = None
    fed_at: datetime | None = None


def lock(session: Session, device_ids: Iterable[str], known: Set[str] = frozenset()) -> dict[str, Gate]:
    """The gates of these devices, locked until the transaction ends. `known`: ids whose row exists already
    (rows are never deleted), so only new devices pay for the insert."""
    ids = sorted(set(device_ids))
    if not ids:
        return {}
    gates: dict[str, Gate] = {}
    missing = [i for i in ids if i not in known]
    for attempt in range(2):
        if missing:
            session.execute(dialect_insert(session)(_TABLE).on_conflict_do_nothing(),
                            [{"device_id": i, "accepted_at": None, "fed_at": None} for i in missing])
        wanted = ids if attempt == 0 else missing
        rows = session.execute(select(_TABLE.c.device_id, _TABLE.c.accepted_at, _TABLE.c.fed_at)
                               .where(_TABLE.c.device_id.in_(wanted)).order_by(_TABLE.c.device_id)
                               .with_for_update())
        gates.update((d, Gate(a, f)) for d, a, f in rows)
        missing = [i for i in ids if i not in gates]  # a row `known` thought was there (deleted by hand)
        if not missing:
            break
    return gates


def advance(session: Session, accepted: Mapping[str, datetime], fed: Iterable[str], now: datetime) -> None:
    """Move the gates on: each device's latest accepted report time (only ever forward) and, for those fed,
    the feed time `now`."""
    fed = set(fed)
    if not accepted:
        return
    when = _TABLE.c.accepted_at.type
    stmt = (update(_TABLE)
            .where(_TABLE.c.device_id == bindparam("b_id"),
                   or_(_TABLE.c.accepted_at.is_(None), _TABLE.c.accepted_at < bindparam("b_accepted", type_=when)))
            .values(accepted_at=bindparam("b_accepted", type_=when),
                    fed_at=func.coalesce(bindparam("b_fed", type_=when), _TABLE.c.fed_at)))
    session.connection().execute(stmt, [{"b_id": d, "b_accepted": accepted[d], "b_fed": now if d in fed else None}
                                        for d in sorted(accepted)])


def gates(session: Session) -> dict[str, Gate]:
    """Every device's gate (tests and diagnostics)."""
    return {d: Gate(a, f) for d, a, f in session.execute(
        select(_TABLE.c.device_id, _TABLE.c.accepted_at, _TABLE.c.fed_at))}
