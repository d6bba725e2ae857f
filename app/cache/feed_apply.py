"""The server's changes feed applied to the cache (`FeedApply`, part of `LocalCache`): one page in one
transaction with its cursor, a case opened from the server's search kept like a feed entry, and the closed
cases past the retention period pruned."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable
from uuid import UUID

from sqlalchemy import Connection

from app.cache import cache_tables as tables
from app.cache import case_rows, first_sync, retention, scope_exits
from app.cache.models import ChangeSet
from app.cache.sqlite_files import relax_durability
from app.cases.case import Case
from app.platform import scope as scope_rule
from app.platform.feed_partition import Cursor
from app.wire.feed_decode import CaseText

if TYPE_CHECKING:
    from app.wire.feed import Change

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReadPage:
    """A feed page read into what the cache writes (`read_page`)."""

    received: dict[UUID, tuple[int, tuple, dict | str]]  # case id: (version, row, source)
    settings: dict[str, Any]
    entities: dict[str, dict[str, tuple[int, Any]]]  # kind: {id: (position, data)}
    gone_cases: dict[UUID, dict[str, Any]]
    gone_entities: dict[str, set[str]]


def read_page(changes: Iterable[Change | CaseText]) -> ReadPage:
    """A page's entries checked and turned into rows, without the cache (any thread; `BadCase` for a
    malformed case). Kept apart from the apply so that a first sync's next page is read while the previous
    one commits: SQLite's commit holds no GIL, whereas a read beside the page's row-by-row writes would make
    both queue for it at every row."""
    read = ReadPage({}, {}, {}, {}, {})
    received, new_settings, new_entities = read.received, read.settings, read.entities
    gone_cases, gone_entities = read.gone_cases, read.gone_entities
    for change in changes:
        if change.kind == "case":
            source = change.text if isinstance(change, CaseText) else change.data
            try:
                case_id, version, row = (case_rows.text_feed_row(source) if isinstance(source, str)
                                         else case_rows.feed_row(source))
            except case_rows.BadCase as exc:
                raise case_rows.BadCase(f"malformed case in feed entry {change.position} "
                                        f"(id {change.id}): {exc}") from None
            received[case_id] = (version, row, source)
        elif change.kind == "setting":
            new_settings[change.data["key"]] = change.data.get("value")
        elif change.kind == scope_rule.SCOPE_EXIT:  # the entity left this user's scope: forget it
            if (gone := scope_exits.parse_exit(change)) is not None:
                if gone[0] == scope_rule.CASE:
                    gone_cases[UUID(gone[1])] = {**change.data, "position": change.position}
                else:
                    gone_entities.setdefault(gone[0], set()).add(gone[1])
        elif isinstance(change.data, dict):
            new_entities.setdefault(change.kind, {})[str(change.id)] = (change.position, change.data)
        else:
            log.warning("skipping feed entry %s of kind %r: data is not an object", change.position,
                        change.kind)
    return read


class FeedApply:
    """`LocalCache`'s feed. Uses the cache's lock, engine, outbox, events, `_rebase` and `_forget`."""

    def apply_changes(self, changes: Iterable[Change | CaseText] | ReadPage, cursor: int | Cursor,
                      more: bool = False, committing: Callable[[], None] | None = None) -> ChangeSet:
        """Apply one page of the changes feed and store its cursor (a position, or one per partition), all in
        one transaction. `changes`: the page's entries, or what `read_page` made of them. `more`: the server
        said more pages follow; an empty cache's first sync is then written as a bulk load
        (`app.cache.first_sync`) until the page that says none do. `committing` is called once the page's
        writes are issued, just before the commit (see `read_page`).

        Fast path for the cases without queued commands (nearly all): the queue columns come straight from
        the received case (checked for shape by `case_rows.feed_row`, or `text_feed_row` for a case still in
        the JSON text it came as, not a full Case validation) and the JSON is stored once. Cases with queued
        commands are validated in full and rebased. A malformed entry raises `case_rows.BadCase` (a
        ValueError) before anything is written."""
        read = changes if isinstance(changes, ReadPage) else read_page(changes)
        received, new_settings, new_entities = read.received, read.settings, read.entities
        gone_cases, gone_entities = read.gone_cases, read.gone_entities
        with self._lock:
            with self._engine.begin() as conn:
                loading = self._load_page(conn, more)
                # looked up by the rows' id texts: formatting 1,000 UUIDs again per page is not free
                known = tables.server_versions(conn, [entry[1][0] for entry in received.values()])
                dead = scope_exits.case_tombstones(conn, received) if self._tombstones else {}
                # An empty cache's pages (a first sync) know none of their cases: every one is new, and the
                # per-case filtering and set-building below is skipped (UUID hashing is pure Python too).
                fresh = not known and not dead and all(entry[0] >= 0 for entry in received.values())
                newer = received if fresh else {
                    cid: entry for cid, entry in received.items()
                    if (known.get(cid) is None or entry[0] > known[cid]) and entry[0] > dead.get(cid, -1)}
                queued = self._outbox.cases_with_commands(newer)
                # Validated in full before anything is written: these go through the workflow.
                snapshots = {cid: _validated(newer[cid][2]) for cid in queued}
                plain = [cid for cid in newer if cid not in queued] if queued else list(newer)
                tables.write_cases(conn, [newer[cid][1] for cid in plain] if queued
                                   else [entry[1] for entry in newer.values()], ())
                rebased = self._rebase(snapshots.keys(), conn=conn, snapshots=snapshots)
                if known:
                    added = frozenset(c for c in plain if c not in known)
                    updated = frozenset(c for c in plain if c in known)
                else:
                    added, updated = frozenset(plain), frozenset()
                change_set = ChangeSet(added | rebased.added, updated | rebased.updated, rebased.removed)
                change_set = change_set.merged(self._forget(conn, gone_cases))
                for key, value in new_settings.items():
                    tables.set_setting(conn, key, value)
                for kind, rows in new_entities.items():
                    tables.put_entities(conn, kind, rows)
                for kind, ids in gone_entities.items():
                    tables.delete_entities(conn, kind, ids)
                tables.set_meta(conn, "cursor", cursor.to_json() if isinstance(cursor, Cursor) else cursor)
                if self._loading and not loading:  # the load's last page: the indexes are built with it
                    first_sync.finish(conn)
                if committing is not None:
                    committing()
            self._loading = loading
            if change_set:
                self.events.cases_changed.emit(change_set)
            for key, value in new_settings.items():
                self.events.settings_changed.emit(key, value)
            for kind, rows in new_entities.items():
                self.events.entities_changed.emit(kind, frozenset(rows))
            for kind, ids in gone_entities.items():
                self.events.entities_changed.emit(kind, frozenset(ids))
        return change_set

    @property
    def loading(self) -> bool:
        """Whether a first sync's bulk load is under way (its next pages are asked bigger: `app.sync.engine`)."""
        return self._loading

    def _load_page(self, conn: Connection, more: bool) -> bool:
        """Whether this page is written as part of a first sync's bulk load, which starts with it when the
        cache holds nothing from the server and more pages follow (`app.cache.first_sync`)."""
        if not more or not (self._loading or first_sync.may_start(conn)):
            return False
        relax_durability(conn)  # before the transaction's first write
        if not self._loading:
            first_sync.start(conn)
        return True

    def finish_load(self) -> None:
        """End a first sync's bulk load that stopped before its last page (the server went away): its indexes
        are built now, so that the cache works at full speed offline. Nothing to do otherwise."""
        with self._lock:
            if self._loading:
                with self._engine.begin() as conn:
                    first_sync.finish(conn)
                self._loading = False

    def keep_server_case(self, data: dict[str, Any], now: datetime | None = None) -> ChangeSet:
        """A case the operator opened from the server's search (not in the feed's pages this cache read): kept
        like a feed entry — a newer copy from the feed replaces it — and remembered as opened
        (`app.cache.retention`), so that the cache keeps it for the retention period. Cache-writer thread."""
        from app.wire.feed import Change

        case_id = str(data.get("id"))
        with self._lock:
            with self._engine.begin() as conn:
                retention.note_opened(conn, case_id, now or datetime.now(timezone.utc))
        return self.apply_changes([Change(position=self.cursor(), kind="case", id=case_id, data=data)],
                                  self.feed_cursor())

    def prune(self, now: datetime, closed_days: int) -> ChangeSet:
        """Forget the closed and voided cases older than `closed_days` that the operator did not open within
        them and that have no command waiting (`app.cache.retention`). Cache-writer thread."""
        pending = {c.case_id for c in self.pending_commands()}
        with self._lock:
            with self._engine.begin() as conn:
                gone = retention.prune(conn, now, closed_days, pending)
            change_set = tables.change_set(set(), set(), gone)
            if gone:
                self.events.cases_changed.emit(change_set)
        return change_set


def _validated(source: dict | str) -> Case:
    return Case.model_validate_json(source) if isinstance(source, str) else Case.model_validate(source)
