"""Reading the changes feed as data: the page after a cursor that a user may see, and the feed's top.
The same rule, serialised for long-polls, is `server.feed.pages`; why a page read by position misses
nothing is `server.feed.record`."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, false, or_, select, union_all
from sqlalchemy.orm import Session

from app.platform import scope as scope_rule
from app.platform.feed_partition import (
    COUNTER_PREFIX,
    GLOBAL,
    counter_name,
    counter_partition,
)
from app.platform.scope import (
    CASE,
    JOINT_SEP,
    JURISDICTION_KEY,
    SCOPE_EXIT,
    by_jurisdiction,
    feed_entry,
    scope_tag,
    seen_scope,
)
from db.cases import CaseRow
from db.feed import FeedRow
from db.platform import FEED_COUNTER, CounterRow
from server.platform.auth import AuthUser
from server.platform.scope import feed_units

log = logging.getLogger(__name__)


@dataclass
class DataPage:
    """A page of the feed as data, before it is an answer: `app.wire.feed.ChangesPage` less its
    `server_time` (the endpoint answers the serialised twin, `server.feed.pages`)."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    more: bool = False
    scope: str = scope_rule.ALL

    def to_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "cursor": self.cursor, "more": self.more, "scope": self.scope}


def candidates(stmt, after: int, units: tuple[str, ...] | frozenset[str] | None):
    """`stmt` restricted to the rows worth reading for a user with visible `units` from `after`: the
    SQL twin of `app.platform.scope.feed_candidate` (its rows then go through `app.platform.scope.feed_entry`)."""
    if units is None:
        return stmt
    if by_jurisdiction(units):  # a jurisdiction user: by the row's street (`app.platform.scope.seen_scope`)
        streets = tuple(sorted(u[1:] for u in units if u != JURISDICTION_KEY))
        return stmt.where(or_(FeedRow.jurisdiction.is_(None), FeedRow.jurisdiction.in_(streets),
                              FeedRow.exits.is_not(None) if after > 0 else false()))
    return stmt.where(or_(FeedRow.scope.is_(None), FeedRow.scope.in_(tuple(units)),
                          FeedRow.scope.contains(JOINT_SEP, autoescape=True),
                          FeedRow.exits.is_not(None) if after > 0 else false()))


MERGED_STREETS = 64  # a district's streets, say: each read as its own ordered range, merged (more: one filter)


def page_rows(after: int, limit: int, units: tuple[str, ...] | frozenset[str] | None, partition: str, *columns):
    """A page's feed rows (`columns`, with `case_id`) before the join with `cases`: the limit is applied to the
    feed alone, so only the page's own cases are read (a join first made the planner read the case of every
    candidate of a district's scope, then keep a page of them).

    A jurisdiction user's page is the merge of one ordered range per street it sees (`ix_feed_partition_
    jurisdiction`), the rows without a street, and past 0 the other rows with exits (`ix_feed_partition_exits`):
    the same candidates as `candidates`, each read once, so a district of one city among ten reads its own
    rows and no other city's, whichever order the cities' writes interleaved in."""
    base = select(FeedRow.position, FeedRow.case_id, *columns).where(FeedRow.partition == partition,
                                                                    FeedRow.position > after)
    streets = _streets(units)
    if streets is None or len(streets) > MERGED_STREETS:
        return candidates(base.order_by(FeedRow.position).limit(limit), after, units).subquery("page")
    branches = [FeedRow.jurisdiction.is_(None), *(FeedRow.jurisdiction == street for street in streets)]
    if after > 0:  # rows that left one of its streets (the rows of its own streets are read above)
        branches.append(and_(FeedRow.exits.is_not(None), FeedRow.jurisdiction.not_in(streets)))
    parts = [base.where(branch).order_by(FeedRow.position).limit(limit).subquery() for branch in branches]
    merged = union_all(*(select(part) for part in parts)).subquery()
    return select(merged).order_by(merged.c.position).limit(limit).subquery("page")


def _streets(units: tuple[str, ...] | frozenset[str] | None) -> tuple[str, ...] | None:
    """A jurisdiction user's streets (`app.platform.scope.visible_units`); None for anyone else."""
    if units is None or not by_jurisdiction(units):
        return None
    return tuple(sorted(u[1:] for u in units if u != JURISDICTION_KEY))


def page_end(after: int, limit: int, read: int, last_read: int, last_given: int | None) -> tuple[int, bool]:
    """(cursor, more) of a page that read `read` candidate rows (up to `limit`), the last at
    `last_read`, and gave the last entry at `last_given`: a full page ends at its last row read (even
    one this user does not get, so the next page moves on); any other at its last entry."""
    if read == limit:
        return last_read, True
    return (last_given if last_given is not None else after), False


def read_changes(session: Session, after: int, limit: int, user: AuthUser, refdata,
                 partition: str = GLOBAL) -> DataPage:
    """The changes of `partition` after position `after` that `user` may see, oldest first, at most `limit`.

    One statement, so the page is one consistent snapshot: a case's data is the state at its position.
    An entity that left the user's scope after `after` comes as a scope exit (`app.platform.scope.feed_entry`).
    """
    units = feed_units(user, refdata)
    rows = page_rows(after, limit, units, partition, FeedRow.kind, FeedRow.entity_id, FeedRow.data, FeedRow.scope,
                     FeedRow.exits, FeedRow.jurisdiction)
    stmt = (select(rows.c.position, rows.c.kind, rows.c.entity_id, rows.c.data, CaseRow.data, CaseRow.version,
                   rows.c.scope, rows.c.exits, rows.c.jurisdiction)
            .outerjoin(CaseRow, CaseRow.id == rows.c.case_id)
            .order_by(rows.c.position))
    changes = []
    read, last_read = 0, after
    for position, kind, entity_id, data, case_data, version, scope, exits, street in session.execute(stmt):
        read, last_read = read + 1, position
        entry = feed_entry(units, seen_scope(units, scope, street), exits, after)
        if entry == "exit":
            changes.append({"position": position, "kind": SCOPE_EXIT, "id": entity_id,
                            "data": exit_data(kind, version)})
        elif entry == "entity":
            if kind == CASE and case_data is None:
                log.error("feed position %s names case %s, which has no row", position, entity_id)
                continue
            changes.append({"position": position, "kind": kind, "id": entity_id,
                            "data": case_data if kind == CASE else data})
    cursor, more = page_end(after, limit, read, last_read, changes[-1]["position"] if changes else None)
    return DataPage(changes, cursor, more, scope_tag(units))


def exit_data(kind: str, version: int | None) -> dict[str, Any]:
    """A scope exit's data: the kind of entity that left, and for a case its version then (a console
    ignores any older copy of the case that reaches it later, e.g. the answer to its own command)."""
    return {"kind": kind} if version is None or kind != CASE else {"kind": kind, "version": version}


def latest_position(session: Session, partition: str = GLOBAL) -> int:
    """The highest committed position of `partition` (0 for an empty one)."""
    value = session.execute(select(CounterRow.value).where(CounterRow.name == counter_name(partition))).scalar()
    return value or 0


def latest_positions(session: Session) -> dict[str, int]:
    """The highest committed position of every partition there is (`app.platform.feed_partition`)."""
    rows = session.execute(select(CounterRow.name, CounterRow.value).where(
        or_(CounterRow.name == FEED_COUNTER, CounterRow.name.like(COUNTER_PREFIX + "%")))).all()
    found = {counter_partition(name): value for name, value in rows}
    found.pop(None, None)
    return found
