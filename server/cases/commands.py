"""Applying command batches: each command exactly once, in batch order; on PostgreSQL a batch's commands
are committed in groups (`server.cases.group_commit`), and each alone as below when a group fails.

The rules live in `app.cases.workflow.apply`; this module only wraps it in a transaction:

1. lock the case row (`SELECT … FOR UPDATE` on PostgreSQL; an SQLite writer holds the database lock
   from BEGIN IMMEDIATE), so commands on one case are applied one at a time;
2. if the `command_id` was answered before, return the stored answer unchanged (the lock makes a
   concurrent retry wait for the first attempt and then find its answer);
3. apply the workflow as the *authenticated* user; write the case row, its new ledger events and the
   feed change, and store the answer, all in the one transaction. Rejections are stored too, so a retry
   gets the same answer.

A unique violation means a concurrent request won a race the lock cannot cover (two creations of the
same case): roll back and try again, which then finds the stored answer or the existing case.

In a batch every command is answered on its own (`server.platform.batch_items`): one that does not fit the schema
is a rejection like any other, and one that fails unexpectedly is answered `internal_error` (its
transaction rolled back, nothing stored, so a resend is applied afresh) while the others are applied.
Only the database being unreachable fails the whole batch, for the console to send again later.
"""
from __future__ import annotations

import contextvars
import functools
import logging
import uuid
from collections.abc import Callable
from datetime import datetime

import psycopg
from sqlalchemy import Text, bindparam, cast, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.cases.case import Case
from app.cases.commands import BatchResult, Command, CommandBatch, CommandResult
from app.cases.workflow import WorkflowError, apply
from app.platform.scope import CASE, case_scope
from app.wire import raw
from db.cases import CaseEventRow, CaseRow, CommandRow
from db.platform import CASE_NUMBER_COUNTER_PREFIX
from server.audit import chain as audit
from server.cases import group_commit, repeats
from server.cases.lanes import ONE_LANE, BatchLanes, apply_lanes, by_case_lanes
from server.cases.system_ids import system_command_id  # noqa: F401 - where the sweeps import it from
from server.feed.record import (
    mark_changed,
    partitioned,
    pg_change_cte,
    pg_change_params,
    pg_notify_column,
    record_change,
)
from server.metrics import facts as metrics
from server.photos.gate import missing_photos
from server.platform import counters, request_context
from server.platform.auth import AuthUser
from server.platform.batch_items import BadCommand, ReadBatch
from server.platform.clock import clock_refusal
from server.platform.errors import is_database_outage
from server.platform.scope import visible_case

log = logging.getLogger(__name__)

# The tables themselves (not the ORM classes) for the writes: plain Core statements, with none of the ORM's
# bulk-statement bookkeeping (an ORM UPDATE alone evaluated its criteria against the session each time).
# Built once; the values come as parameters (building `.values(...)` per call cost more than sending it).
_CASES, _EVENTS, _COMMANDS = CaseRow.__table__, CaseEventRow.__table__, CommandRow.__table__
_INSERT_CASE = insert(_CASES)
_UPDATE_CASE = update(_CASES).where(_CASES.c.id == bindparam("case_id"))
_INSERT_EVENTS = insert(_EVENTS)
_INSERT_COMMAND = insert(_COMMANDS)
_SELECT_CASE = select(_CASES.c.data).where(_CASES.c.id == bindparam("case_id")).with_for_update()
_SELECT_ANSWER = (select(_COMMANDS.c.username, _COMMANDS.c.result)
                  .where(_COMMANDS.c.command_id == bindparam("command_id")))
_MAX_ATTEMPTS = 3
_NO_CASE = uuid.UUID(int=0)  # the stored case id of a bad command whose own case id is unusable

Hook = Callable[[Session], None]


