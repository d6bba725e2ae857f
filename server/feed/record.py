"""Writing the changes feed (docs/ARCHITECTURE.md, "The changes feed and the cursor gap").

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
from typing import Any

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.platform.scope import CASE, JURISDICTION_KEY, entity_jurisdiction, entity_scope
from db.cases import CaseRow
from db.feed import FeedRow
from db.platform import FEED_COUNTER, CounterRow
from server.feed.notifier import FEED_CHANNEL
from server.platform import counters
from server.platform.database import dialect_insert

log = logging.getLogger(__name__)

SETTING = "setting"
_FROM_DATA: Any = object()  # `record_change`'s default scope: computed from the entity's data
# Session.info key set by record_change; the server's after-commit hook wakes local long-polls on it.
FEED_CHANGED = "onegrid_feed_changed"


def record_change(session: Session, kind: str, entity_id: str | uuid.UUID, data: dict[str, Any] | None = None,
                  *, scope: str | None = _FROM_DATA) -> int:
    """Move entity (kind, entity_id) to a new feed position and return it. Call it at the end of the
    transaction (see the module docstring): after it, write only rows no other transaction contends for,
    such as the transaction's own new rows. `scope`: the entity's scope now (`app.platform.scope`); by default
    computed from `data` (a case, whose feed row has no data, passes `app.platform.scope.case_scope(case)`). If
    the scope moves away from a unit, the row remembers it left that unit here (`exits`)."""
    entity_id = str(entity_id)
    if scope is _FROM_DATA:
        scope = entity_scope(kind, data)
    if _PG_RECORD_CHANGE is not None and session.get_bind().dialect.name == "postgresql":
        position = session.execute(_PG_RECORD_CHANGE, pg_change_params(kind, entity_id, data, scope)).scalar()
        if position is not None:
            mark_changed(session, position)
            return position
        # no feed counter row yet (a fresh database): nothing was written; create it below
    position = counters.increment(session, FEED_COUNTER)
    case_id = uuid.UUID(entity_id) if kind == CASE else None
    values = {"kind": kind, "entity_id": entity_id, "position": position, "data": data, "scope": scope,
              "case_id": case_id,
              "jurisdiction": entity_jurisdiction(kind, data) if case_id is None else _case_street(case_id)}
    session.execute(_upsert(session).values(**values))
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every listening server process when (and only if) this transaction commits.
        session.execute(text("SELECT pg_notify(:channel, :position)"),
                        {"channel": FEED_CHANNEL, "position": str(position)})
    mark_changed(session, position)
    return position


def mark_changed(session: Session, position: int) -> None:
    """Tell the server's after-commit hook that this transaction moved the feed (to `position`)."""
    session.info[FEED_CHANGED] = position


def _on_conflict(stmt, dialect: str):
    """The feed upsert's update: the entity's new position, data, scope and jurisdiction, and — when its scope
    moves away from a unit (`app.platform.scope.left_unit`, stated here in SQL on the row's old and new scope)
    or it moves to another street — that unit (and `@` + that street) with the new position added to
    `exits`. Every SET expression reads the row as it was."""
    feed_ = FeedRow.__table__
    old, new, position = feed_.c.scope, stmt.excluded.scope, stmt.excluded.position
    old_j, new_j = feed_.c.jurisdiction, stmt.excluded.jurisdiction
    left = and_(old.is_not(None), old != "", new.is_not(None), new != old)
    moved = and_(old_j.is_not(None), new_j.is_not(None), new_j != old_j)
    street_key = literal(JURISDICTION_KEY).op("||")(old_j)
    if dialect == "postgresql":
        empty = literal_column("'{}'::jsonb")

        def merge(a, b):
            return a.op("||", return_type=feed_.c.exits.type)(b)

        unit_part = case((left, func.jsonb_build_object(old, position)), else_=empty)
        street_part = case((moved, func.jsonb_build_object(street_key, position)), else_=empty)
    else:
        empty = literal_column("'{}'")

        def merge(a, b):
            return func.json_patch(a, b)

        unit_part = case((left, func.json_object(old, position)), else_=empty)
        street_part = case((moved, func.json_object(street_key, position)), else_=empty)
    merged = merge(merge(func.coalesce(feed_.c.exits, empty), unit_part), street_part)
    return stmt.on_conflict_do_update(
        index_elements=[feed_.c.kind, feed_.c.entity_id],
        set_={"position": position, "data": stmt.excluded.data, "scope": new, "jurisdiction": new_j,
              "exits": case((or_(left, moved), merged), else_=feed_.c.exits)})


_UPSERTS: dict[str, Any] = {}


def _upsert(session: Session):
    """INSERT INTO feed … ON CONFLICT (kind, entity_id) DO UPDATE (`_on_conflict`), built once per dialect."""
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        stmt = _UPSERTS[dialect] = _on_conflict(dialect_insert(session)(FeedRow.__table__), dialect)
    return stmt


def _case_streets(session: Session, rows: list[dict[str, Any]]) -> None:
    """Fill in the jurisdiction of the case rows among `rows` (feed rows written many at once, which the
    scalar subquery of `_case_street` cannot serve): read from `cases` as this transaction wrote them.
    Never left NULL for a case: NULL means every jurisdiction, and a district's consoles would see it."""
    ids = [r["case_id"] for r in rows if r["case_id"] is not None]
    streets: dict[uuid.UUID, str | None] = {}
    if ids:
        cases = CaseRow.__table__
        streets = dict(session.execute(select(cases.c.id, cases.c.jurisdiction).where(cases.c.id.in_(ids))).all())
    for r in rows:
        if r["case_id"] is not None:
            r["jurisdiction"] = streets.get(r["case_id"])


