"""Commands issued on this console, in the cache (`Issuing`, part of `LocalCache`): a command validated against
the display copy and queued durably before it is shown, the server's answers stored (snapshots, conflicts)
before their outbox rows are deleted, the display copies rebuilt from the server snapshot plus the commands
still queued, and refused commands discarded or issued again."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable, Literal
from uuid import UUID

from sqlalchemy import Connection

from app.cache import cache_tables as tables
from app.cache import case_rows, scope_exits
from app.cache.models import ChangeSet
from app.cases import refusals, workflow
from app.cases.case import Case
from app.cases.commands import Command, CommandResult
from app.cases.workflow import Actor, WorkflowError
from app.platform.enums import Action

log = logging.getLogger(__name__)


class Issuing:
    """`LocalCache`'s commands. Uses the cache's lock, engine, outbox, events, reference data and scope."""

    def issue(self, actor: Actor, action: Action | str, case_id: UUID | None, payload: dict[str, Any],
              now: datetime, *, offline: bool) -> Command:
        """Validate a command against the display copy, queue it durably, then show it.

        `case_id` may be None for CREATE (a new id is made); an offline CREATE gets the provisional number
        `P-<console short id>-<n>` in its payload. Raises WorkflowError when the rules refuse
        the command; nothing is written then. When this returns, the command is committed to the outbox
        and will reach the server even if the console is killed the next instant."""
        action = Action(action)
        with self._lock:
            refdata = self.refdata()
            if refdata is None:
                raise WorkflowError("no_refdata", "no reference data yet: log in online once so the console "
                                                  "can download the categories, units and grids")
            provisional = None
            if action == Action.CREATE:
                case_id = case_id or uuid.uuid4()
                if offline:
                    provisional = int(self._meta("provisional_counter") or 0) + 1
                    payload = {**payload, "provisional_number": f"P-{self.console_id[:6].upper()}-{provisional}"}
            elif case_id is None:
                raise WorkflowError("no_such_case", f"action '{action}' needs a case id")
            command = workflow.new_command(case_id, action, payload, now, offline=offline,
                                           console_id=self.console_id)
            current = self.case(case_id)
            display = workflow.apply(current, command, actor, refdata, now)
            if provisional is not None:  # used up before the command exists: a crash skips a number, never reuses one
                with self._engine.begin() as conn:
                    tables.set_meta(conn, "provisional_counter", provisional)
            self._outbox.add(command, actor, now)  # durable first: from here on the command exists
            with self._engine.begin() as conn:
                server = tables.server_snapshots(conn, [case_id]).get(case_id)
                tables.write_cases(conn, [case_rows.case_row(display, server, pending=True)], ())
            log.info("queued %s on case %s as command %s%s", action, case_id, command.command_id,
                     " (offline)" if offline else "")
            self.events.cases_changed.emit(
                ChangeSet(added=frozenset({case_id})) if current is None else ChangeSet(updated=frozenset({case_id})))
            self.events.outbox_changed.emit(self._outbox.size())
        return command

    def apply_results(self, results: Iterable[CommandResult]) -> ChangeSet:
        """Store the server's answers: snapshots, conflicts for refusals, display copies without the
        answered commands; only after that commit, drop the answered outbox rows."""
        results = list(results)
        with self._lock:
            queued = self._outbox.cases_of(r.command_id for r in results if r.command_id is not None)
            answered = [r for r in results if r.command_id in queued]  # others were stored before a crash
            rejected = [r for r in answered if r.status == "rejected"]
            refused = self._outbox.by_command_ids(r.command_id for r in rejected)
            with self._engine.begin() as conn:
                snapshots = tables.newer_than_stored(conn, _newest_case_per_id(results))
                dead = scope_exits.case_tombstones(conn, snapshots) if self._tombstones else {}
                snapshots, gone = scope_exits.screen(snapshots, dead, self._visible_units())
                for result in rejected:
                    command = refused[result.command_id].command
                    tables.add_conflict(conn, command, result, datetime.now(timezone.utc),
                                        settled=refusals.is_settled(command, result.reason, result.case))
                positions = {r.case_id: r.position for r in answered if r.position}
                gone = {cid: {**data, "position": positions.get(cid, 0)} for cid, data in gone.items()}
                # the queued command's case: an answer's case_id is null when the server could not read it
                touched = (set(snapshots) | {queued[r.command_id] for r in answered}) - set(gone)
                change_set = self._rebase(touched, conn=conn, snapshots=snapshots, skip=set(queued))
                change_set = change_set.merged(self._forget(conn, gone, skip=set(queued)))
                conflict_count = tables.conflict_count(conn)
            self._outbox.remove(queued)
            for result in rejected:
                log.warning("server refused command %s (%s on case %s): %s: %s", result.command_id,
                            refused[result.command_id].command.action, result.case_id, result.reason, result.message)
            if change_set:
                self.events.cases_changed.emit(change_set)
            if answered:
                self.events.outbox_changed.emit(self._outbox.size())
            if rejected:
                self.events.conflicts_changed.emit(conflict_count)
        return change_set

    def note_send_failure(self, command_ids: Iterable[UUID], error: str) -> None:
        """Count a failed send on each command (shown as attempts / last error)."""
        with self._lock:
            self._outbox.note_failure(command_ids, error)

    # ------------------------------------------------------------------ display copies

    def _rebase(self, case_ids: Iterable[UUID], *, conn: Connection | None = None,
                snapshots: dict[UUID, Case] | None = None, skip: set[UUID] = frozenset()) -> ChangeSet:
        """Rewrite the rows of `case_ids`: the server snapshot (from `snapshots`, else the stored one) plus
        the queued commands except those in `skip`. A case left with neither is removed. Without `conn`,
        runs in its own transaction and emits cases_changed."""
        ids = list(case_ids)
        if not ids:
            return ChangeSet()
        if conn is None:
            with self._lock:
                with self._engine.begin() as own:
                    change_set = self._rebase(ids, conn=own, snapshots=snapshots, skip=skip)
                if change_set:
                    self.events.cases_changed.emit(change_set)
            return change_set
        snapshots = snapshots or {}
        refdata = self.refdata()
        stored = tables.server_snapshots(conn, [i for i in ids if i not in snapshots])
        existing = set(tables.server_versions(conn, ids))
        queued = self._outbox.for_cases(ids, skip=skip)
        rows, added, updated, removed = [], set(), set(), set()
        for case_id in ids:
            server = snapshots.get(case_id) or stored.get(case_id)
            mine = queued.get(case_id, [])
            display = case_rows.rebase(server, mine, refdata) if mine else server
            if display is None:
                if case_id in existing:
                    removed.add(case_id)
                continue
            rows.append(case_rows.case_row(display, server, pending=bool(mine)))
            (updated if case_id in existing else added).add(case_id)
        tables.write_cases(conn, rows, removed)
        return tables.change_set(added, updated, removed)

    # ------------------------------------------------------------------ conflicts

    def resolve_conflict(self, conflict_id: int, resolution: Literal["discard", "reapply"], actor: Actor,
                         now: datetime, *, offline: bool = False) -> Command | None:
        """Discard a refused command, or issue it again (a new command_id) on the current state and
        return the new command. `reapply` raises WorkflowError when the rules still refuse it; the
        conflict then stays listed. KeyError for an unknown (or already resolved) conflict."""
        if resolution not in ("discard", "reapply"):
            raise ValueError(f"resolution must be 'discard' or 'reapply', not {resolution!r}")
        with self._lock:
            conflict = self.conflict(conflict_id)
            if conflict is None:
                raise KeyError(f"no conflict with id {conflict_id} (already resolved?)")
            command = None
            if resolution == "reapply":
                original = conflict.command
                command = self.issue(actor, original.action, original.case_id, original.payload, now, offline=offline)
            with self._engine.begin() as conn:
                tables.delete_conflict(conn, conflict_id)
                count = tables.conflict_count(conn)
            log.info("conflict %d (command %s) resolved: %s", conflict_id, conflict.command.command_id, resolution)
            self.events.conflicts_changed.emit(count)
        return command


def _newest_case_per_id(results: list[CommandResult]) -> dict[UUID, Case]:
    """The newest case state each case's answers carry (a batch may hold several commands on one case)."""
    newest: dict[UUID, Case] = {}
    for result in results:
        case = result.case
        if case is not None and (case.id not in newest or case.version > newest[case.id].version):
            newest[case.id] = case
    return newest
