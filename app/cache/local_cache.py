"""LocalCache: the console's own copy of the world, usable with or without a server.

Two files in one directory: `cache.sqlite` (disposable: server snapshots, display copies, reference data,
settings, cursor, conflicts, offline login verifiers) and `outbox.sqlite` (durable: commands not yet
answered). Reads may come from any thread, each on its own pooled connection; every write holds one lock,
so writes are serialised and no SQLAlchemy connection is ever shared between threads. Events are emitted
after the commit, still under the lock, so listeners see them in commit order.

Write order is what makes crashes harmless: a command is committed to the outbox before its display copy
is written (a crash in between is repaired at the next open), and an answer is committed to the cache
before its outbox row is deleted (a crash in between only resends a command the server deduplicates).

The class is assembled from one part per concern: `app.cache.case_reads` (reading cases),
`app.cache.issuing` (commands issued here and their answers), `app.cache.feed_apply` (the changes feed),
`app.cache.scope_exits` (the user's scope); this module opens the files and holds the rest (reference
data, settings, cursor, logins).
"""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable
from uuid import UUID

from sqlalchemy import select

from app.cache import cache_tables as tables
from app.cache import credentials, first_sync
from app.cache.case_reads import CaseReads
from app.cache.entity_outbox import EntityOutbox
from app.cache.feed_apply import FeedApply
from app.cache.issuing import Issuing
from app.cache.models import Conflict, QueuedCommand
from app.cache.outbox_store import OutboxStore
from app.cache.scope_exits import ScopeFollower
from app.cache.sqlite_files import (
    cache_file_problem,
    mark_clean_close,
    move_aside,
    open_engine,
    take_clean_close,
)
from app.cases.commands import Command
from app.platform.events import EventGroup
from app.platform.feed_partition import GLOBAL, Cursor
from db.cache import CACHE_SCHEMA_VERSION, cache_metadata, settings

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

CACHE_FILE = "cache.sqlite"
PAGE_SIZE = 16384


