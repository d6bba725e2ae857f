"""LocalCache: the console's own copy of the world, usable with or without a server.

Two files in one directory: `cache.sqlite` (disposable: server snapshots, display copies, reference data,
settings, cursor, conflicts, offline login verifiers) and `outbox.sqlite` (durable: commands not yet
answered). Reads may come from any thread, each on its own pooled connection; every write holds one lock,
so writes are serialised and no SQLAlchemy connection is ever shared between threads. Events are emitted
after the commit, still under the lock, so listeners see them in commit order.
"""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal
from uuid import UUID

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import workflow
from app.cache import case_rows
from app.cache.credentials import OfflineLoginError, check_password, make_verifier
from app.cache.models import CaseSummary, ChangeSet, Conflict, QueuedCommand
from app.cache.outbox_store import OutboxStore
from app.cache.sqlite_files import cache_file_problem, move_aside, open_engine
from app.case import Case
from app.commands import Command, CommandResult
from app.enums import Action
from app.events import EventGroup
from app.workflow import Actor, WorkflowError
from db.cache_schema import CACHE_SCHEMA_VERSION, cache_metadata, cases, conflicts, credentials, meta, settings

if TYPE_CHECKING:
    from app.refdata import RefData
    from app.sync.protocol import Change

log = logging.getLogger(__name__)

CACHE_FILE = "cache.sqlite"
_ID_CHUNK = 5000  # ids per IN (...) clause, well below SQLite's variable limit

