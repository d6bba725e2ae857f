"""Test databases: a fresh one for every test, and prepared ones built once per test process and copied.

Migrating a database and loading the demo city takes seconds; a copy takes milliseconds (SQLite: a file
copy) or a fraction of a second (PostgreSQL: ``CREATE DATABASE ... TEMPLATE``). A test still gets a
database of its own, so tests stay independent, and only a *fresh* test database is ever replaced by a
copy: one that a test has already written to is prepared the slow way, as before.

A kind of prepared database is named by a key (what was loaded, plus the password hasher's parameters,
because the users' hashes differ with them) and built by a function of a database URL, on first use.

PostgreSQL creates and drops databases with fsyncs and waits that cost far more than the copy itself on
a busy machine, so a background thread keeps the next empty database and the next copy of each template
ready and drops finished ones while the tests run. A copy is handed over by renaming it to the name the
test already holds. Everything this makes carries a note of its host and process; what a process that
died left behind (templates, test databases) is dropped by the next test process on the same machine.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

PG_ADMIN_URL = os.environ.get("ONEGRID_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_DB_PREFIX = "onegrid_test_"
TEMPLATE_PREFIX = "onegrid_tmpl_"
_OWNER_NOTE = "onegrid tests on {host} pid {pid}"
_RENAME_WAIT_S = 5.0  # for the backend of our own emptiness check to go away

Build = Callable[[str], object]


def pg_admin_connect():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


def pg_database_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def _hasher_key() -> tuple:
    """The password hasher's parameters: a database prepared with cheap hashes is no copy of one prepared
    with the production hasher (logins would verify, or rehash, at another cost)."""
    import server.platform.auth

    h = server.platform.auth.password_hasher
    return h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len, h.type


def _host() -> str:
    try:  # hostnames alone repeat across machines
        return f"{socket.gethostname()}/{Path('/etc/machine-id').read_text().strip()[:12]}"
    except OSError:
        return socket.gethostname()


def _owner_note() -> str:
    return _OWNER_NOTE.format(host=_host(), pid=os.getpid())


def _create_database(template: str | None = None, prefix: str = TEST_DB_PREFIX) -> str:
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    with pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{_owner_note()}'")
    return name


def _drop_database(name: str) -> None:
    with pg_admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PreparedDatabases:
    """The test databases of one test process (one per pytest-xdist worker); used from its main thread."""

    def __init__(self) -> None:
        self._sqlite: dict[Hashable, Path] = {}
        self._dir: Path | None = None
        self._templates: dict[Hashable, str] = {}
        self._fresh_pg: set[str] = set()
        self._next_empty: Future | None = None
        self._next_copy: dict[Hashable, Future] = {}
        self._drops: list[Future] = []
        self._background: ThreadPoolExecutor | None = None

    # ---- fresh PostgreSQL test databases ----
    def create_pg(self) -> str:
        """A new, empty PostgreSQL database (SQLAlchemy URL), to be dropped with drop_pg."""
        if self._background is None:
            drop_orphans()
            self._background = ThreadPoolExecutor(2, thread_name_prefix="test-databases")
        name = self._take(self._next_empty) or _create_database()
        self._next_empty = self._background.submit(_create_database)
        self._fresh_pg.add(name)
        return pg_database_url(name)

    def drop_pg(self, url: str) -> None:
        """Drop the test database at `url` (in the background: no test waits for it)."""
        name = make_url(url).database
        self._fresh_pg.discard(name)
        self._drops.append(self._background.submit(_drop_database, name))

    @staticmethod
    def _take(future: Future | None) -> str | None:
        if future is None:
            return None
        try:
            return future.result()
        except Exception as exc:  # made again in the foreground, where a failure fails the test
            log.warning("a test database made in the background failed: %s", exc)
            return None

    # ---- copies of prepared databases ----
    def copy_into(self, url: str, key: Hashable, build: Build) -> bool:
        """Make the fresh test database at `url` a copy of the prepared database of `key` (built by
        `build(url)` on first use). False, with nothing done, when `url` is not a fresh test database: a
        file that exists, a database this process did not create or one with tables or connections."""
        key = (key, _hasher_key())
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            return self._copy_sqlite(Path(parsed.database), key, build) if parsed.database else False
        if parsed.get_backend_name() == "postgresql":
            return self._copy_pg(parsed.database, key, build)
        return False

    def _copy_sqlite(self, path: Path, key: Hashable, build: Build) -> bool:
        if path.exists() or not path.parent.is_dir():
            return False
        if key not in self._sqlite:
            self._sqlite[key] = self._build_sqlite(build)
        shutil.copyfile(self._sqlite[key], path)
        return True

    def _build_sqlite(self, build: Build) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="onegrid-test-templates-"))
        path = self._dir / f"{uuid.uuid4().hex[:12]}.sqlite"
        build(f"sqlite:///{path}")
        # Everything into the main file, so that the one file is the whole database (WAL mode stays on).
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return path

    def _copy_pg(self, name: str | None, key: Hashable, build: Build) -> bool:
        if name not in self._fresh_pg:
            return False
        self._fresh_pg.discard(name)  # written to from here on, by the copy or by the caller
        with pg_admin_connect() as conn:
            busy = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()[0]
        if busy or not _pg_is_empty(name):
            return False
        if key not in self._templates:
            self._templates[key] = _build_template(build)
        copy = self._take(self._next_copy.pop(key, None)) or _create_database(self._templates[key])
        self._next_copy[key] = self._background.submit(_create_database, self._templates[key])
        replaced = f"{name}_x"
        with pg_admin_connect() as conn:
            if not _rename(conn, name, replaced):
                self._drops.append(self._background.submit(_drop_database, copy))
                return False
            conn.execute(f'ALTER DATABASE "{copy}" RENAME TO "{name}"')
        self._drops.append(self._background.submit(_drop_database, replaced))
        return True

    # ---- end of the test process ----
    def close(self) -> None:
        if self._background is not None:
            unused = [self._next_empty, *self._next_copy.values()]
            for name in filter(None, map(self._take, unused)):
                self._drops.append(self._background.submit(_drop_database, name))
            for drop in self._drops:
                try:
                    drop.result()
                except Exception as exc:
                    log.warning("a test database could not be dropped: %s", exc)
            self._background.shutdown()
            self._background, self._next_empty = None, None
            self._next_copy.clear()
            self._drops.clear()
        if self._templates:
            with pg_admin_connect() as conn:
                for template in self._templates.values():
                    _drop_template(conn, template)
            self._templates.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self._sqlite.clear()


def _build_template(build: Build) -> str:
    template = _create_database(prefix=TEMPLATE_PREFIX)
    build(pg_database_url(template))
    with pg_admin_connect() as conn:  # a template to clone must have no connections, now or later
        conn.execute(f'ALTER DATABASE "{template}" WITH ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (template,))
        conn.execute(f'ALTER DATABASE "{template}" WITH IS_TEMPLATE true')
    return template


def _pg_is_empty(name: str) -> bool:
    import psycopg

    with psycopg.connect(pg_database_url(name).replace("+psycopg", ""), autocommit=True, connect_timeout=5) as conn:
        return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = "
                            "c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                            "AND n.nspname NOT LIKE 'pg_toast%%')").fetchone()[0]


def _rename(conn, name: str, new_name: str) -> bool:
    """Rename a database once nobody is connected; False if somebody stays. (PostgreSQL would wait too,
    but in steps of a tenth of a second.)"""
    import psycopg

    deadline = time.monotonic() + _RENAME_WAIT_S
    while True:
        busy = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()[0]
        if not busy:
            try:
                conn.execute(f'ALTER DATABASE "{name}" RENAME TO "{new_name}"')
                return True
            except psycopg.errors.ObjectInUse:
                pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)


def _drop_template(conn, template: str) -> None:
    conn.execute(f'ALTER DATABASE "{template}" WITH IS_TEMPLATE false')
    conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


def drop_orphans() -> None:
    """Drop the databases of test processes on this machine that are gone (killed before their clean-up)."""
    import psycopg

    prefix = _OWNER_NOTE.format(host=_host(), pid="")
    with pg_admin_connect() as conn:
        rows = conn.execute("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
                            "WHERE datname LIKE %s OR datname LIKE %s",
                            (TEMPLATE_PREFIX + "%", TEST_DB_PREFIX + "%")).fetchall()
        for name, note in rows:
            if not note or not note.startswith(prefix) or not note[len(prefix):].isdigit():
                continue
            pid = int(note[len(prefix):])
            if pid == os.getpid() or _alive(pid):
                continue
            log.info("dropping %s, left by test process %d", name, pid)
            try:
                _drop_template(conn, name)
            except psycopg.Error:  # another test process dropped it first
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


prepared = PreparedDatabases()
