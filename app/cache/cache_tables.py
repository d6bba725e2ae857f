"""SQL on `cache.sqlite`, one statement family per function, each on a Connection the caller owns (and
whose transaction the caller commits). LocalCache decides the order and the locking; this module only
knows the tables."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Iterator
from uuid import UUID

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.cache.case_rows import UPSERT_ROWS_SQL
from app.cache.models import ChangeSet, Conflict
from app.cases.case import Case
from app.cases.commands import Command, CommandResult, stored_command
from db.cache import cases, conflicts, entities, meta, settings

ID_CHUNK = 5000  # ids per IN (...) clause, well below SQLite's limit on bound variables


def chunks(items: list, size: int = ID_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------------- meta and settings

def get_meta(conn: Connection, key: str) -> Any:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: Any) -> None:
    stmt = sqlite_insert(meta).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": stmt.excluded.value}))


def init_meta(conn: Connection, defaults: dict[str, Any]) -> None:
    for key, value in defaults.items():
        conn.execute(sqlite_insert(meta).values(key=key, value=value).on_conflict_do_nothing())


def set_setting(conn: Connection, key: str, value: Any) -> None:
    stmt = sqlite_insert(settings).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[settings.c.key], set_={"value": stmt.excluded.value}))


def put_entities(conn: Connection, kind: str, rows: dict[str, tuple[int, Any]]) -> None:
    """Store the latest (position, data) of each entity id of `kind`; an older position never wins."""
    for entity_id, (position, data) in rows.items():
        stmt = sqlite_insert(entities).values(kind=kind, id=entity_id, position=position, data=data)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[entities.c.kind, entities.c.id],
            set_={"position": stmt.excluded.position, "data": stmt.excluded.data},
            where=entities.c.position < stmt.excluded.position))


def delete_entities(conn: Connection, kind: str | None = None, ids: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Delete entities (of `kind`, or every kind; the given ids, or all) and return the ids deleted, by kind."""
    query = select(entities.c.kind, entities.c.id)
    if kind is not None:
        query = query.where(entities.c.kind == kind)
    found: dict[str, set[str]] = {}
    for chunk in ([None] if ids is None else chunks([str(i) for i in ids])):
        part = query if chunk is None else query.where(entities.c.id.in_(chunk))
        for kind_, id_ in conn.execute(part).all():
            found.setdefault(kind_, set()).add(id_)
    for kind_, ids_ in found.items():
        for chunk in chunks(sorted(ids_)):
            conn.execute(delete(entities).where(entities.c.kind == kind_, entities.c.id.in_(chunk)))
    return found


def get_entities(conn: Connection, kind: str, ids: Iterable[str] | None = None) -> dict[str, Any]:
    query = select(entities.c.id, entities.c.data).where(entities.c.kind == kind)
    if ids is None:
        return {id_: data for id_, data in conn.execute(query)}
    found: dict[str, Any] = {}
    for chunk in chunks([str(i) for i in ids]):
        found.update({id_: data for id_, data in conn.execute(query.where(entities.c.id.in_(chunk)))})
    return found


# ---------------------------------------------------------------------- cases

def server_versions(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, int | None]:
    """The server version of each of `ids` the cache holds (None: created here, not yet accepted)."""
    found: dict[UUID, int | None] = {}
    raw = conn.connection.driver_connection  # plain sqlite3: SQLAlchemy's IN-list expansion costs more than the query
    for chunk in chunks([str(i) for i in ids]):
        marks = ",".join("?" * len(chunk))
        for id_, version in raw.execute(f"SELECT id, server_version FROM cases WHERE id IN ({marks})", chunk):
            found[UUID(id_)] = version
    return found


# The server snapshot of a row: `server_data`, or `data` itself when `server_data` is NULL and the row has a
# server version (no pending commands: the JSON is stored once); NULL when the case was created here.
SERVER_JSON = "CASE WHEN server_version IS NULL THEN NULL ELSE coalesce(server_data, data) END"


