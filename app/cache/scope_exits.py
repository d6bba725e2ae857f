"""How the console's cache follows the one scope rule (`app.platform.scope`): what a scope exit from the feed
removes, the tombstones that keep a late, older copy of a removed case out, which answers are out of
the user's scope, and the scope tag its server data came under (`ScopeFollower`, part of `LocalCache`).

A tombstone is an `entities` row of kind `scope_exit`, id `<kind>:<entity id>`, data `{kind, version?,
position}`: a copy of that case whose version is not newer than `version` is stale (say, the answer to
this console's own note, applied by the server before the case was reassigned, arriving after the feed
said the case had gone). A later version (the case came back) is taken as usual.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection

from app.cache import cache_tables as tables
from app.cache.models import ChangeSet
from app.platform import scope as scope_rule
from app.platform.feed_partition import Cursor
from app.platform.scope import CASE, SCOPE_EXIT, case_scope, sees

if TYPE_CHECKING:
    from app.cases.case import Case
    from app.wire.feed import Change

log = logging.getLogger(__name__)


def tombstone_id(kind: str, entity_id: str | UUID) -> str:
    return f"{kind}:{entity_id}"


def parse_exit(change: Change) -> tuple[str, str] | None:
    """(kind, entity id) of a scope exit entry; None (logged) when it names no kind."""
    kind = change.data.get("kind")
    if not isinstance(kind, str) or not kind:
        log.warning("skipping scope exit at feed position %s (id %s): no entity kind", change.position, change.id)
        return None
    if kind == CASE:
        try:
            UUID(change.id)
        except ValueError:
            log.warning("skipping scope exit at feed position %s: %r is not a case id", change.position, change.id)
            return None
    return kind, change.id


def put_tombstones(conn: Connection, gone: Mapping[UUID, Mapping[str, Any]], position: int = 0) -> None:
    """Remember that these cases left the user's scope (data: `{version?, position?}`)."""
    tables.put_entities(conn, SCOPE_EXIT, {
        tombstone_id(CASE, case_id): (int(data.get("position") or position),
                                      {"kind": CASE, **{k: v for k, v in data.items() if k != "kind"}})
        for case_id, data in gone.items()})


def case_tombstones(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, int]:
    """The version at which each of these cases left the user's scope (only those that did)."""
    wanted = {tombstone_id(CASE, i): i for i in ids}
    found = tables.get_entities(conn, SCOPE_EXIT, wanted)
    out: dict[UUID, int] = {}
    for key, data in found.items():
        version = data.get("version") if isinstance(data, dict) else None
        out[wanted[key]] = version if isinstance(version, int) else 0
    return out


def has_tombstones(conn: Connection) -> bool:
    return bool(conn.connection.driver_connection.execute(
        "SELECT 1 FROM entities WHERE kind = ? LIMIT 1", (SCOPE_EXIT,)).fetchone())


def screen(snapshots: dict[UUID, Case], tombstones: Mapping[UUID, int],
           units: frozenset[str] | None) -> tuple[dict[UUID, Case], dict[UUID, dict[str, Any]]]:
    """Split server copies of cases (answers to this console's commands) into those to keep and those
    that are out of the user's scope (to forget, as if the feed had said so). A copy not newer than its
    tombstone is dropped."""
    keep: dict[UUID, Case] = {}
    gone: dict[UUID, dict[str, Any]] = {}
    for case_id, case in snapshots.items():
        if case.version <= tombstones.get(case_id, -1):
            continue
        if sees(units, case_scope(case)):
            keep[case_id] = case
        else:
            gone[case_id] = {"version": case.version}
    return keep, gone


