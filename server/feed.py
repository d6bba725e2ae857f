"""The changes feed (docs/ARCHITECTURE.md, "The changes feed and the cursor gap").

Each entity (a case, a setting) has one feed row holding its latest change. A change takes its position
from the `feed` counter row *as the last step of its transaction*: the counter's row lock is then held
only from that moment to the commit, and it orders position assignment by commit order. A reader can
therefore never see position N+1 while N is still uncommitted, and a reader that pages with
`position > cursor` misses nothing. (A sequence would hand out N and N+1 to two transactions that may
commit in the opposite order: a reader could read N+1, move its cursor past N, and never see N.)
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from app.enums import Role
from db.server_schema import FEED_COUNTER, CaseRow, CounterRow, FeedRow
from server import counters
from server.auth import AuthUser
from server.database import dialect_insert
from server.feed_notifier import FEED_CHANNEL, FeedNotifier
from server.scope import scope_unit_ids

log = logging.getLogger(__name__)

__all__ = ["FEED_CHANGED", "FeedNotifier", "ChangesPage", "record_change", "read_changes", "latest_position"]

CASE = "case"
SETTING = "setting"
# Session.info key set by record_change; the server's after-commit hook wakes local long-polls on it.
FEED_CHANGED = "onegrid_feed_changed"


def record_change(session: Session, kind: str, entity_id: str | uuid.UUID, data: dict[str, Any] | None = None) -> int:
    """Move entity (kind, entity_id) to a new feed position and return it. Call it at the end of the
    transaction (see the module docstring): after it, write only rows no other transaction contends for,
    such as the transaction's own new rows."""
    position = counters.increment(session, FEED_COUNTER)
    entity_id = str(entity_id)
    values = {"kind": kind, "entity_id": entity_id, "position": position, "data": data,
              "case_id": uuid.UUID(entity_id) if kind == CASE else None}
    insert = dialect_insert(session)
    stmt = insert(FeedRow).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=[FeedRow.kind, FeedRow.entity_id],
                                      set_={"position": stmt.excluded.position, "data": stmt.excluded.data})
    session.execute(stmt)
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every listening server process when (and only if) this transaction commits.
        session.execute(text("SELECT pg_notify(:channel, :position)"),
                        {"channel": FEED_CHANNEL, "position": str(position)})
    session.info[FEED_CHANGED] = position
    return position


@dataclass
class ChangesPage:
    changes: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    more: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "cursor": self.cursor, "more": self.more}


def read_changes(session: Session, after: int, limit: int, user: AuthUser, refdata) -> ChangesPage:
    """The changes after position `after` that `user` may see, oldest first, at most `limit`.

    One statement, so the page is one consistent snapshot: a case's data is the state at its position.
    """
    stmt = (
        select(FeedRow.position, FeedRow.kind, FeedRow.entity_id, FeedRow.data, CaseRow.data)
        .outerjoin(CaseRow, CaseRow.id == FeedRow.case_id)
        .where(FeedRow.position > after)
        .order_by(FeedRow.position)
        .limit(limit)
    )
    if user.role == Role.UNIT_HANDLER:
        units = scope_unit_ids(refdata, user.unit_id)
        stmt = stmt.where(or_(FeedRow.kind != CASE, CaseRow.unit_id.in_(units)))
    changes = []
    for position, kind, entity_id, data, case_data in session.execute(stmt):
        if kind == CASE and case_data is None:
            log.error("feed position %s names case %s, which has no row", position, entity_id)
            continue
        changes.append({"position": position, "kind": kind, "id": entity_id,
                        "data": case_data if kind == CASE else data})
    cursor = changes[-1]["position"] if changes else after
    return ChangesPage(changes, cursor, more=len(changes) == limit)


def latest_position(session: Session) -> int:
    """The highest committed feed position (0 for an empty feed)."""
    value = session.execute(select(CounterRow.value).where(CounterRow.name == FEED_COUNTER)).scalar()
    return value or 0
