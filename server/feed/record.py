"""Writing the changes feed (docs/ARCHITECTURE.md, "The changes feed and the cursor gap").

Each entity (a case, a setting) has one feed row holding its latest change. A change takes its position
from the `feed` counter row *as the last step of its transaction*: the counter's row lock is then held
only from that moment to the commit, and it orders position assignment by commit order. A reader can
therefore never see position N+1 while N is still uncommitted, and a reader that pages with
`position > cursor` misses nothing. (A sequence would hand out N and N+1 to two transactions that may
commit in the opposite order: a reader could read N+1, move its cursor past N, and never see N.)

Partitions (`app.platform.feed_partition`): on a server that partitions (`FEED_PARTITIONS` in the session's
info, from the setting `feed_partitions`), a case's row takes its position from its city's counter
(`feed:<city>`) instead of the one `feed` counter, and everything else from `feed` (the global partition):
the rule above then holds per partition, and writes in different cities take different row locks. A
transaction that writes rows of several partitions takes city counters before the global one (a group takes
its cities in code order), and every counter before the audit head, so no two wait on each other in a cycle.
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

from app.platform.feed_partition import (
    COUNTER_PREFIX,
    GLOBAL,
    counter_name,
    partition_of,
)
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
# Session.info key set by record_change ({partition: its highest new position}); the server's after-commit hook
# wakes local long-polls on it.
FEED_CHANGED = "onegrid_feed_changed"
# Session.info key: True when this server partitions the feed per city (the setting `feed_partitions`).
FEED_PARTITIONS = "onegrid_feed_partitions"


def partitioned(session: Session) -> bool:
    return bool(session.info.get(FEED_PARTITIONS))


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
    by_city = kind == CASE and partitioned(session)
    if _PG_RECORD_CHANGE is not None and session.get_bind().dialect.name == "postgresql":
        found = session.execute(_PG_RECORD_CHANGE[by_city], pg_change_params(kind, entity_id, data, scope)).first()
        if found is not None:
            position, partition = found[0], found[1]
            mark_changed(session, position, partition)
            return position
        # no counter row for this partition yet (a fresh database, a new city): nothing was written; create it below
    case_id = uuid.UUID(entity_id) if kind == CASE else None
    partition = GLOBAL
    if by_city:
        partition = partition_of(session.execute(
            select(CaseRow.__table__.c.jurisdiction).where(CaseRow.__table__.c.id == case_id)).scalar())
    position = increment_partition(session, partition)
    values = {"kind": kind, "entity_id": entity_id, "position": position, "data": data, "scope": scope,
              "case_id": case_id,
              "jurisdiction": entity_jurisdiction(kind, data) if case_id is None else _case_street(case_id),
              "partition": partition}
    session.execute(_upsert(session).values(**values))
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every listening server process when (and only if) this transaction commits.
        session.execute(text("SELECT pg_notify(:channel, :position)"),
                        {"channel": FEED_CHANNEL, "position": notify_payload(partition, position)})
    mark_changed(session, position, partition)
    return position


def increment_partition(session: Session, partition: str) -> int:
    """The next position of `partition`, from its counter row (held to the commit). A city's counter is
    created at the global counter's value, so a position issued before the city had a counter (an old
    console's single-number cursor, `app.platform.feed_partition.Cursor`) is below all of the city's."""
    if partition == GLOBAL:
        return counters.increment(session, FEED_COUNTER)
    name = counter_name(partition)
    value = session.execute(counters.INCREMENT, {"counter": name}).scalar_one_or_none()
    if value is not None:
        return value
    floor = session.execute(select(CounterRow.value).where(CounterRow.name == FEED_COUNTER)).scalar() or 0
    return counters.increment(session, name, start=floor + 1)


def notify_payload(partition: str, position: int) -> str:
    """The NOTIFY payload of a change: its position, prefixed by its city partition's code and ':'."""
    return str(position) if partition == GLOBAL else f"{partition}:{position}"


def mark_changed(session: Session, position: int, partition: str = GLOBAL) -> None:
    """Tell the server's after-commit hook that this transaction moved `partition` of the feed (to `position`)."""
    changed = session.info.get(FEED_CHANGED)
    if changed is None:
        changed = session.info[FEED_CHANGED] = {}
    if position > changed.get(partition, 0):
        changed[partition] = position


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
              "partition": stmt.excluded.partition,
              "exits": case((or_(left, moved), merged), else_=feed_.c.exits)})


_UPSERTS: dict[str, Any] = {}


def _upsert(session: Session):
    """INSERT INTO feed … ON CONFLICT (kind, entity_id) DO UPDATE (`_on_conflict`), built once per dialect."""
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        stmt = _UPSERTS[dialect] = _on_conflict(dialect_insert(session)(FeedRow.__table__), dialect)
    return stmt