class ScopeFollower:
    """`LocalCache`'s part that follows the user's scope. Uses the cache's lock, engine, events, reference
    data and `_rebase`; `_init_scope()` runs once the cache files are open."""

    def _init_scope(self) -> None:
        self._user: dict[str, Any] | None = self._meta("user")  # {role, unit_id} of the last online login
        self._feed_scope: str | None = self._meta("feed_scope")
        with self._engine.connect() as conn:
            self._tombstones = has_tombstones(conn)  # skips their look-up while there are none

    def _remember_user(self, conn: Connection, user: Mapping[str, Any]) -> None:
        self._user = {"role": user.get("role"), "unit_id": user.get("unit_id")}
        tables.set_meta(conn, "user", self._user)

    def _visible_units(self) -> frozenset[str] | None:
        """What the logged-in user sees, by the one scope rule (None: everything, or not known yet)."""
        refdata = self.refdata()
        if self._user is None or refdata is None:
            return None
        try:
            return scope_rule.visible_units(self._user.get("role"), self._user.get("unit_id"), refdata)
        except ValueError as exc:  # a unit the stored reference data does not know (yet)
            log.info("cannot work out the user's scope locally (%s); the server's feed decides", exc)
            return None

    def _forget(self, conn: Connection, gone: dict[UUID, dict[str, Any]], *,
                skip: set[UUID] = frozenset()) -> ChangeSet:
        """Drop the server's copy of cases that left the user's scope and leave a tombstone for each. A
        case with queued commands keeps only what they make of nothing (a case created here); the commands
        (but those in `skip`, answered now) stay in the outbox and the server answers them (most likely
        refusing them: out of scope), which then shows as a conflict."""
        if not gone:
            return ChangeSet()
        existing = set(tables.server_versions(conn, gone))
        put_tombstones(conn, gone)
        self._tombstones = True
        tables.write_cases(conn, [], gone)
        rebuilt = self._rebase(gone.keys(), conn=conn, snapshots={}, skip=skip)  # rows deleted: all "added"
        removed = existing - rebuilt.added
        log.info("%d case(s) left this user's scope and were removed from the cache", len(removed))
        return ChangeSet(rebuilt.added - existing, rebuilt.added & existing, frozenset(removed))

    def adopt_scope(self, tag: str | None, after: int | Cursor) -> bool:
        """Take a feed page's scope tag (`app.platform.scope.scope_tag`), read from cursor `after`. False when the
        cache's server data came under another tag (the user's unit or role changed, or the unit tree
        did; or this cache predates scope exits and may hold stale copies of a unit handler's cases): then
        everything the server sent is dropped, the cursor goes back to 0 and the caller reads the feed
        again from there. The outbox and what it makes (cases created here) stay; so do settings (every
        user sees them, and they come again)."""
        if tag is None or tag == self._feed_scope:  # None: a server without scope tags
            return True
        with self._lock:
            stored = self._meta("feed_scope")
            if stored == tag:
                self._feed_scope = tag
                return True
            if not after or (stored is None and tag == scope_rule.ALL):  # nothing to drop
                with self._engine.begin() as conn:
                    tables.set_meta(conn, "feed_scope", tag)
                self._feed_scope = tag
                return True
            with self._engine.begin() as conn:
                ids = tables.server_case_ids(conn)
                tables.write_cases(conn, [], ids)
                rebuilt = self._rebase(ids, conn=conn, snapshots={})
                entities = tables.delete_entities(conn)
                tables.set_meta(conn, "feed_scope", tag)
                tables.set_meta(conn, "cursor", 0)
            self._feed_scope, self._tombstones = tag, False
            log.warning("the server's scope for this user changed (%s -> %s): dropped %d cases and %d other "
                        "entities; reading the feed again from the start", stored, tag, len(ids),
                        sum(map(len, entities.values())))
            change_set = ChangeSet(frozenset(), frozenset(rebuilt.added), frozenset(ids - rebuilt.added))
            if change_set:
                self.events.cases_changed.emit(change_set)
            for kind, dropped in entities.items():
                if kind != SCOPE_EXIT:
                    self.events.entities_changed.emit(kind, frozenset(dropped))
        return False