def apply_batch(session_factory: sessionmaker[Session], user: AuthUser, batch: CommandBatch | ReadBatch, refdata,
                now_fn: Callable[[], datetime], *, before_commit: Hook | None = None,
                lanes: BatchLanes = ONE_LANE, group: int = 1) -> BatchResult:
    """Apply every command of `batch` as `user`, each case's commands in batch order, and answer them in
    batch order (a `BadCommand` of a read batch is answered rejected, see `answer_one`).

    On PostgreSQL the commands of different cases run in up to `lanes.count` lanes at once (`server.cases.lanes`);
    elsewhere, and for a batch on one case, one after another. `before_commit`, if given, runs inside each
    command's transaction just before it commits (tests use it to widen race windows). An unexpected
    exception rolls back the command it happened in, which is answered `internal_error`; only the
    database becoming unreachable propagates (once the lanes have stopped): what committed before stays
    committed and is found again (stored answers) when the batch is retried.

    With `group` > 1 on PostgreSQL (`settings.commit_group`), up to `group` consecutive commands share one
    transaction instead (`server.cases.group_commit`; `before_commit` then runs once per group); a group
    that fails unexpectedly is applied again one command at a time, as above.
    """
    bind = session_factory.kw.get("bind")
    if bind is None or len(batch.commands) < 2:
        results = [answer_one(session_factory, user, command, refdata, now_fn, before_commit=before_commit)
                   for command in batch.commands]
        return BatchResult(results=results, server_time=now_fn())
    if group > 1 and bind.dialect.name == "postgresql":
        with bind.connect() as connection:
            factory = functools.partial(session_factory, bind=connection)
            results = []
            for start in range(0, len(batch.commands), group):
                results += apply_together(factory, user, batch.commands[start:start + group], refdata, now_fn,
                                          before_commit)
        return BatchResult(results=results, server_time=now_fn())
    by_case = by_case_lanes(batch.commands) if lanes.count > 1 and bind.dialect.name == "postgresql" else None
    if by_case is not None and len(by_case) > 1:
        results = apply_lanes(bind, session_factory, user, batch.commands, by_case, lanes, refdata, now_fn,
                              before_commit, answer_one)
        return BatchResult(results=results, server_time=now_fn())
    # One pooled connection for the whole batch (still one transaction per command): checked out, and
    # pinged, once instead of once per command.
    with bind.connect() as connection:
        factory = functools.partial(session_factory, bind=connection)
        results = [answer_one(factory, user, command, refdata, now_fn, before_commit=before_commit)
                   for command in batch.commands]
    return BatchResult(results=results, server_time=now_fn())


