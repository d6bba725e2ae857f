"""Opening the console's SQLite files: WAL, the right durability, and the cache's health check."""
from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


_RELAXED = "relaxed"  # connection record info: synchronous=OFF until the connection returns to the pool


def open_engine(path: Path, *, synchronous: str, page_size: int | None = None) -> Engine:
    """An engine on `path` in WAL mode. `synchronous`: FULL for the outbox (a committed command survives
    power loss), NORMAL for the disposable cache (a lost last transaction is refetched from the server).
    `page_size` applies to a file created now (an existing one keeps its own)."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False,
                                                              "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        cursor = dbapi_conn.cursor()
        if page_size is not None:  # before WAL: only an empty file takes it
            cursor.execute(f"PRAGMA page_size={page_size}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _restore(dbapi_conn, record) -> None:
        if record is not None and record.info.pop(_RELAXED, False):
            dbapi_conn.execute(f"PRAGMA synchronous={synchronous}")

    return engine


def relax_durability(conn: Connection) -> None:
    """`synchronous=OFF` on `conn` until it returns to the pool: its commits are not flushed to disk (a
    killed process loses nothing; a power cut may damage the file, which the next open finds). SQLite
    refuses the change inside a transaction, so call it before the transaction's first write."""
    conn.connection.driver_connection.execute("PRAGMA synchronous=OFF")
    conn.info[_RELAXED] = True


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _clean_marker(path: Path) -> Path:
    return path.with_name(path.name + ".clean")


def mark_clean_close(path: Path) -> None:
    """Record that the cache file was closed cleanly, as it is now (size and modification time)."""
    wal = path.with_name(path.name + "-wal")
    if path.exists() and not (wal.exists() and wal.stat().st_size):
        _clean_marker(path).write_text(_stamp(path), encoding="ascii")


def take_clean_close(path: Path) -> bool:
    """Whether the file is exactly as the last clean close left it; forgets the mark either way, so a
    session that then crashes gets the full check next time."""
    marker = _clean_marker(path)
    try:
        recorded = marker.read_text(encoding="ascii")
        marker.unlink()
    except OSError:
        return False
    wal = path.with_name(path.name + "-wal")
    return path.exists() and not (wal.exists() and wal.stat().st_size) and recorded == _stamp(path)


def cache_file_problem(path: Path, expected_schema_version: int, *, full_check: bool = True) -> str | None:
    """Why the cache file at `path` cannot be used, or None when it is fine (or does not exist yet).

    Checked with plain sqlite3 so that a broken file never reaches SQLAlchemy's pool. `PRAGMA quick_check`
    reads the whole file (seconds for 100,000 cases on a cold disk), so it is skipped (`full_check=False`)
    when the file is unchanged since a clean close."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        return f"cannot open: {exc}"
    try:
        if full_check:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                return f"integrity check failed: {verdict}"
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None  # an empty database: create the tables
        if "meta" not in tables:
            return f"not a OneGrid cache (tables: {', '.join(sorted(tables))})"
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        found = None if row is None else _json_value(row[0])
        if found != expected_schema_version:
            return f"schema_version is {found}, this console needs {expected_schema_version}"
        return None
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return f"unreadable: {exc}"
    finally:
        conn.close()


def _json_value(stored: object) -> object:
    """A `meta` value as SQLAlchemy's JSON type wrote it (the column's NUMERIC affinity may have turned
    the JSON text `1` into the integer 1)."""
    if isinstance(stored, str):
        try:
            return json.loads(stored)
        except ValueError:
            return stored
    return stored


def move_aside(path: Path) -> Path:
    """Rename a bad cache file (and its WAL/SHM companions, which belong to it) out of the way."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target
