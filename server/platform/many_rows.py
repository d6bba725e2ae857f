"""Many rows of one table written by one statement: `insert_rows(session, table, rows)`.

Given a list of rows, SQLAlchemy runs an INSERT as an executemany, which psycopg pipelines: one round trip,
but still one statement per row for PostgreSQL to bind and execute and for psycopg to send and read back (a
group of 100 commands wrote ~490 of them, most of the server's time in bench_sync's outbox drain). A
multi-row `VALUES` list is no better: its text changes with the number of rows, so psycopg parses every
one of them anew (slower still, measured). So on PostgreSQL the rows go as one array per column into one
statement whose text never changes (prepared once per connection):

    INSERT INTO t (a, b, …) SELECT u.a, u.b, … FROM unnest(%(a)s::uuid[], %(b)s::text[], …) AS u(a, b, …)
    [ON CONFLICT (key) DO UPDATE SET b = EXCLUDED.b, …]

The values are what the row-by-row statement would send: each column type's own bind processing (times
in UTC, naive ones refused), JSON written by the engine's JSON serializer, strings as text so that an
over-long one fails its column as before instead of being cut by a cast. Column defaults are not applied:
every row names every column it writes, and a column with a Python-side default must be among them. An
upsert may touch each key once per statement: callers give each key once. Elsewhere (SQLite) the rows
go through SQLAlchemy's executemany.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, String, Table, insert
from sqlalchemy.orm import Session

from app.platform import fast_json

_STATEMENTS: dict[tuple, tuple[str, list]] = {}  # (table, columns, conflict) -> (SQL text, per-column converters)
_LOCK = threading.Lock()


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *,
                conflict: tuple[str, ...] | None = None) -> None:
    """INSERT `rows` (dicts with the same keys) into `table` in the session's transaction; with `conflict`
    (the columns of a unique key), ON CONFLICT on them DO UPDATE SET every other given column."""
    if not rows:
        return
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        stmt = insert(table)
        if conflict is not None:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(table)
            stmt = stmt.on_conflict_do_update(index_elements=list(conflict),
                                              set_={c: stmt.excluded[c] for c in rows[0] if c not in conflict})
        session.execute(stmt, list(rows))
        return
    columns = tuple(rows[0])
    sql, converters = _statement(table, columns, conflict, bind.dialect)
    params = {}
    for name, convert in zip(columns, converters):
        values = [row[name] for row in rows]
        params[name] = [convert(v) for v in values] if convert is not None else values
    session.connection().exec_driver_sql(sql, params)


def _statement(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...] | None, dialect) -> tuple[str, list]:
    key = (table.name, columns, conflict)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    with _LOCK:
        missing = [c.name for c in table.columns
                   if c.name not in columns and (c.default is not None or c.onupdate is not None)
                   and c.server_default is None]
        if missing:
            raise ValueError(f"rows for {table.name} must name {', '.join(missing)} (a Python-side default)")
        arrays, converters = [], []
        for name in columns:
            column = table.columns[name]
            kind = column.type
            if isinstance(kind, String):
                sql_type = "text"
            else:
                sql_type = kind.compile(dialect=dialect)
            arrays.append(f"%({name})b::{sql_type}[]")  # binary: no quoting of each element
            converters.append(_converter(kind, dialect))
        names = ", ".join(columns)
        sql = (f"INSERT INTO {table.name} ({names}) SELECT {', '.join('u.' + c for c in columns)} "
               f"FROM unnest({', '.join(arrays)}) AS u({names})")
        if conflict is not None:
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in conflict)
            sql += f" ON CONFLICT ({', '.join(conflict)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        found = _STATEMENTS[key] = (sql, converters)
    return found


def _converter(kind, dialect):
    """How a value of the column type becomes the array element psycopg sends (None: as it is)."""
    if isinstance(kind, JSON):
        none_as_null = kind.none_as_null
        dumps = fast_json.dumps
        return lambda v: None if v is None and none_as_null else dumps(v)
    processor = kind.bind_processor(dialect)
    return processor