def apply_together(factory, user: AuthUser | list[AuthUser], commands: list, refdata, now_fn,
                   before_commit: Hook | None, contexts: list[contextvars.Context] | None = None
                   ) -> list[CommandResult]:
    """One group's answers (`server.cases.group_commit`), or, when the group fails for any reason but an
    outage (rolled back whole: nothing of it was stored), each command's own `answer_one`. `user` is every
    command's sender, or one per command, as `contexts` are their requests' contexts (a group of several
    requests, `server.cases.combiner`)."""
    users = [user] * len(commands) if isinstance(user, AuthUser) else user
    runs = contexts if contexts is not None else [None] * len(commands)

    def alone(i: int) -> CommandResult:
        args = (factory, users[i], commands[i], refdata, now_fn)
        if runs[i] is None:
            return answer_one(*args, before_commit=before_commit)
        return runs[i].run(functools.partial(answer_one, *args, before_commit=before_commit))

    usable = [i for i, c in enumerate(commands) if c.command_id is not None]
    try:
        with factory() as session, session.begin():
            answers = group_commit.apply_group(
                session, [users[i] for i in usable], [commands[i] for i in usable], refdata, now_fn(),
                stored_answer=_stored_answer, rejected=_rejected, audit_entry=_audit_entry,
                contexts=[runs[i] for i in usable])
            if before_commit is not None:
                before_commit(session)
    except Exception as exc:
        if is_database_outage(exc) and not _lost_a_race(exc):
            raise
        log.warning("a group of %d commands by %s failed (%s: %s); applying them one at a time", len(usable),
                    ", ".join(sorted({u.username for u in users})), type(exc).__name__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        return [alone(i) for i in range(len(commands))]
    by_id = iter(answers)
    return [next(by_id) if c.command_id is not None else alone(i) for i, c in enumerate(commands)]


def _lost_a_race(exc: BaseException) -> bool:
    """A deadlock or serialization failure: the database chose this transaction to roll back; applied
    one at a time, its commands go through."""
    return isinstance(getattr(exc, "orig", None), psycopg.errors.TransactionRollback)


def answer_one(session_factory: Callable[[], Session], user: AuthUser, command: Command | BadCommand, refdata,
               now_fn: Callable[[], datetime], *, before_commit: Hook | None = None) -> CommandResult:
    """A batch command's answer, whatever happens while applying it: `apply_command`'s, or a rejection
    `internal_error` when it fails unexpectedly (rolled back and not stored, so a resend is applied
    afresh; the console records the rejection as a conflict and goes on with its outbox). Only a
    database outage propagates: every command would fail alike, and the batch is sent again later."""
    if command.command_id is None:  # nothing to store it under: answered, logged, and that is all
        log.warning("rejected a command without a usable command id from %s: %s", user.username, command.message)
        return CommandResult(command_id=None, case_id=command.case_id, status="rejected", reason=command.reason,
                             message=command.message)
    try:
        with request_context.applying_command(command.command_id):
            return apply_command(session_factory, user, command, refdata, now_fn, before_commit=before_commit)
    except Exception as exc:
        if is_database_outage(exc):
            raise
        log.exception("command %s (%s on case %s by %s) failed; answered internal_error", command.command_id,
                      command.action, command.case_id, user.username)
        return CommandResult(command_id=command.command_id, case_id=command.case_id, status="rejected",
                             reason="internal_error", message=f"the server failed on this command "
                                                              f"({type(exc).__name__}); it was not applied")


def apply_command(session_factory: Callable[[], Session], user: AuthUser, command: Command | BadCommand, refdata,
                  now_fn: Callable[[], datetime], *, before_commit: Hook | None = None) -> CommandResult:
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        try:
            with session_factory() as session, session.begin():
                result = _apply_in_transaction(session, user, command, refdata, now_fn())
                if before_commit is not None:
                    before_commit(session)
            # Validated after the commit: the feed counter's lock is held to the commit (server.feed.record),
            # and every other command waits for it meanwhile.
            return result if isinstance(result, CommandResult) else CommandResult.model_validate(result)
        except IntegrityError as exc:
            if attempt == _MAX_ATTEMPTS:
                raise
            log.info("command %s lost a race (%s); retrying", command.command_id, exc.orig.__class__.__name__)
    raise AssertionError("unreachable")


def _apply_in_transaction(session: Session, user: AuthUser, command: Command | BadCommand, refdata,
                          now: datetime) -> CommandResult | dict:
    """The command's answer: a CommandResult, or its stored JSON form (validated by the caller)."""
    # Core statements, not the ORM's unit of work: a command is a handful of known rows, and the ORM's
    # bookkeeping cost more than the statements themselves (bench_sync's outbox drain).
    row = session.execute(_SELECT_CASE, {"case_id": command.case_id}).first()
    stored = session.execute(_SELECT_ANSWER, {"command_id": command.command_id}).first()
    if stored is not None:
        return _stored_answer(stored, user, command, refdata)
    case = Case.model_validate(row.data) if row is not None else None

    if isinstance(command, BadCommand):
        result = _rejected(command, command.reason, command.message, case, user, refdata)
    elif (refusal := clock_refusal(command.issued_at, now)) is not None or (refusal := missing_photos(session, command)) is not None:
        result = _rejected(command, *refusal, case, user, refdata)
    else:
        try:
            new_case = apply(case, command, user.actor, refdata, now)
            new_case = repeats.after_apply(session, case, command, new_case, refdata, now)
        except WorkflowError as err:
            result = _rejected(command, err.code, err.message, case, user, refdata)
        else:
            if case is None:
                new_case = new_case.model_copy(update={"number": _next_case_number(session, now, refdata)})
            case_json = _write_case(session, row, case, new_case)
            metrics.record_facts(session, case, new_case, refdata)  # same transaction; no SELECT
            session.flush()
            accepted = CommandResult(command_id=command.command_id, case_id=command.case_id, status="accepted",
                                     version=new_case.version, position=0, case=new_case)
            # the case was just dumped for its row: the same JSON, not dumped again
            stored_json = {**accepted.model_dump(mode="json", exclude={"case", "position"}), "case": case_json}
            entry = _audit_entry(user, command, now, accepted)
            if session.get_bind().dialect.name == "postgresql":
                position = _pg_accept(session, user, command, now, stored_json, entry, case_scope(new_case))
                if position is not None:
                    return {**stored_json, "position": position}
            position = record_change(session, CASE, new_case.id, scope=case_scope(new_case))  # last: see server.feed.record
            stored_json = {**stored_json, "position": position}
            _store_answer(session, user, command, now, "accepted", stored_json)
            audit.record(session, **entry)
            return stored_json
    # Stored as JSON and answered from the stored form, so a retry's answer is byte-for-byte the same.
    stored_json = result.model_dump(mode="json")
    _store_answer(session, user, command, now, result.status, stored_json)
    audit.record(session, **_audit_entry(user, command, now, result))
    log.info("rejected %s on case %s by %s: %s", command.action, command.case_id, user.username, result.reason)
    return stored_json


def _store_answer(session: Session, user: AuthUser, command: Command | BadCommand, now: datetime, status: str,
                  stored_json: dict) -> None:
    session.execute(_INSERT_COMMAND, {
        "command_id": command.command_id, "username": user.username, "case_id": command.case_id or _NO_CASE,
        "action": str(command.action), "received_at": now, "status": status, "result": stored_json})


def _audit_entry(user: AuthUser, command: Command | BadCommand, now: datetime, result: CommandResult) -> dict:
    """`audit.record`'s keyword arguments for a command's answer."""
    return dict(at=now, actor=user.username, role=str(user.role), action=str(command.action),
                entity_kind="case", entity_id=str(command.case_id or ""), result=result.status, reason=result.reason,
                console_id=command.console_id, client_time=command.issued_at, offline=command.offline,
                detail={"command_id": str(command.command_id), "version": result.version,
                        "number": result.case.number if result.case is not None else None})


# ---- PostgreSQL: an accepted command's tail in one statement ---------------------------------------------
#
# From the feed counter on, every other command waits (server.feed.record: the counter's row lock, held to the
# commit, orders positions by commit). Written as `record_change`, storing the answer and `audit.record`,
# the tail was three round trips plus the Python between them while holding that lock; with the GIL
# shared by hundreds of long-poll answers, each return to Python could wait, and under 100 commands a
# second the lock became the queue every command stood in. So everything is prepared before it, and
# the counter, the feed row, the stored answer (with its position spliced in) and the audit entry go in
# one statement, followed only by the commit.

_PG_ACCEPT: dict = {}
_AUDIT = "audit_"


def _pg_accept_statement(by_city: bool):
    """The statement, built once per kind of counter (`server.feed.record.pg_change_cte`)."""
    if by_city not in _PG_ACCEPT:
        ins = pg_change_cte(by_city)
        # The stored answer's JSON text with the position spliced in: the same bytes a retry reads back.
        answer = cast(bindparam("answer_head", type_=Text) + cast(ins.c.position, Text)
                      + bindparam("answer_tail", type_=Text), _COMMANDS.c.result.type)
        names = ["command_id", "username", "case_id", "action", "received_at", "status"]
        stored = (insert(_COMMANDS)
                  .from_select([*names, "result"],
                               select(*[bindparam(f"c_{n}", type_=_COMMANDS.c[n].type) for n in names], answer)
                               .select_from(ins))
                  .returning(_COMMANDS.c.command_id)).cte("stored")
        entry = audit.pg_append_cte(stored, _AUDIT)
        _PG_ACCEPT[by_city] = select(ins.c.position, pg_notify_column(ins.c.position, ins.c.partition),
                                     select(entry.c.seq).scalar_subquery(), ins.c.partition)
    return _PG_ACCEPT[by_city]


def _pg_accept(session: Session, user: AuthUser, command: Command, now: datetime, stored_json: dict,
               entry: dict, scope: str) -> int | None:
    """The feed change, the stored answer and the audit entry of an accepted command in one statement;
    its position, or None when the feed counter row is missing (nothing was written: the caller goes
    the long way, which creates it)."""
    head, tail = raw.accepted_answer_parts(stored_json)
    params = {"answer_head": head, "answer_tail": tail,
              "c_command_id": command.command_id, "c_username": user.username, "c_case_id": command.case_id,
              "c_action": str(command.action), "c_received_at": now, "c_status": "accepted",
              **pg_change_params(CASE, command.case_id, scope=scope), **audit.pg_append_params(_AUDIT, **entry)}
    found = session.execute(_pg_accept_statement(partitioned(session)), params).first()
    if found is None:
        return None
    position, _notified, seq, partition = found
    mark_changed(session, position, partition)
    if seq is None:  # no head row for its audit chain yet (a city's first entry): `record` creates it
        audit.record(session, **entry)
    return position


def _stored_answer(stored, user: AuthUser, command: Command | BadCommand, refdata) -> CommandResult:
    if stored.username != user.username:
        # Never hand one user's answer to another; this command id is simply not theirs to use.
        return CommandResult(command_id=command.command_id, case_id=command.case_id, status="rejected",
                             reason="conflict", message=f"command id {command.command_id} was already used "
                                                        f"by another user")
    result = CommandResult.model_validate(stored.result)
    if result.status == "rejected" and result.case is not None:
        # Stored already filtered; judged again against the caller as they are now (a handler moved to
        # another unit since keeps nothing of a case it can no longer read).
        return result.model_copy(update={"case": visible_case(user, result.case, refdata)})
    return result


def _rejected(command: Command | BadCommand, reason: str, message: str, case: Case | None, user: AuthUser,
              refdata) -> CommandResult:
    """A refusal; it carries the server's case only when `user` could GET it (`server.platform.scope`)."""
    return CommandResult(command_id=command.command_id, case_id=command.case_id, status="rejected",
                         reason=reason, message=message, case=visible_case(user, case, refdata))


def _next_case_number(session: Session, now: datetime, refdata) -> str:
    """`YYYY-NNNNNN`, numbered per year of the city's own calendar (its time zone, not UTC)."""
    year = now.astimezone(refdata.policy.calendar.tz).year
    serial = counters.increment(session, f"{CASE_NUMBER_COUNTER_PREFIX}{year}")
    return f"{year}-{serial:06d}"


def _write_case(session: Session, row, old: Case | None, new: Case) -> dict:
    """Insert (`row` None) or update the case row and add its new ledger events; returns the case's JSON."""
    values = {
        "number": new.number,
        "status": str(new.status),
        "priority": str(new.priority),
        "category_code": new.category_code,
        "unit_id": new.unit_id,
        "grid_code": new.location.grid_code,
        **repeats.row_values(new),
        "created_at": new.created_at,
        "updated_at": new.updated_at,
        "due_at": new.due_at,
        "version": new.version,
        "data": new.model_dump(mode="json"),
    }
    if row is None:
        session.execute(_INSERT_CASE, {"id": new.id, **values})  # before its events (foreign key)
    else:
        session.execute(_UPDATE_CASE, {"case_id": new.id, **values})
    known = len(old.events) if old is not None else 0
    events = [{
        "case_id": new.id, "seq": event.seq, "action": str(event.action), "actor": event.actor,
        "actor_role": str(event.actor_role), "at": event.at, "client_time": event.client_time,
        "offline": event.offline, "console_id": event.console_id, "command_id": event.command_id,
        "from_status": str(event.from_status) if event.from_status is not None else None,
        "to_status": str(event.to_status), "payload": event.payload,
    } for event in new.events[known:]]
    if events:
        session.execute(_INSERT_EVENTS, events)  # one multi-row INSERT
    return values["data"]