class LocalCache(CaseReads, Issuing, FeedApply, ScopeFollower):
    """See the module docstring. `rebuilt` is True when a bad cache file was moved aside at open."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        # entities_changed(kind, ids): feed entities other than cases/settings (alarms, sensors, shifts…)
        self.events = EventGroup("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed",
                                 "refdata_changed", "entities_changed")
        self._lock = threading.RLock()
        self._refdata_lock = threading.Lock()  # not the write lock: reading refdata never waits for a sync
        self._refdata: RefData | None = None
        self._refdata_loaded = False
        self.rebuilt = False
        self.moved_aside_to: Path | None = None
        self._loading = False  # a first sync is being written as a bulk load (`app.cache.first_sync`)
        self._outbox = OutboxStore(self.directory)  # opened first and never touched by a cache rebuild
        self._engine = self._open_cache_file()
        self.console_id: str = self._meta("console_id") or self._init_console_id()
        # handover notes/signatures and offline periods, durable in outbox.sqlite like commands
        self.entity_outbox = EntityOutbox(self._outbox.engine, self.console_id)
        self._init_scope()
        self._rebase(self._outbox.for_cases().keys())  # repairs a crash between outbox and display write

    # ------------------------------------------------------------------ opening and closing

    def _open_cache_file(self):
        path = self.directory / CACHE_FILE
        self.integrity_checked = not take_clean_close(path)
        problem = cache_file_problem(path, CACHE_SCHEMA_VERSION, full_check=self.integrity_checked)
        if problem is not None:
            self.moved_aside_to = move_aside(path)
            self.rebuilt = True
            log.warning("cache %s is unusable (%s); moved it to %s and starting an empty cache that will be "
                        "refilled from the server (the outbox is untouched)", path, problem, self.moved_aside_to)
        # 16 KiB pages: a case row (~3 KB of JSON) shares its page with others instead of filling most of one
        engine = open_engine(path, synchronous="NORMAL", page_size=PAGE_SIZE)
        cache_metadata.create_all(engine)
        with engine.begin() as conn:
            tables.init_meta(conn, {"schema_version": CACHE_SCHEMA_VERSION, "cursor": 0})
        first_sync.repair(engine)
        return engine

    def _init_console_id(self) -> str:
        console_id = uuid.uuid4().hex
        with self._lock, self._engine.begin() as conn:
            tables.set_meta(conn, "console_id", console_id)
        return console_id

    def release_memory(self) -> None:
        """Close the idle pooled connections, and with them their SQLite page caches (a few MB each after
        a 100,000-case start-up read); the next read simply opens a connection again."""
        self._engine.pool.dispose()

    def close(self) -> None:
        self._engine.dispose()
        self._outbox.close()
        mark_clean_close(self.directory / CACHE_FILE)

    def _meta(self, key: str) -> Any:
        with self._engine.connect() as conn:
            return tables.get_meta(conn, key)

    # ------------------------------------------------------------------ reads (the cases': `CaseReads`)

    def refdata(self) -> RefData | None:
        """The reference data last downloaded from the server (None before the first download, or when
        the stored copy no longer loads, e.g. after an upgrade; the next sync downloads it again)."""
        from app.refdata.errors import RefDataError
        from app.refdata.model import RefData

        with self._refdata_lock:
            if not self._refdata_loaded:
                data = self._meta("refdata")
                try:
                    self._refdata = None if data is None else RefData.from_dict(data)
                except RefDataError as exc:
                    log.warning("stored reference data does not load (%s); it will be downloaded again", exc)
                self._refdata_loaded = True
            return self._refdata

    def refdata_version(self) -> str | None:
        """The version to send as ETag (None when there is no usable copy: download it in full)."""
        return self._meta("refdata_version") if self.refdata() is not None else None

    def setting(self, key: str) -> Any:
        with self._engine.connect() as conn:
            return conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one_or_none()

    def settings(self) -> dict[str, Any]:
        with self._engine.connect() as conn:
            return {key: value for key, value in conn.execute(select(settings.c.key, settings.c.value))}

    def entities(self, kind: str, ids: Iterable[str] | None = None) -> dict[str, Any]:
        """The server's latest JSON of each feed entity of `kind` (e.g. "alarm"), by id."""
        with self._engine.connect() as conn:
            return tables.get_entities(conn, kind, ids)

    def entity(self, kind: str, entity_id: str) -> Any:
        return self.entities(kind, [entity_id]).get(str(entity_id))

    def conflicts(self) -> list[Conflict]:
        """Commands the server refused, oldest first, until the operator discards or re-applies them."""
        with self._engine.connect() as conn:
            return tables.read_conflicts(conn)

    def conflict(self, conflict_id: int) -> Conflict | None:
        with self._engine.connect() as conn:
            found = tables.read_conflicts(conn, conflict_id)
        return found[0] if found else None

    def conflict_count(self) -> int:
        with self._engine.connect() as conn:
            return tables.conflict_count(conn)

    def outbox_size(self) -> int:
        return self._outbox.size()

    def pending_commands(self, case_id: UUID | None = None) -> list[Command]:
        """Commands not yet answered by the server, in issue order (all cases, or one)."""
        grouped = self._outbox.for_cases(None if case_id is None else [case_id])
        queued = sorted((q for items in grouped.values() for q in items), key=lambda q: q.seq)
        return [q.command for q in queued]

    def outbox_batch(self, limit: int, after_seq: int | None = None) -> list[QueuedCommand]:
        """The oldest `limit` queued commands (after `after_seq`: those already sent and whose answers are
        being stored), in issue order: the next batch to send."""
        return self._outbox.oldest(limit, after_seq)

    def cursor(self) -> int:
        """The position read up to in the feed's global partition (the feed's one position space on a
        server that does not partition; `feed_cursor` is the whole cursor)."""
        return self.feed_cursor().after(GLOBAL)

    def feed_cursor(self) -> Cursor:
        """Where this cache stands in every partition of the feed (`app.platform.feed_partition.Cursor`);
        a cache written before partitions stored one number, which stands for every partition."""
        return Cursor.from_stored(self._meta("cursor"))

    def server_url(self) -> str | None:
        return self._meta("server_url")

    # ------------------------------------------------------------------ reference data, server, logins

    def store_refdata(self, data: dict[str, Any]) -> RefData:
        """Keep the server's reference data (validated first) and redraw the cases with queued commands,
        whose display copies may have been waiting for it."""
        from app.refdata.model import RefData

        refdata = RefData.from_dict(data)
        with self._lock:
            with self._engine.begin() as conn:
                tables.set_meta(conn, "refdata", data)
                tables.set_meta(conn, "refdata_version", str(data.get("version") or refdata.version))
            with self._refdata_lock:
                self._refdata, self._refdata_loaded = refdata, True
            self.events.refdata_changed.emit(refdata.version)
            self._rebase(self._outbox.for_cases().keys())
        return refdata

    def store_server_url(self, url: str) -> None:
        with self._lock, self._engine.begin() as conn:
            tables.set_meta(conn, "server_url", url)

    def store_credentials(self, username: str, password: str, user: dict[str, Any], now: datetime) -> None:
        """Remember a successful online login so the same user can log in here while the server is down."""
        verifier = credentials.make_verifier(password)
        with self._lock, self._engine.begin() as conn:
            credentials.store_verifier(conn, username, verifier, user, now)
            self._remember_user(conn, user)

    def offline_users(self) -> list[str]:
        """Users who may log in offline here (each logged in online on this console before)."""
        with self._engine.connect() as conn:
            return credentials.known_usernames(conn)

    def verify_offline(self, username: str, password: str) -> dict[str, Any]:
        """The stored user record when `password` matches the last online login; OfflineLoginError if not."""
        with self._engine.connect() as conn:
            return credentials.verify(conn, username, password)