def _case_streets(session: Session, rows: list[dict[str, Any]], known: dict | None = None) -> None:
    """Fill in the jurisdiction of the case rows among `rows` (feed rows written many at once, which the
    scalar subquery of `_case_street` cannot serve): from `known` (case id -> the street this transaction
    wrote in its row), else read from `cases` as this transaction wrote them.
    Never left NULL for a case: NULL means every jurisdiction, and a district's consoles would see it."""
    known = known or {}
    ids = [r["case_id"] for r in rows if r["case_id"] is not None and r["case_id"] not in known]
    streets: dict[uuid.UUID, str | None] = dict(known)
    if ids:
        cases = CaseRow.__table__
        streets.update(session.execute(select(cases.c.id, cases.c.jurisdiction).where(cases.c.id.in_(ids))).all())
    for r in rows:
        if r["case_id"] is not None:
            r["jurisdiction"] = streets.get(r["case_id"])


def _case_street(case_id):
    """A feed row's jurisdiction: its case's street, as the transaction just wrote it in `cases` (NULL for
    other kinds, whose street their data names: `app.platform.scope.entity_jurisdiction`). Read here so that
    no writer of a case's feed row can forget it."""
    cases = CaseRow.__table__
    return select(cases.c.jurisdiction).where(cases.c.id == case_id).scalar_subquery()


