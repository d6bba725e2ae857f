"""LocalCache: the console's own copy of the world, usable with or without a server.

Two files in one directory: `cache.sqlite` (disposable: server snapshots, display copies, reference data,
settings, cursor, conflicts, offline login verifiers) and `outbox.sqlite` (durable: commands not yet
answered). Reads may come from any thread, each on its own pooled connection; every write holds one lock,
so writes are serialised and no SQLAlchemy connection is ever shared between threads. Events are emitted
after the commit, still under the lock, so listeners see them in commit order.

Write order is what makes crashes harmless: a command is committed to the outbox before its display copy
is written (a crash in between is repaired at the next open), and an answer is committed to the cache
before its outbox row is deleted (a crash in between only resends a command the server deduplicates).
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Literal
from uuid import UUID

from sqlalchemy import Connection, select, text

from app.cache import cache_tables as tables
from app.cache import (
    case_lookup,
    case_rows,
    credentials,
    followups,
    lead_work,
    merged_reports,
    retention,
    scope_exits,
    task_rows,
)
from app.cache.entity_outbox import EntityOutbox
from app.cache.models import CaseTexts, ChangeSet, Conflict, QueuedCommand
from app.cache.outbox_store import OutboxStore
from app.cache.scope_exits import ScopeFollower
from app.cache.sqlite_files import (
    cache_file_problem,
    mark_clean_close,
    move_aside,
    open_engine,
    take_clean_close,
)
from app.cases import refusals, workflow
from app.cases.case import Case
from app.cases.commands import Command, CommandResult
from app.cases.summary import CaseSummary
from app.cases.tasks import Task
from app.cases.workflow import Actor, WorkflowError
from app.platform import scope as scope_rule
from app.platform.enums import Action
from app.platform.events import EventGroup
from app.platform.feed_partition import GLOBAL, Cursor
from db.cache import CACHE_SCHEMA_VERSION, cache_metadata, cases, settings

if TYPE_CHECKING:
    from app.refdata.model import RefData
    from app.wire.feed import Change

log = logging.getLogger(__name__)

CACHE_FILE = "cache.sqlite"


class LocalCache(ScopeFollower):
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
        engine = open_engine(path, synchronous="NORMAL")
        cache_metadata.create_all(engine)
        with engine.begin() as conn:
            tables.init_meta(conn, {"schema_version": CACHE_SCHEMA_VERSION, "cursor": 0})
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

    # ------------------------------------------------------------------ reads

    def summaries(self, ids: Iterable[UUID] | None = None) -> list[CaseSummary]:
        """Queue rows for every case (or the given ids), from the indexed columns only."""
        summary = case_rows.summary_from_raw
        return [summary(row) for rows in self.summary_rows(ids) for row in rows]

    def summary_rows(self, ids: Iterable[UUID] | None = None, chunk: int = 10_000, *,
                     coded: bool = False) -> Iterator[list[tuple]]:
        """`summaries()` as raw sqlite3 tuples (`case_rows.SUMMARY_COLUMNS` order), `chunk` rows at a time:
        for the queue's numpy columns, which never need a CaseSummary per case (100,000 of them cost
        ~140 MB and a second to build). `coded`: status, priority, source and stage as their positions in
        the enums and the three times as integer microseconds (`case_rows.CODED_SUMMARY_SELECT`; -1 for
        a time not in the stored form: read it again with `summary_rows(..., coded=False)`)."""
        select = case_rows.CODED_SUMMARY_SELECT if coded else case_rows.SUMMARY_SELECT
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            if ids is None:
                cursor = raw.execute(case_rows.CODED_ALL_SQL if coded else case_rows.ALL_SUMMARIES_SQL)
                while rows := cursor.fetchmany(chunk):
                    yield rows
                return
            for part in tables.chunks([str(i) for i in ids]):
                marks = ",".join("?" * len(part))
                rows = raw.execute(f"{select} WHERE id IN ({marks})", part).fetchall()
                if rows:
                    yield rows

    def summary_columns(self) -> tuple:
        """Every case's summary columns in one row of concatenated texts (`case_rows.SUMMARY_COLUMNS_SQL`),
        for `app.cases.queue_rows.RowBatch.from_columns`."""
        with self._engine.connect() as conn:
            return conn.connection.driver_connection.execute(case_rows.SUMMARY_COLUMNS_SQL).fetchone()

    def case_count(self) -> int:
        with self._engine.connect() as conn:
            return tables.case_count(conn)

    def case(self, case_id: UUID) -> Case | None:
        """The display copy: what the operator sees, including their own commands not yet answered."""
        return self._case_column(case_id, cases.c.data)

    def cases_with_status(self, status: str) -> list[Case]:
        """The display copies of the cases in one status (by its index: e.g. the few returned cases)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(cases.c.data).where(cases.c.status == str(status))).scalars().all()
        return [Case.model_validate(data) for data in rows]

    def open_tasks(self) -> list[Task]:
        """Every open task inside the cached cases (`app.cases.tasks`): co-handling tasks, on-site checks and
        verifications, read by SQLite's JSON functions (`app.cache.task_rows`), so a 100,000-case cache
        parses no case (the tasks dock reloads after every change)."""
        with self._engine.connect() as conn:
            return task_rows.open_tasks(conn.connection.driver_connection)

    def server_case(self, case_id: UUID) -> Case | None:
        """The last state the server confirmed (None for a case created here and not yet accepted)."""
        with self._engine.connect() as conn:
            data = tables.server_snapshot_json(conn, case_id)
        return None if data is None else Case.model_validate_json(data)

    def case_texts(self, ids: Iterable[UUID], username: str) -> CaseTexts:
        """For the queue's search, "my cases" and the unit column: each case's free text (description,
        address, reporter, joined by \x1f as `app.cases.search.case_text`), the ids whose events name
        `username` or whose inspector it is, and the co-handling units of joint cases with their tasks'
        states. Read by SQLite's JSON functions, so 100,000 cases never become Case objects."""
        texts: dict[UUID, str] = {}
        mine: set[UUID] = set()
        co_units: dict[UUID, tuple[tuple[str, str], ...]] = {}
        sql = text(
            "SELECT id, json_extract(data, '$.description'), json_extract(data, '$.location.address'), "
            "json_extract(data, '$.reporter_name'), json_extract(data, '$.reporter_phone'), "
            "(json_extract(data, '$.inspector') = :u) OR EXISTS (SELECT 1 FROM json_each(data, '$.events') "
            " WHERE json_extract(json_each.value, '$.actor') = :u), "
            "CASE WHEN json_array_length(data, '$.co_tasks') > 0 THEN (SELECT json_group_array(json_array("
            " json_extract(t.value, '$.unit_id'), json_extract(t.value, '$.status'))) "
            " FROM json_each(data, '$.co_tasks') t) END "
            "FROM cases WHERE id IN (SELECT value FROM json_each(:ids))")
        with self._engine.connect() as conn:
            wanted = [str(i) for i in ids]
            for chunk in (wanted[i:i + 2000] for i in range(0, len(wanted), 2000)):
                for row in conn.execute(sql, {"u": username, "ids": json.dumps(chunk)}):
                    case_id = UUID(row[0])
                    texts[case_id] = "\x1f".join(x for x in row[1:5] if x)
                    if row[5]:
                        mine.add(case_id)
                    if row[6]:
                        co_units[case_id] = tuple((unit, state) for unit, state in json.loads(row[6]))
        return CaseTexts(texts, mine, co_units)

    def server_cases(self) -> Iterator[Case]:
        """Every case as the server last confirmed it (none of this console's pending edits), for
        computations that must agree with the server's, such as the performance metrics offline."""
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            rows = raw.execute(f"SELECT {tables.SERVER_JSON} FROM cases").fetchall()
        validate = Case.model_validate_json
        for (data,) in rows:
            if data is not None:
                yield validate(data)

    def follow_up_cases(self, now: datetime | None = None, *, ids: Iterable[UUID] | None = None) -> list[Case]:
        """Cases with an open supervision order or waiting for a callback (`app.cache.followups`); with
        `ids`, only among those."""
        with self._engine.connect() as conn:
            return followups.follow_up_cases(conn.connection.driver_connection, now or datetime.now(timezone.utc),
                                             ids)

    def merged_reports(self, master_id: UUID) -> list[Case]:
        """The repeats merged into a master case, oldest first (`app.cache.merged_reports`)."""
        with self._engine.connect() as conn:
            return merged_reports.merged_into(conn.connection.driver_connection, master_id)

    def find_case_ids(self, ref: str, *, id_prefix: bool = False) -> list[UUID]:
        """The cases whose server or provisional number is `ref` (with `id_prefix`, also those whose id
        starts with it): one query over the summary index, no summary of every case."""
        sql = "SELECT id FROM cases WHERE number = ? OR provisional_number = ?"
        params: tuple = (ref, ref)
        if id_prefix:
            sql += " OR substr(id, 1, ?) = ?"
            params += (len(ref), ref.lower())
        with self._engine.connect() as conn:
            rows = conn.connection.driver_connection.execute(sql, params).fetchall()
        return [UUID(row[0]) for row in rows]

    def lookup(self, query: str, limit: int = 30) -> list[case_lookup.Hit]:
        """Cases found by number, provisional number, phone, address or description, best first
        (`app.cache.case_lookup`): all cached cases, whatever the queue shows."""
        with self._engine.connect() as conn:
            return case_lookup.lookup(conn, query, limit)

    def lead_work(self, now: datetime | None = None) -> dict[lead_work.Kind, list[lead_work.Item]]:
        """What waits for a shift lead (`app.cache.lead_work`): extension requests, verification failures,
        escalations, suspensions due to resume, and this console's unsettled conflicts."""
        with self._engine.connect() as conn:
            found = lead_work.case_work(conn, now or datetime.now(timezone.utc))
            conflicts = [c for c in tables.read_conflicts(conn) if not c.settled]
        found[lead_work.Kind.CONFLICT] = [lead_work.conflict_item(c) for c in conflicts]
        return found

    def cases_updated_since(self, since: datetime) -> list[Case]:
        """The cases updated at or after `since`, each as the server last confirmed it, else (created here
        and not accepted yet) as displayed; one query, no summary of every case (the shift timeline)."""
        with self._engine.connect() as conn:
            rows = conn.connection.driver_connection.execute(
                f"SELECT coalesce({tables.SERVER_JSON}, data) FROM cases WHERE updated_at >= ?",
                (case_rows.stored_time(since),)).fetchall()
        validate = Case.model_validate_json
        return [validate(data) for (data,) in rows]

    def _case_column(self, case_id: UUID, column) -> Case | None:
        with self._engine.connect() as conn:
            data = conn.execute(select(column).where(cases.c.id == str(case_id))).scalar_one_or_none()
        return None if data is None else Case.model_validate(data)

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

    # ------------------------------------------------------------------ issuing commands

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

    # ------------------------------------------------------------------ applying the server's news

    def apply_changes(self, changes: Iterable[Change], cursor: int | Cursor) -> ChangeSet:
        """Apply one page of the changes feed and store its cursor (a position, or one per partition), all in
        one transaction.

        Fast path for the cases without queued commands (nearly all): the queue columns come straight from
        the received dict (checked for shape by `case_rows.feed_row`, not a full Case validation) and the
        JSON is stored once. Cases with queued commands are validated in full and rebased. A malformed
        entry raises `case_rows.BadCase` (a ValueError) before anything is written."""
        received: dict[UUID, tuple[int, tuple, dict]] = {}
        new_settings: dict[str, Any] = {}
        new_entities: dict[str, dict[str, tuple[int, Any]]] = {}
        gone_cases: dict[UUID, dict[str, Any]] = {}
        gone_entities: dict[str, set[str]] = {}
        for change in changes:  # parsed before taking the lock: a bad page changes nothing
            if change.kind == "case":
                try:
                    case_id, version, row = case_rows.feed_row(change.data)
                except case_rows.BadCase as exc:
                    raise case_rows.BadCase(f"malformed case in feed entry {change.position} "
                                            f"(id {change.id}): {exc}") from None
                received[case_id] = (version, row, change.data)
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
        with self._lock:
            with self._engine.begin() as conn:
                known = tables.server_versions(conn, received)
                dead = scope_exits.case_tombstones(conn, received) if self._tombstones else {}
                newer = {cid: entry for cid, entry in received.items()
                         if (known.get(cid) is None or entry[0] > known[cid]) and entry[0] > dead.get(cid, -1)}
                queued = self._outbox.cases_with_commands(newer)
                # Validated in full before anything is written: these go through the workflow.
                snapshots = {cid: Case.model_validate(newer[cid][2]) for cid in queued}
                plain = [cid for cid in newer if cid not in queued]
                tables.write_cases(conn, [newer[cid][1] for cid in plain], ())
                rebased = self._rebase(snapshots.keys(), conn=conn, snapshots=snapshots)
                change_set = ChangeSet(frozenset(c for c in plain if c not in known) | rebased.added,
                                       frozenset(c for c in plain if c in known) | rebased.updated, rebased.removed)
                change_set = change_set.merged(self._forget(conn, gone_cases))
                for key, value in new_settings.items():
                    tables.set_setting(conn, key, value)
                for kind, rows in new_entities.items():
                    tables.put_entities(conn, kind, rows)
                for kind, ids in gone_entities.items():
                    tables.delete_entities(conn, kind, ids)
                tables.set_meta(conn, "cursor", cursor.to_json() if isinstance(cursor, Cursor) else cursor)
            if change_set:
                self.events.cases_changed.emit(change_set)
            for key, value in new_settings.items():
                self.events.settings_changed.emit(key, value)
            for kind, rows in new_entities.items():
                self.events.entities_changed.emit(kind, frozenset(rows))
            for kind, ids in gone_entities.items():
                self.events.entities_changed.emit(kind, frozenset(ids))
        return change_set

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


def _newest_case_per_id(results: list[CommandResult]) -> dict[UUID, Case]:
    """The newest case state each case's answers carry (a batch may hold several commands on one case)."""
    newest: dict[UUID, Case] = {}
    for result in results:
        case = result.case
        if case is not None and (case.id not in newest or case.version > newest[case.id].version):
            newest[case.id] = case
    return newest
