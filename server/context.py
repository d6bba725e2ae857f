"""Everything one server process works with, built once per app: settings, database, reference data,
the feed notifier and the clock. Endpoints, the maintenance loop and startup hooks (e.g. the demo
simulator) all go through it, so they apply commands and read the feed exactly the same way.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.commands import BatchResult, CommandBatch
from app.refdata import RefData
from server.auth import AuthUser
from server.commands import Hook, apply_batch
from server.database import Database
from server.feed import FEED_CHANGED, ChangesPage, FeedNotifier, latest_position, read_changes
from server.refdata_store import RefDataStore
from server.settings import ServerSettings

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ServerContext:
    settings: ServerSettings
    db: Database
    refdata_store: RefDataStore
    notifier: FeedNotifier
    clock: Clock = utc_now
    before_commit: Hook | None = field(default=None)  # tests: runs inside every command transaction

    @classmethod
    def create(cls, settings: ServerSettings, *, refdata: RefData | None = None, clock: Clock | None = None,
               database: Database | None = None) -> ServerContext:
        db = database or Database(settings.database_url)
        ctx = cls(settings=settings, db=db, refdata_store=RefDataStore(db.reader, fixed=refdata),
                  notifier=_make_notifier(db), clock=clock or utc_now)
        ctx._wake_long_polls_after_commits()
        return ctx

    def now(self) -> datetime:
        return self.clock()

    @property
    def refdata(self) -> RefData:
        return self.refdata_store.current()

    def apply(self, user: AuthUser, batch: CommandBatch) -> BatchResult:
        """Apply a batch as `user` (blocking: call from a worker thread, not the event loop)."""
        return apply_batch(self.db.writer, user, batch, self.refdata, self.now, before_commit=self.before_commit)

    def read_changes(self, after: int, limit: int, user: AuthUser) -> ChangesPage:
        with self.db.reader() as session, session.begin():
            return read_changes(session, after, limit, user, self.refdata)

    def _wake_long_polls_after_commits(self) -> None:
        @event.listens_for(self.db.writer, "after_commit")
        def _after_commit(session):
            if session.info.pop(FEED_CHANGED, None) is not None:
                self.notifier.notify_threadsafe()

        @event.listens_for(self.db.writer, "after_soft_rollback")
        def _after_rollback(session, _previous_transaction):
            session.info.pop(FEED_CHANGED, None)


def _make_notifier(db: Database) -> FeedNotifier:
    if db.is_postgres:
        conninfo = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        return FeedNotifier(listen_conninfo=conninfo)

    def read_position() -> int:
        with db.reader() as session:
            return latest_position(session)

    return FeedNotifier(read_position=read_position)
