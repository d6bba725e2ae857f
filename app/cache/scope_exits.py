"""How the console's cache follows the one scope rule (`app.scope`): what a scope exit from the feed
removes, the tombstones that keep a late, older copy of a removed case out, and which answers are out of
the user's scope.

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
from app.scope import CASE, SCOPE_EXIT, case_scope, sees

if TYPE_CHECKING:
    from app.case import Case
    from app.sync.protocol import Change

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
