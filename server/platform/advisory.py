"""Locks that say which server process does a thing no two processes should do at once: the maintenance
sweeps (one sweeper among all processes on a database) and the MQTT worker slots (one process per
stable client id).

On PostgreSQL they are session advisory locks (`pg_try_advisory_lock`) held on a connection of their
own, opened straight to the database (`ServerSettings.direct_database_url`: a session lock through
PgBouncer in transaction mode would be taken on whichever server connection the pooler lends and so
mean nothing). A lock is held until released or until its connection ends — a process that dies or
loses the database gives its locks up, and another process takes them at its next try. On SQLite (one
host by nature) the MQTT slots are exclusive `flock`s on files beside the database, and there is
nothing to say about sweeps: every process sweeps, as before, the database's write lock serialising them.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

SWEEP_LOCK = "onegrid:maintenance-sweeps"


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL's advisory lock keys are bigints)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def session_engine(url: str) -> Engine:
    """An engine for one long-lived session connection (no pool), on the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, poolclass=NullPool,
                         connect_args={"connect_timeout": 5, "application_name": "onegrid-server-locks"})


class SessionLocks:
    """Advisory locks on one PostgreSQL session, opened on first use and again after it was lost."""

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None
        self._conn = None
        self._held: dict[int, str] = {}  # key → name of the locks this session holds
        self._mutex = threading.Lock()  # the connection is used from the maintenance loop and the lifespan

    def _connection(self):
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return self._conn
            except Exception:
                log.warning("the advisory-lock connection was lost, and with it %d locks", len(self._held))
                self._drop(forget=False)
        if self._engine is None:
            self._engine = session_engine(self.url)
        self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        # What the lost session held is taken again where nobody took it meanwhile (an MQTT slot keeps its
        # process); a lock another process took is given up, loudly.
        for key, name in list(self._held.items()):
            if not self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                del self._held[key]
                log.warning("the lock %r went to another process while this one's database session was lost", name)
        return self._conn

    def _drop(self, *, forget: bool = True) -> None:
        if forget:
            self._held.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:
                pass

    def try_lock(self, name: str) -> bool:
        """Take the lock `name` if no other session holds it (True also when this one already does)."""
        key = lock_key(name)
        with self._mutex:
            try:
                conn = self._connection()
                if key in self._held:
                    return True
                got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            except Exception:
                log.warning("could not reach the database to take the lock %r", name, exc_info=True)
                self._drop(forget=False)
                return False
            if got:
                self._held[key] = name
            return got

    def holds(self, name: str) -> bool:
        return lock_key(name) in self._held

    def unlock(self, name: str) -> None:
        key = lock_key(name)
        with self._mutex:
            if key not in self._held or self._conn is None:
                self._held.pop(key, None)
                return
            del self._held[key]
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            except Exception:
                self._drop(forget=False)

    def close(self) -> None:
        with self._mutex:
            self._drop()
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


class FileSlot:
    """An exclusive `flock` on a file (SQLite's stand-in for an advisory lock), held until `release`."""

    def __init__(self, path: Path):
        self.path = path
        self._file = None

    def try_take(self) -> bool:
        try:
            import fcntl
        except ImportError:  # Windows: only the console's embedded demo server runs there, one process
            return True
        f = open(self.path, "a+")  # noqa: SIM115 - held open as long as the lock
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        self._file = f
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor releases the flock
            self._file = None