_UPSERT_CASE = sqlite_insert(cases)
_UPSERT_CASE = _UPSERT_CASE.on_conflict_do_update(
    index_elements=[cases.c.id],
    set_={c.name: _UPSERT_CASE.excluded[c.name] for c in cases.columns if c.name != "id"},
)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _chunks(items: list, size: int = _ID_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class LocalCache:
    """See the module docstring. `rebuilt` is True when a bad cache file was moved aside at open."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.events = EventGroup("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed")
        self._lock = threading.RLock()
        self._refdata: RefData | None = None
        self._refdata_loaded = False
        self.rebuilt = False
        self.moved_aside_to: Path | None = None
        self._outbox = OutboxStore(self.directory)  # opened first and never touched by a cache rebuild
        self._engine = self._open_cache_file()
        self.console_id: str = self._meta("console_id") or self._init_console_id()
        self._rebase_cases(self._outbox.for_cases().keys())  # a crash may have left a display copy behind

    # ------------------------------------------------------------------ opening and closing

    def _open_cache_file(self):
        path = self.directory / CACHE_FILE
        problem = cache_file_problem(path, CACHE_SCHEMA_VERSION)
        if problem is not None:
            self.moved_aside_to = move_aside(path)
            self.rebuilt = True
            log.warning("cache %s is unusable (%s); moved it to %s and starting an empty cache that will be "
                        "refilled from the server (the outbox is untouched)", path, problem, self.moved_aside_to)
        engine = open_engine(path, synchronous="NORMAL")
        cache_metadata.create_all(engine)
        with engine.begin() as conn:
            for key, value in (("schema_version", CACHE_SCHEMA_VERSION), ("cursor", 0)):
                conn.execute(sqlite_insert(meta).values(key=key, value=value).on_conflict_do_nothing())
        return engine

    def _init_console_id(self) -> str:
        console_id = uuid.uuid4().hex
        with self._lock, self._engine.begin() as conn:
            self._set_meta(conn, "console_id", console_id)
        return console_id

    def close(self) -> None:
        self._engine.dispose()
        self._outbox.close()

    # ------------------------------------------------------------------ meta helpers

    def _meta(self, key: str, conn: Connection | None = None) -> Any:
        if conn is not None:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()
        with self._engine.connect() as own:
            return self._meta(key, own)

    @staticmethod
    def _set_meta(conn: Connection, key: str, value: Any) -> None:
        stmt = sqlite_insert(meta).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": stmt.excluded.value}))

    # ------------------------------------------------------------------ reads

    def summaries(self, ids: Iterable[UUID] | None = None) -> list[CaseSummary]:
        """Queue rows for every case (or the given ids), from the indexed columns only."""
        columns = [cases.c[name] for name in case_rows.SUMMARY_COLUMNS]
        with self._engine.connect() as conn:
            if ids is None:
                rows = conn.execute(select(*columns)).all()
            else:
                rows = []
                for chunk in _chunks([str(i) for i in ids]):
                    rows += conn.execute(select(*columns).where(cases.c.id.in_(chunk))).all()
        return [case_rows.summary_from_row(row) for row in rows]

    def case_count(self) -> int:
        with self._engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(cases)).scalar_one()

    def case(self, case_id: UUID) -> Case | None:
        """The display copy: what the operator sees, including their own commands not yet answered."""
        return self._case_column(case_id, cases.c.data)

    def server_case(self, case_id: UUID) -> Case | None:
        """The last state the server confirmed (None for a case created here and not yet accepted)."""
        return self._case_column(case_id, cases.c.server_data)

    def _case_column(self, case_id: UUID, column) -> Case | None:
        with self._engine.connect() as conn:
            data = conn.execute(select(column).where(cases.c.id == str(case_id))).scalar_one_or_none()
        return None if data is None else Case.model_validate(data)

    def refdata(self) -> RefData | None:
        """The reference data last downloaded from the server (None before the first download)."""
        with self._lock:
            if not self._refdata_loaded:
                data = self._meta("refdata")
                if data is not None:
                    from app.refdata import RefData
                    self._refdata = RefData.from_dict(data)
                self._refdata_loaded = True
            return self._refdata

    def refdata_version(self) -> str | None:
        return self._meta("refdata_version")

    def setting(self, key: str) -> Any:
        with self._engine.connect() as conn:
            return conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one_or_none()

    def settings(self) -> dict[str, Any]:
        with self._engine.connect() as conn:
            return {key: value for key, value in conn.execute(select(settings.c.key, settings.c.value))}

    def conflicts(self) -> list[Conflict]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(conflicts).order_by(conflicts.c.id)).all()
        return [Conflict(id=r.id, command=Command.model_validate(r.command), reason=r.reason, message=r.message,
                         server_case=Case.model_validate(r.server_case) if r.server_case else None,
                         created_at=r.created_at) for r in rows]

    def conflict_count(self) -> int:
        with self._engine.connect() as conn:
            return self._conflict_count(conn)

    @staticmethod
    def _conflict_count(conn: Connection) -> int:
        return conn.execute(select(func.count()).select_from(conflicts)).scalar_one()

    def outbox_size(self) -> int:
        return self._outbox.size()

    def pending_commands(self, case_id: UUID | None = None) -> list[Command]:
        """Commands not yet answered by the server, in issue order (all cases, or one)."""
        grouped = self._outbox.for_cases(None if case_id is None else [case_id])
        queued = sorted((q for items in grouped.values() for q in items), key=lambda q: q.seq)
        return [q.command for q in queued]

    def outbox_batch(self, limit: int) -> list[QueuedCommand]:
        """The oldest `limit` queued commands, in issue order: the next batch to send."""
        return self._outbox.oldest(limit)

    def cursor(self) -> int:
        return int(self._meta("cursor") or 0)

    def server_url(self) -> str | None:
        return self._meta("server_url")

    # ------------------------------------------------------------------ issuing commands

    def issue(self, actor: Actor, action: Action | str, case_id: UUID | None, payload: dict[str, Any],
              now: datetime, *, offline: bool) -> Command:
        """Validate a command against the display copy, queue it durably, then show it.

        Raises WorkflowError when the rules refuse it; nothing is written then. When this returns, the
        command is committed to the outbox and will reach the server even if the console is killed."""
        action = Action(action)
        with self._lock:
            refdata = self.refdata()
            if refdata is None:
                raise WorkflowError("no_refdata", "no reference data yet: log in online once so the console "
                                                  "can download the categories, units and grids")
            if action == Action.CREATE:
                case_id = case_id or uuid.uuid4()
                if offline:
                    payload = {**payload, "provisional_number": self._next_provisional_number()}
            elif case_id is None:
                raise WorkflowError("no_such_case", f"action '{action}' needs a case id")
            command = workflow.new_command(case_id, action, payload, now, offline=offline,
                                           console_id=self.console_id)
            current = self.case(case_id)
            display = workflow.apply(current, command, actor, refdata, now)
            self._outbox.add(command, actor, now)  # durable first: from here on the command exists
            with self._engine.begin() as conn:
                server = self._server_snapshots(conn, [case_id]).get(case_id)
                conn.execute(_UPSERT_CASE, case_rows.case_row(display, server, pending=True))
            change = ChangeSet(added=frozenset({case_id})) if current is None else ChangeSet(
                updated=frozenset({case_id}))
            log.info("queued %s on case %s as command %s%s", action, case_id, command.command_id,
                     " (offline)" if offline else "")
            self.events.cases_changed.emit(change)
            self.events.outbox_changed.emit(self._outbox.size())
        return command

    def _next_provisional_number(self) -> str:
        """`P-<console short id>-<n>`, committed before use so a crash never hands out a number twice."""
        with self._engine.begin() as conn:
            n = int(self._meta("provisional_counter", conn) or 0) + 1
            self._set_meta(conn, "provisional_counter", n)
        return f"P-{self.console_id[:6].upper()}-{n}"

    # ------------------------------------------------------------------ applying the server's news

    def apply_changes(self, changes: Iterable[Change], cursor: int) -> ChangeSet:
        """Apply one page of the changes feed and store its cursor, all in one transaction."""
        snapshots: dict[UUID, Case] = {}
        new_settings: dict[str, Any] = {}
        for change in changes:
            if change.kind == "case":
                case = Case.model_validate(change.data)
                snapshots[case.id] = case
            elif change.kind == "setting":
                new_settings[change.data["key"]] = change.data.get("value")
            else:
                log.warning("skipping feed entry %s of unknown kind %r", change.position, change.kind)
        with self._lock:
            with self._engine.begin() as conn:
                known = self._server_versions(conn, list(snapshots))
                newer = {cid: case for cid, case in snapshots.items()
                         if known.get(cid) is None or case.version > known[cid]}
                change_set = self._rebase_cases(newer.keys(), conn=conn, snapshots=newer)
                for key, value in new_settings.items():
                    stmt = sqlite_insert(settings).values(key=key, value=value)
                    conn.execute(stmt.on_conflict_do_update(index_elements=[settings.c.key],
                                                            set_={"value": stmt.excluded.value}))
                self._set_meta(conn, "cursor", cursor)
            if change_set:
                self.events.cases_changed.emit(change_set)
            for key, value in new_settings.items():
                self.events.settings_changed.emit(key, value)
        return change_set

    def apply_results(self, results: Iterable[CommandResult]) -> ChangeSet:
        """Store the server's answers: snapshots, then conflicts for refusals, then the display copies
        without the answered commands, and only after that commit drop the answered outbox rows."""
        results = list(results)
        with self._lock:
            queued = self._outbox.by_command_ids(r.command_id for r in results)
            answered = [r for r in results if r.command_id in queued]  # others were stored before a crash
            if len(answered) < len(results):
                log.info("%d answers were for commands no longer queued (already applied)",
                         len(results) - len(answered))
            with self._engine.begin() as conn:
                snapshots = self._newest_snapshots(conn, results)
                rejected = [r for r in answered if r.status == "rejected"]
                for result in rejected:
                    self._add_conflict(conn, queued[result.command_id].command, result)
                touched = set(snapshots) | {r.case_id for r in answered}
                change_set = self._rebase_cases(touched, conn=conn, snapshots=snapshots,
                                                skip=set(queued))
                conflict_count = self._conflict_count(conn)
            self._outbox.remove(queued)
            for result in rejected:
                log.warning("server refused command %s (%s on case %s): %s: %s", result.command_id,
                            queued[result.command_id].command.action, result.case_id, result.reason,
                            result.message)
            if change_set:
                self.events.cases_changed.emit(change_set)
            if answered:
                self.events.outbox_changed.emit(self._outbox.size())
            if rejected:
                self.events.conflicts_changed.emit(conflict_count)
        return change_set

    def note_send_failure(self, command_ids: Iterable[UUID], error: str) -> None:
        with self._lock:
            self._outbox.note_failure(command_ids, error)

    def _newest_snapshots(self, conn: Connection, results: list[CommandResult]) -> dict[UUID, Case]:
        """The newest case state carried by the results, where it is newer than what the cache holds."""
        carried: dict[UUID, Case] = {}
        for result in results:
            case = result.case
            if case is not None and (case.id not in carried or case.version > carried[case.id].version):
                carried[case.id] = case
        known = self._server_versions(conn, list(carried))
        return {cid: case for cid, case in carried.items() if known.get(cid) is None or case.version > known[cid]}

    @staticmethod
    def _add_conflict(conn: Connection, command: Command, result: CommandResult) -> None:
        conn.execute(sqlite_insert(conflicts).values(
            command_id=str(command.command_id), case_id=str(command.case_id), action=command.action.value,
            command=command.model_dump(mode="json"), reason=result.reason or "rejected",
            message=result.message or "", created_at=_utcnow(),
            server_case=result.case.model_dump(mode="json") if result.case else None,
        ).on_conflict_do_nothing(index_elements=[conflicts.c.command_id]))

    # ------------------------------------------------------------------ display copies

    def _rebase_cases(self, case_ids: Iterable[UUID], *, conn: Connection | None = None,
                      snapshots: dict[UUID, Case] | None = None, skip: set[UUID] = frozenset()) -> ChangeSet:
        """Rewrite the rows of `case_ids`: server snapshot (new one from `snapshots`, else the stored one)
        plus the queued commands except those in `skip`. A case left with neither is removed."""
        ids = list(case_ids)
        if not ids:
            return ChangeSet()
        if conn is None:
            with self._lock, self._engine.begin() as own:
                change_set = self._rebase_cases(ids, conn=own, snapshots=snapshots, skip=skip)
            if change_set:
                self.events.cases_changed.emit(change_set)
            return change_set
        snapshots = snapshots or {}
        refdata = self.refdata()
        stored = self._server_snapshots(conn, [i for i in ids if i not in snapshots])
        existing = set(self._server_versions(conn, ids))
        queued = self._outbox.for_cases(ids)
        rows, added, updated, removed = [], set(), set(), set()
        for case_id in ids:
            server = snapshots.get(case_id) or stored.get(case_id)
            mine = [q for q in queued.get(case_id, ()) if q.command.command_id not in skip]
            display = case_rows.rebase(server, mine, refdata) if mine else server
            if display is None:
                if case_id in existing:
                    conn.execute(delete(cases).where(cases.c.id == str(case_id)))
                    removed.add(case_id)
                continue
            rows.append(case_rows.case_row(display, server, pending=bool(mine)))
            (updated if case_id in existing else added).add(case_id)
        if rows:
            conn.execute(_UPSERT_CASE, rows)
        return ChangeSet(frozenset(added), frozenset(updated), frozenset(removed))

    @staticmethod
    def _server_versions(conn: Connection, ids: list[UUID]) -> dict[UUID, int | None]:
        """The server version of each of `ids` the cache holds (None: created here, not yet accepted)."""
        found: dict[UUID, int | None] = {}
        for chunk in _chunks([str(i) for i in ids]):
            for id_, version in conn.execute(select(cases.c.id, cases.c.server_version)
                                             .where(cases.c.id.in_(chunk))):
                found[UUID(id_)] = version
        return found

    @staticmethod
    def _server_snapshots(conn: Connection, ids: list[UUID]) -> dict[UUID, Case]:
        found: dict[UUID, Case] = {}
        for chunk in _chunks([str(i) for i in ids]):
            for id_, data in conn.execute(select(cases.c.id, cases.c.server_data).where(cases.c.id.in_(chunk))):
                if data is not None:
                    found[UUID(id_)] = Case.model_validate(data)
        return found

    # ------------------------------------------------------------------ conflicts

    def resolve_conflict(self, conflict_id: int, resolution: Literal["discard", "reapply"], actor: Actor,
                         now: datetime, *, offline: bool = False) -> Command | None:
        """Discard a refused command, or issue it again (a new command_id) on the current state.

        `reapply` raises WorkflowError when the rules still refuse it; the conflict then stays listed."""
        if resolution not in ("discard", "reapply"):
            raise ValueError(f"resolution must be 'discard' or 'reapply', not {resolution!r}")
        with self._lock:
            found = [c for c in self.conflicts() if c.id == conflict_id]
            if not found:
                raise KeyError(f"no conflict with id {conflict_id} (already resolved?)")
            conflict = found[0]
            command = None
            if resolution == "reapply":
                original = conflict.command
                command = self.issue(actor, original.action, original.case_id, original.payload, now,
                                     offline=offline)
            with self._engine.begin() as conn:
                conn.execute(delete(conflicts).where(conflicts.c.id == conflict_id))
                count = self._conflict_count(conn)
            log.info("conflict %d (command %s) resolved: %s", conflict_id, conflict.command.command_id, resolution)
            self.events.conflicts_changed.emit(count)
        return command

    # ------------------------------------------------------------------ reference data, settings, meta

    def store_refdata(self, data: dict[str, Any]) -> RefData:
        """Keep the server's reference data (validated first) and redraw cases with queued commands,
        whose display copies may have been waiting for it."""
        from app.refdata import RefData

        refdata = RefData.from_dict(data)
        with self._lock:
            with self._engine.begin() as conn:
                self._set_meta(conn, "refdata", data)
                self._set_meta(conn, "refdata_version", str(data.get("version") or refdata.version))
            self._refdata, self._refdata_loaded = refdata, True
            self._rebase_cases(self._outbox.for_cases().keys())
        return refdata

    def store_server_url(self, url: str) -> None:
        with self._lock, self._engine.begin() as conn:
            self._set_meta(conn, "server_url", url)

    # ------------------------------------------------------------------ offline login

    def store_credentials(self, username: str, password: str, user: dict[str, Any], now: datetime) -> None:
        """Remember a successful online login so the same user can log in here while the server is down."""
        verifier = make_verifier(password)  # slow on purpose; outside the lock
        with self._lock, self._engine.begin() as conn:
            stmt = sqlite_insert(credentials).values(username=username, verifier=verifier, user=user,
                                                     last_online_login=now)
            conn.execute(stmt.on_conflict_do_update(index_elements=[credentials.c.username], set_={
                "verifier": stmt.excluded.verifier, "user": stmt.excluded.user,
                "last_online_login": stmt.excluded.last_online_login}))

    def verify_offline(self, username: str, password: str) -> dict[str, Any]:
        """The stored user record when `password` matches the last online login; OfflineLoginError if not."""
        with self._engine.connect() as conn:
            row = conn.execute(select(credentials).where(credentials.c.username == username)).one_or_none()
        if row is None:
            raise OfflineLoginError("unknown_user", f"user '{username}' has never logged in online on this "
                                                    "console, so cannot log in while the server is unreachable")
        if not check_password(row.verifier, password):
            raise OfflineLoginError("bad_password", f"wrong password for '{username}' (checked against the "
                                                    "last successful online login on this console)")
        return dict(row.user)
