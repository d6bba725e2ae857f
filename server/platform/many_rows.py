"""Many rows of one table written by one statement: `insert_rows(session, table, rows)`, and
`update_rows(session, table, rows, key)` for rows that exist.

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

An UPDATE of many rows by key is the same idea (`update_rows`):

    UPDATE t SET b = u.b, … FROM unnest(%(key)s::uuid[], %(b)s::text[], …) AS u(key, b, …) WHERE t.key = u.key

each key once (a row updated twice by one UPDATE … FROM takes one of the two, unspecified); a key without a
row updates nothing, as the row-by-row UPDATE did. A column with a Python-side `onupdate` must be given.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, String, Table, bindparam, insert, update
from sqlalchemy.orm import Session

from app.platform import fast_json

# (table, columns, conflict or ("=", key)) -> (SQL text, per-column converters)
_STATEMENTS: dict[tuple, tuple[str, list]] = {}
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
    session.connection().exec_driver_sql(sql, _arrays(rows, columns, converters))


def update_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], key: str) -> None:
    """UPDATE the rows of `table` whose `key` column (a unique one) is each row's `key` value, setting every
    other column the rows name (dicts with the same keys, each key value once), in the session's transaction."""
    if not rows:
        return
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        # the key as its own bind name: SQLAlchemy reserves the column names for the SET clause
        stmt = update(table).where(table.c[key] == bindparam(f"key_{key}"))
        session.execute(stmt, [{**{c: v for c, v in row.items() if c != key}, f"key_{key}": row[key]}
                               for row in rows])
        return
    columns = tuple(rows[0])
    if key not in columns or len(columns) < 2:
        raise ValueError(f"rows for an update of {table.name} must name {key} and a column to set")
    sql, converters = _update_statement(table, columns, key, bind.dialect)
    session.connection().exec_driver_sql(sql, _arrays(rows, columns, converters))


def _arrays(rows: Sequence[dict[str, Any]], columns: tuple[str, ...], converters: list) -> dict[str, list]:
    """One array per column, each value as its column type's bind processing makes it."""
    params = {}
    for name, convert in zip(columns, converters):
        values = [row[name] for row in rows]
        params[name] = [convert(v) for v in values] if convert is not None else values
    return params


def _unnest(table: Table, columns: tuple[str, ...], dialect, required: tuple[str, ...]) -> tuple[str, list]:
    """`unnest(…) AS u(…)` of `columns` and their converters; refuses rows that leave out a column with a
    Python-side `required` ("default", "onupdate"), which the statement would not apply."""
    missing = [c.name for c in table.columns if c.name not in columns and c.server_default is None
               and any(getattr(c, kind) is not None for kind in required)]
    if missing:
        raise ValueError(f"rows for {table.name} must name {', '.join(missing)} (a Python-side default)")
    arrays, converters = [], []
    for name in columns:
        kind = table.columns[name].type
        sql_type = "text" if isinstance(kind, String) else kind.compile(dialect=dialect)
        arrays.append(f"%({name})b::{sql_type}[]")  # binary: no quoting of each element
        converters.append(_converter(kind, dialect))
    return f"unnest({', '.join(arrays)}) AS u({', '.join(columns)})", converters


def _statement(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...] | None, dialect) -> tuple[str, list]:
    key = (table.name, columns, conflict)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    with _LOCK:
        source, converters = _unnest(table, columns, dialect, ("default", "onupdate"))
        names = ", ".join(columns)
        sql = f"INSERT INTO {table.name} ({names}) SELECT {', '.join('u.' + c for c in columns)} FROM {source}"
        if conflict is not None:
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in conflict)
            sql += f" ON CONFLICT ({', '.join(conflict)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        found = _STATEMENTS[key] = (sql, converters)
    return found


def _update_statement(table: Table, columns: tuple[str, ...], key: str, dialect) -> tuple[str, list]:
    cache_key = (table.name, columns, ("=", key))
    found = _STATEMENTS.get(cache_key)
    if found is not None:
        return found
    with _LOCK:
        source, converters = _unnest(table, columns, dialect, ("onupdate",))
        sets = ", ".join(f"{c} = u.{c}" for c in columns if c != key)
        sql = f"UPDATE {table.name} SET {sets} FROM {source} WHERE {table.name}.{key} = u.{key}"
        found = _STATEMENTS[cache_key] = (sql, converters)
    return found


def _converter(kind, dialect):
    """How a value of the column type becomes the array element psycopg sends (None: as it is)."""
    if isinstance(kind, JSON):
        none_as_null = kind.none_as_null
        dumps = fast_json.dumps
        return lambda v: None if v is None and none_as_null else dumps(v)
    processor = kind.bind_processor(dialect)
    return processor