def server_snapshots(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, Case]:
    found: dict[UUID, Case] = {}
    raw = conn.connection.driver_connection
    validate = Case.model_validate_json
    for chunk in chunks([str(i) for i in ids]):
        marks = ",".join("?" * len(chunk))
        for id_, data in raw.execute(f"SELECT id, {SERVER_JSON} FROM cases WHERE id IN ({marks})", chunk):
            if data is not None:
                found[UUID(id_)] = validate(data)
    return found


def server_snapshot_json(conn: Connection, case_id: UUID) -> str | None:
    row = conn.connection.driver_connection.execute(
        f"SELECT {SERVER_JSON} FROM cases WHERE id = ?", (str(case_id),)).fetchone()
    return None if row is None else row[0]


def newer_than_stored(conn: Connection, snapshots: dict[UUID, Case]) -> dict[UUID, Case]:
    """The snapshots that are newer than the cache's server copy (an old feed page or answer is ignored)."""
    known = server_versions(conn, snapshots)
    return {cid: case for cid, case in snapshots.items() if known.get(cid) is None or case.version > known[cid]}


def write_cases(conn: Connection, rows: list[tuple], removed: Iterable[UUID]) -> None:
    """Upsert rows made by `case_rows.case_row` / `feed_row` (tuples in ROW_COLUMNS order) through one
    plain sqlite3 executemany, inside the caller's transaction, and delete `removed`."""
    if rows:
        conn.connection.driver_connection.executemany(UPSERT_ROWS_SQL, rows)
    for chunk in chunks([str(i) for i in removed]):
        conn.execute(delete(cases).where(cases.c.id.in_(chunk)))


def server_case_ids(conn: Connection) -> set[UUID]:
    """Every case the cache holds a server copy of."""
    raw = conn.connection.driver_connection
    return {UUID(id_) for (id_,) in raw.execute("SELECT id FROM cases WHERE server_version IS NOT NULL")}


def case_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(cases)).scalar_one()


# ---------------------------------------------------------------------- conflicts

def add_conflict(conn: Connection, command: Command, result: CommandResult, now: datetime, *,
                 settled: bool = False) -> None:
    """Record a refusal; the same command refused twice (a resend after a crash) is recorded once."""
    conn.execute(sqlite_insert(conflicts).values(settled=settled,
        command_id=str(command.command_id), case_id=str(command.case_id), action=command.action.value,
        command=command.model_dump(mode="json"), reason=result.reason or "rejected", message=result.message or "",
        server_case=result.case.model_dump(mode="json") if result.case else None, created_at=now,
    ).on_conflict_do_nothing(index_elements=[conflicts.c.command_id]))


def conflict_of(row) -> Conflict:
    return Conflict(id=row.id, command=stored_command(row.command), reason=row.reason, message=row.message,
                    server_case=Case.model_validate(row.server_case) if row.server_case else None,
                    created_at=row.created_at, settled=bool(row.settled))


def read_conflicts(conn: Connection, conflict_id: int | None = None) -> list[Conflict]:
    query = select(conflicts).order_by(conflicts.c.id)
    if conflict_id is not None:
        query = query.where(conflicts.c.id == conflict_id)
    return [conflict_of(row) for row in conn.execute(query)]


def delete_conflict(conn: Connection, conflict_id: int) -> None:
    conn.execute(delete(conflicts).where(conflicts.c.id == conflict_id))


def conflict_count(conn: Connection) -> int:
    """Refusals the operator has to resolve (settled ones are only listed)."""
    return conn.execute(select(func.count()).select_from(conflicts).where(conflicts.c.settled.is_(False))).scalar_one()


def change_set(added: set[UUID], updated: set[UUID], removed: set[UUID]) -> ChangeSet:
    return ChangeSet(frozenset(added), frozenset(updated), frozenset(removed))