def _case_street(case_id):
    """A feed row's jurisdiction: its case's street, as the transaction just wrote it in `cases` (NULL for
    other kinds, whose street their data names: `app.platform.scope.entity_jurisdiction`). Read here so that
    no writer of a case's feed row can forget it."""
    cases = CaseRow.__table__
    return select(cases.c.jurisdiction).where(cases.c.id == case_id).scalar_subquery()


def pg_change_cte():
    """PostgreSQL: the counter increment and the feed upsert of `record_change` as one CTE yielding the
    new `position` (binds: `pg_change_params`). The counter's row lock is taken by it, so it is held
    from there to the commit; if the counter row is missing, it writes nothing and yields no row."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    # On the tables, not the ORM classes: an ORM-enabled statement costs the session more per execution.
    feed_ = FeedRow.__table__
    pos = counters.INCREMENT.cte("pos")  # the increment of `counters.increment` (bind `counter`)
    ins = pg_insert(feed_).from_select(
        ["kind", "entity_id", "position", "data", "case_id", "scope", "jurisdiction"],
        select(bindparam("kind", type_=feed_.c.kind.type), bindparam("entity_id", type_=feed_.c.entity_id.type),
               pos.c.value, bindparam("data", type_=feed_.c.data.type),
               bindparam("case_id", type_=feed_.c.case_id.type), bindparam("scope", type_=feed_.c.scope.type),
               func.coalesce(_case_street(bindparam("case_id", type_=feed_.c.case_id.type)),
                             bindparam("jurisdiction", type_=feed_.c.jurisdiction.type))))
    ins = _on_conflict(ins, "postgresql")
    return ins.returning(feed_.c.position).cte("ins")


def pg_change_params(kind: str, entity_id: str | uuid.UUID, data: dict[str, Any] | None = None,
                     scope: str | None = _FROM_DATA) -> dict[str, Any]:
    entity_id = str(entity_id)
    return {"counter": FEED_COUNTER, "kind": kind, "entity_id": entity_id, "data": data,
            "scope": entity_scope(kind, data) if scope is _FROM_DATA else scope,
            "case_id": uuid.UUID(entity_id) if kind == CASE else None,
            "jurisdiction": entity_jurisdiction(kind, data), "channel": FEED_CHANNEL}


def pg_notify_column(position):
    """`pg_notify` of the feed channel with `position`: sent to every listening server process when (and
    only if) the transaction commits (bind `channel`, as in `pg_change_params`)."""
    return func.pg_notify(bindparam("channel"), cast(position, Text))


def _pg_record_change():
    """PostgreSQL: the counter increment, the feed upsert and the NOTIFY of `record_change` as one
    statement (one round trip instead of three)."""
    ins = pg_change_cte()
    return select(ins.c.position, pg_notify_column(ins.c.position))


_PG_RECORD_CHANGE = _pg_record_change()


def record_changes(session: Session, changes: list[tuple[str, str, dict[str, Any] | None]]) -> list[int]:
    """`record_change` for many entities at once (a sensor ingest batch): one counter update, one
    executemany upsert, one notification. Positions follow the list order (an entity listed twice keeps
    its last data). The same rule as `record_change`: call it at the end of the transaction."""
    latest: dict[tuple[str, str], dict[str, Any] | None] = {}
    for kind, entity_id, data in changes:
        key = (kind, str(entity_id))
        latest.pop(key, None)
        latest[key] = data
    if not latest:
        return []
    n = len(latest)
    top = session.execute(
        update(CounterRow).where(CounterRow.name == FEED_COUNTER).values(value=CounterRow.value + n)
        .returning(CounterRow.value)).scalar_one_or_none()
    if top is None:  # no counter row yet (a fresh database): one at a time
        return [record_change(session, kind, entity_id, data) for (kind, entity_id), data in latest.items()]
    first = top - n + 1
    rows = [{"kind": kind, "entity_id": entity_id, "position": first + i, "data": data,
             "scope": entity_scope(kind, data), "case_id": uuid.UUID(entity_id) if kind == CASE else None,
             "jurisdiction": entity_jurisdiction(kind, data)}
            for i, ((kind, entity_id), data) in enumerate(latest.items())]
    _case_streets(session, rows)
    session.connection().execute(_upsert(session), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :position)"), {"channel": FEED_CHANNEL, "position": str(top)})
    mark_changed(session, top)
    return list(range(first, top + 1))


def record_positions(session: Session, kind: str, items: list[tuple[str | uuid.UUID, str | None]]) -> list[int] | None:
    """A position for each (entity id, scope) of `items`, in list order, from one counter step (a group of
    commands committed together, `server.cases.group_commit`); the feed row of an entity listed more than
    once takes its last position (the earlier ones were never visible outside the transaction). The same
    rule as `record_change`: call it at the end of the transaction. None when the counter row is missing
    (nothing written: call `record_change`, which creates it)."""
    n = len(items)
    top = session.execute(
        update(CounterRow).where(CounterRow.name == FEED_COUNTER).values(value=CounterRow.value + n)
        .returning(CounterRow.value)).scalar_one_or_none()
    if top is None:
        return None
    first = top - n + 1
    latest: dict[str, dict[str, Any]] = {}
    for i, (entity_id, scope) in enumerate(items):
        entity_id = str(entity_id)
        latest[entity_id] = {"kind": kind, "entity_id": entity_id, "position": first + i, "data": None,
                             "scope": scope, "case_id": uuid.UUID(entity_id) if kind == CASE else None}
    rows = list(latest.values())
    _case_streets(session, rows)
    session.connection().execute(_upsert(session), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :position)"), {"channel": FEED_CHANNEL, "position": str(top)})
    mark_changed(session, top)
    return list(range(first, top + 1))