def pg_change_cte(by_city: bool = False):
    """PostgreSQL: the counter increment and the feed upsert of `record_change` as one CTE yielding the
    new `position` and its `partition` (binds: `pg_change_params`). The counter's row lock is taken by it,
    so it is held from there to the commit; if the counter row is missing, it writes nothing and yields no
    row. `by_city`: a case of a partitioning server, whose counter is its city's (`feed:` + the first 4
    digits of the street the transaction just wrote in `cases`; the global `feed` without a street)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    # On the tables, not the ORM classes: an ORM-enabled statement costs the session more per execution.
    feed_ = FeedRow.__table__
    counters_ = CounterRow.__table__
    # a case's street is its row's; another entity's (a sensor, an alarm) is bound from its data
    street = func.coalesce(_case_street(bindparam("case_id", type_=feed_.c.case_id.type)),
                           bindparam("jurisdiction", type_=feed_.c.jurisdiction.type))
    if by_city:
        city = func.substr(street, 1, 4)
        name = func.coalesce(literal(COUNTER_PREFIX) + city, FEED_COUNTER)
        partition = func.coalesce(city, GLOBAL)
        pos = (update(counters_).where(counters_.c.name == name).values(value=counters_.c.value + 1)
               .returning(counters_.c.value)).cte("pos")
    else:
        partition = literal(GLOBAL)
        pos = counters.INCREMENT.cte("pos")  # the increment of `counters.increment` (bind `counter`)
    ins = pg_insert(feed_).from_select(
        ["kind", "entity_id", "position", "data", "case_id", "scope", "jurisdiction", "partition"],
        select(bindparam("kind", type_=feed_.c.kind.type), bindparam("entity_id", type_=feed_.c.entity_id.type),
               pos.c.value, bindparam("data", type_=feed_.c.data.type),
               bindparam("case_id", type_=feed_.c.case_id.type), bindparam("scope", type_=feed_.c.scope.type),
               street, partition))
    ins = _on_conflict(ins, "postgresql")
    return ins.returning(feed_.c.position, feed_.c.partition).cte("ins")


def pg_change_params(kind: str, entity_id: str | uuid.UUID, data: dict[str, Any] | None = None,
                     scope: str | None = _FROM_DATA) -> dict[str, Any]:
    entity_id = str(entity_id)
    return {"counter": FEED_COUNTER, "kind": kind, "entity_id": entity_id, "data": data,
            "scope": entity_scope(kind, data) if scope is _FROM_DATA else scope,
            "case_id": uuid.UUID(entity_id) if kind == CASE else None,
            "jurisdiction": entity_jurisdiction(kind, data), "channel": FEED_CHANNEL}


def pg_notify_column(position, partition=None):
    """`pg_notify` of the feed channel with `position` (`notify_payload`: with its city partition when it
    has one): sent to every listening server process when (and only if) the transaction commits (bind
    `channel`, as in `pg_change_params`)."""
    payload = cast(position, Text)
    if partition is not None:
        payload = case((partition == GLOBAL, payload), else_=partition + literal(":") + payload)
    return func.pg_notify(bindparam("channel"), payload)


def _pg_record_change(by_city: bool):
    """PostgreSQL: the counter increment, the feed upsert and the NOTIFY of `record_change` as one
    statement (one round trip instead of three)."""
    ins = pg_change_cte(by_city)
    return select(ins.c.position, ins.c.partition, pg_notify_column(ins.c.position, ins.c.partition))


_PG_RECORD_CHANGE = {False: _pg_record_change(False), True: _pg_record_change(True)}


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
    if partitioned(session) and any(kind == CASE for kind, _ in latest):  # cases go to their cities: one at a time
        return [record_change(session, kind, entity_id, data) for (kind, entity_id), data in latest.items()]
    n = len(latest)
    top = _advance(session, GLOBAL, n)
    if top is None:  # no counter row yet (a fresh database): one at a time
        return [record_change(session, kind, entity_id, data) for (kind, entity_id), data in latest.items()]
    first = top - n + 1
    rows = [{"kind": kind, "entity_id": entity_id, "position": first + i, "data": data,
             "scope": entity_scope(kind, data), "case_id": uuid.UUID(entity_id) if kind == CASE else None,
             "jurisdiction": entity_jurisdiction(kind, data), "partition": GLOBAL}
            for i, ((kind, entity_id), data) in enumerate(latest.items())]
    _case_streets(session, rows)
    session.connection().execute(_upsert(session), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :position)"), {"channel": FEED_CHANNEL, "position": str(top)})
    mark_changed(session, top)
    return list(range(first, top + 1))


_COUNTERS = CounterRow.__table__
_ADVANCE = (update(_COUNTERS).where(_COUNTERS.c.name == bindparam("counter"))
            .values(value=_COUNTERS.c.value + bindparam("by")).returning(_COUNTERS.c.value))
# PostgreSQL: the step and the NOTIFY of its last position (`notify_payload`: `prefix` is the city partition's
# code and ':', or empty) in one statement; the NOTIFY goes out at the commit whatever statement queued it,
# and a separate `SELECT pg_notify(…)` was one more round trip for every group.
_ADVANCE_NOTIFY = (
    update(_COUNTERS).where(_COUNTERS.c.name == bindparam("counter"))
    .values(value=_COUNTERS.c.value + bindparam("by"))
    .returning(_COUNTERS.c.value, func.pg_notify(bindparam("channel"), bindparam("prefix", type_=Text)
                                                  + cast(_COUNTERS.c.value, Text))))


def _advance(session: Session, partition: str, n: int, *, notify: bool = False) -> int | None:
    """`n` positions of `partition` at once: the last of them (None: the partition has no counter row yet,
    and nothing was done). With `notify` (PostgreSQL), the last position is NOTIFYed in the same statement."""
    if not notify:
        return session.execute(_ADVANCE, {"counter": counter_name(partition), "by": n}).scalar_one_or_none()
    found = session.connection().execute(_ADVANCE_NOTIFY, {
        "counter": counter_name(partition), "by": n, "channel": FEED_CHANNEL,
        "prefix": "" if partition == GLOBAL else f"{partition}:"}).first()
    return None if found is None else found[0]


def record_positions(session: Session, kind: str, items: list[tuple[str | uuid.UUID, str | None]], *,
                     streets: dict[uuid.UUID, str | None] | None = None) -> list[int]:
    """A position for each (entity id, scope) of `items`, in list order, from one counter step per partition
    (a group of commands committed together, `server.cases.group_commit`); the feed row of an entity listed
    more than once takes its last position (the earlier ones were never visible outside the transaction).
    `streets`: the jurisdiction the transaction wrote for (some of) the cases, which is then not read back.
    The same rule as `record_change`: call it at the end of the transaction."""
    rows: list[dict[str, Any]] = [
        {"kind": kind, "entity_id": str(entity_id), "position": 0, "data": None, "scope": scope,
         "case_id": uuid.UUID(str(entity_id)) if kind == CASE else None, "partition": GLOBAL}
        for entity_id, scope in items]
    _case_streets(session, rows, streets)
    by_city = kind == CASE and partitioned(session)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if by_city:
            row["partition"] = partition_of(row["jurisdiction"])
        groups.setdefault(row["partition"], []).append(row)
    # the counters in one order (cities by code, the global one last): see the module docstring
    postgres = session.get_bind().dialect.name == "postgresql"
    tops: dict[str, int] = {}
    unsent: list[str] = []  # partitions whose last position no step NOTIFYed (`_ADVANCE_NOTIFY`)
    for partition in sorted(groups, key=lambda p: (p == GLOBAL, p)):
        n = len(groups[partition])
        top = _advance(session, partition, n, notify=postgres)
        if top is None:  # the partition's first row (a fresh database, a new city): its counter is created
            top = increment_partition(session, partition)
            if n > 1:
                top = _advance(session, partition, n - 1, notify=postgres)
            else:
                unsent.append(partition)
        tops[partition] = top
        for i, row in enumerate(groups[partition]):
            row["position"] = top - len(groups[partition]) + 1 + i
    latest = {row["entity_id"]: row for row in rows}  # an entity listed twice keeps its last position
    session.connection().execute(_upsert(session), list(latest.values()))
    if postgres:
        for partition in unsent:
            session.execute(text("SELECT pg_notify(:channel, :position)"),
                            {"channel": FEED_CHANNEL, "position": notify_payload(partition, tops[partition])})
    for partition, top in tops.items():
        mark_changed(session, top, partition)
    return [row["position"] for row in rows]
