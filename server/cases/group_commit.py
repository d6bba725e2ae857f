"""Committing a group of a batch's commands in one transaction (`server.cases.commands.apply_batch`).

One transaction per command cost about nine statements and a commit each, the feed counter held from
the command's tail to its commit; a drained outbox of 10,000 commands paid that 10,000 times. A group
pays it once, in four steps:

1. lock every existing case row of the group, in id order (two groups never wait on each other in a
   cycle), then read the stored answers of the group's command ids (after the locks: a concurrent
   attempt at the same commands has committed by then, and its answers are found);
2. decide every command in Python, in batch order, on the cases as the group left them so far: a
   stored answer is answered as stored, a refusal (`WorkflowError`, the console's clock, an unusable
   item, a photo the command names not on the server yet) is an answer like an acceptance, never a
   rollback: the workflow refuses before anything is written, so nothing needs undoing and no
   SAVEPOINT is needed;
3. prepare everything in Python, the group's new cases still unnumbered: each touched case's final row
   and JSON, its new ledger events, every new answer's stored JSON and audit entry;
4. then the shared rows, as late as possible (every other group waits for their locks until this one
   commits): number the new cases, in batch order, with one step of the year's case-number counter
   (the number put into the prepared rows, answers and audit entries), write each touched case once
   (its final row, every new ledger event, its metric facts), and the tail, last, as a lone command's
   is (`server.feed.record`): one feed counter step for all accepted commands (each its own position,
   in batch order), the feed rows, every answer stored, the audit entries in batch order, one NOTIFY.

Anything unexpected (a bug, a unique violation from a concurrent creation of the same case, a
deadlock) rolls the whole group back and raises; the caller then applies that group one command at a
time (`server.cases.commands.answer_one`), which answers each on its own. Nothing of a rolled-back
group was stored, so each of its commands is applied exactly once either way.
"""
from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.cases.case import Case
from app.cases.commands import Command, CommandResult
from app.cases.workflow import WorkflowError, apply
from app.platform.scope import CASE, case_scope
from db.cases import CaseEventRow, CaseRow, CommandRow, street_of_grid
from db.platform import CASE_NUMBER_COUNTER_PREFIX, CounterRow
from server.audit import chain as audit
from server.cases import repeats
from server.feed.record import record_change, record_positions
from server.metrics import facts as metrics
from server.photos.gate import missing_photos
from server.platform import counters
from server.platform.auth import AuthUser
from server.platform.batch_items import BadCommand
from server.platform.clock import clock_refusal
from server.platform.many_rows import insert_rows, update_rows

log = logging.getLogger(__name__)

_CASES, _EVENTS, _COMMANDS = CaseRow.__table__, CaseEventRow.__table__, CommandRow.__table__
_LOCK_CASES = (select(_CASES.c.id, _CASES.c.data).where(_CASES.c.id.in_(bindparam("ids", expanding=True)))
               .order_by(_CASES.c.id).with_for_update())
_SELECT_ANSWERS = (select(_COMMANDS.c.command_id, _COMMANDS.c.username, _COMMANDS.c.result)
                   .where(_COMMANDS.c.command_id.in_(bindparam("ids", expanding=True))))
_NO_CASE = uuid.UUID(int=0)
_COUNTERS = CounterRow.__table__
_ADVANCE = (update(_COUNTERS).where(_COUNTERS.c.name == bindparam("counter"))
            .values(value=_COUNTERS.c.value + bindparam("by")).returning(_COUNTERS.c.value))

# Tests set this to fail a group on purpose (after its writes, before its tail): the fallback is what they test.
fail_group: Callable[[Session, list], None] | None = None


class _Stored:
    """A command id's owner and answer, as `stored_answer` reads a stored row: for a command id repeated
    within the group, whose first answer is not stored yet."""

    __slots__ = ("result", "username")

    def __init__(self, username: str):
        self.username, self.result = username, None


class _Answer:
    """One command's answer in the making: `stored` (its JSON, written in the tail) or `replayed` (a
    CommandResult answered as it was stored before). `user` is the command's own sender and `context` its
    request's context (`contextvars`: its log lines and audit entry carry its request id), None for the
    thread's own."""

    __slots__ = ("case", "command", "context", "replayed", "result", "same_as", "stored", "user")

    def __init__(self, command, user: AuthUser, context: contextvars.Context | None, *,
                 result: CommandResult | None = None, replayed: CommandResult | None = None,
                 case: Case | None = None, same_as: _Answer | None = None):
        self.command, self.user, self.context = command, user, context
        self.result, self.replayed, self.case, self.same_as = result, replayed, case, same_as
        self.stored: dict | None = None

    def run(self, fn: Callable, *args):
        """`fn(*args)` in the command's request context."""
        return fn(*args) if self.context is None else self.context.run(fn, *args)

    def final(self) -> CommandResult:
        if self.same_as is not None:
            return self.same_as.final()
        return self.replayed if self.replayed is not None else self.result


def apply_group(session: Session, user: AuthUser | Sequence[AuthUser], commands: list[Command | BadCommand],
                refdata, now: datetime, *, stored_answer: Callable, rejected: Callable, audit_entry: Callable,
                contexts: Sequence[contextvars.Context | None] | None = None) -> list[CommandResult]:
    """Apply `commands` (each with a command id) in `session`'s open transaction; their answers in order
    (each the very model whose JSON is stored: a retry reads back the same answer). The helpers
    are `server.cases.commands`' own, so a group answers, stores and audits exactly as a lone command.

    `user` is every command's sender, or one per command (a group of several requests,
    `server.cases.combiner`): each command is scope-checked, answered from its stored answer only for its
    owner, audited and stored under its own; `contexts`, one per command, the request contexts its log
    lines and audit entry are made in."""
    users = [user] * len(commands) if isinstance(user, AuthUser) else list(user)
    runs = list(contexts) if contexts is not None else [None] * len(commands)
    case_ids = sorted({c.case_id for c in commands if c.case_id is not None})
    rows = {row.id: row.data for row in session.execute(_LOCK_CASES, {"ids": case_ids})} if case_ids else {}
    stored = {row.command_id: row for row in session.execute(
        _SELECT_ANSWERS, {"ids": [c.command_id for c in commands]})}

    originals: dict[uuid.UUID, Case | None] = {}  # each touched case as it stands in the database
    current: dict[uuid.UUID, Case | None] = {}    # ... and as the group has left it so far

    def case_now(case_id) -> Case | None:
        if case_id not in current:
            data = rows.get(case_id)
            current[case_id] = originals[case_id] = Case.model_validate(data) if data is not None else None
        return current[case_id]

    answers: list[_Answer] = []
    seen: dict[uuid.UUID, _Answer] = {}
    for command, sender, context in zip(commands, users, runs):
        first = seen.get(command.command_id)
        if first is not None:  # the same id twice in one group: the second is answered as the first was
            if first.user.username == sender.username:
                answers.append(_Answer(command, sender, context, same_as=first))
            else:  # ... to its owner only: another user gets what a stored answer of another gives them
                answers.append(_Answer(command, sender, context, replayed=stored_answer(
                    _Stored(first.user.username), sender, command, refdata)))
            continue
        found = stored.get(command.command_id)
        if found is not None:
            answer = _Answer(command, sender, context, replayed=stored_answer(found, sender, command, refdata))
        else:
            answer = _Answer(command, sender, context)
            answer.run(_decide, session, answer, case_now(command.case_id) if command.case_id is not None else None,
                       refdata, now, rejected, current)
        seen[command.command_id] = answer
        answers.append(answer)

    created = [case_id for case_id, case in current.items() if originals[case_id] is None and case is not None]
    # Everything in Python first: the rows, the answers' JSON and the audit entries, the new cases still
    # unnumbered. Only then the counters, whose row locks every other group waits for until this commits.
    written, writes = _prepare_cases(originals, current)
    # each written case's street as its row holds it: the feed rows and the audit chains need not read it back
    streets = {case_id: street_of_grid(case.location.grid_code) for case_id, (case, _data) in written.items()}
    fresh, rows, entries = _prepare_tail(answers, now, audit_entry, written, streets)
    if created:
        _number(session, created, answers, written, writes, fresh, entries, now, refdata)
    _write_cases(session, writes, originals, current, refdata)
    if fail_group is not None:
        fail_group(session, commands)
    _tail(session, fresh, rows, entries, streets)
    return [a.final() for a in answers]


def _decide(session, answer: _Answer, case: Case | None, refdata, now, rejected, current) -> _Answer:
    """`answer` (a command and its sender) decided: its result, and its case if accepted."""
    command, user = answer.command, answer.user
    if isinstance(command, BadCommand):
        answer.result = rejected(command, command.reason, command.message, case, user, refdata)
        return answer
    if (refusal := clock_refusal(command.issued_at, now)
            or missing_photos(session, command)) is not None:  # the same gates as a lone command's
        answer.result = rejected(command, *refusal, case, user, refdata)
        return answer
    try:
        new_case = apply(case, command, user.actor, refdata, now)
        # the repeat rules read committed cases only: a repeat of a case created earlier in this same group is
        # not seen (as when two consoles report it at once); the desk merges it by hand
        new_case = repeats.after_apply(session, case, command, new_case, refdata, now)
    except WorkflowError as err:
        answer.result = rejected(command, err.code, err.message, case, user, refdata)
        return answer
    current[command.case_id] = new_case  # a new case is numbered once the group is decided (`_number`)
    answer.result = CommandResult(command_id=command.command_id, case_id=command.case_id, status="accepted",
                                  version=new_case.version, position=0, case=new_case)
    answer.case = new_case
    return answer


def _number(session: Session, created: list, answers: list[_Answer], written: dict, writes: tuple,
            fresh: list[_Answer], entries: list[dict], now: datetime, refdata) -> None:
    """Give the group's new cases their numbers (`YYYY-NNNNNN`, per year of the city's calendar, as
    `server.cases.commands._next_case_number`), in the order they were created, from one counter step
    (taken here, after the group's Python work: see `apply_group`), and put each number where the
    prepared group carries its case unnumbered: the case rows and their JSON, the answers' JSON and
    models, and the audit entries (whose `detail` names the number, so their canonical body is made again)."""
    year = now.astimezone(refdata.policy.calendar.tz).year
    name = f"{CASE_NUMBER_COUNTER_PREFIX}{year}"
    top = session.execute(_ADVANCE, {"counter": name, "by": len(created)}).scalar_one_or_none()
    if top is None:  # the year's first case: the counter row is created
        top = counters.increment(session, name)
        if len(created) > 1:
            top = session.execute(_ADVANCE, {"counter": name, "by": len(created) - 1}).scalar_one()
    numbers = {case_id: f"{year}-{serial:06d}"
               for case_id, serial in zip(created, range(top - len(created) + 1, top + 1))}
    by_text = {str(case_id): number for case_id, number in numbers.items()}

    for case_id, number in numbers.items():  # the rows (and the JSON they share with the final answers)
        written[case_id][1]["number"] = number
    for values in writes[0]:
        values["number"] = numbers[values["id"]]
    for answer, entry in zip(fresh, entries):
        case = answer.stored.get("case")
        if case is not None and case.get("id") in by_text:
            case["number"] = by_text[case["id"]]
            detail = entry["detail"]
            if isinstance(detail, dict) and "number" in detail:
                entry["detail"] = {**detail, "number": case["number"]}
                entry["body"] = audit.canonical_body(entry)
    for answer in answers:  # each result is this group's own (`_decide`): numbered in place, the case copied
        if answer.replayed is None and answer.same_as is None and answer.result.case is not None \
                and answer.result.case.id in numbers:
            answer.result.case = answer.result.case.model_copy(update={"number": numbers[answer.result.case.id]})


def _case_values(case: Case, data: dict) -> dict:
    return {"number": case.number, "status": str(case.status), "priority": str(case.priority),
            "category_code": case.category_code, "unit_id": case.unit_id, "grid_code": case.location.grid_code,
            "jurisdiction": street_of_grid(case.location.grid_code),
            "created_at": case.created_at, "updated_at": case.updated_at, "due_at": case.due_at,
            "version": case.version, "data": data, **repeats.row_values(case)}


_FIELDS = tuple(Case.model_fields)
_NOT_EVENTS = frozenset(_FIELDS) - {"events"}


def _case_json(case: Case, written: dict) -> dict:
    """`case.model_dump(mode="json")`, for a version of a case the group wrote (`written`: case id -> its
    final version and that one's JSON). The ledger only grows, so an earlier version's events are the first
    of the final version's, the very same objects: their JSON is taken from the final version's instead of
    being made again (they were most of each of the group's several snapshots of a case)."""
    final, data = written.get(case.id, (None, None))
    if case is final:
        return data
    n = len(case.events)
    if final is None or n > len(final.events) or any(a is not b for a, b in zip(case.events, final.events)):
        return case.model_dump(mode="json")
    # The workflow makes a version with `model_copy(update=...)`: a field it did not change is the very object the
    # next version holds, and so the final version's JSON of it is this version's too. Only the others are dumped.
    changed = {name for name in _NOT_EVENTS if getattr(case, name) is not getattr(final, name)}
    head = case.model_dump(mode="json", include=changed) if changed else {}
    events = data["events"][:n]
    return {name: events if name == "events" else head[name] if name in changed else data[name] for name in _FIELDS}


def _prepare_cases(originals: dict, current: dict) -> tuple[dict, tuple[list, list, list]]:
    """The rows of each case the group changed, as the group left it: each one's final version and its JSON
    (case id -> (case, JSON), for `_case_json`), and the rows to write (new cases, changed cases, new
    ledger events)."""
    inserts, updates, events = [], [], []
    written: dict[uuid.UUID, tuple[Case, dict]] = {}
    for case_id, new in current.items():
        old = originals[case_id]
        if new is None or new is old:
            continue
        data = new.model_dump(mode="json")
        written[case_id] = (new, data)
        values = _case_values(new, data)
        if old is None:
            inserts.append({"id": case_id, **values})
        else:
            updates.append({"id": case_id, **values})
        known = len(old.events) if old is not None else 0
        events += [{
            "case_id": case_id, "seq": event.seq, "action": str(event.action), "actor": event.actor,
            "actor_role": str(event.actor_role), "at": event.at, "client_time": event.client_time,
            "offline": event.offline, "console_id": event.console_id, "command_id": event.command_id,
            "from_status": str(event.from_status) if event.from_status is not None else None,
            "to_status": str(event.to_status), "payload": event.payload,
        } for event in new.events[known:]]
    return written, (inserts, updates, events)


def _write_cases(session: Session, writes: tuple[list, list, list], originals: dict, current: dict,
                 refdata) -> None:
    """The rows of `_prepare_cases` (new rows before their events) and the metric facts of every change."""
    inserts, updates, events = writes
    # the new cases, the changed ones and the new ledger events each in one statement (`server.platform.many_rows`:
    # a row-by-row UPDATE was a pipelined executemany, most of this function's time), the cases first (the
    # events' foreign key)
    insert_rows(session, _CASES, inserts)
    update_rows(session, _CASES, updates, "id")
    insert_rows(session, _EVENTS, events)
    # from each case's first state to its last: the same rows as step by step
    metrics.record_facts_many(session, [(originals[case_id], new) for case_id, new in current.items()
                                        if new is not None and new is not originals[case_id]], refdata)
    session.flush()


def _prepare_tail(answers: list[_Answer], now: datetime, audit_entry: Callable, written: dict,
                  streets: dict) -> tuple[list[_Answer], list[dict], list[dict]]:
    """The new answers (neither replayed nor repeated), their stored JSON (set on each, its position still
    0), the rows storing them and their audit entries ready for `audit.record_many`, all in batch order,
    each under its own sender and made in its own request's context."""
    fresh = [a for a in answers if a.replayed is None and a.same_as is None]
    rows, entries, made = [], [], []
    for answer in fresh:
        result, command, user = answer.result, answer.command, answer.user
        if result.status == "accepted":
            answer.stored = {**result.model_dump(mode="json", exclude={"case"}),
                             "case": _case_json(answer.case, written)}
        else:
            answer.stored = result.model_dump(mode="json")
            answer.run(log.info, "rejected %s on case %s by %s: %s", command.action, command.case_id,
                       user.username, result.reason)
        rows.append({"command_id": command.command_id, "username": user.username,
                     "case_id": command.case_id or _NO_CASE, "action": str(command.action), "received_at": now,
                     "status": result.status, "result": answer.stored})
        made.append(_with_chain(audit_entry(user, command, now, result), command, streets))
    # prepared in each request's context (the entry names its request id): one call per request's run
    start = 0
    for end in range(1, len(fresh) + 1):
        if end == len(fresh) or fresh[end].context is not fresh[start].context:
            entries += fresh[start].run(audit.prepare_many, made[start:end])
            start = end
    return fresh, rows, entries


def _with_chain(entry: dict, command, streets: dict) -> dict:
    """A command's audit entry naming its chain when the group wrote its case (its city, from the street the
    row holds: what `audit.record_many` would read back); others are left to read theirs."""
    if command.case_id in streets:
        chain = audit.chain_of_street(streets[command.case_id])
        if audit.valid_chain(chain):
            entry["chain"] = chain
    return entry


def _tail(session: Session, fresh: list[_Answer], rows: list[dict], entries: list[dict], streets: dict) -> None:
    """Feed positions, stored answers and audit entries of every new answer, in batch order (module doc, 4),
    as `_prepare_tail` made them: from the feed counter on, every other writer waits, so only the
    statements and the position's placing are left for then."""
    if not fresh:
        return
    accepted = [a for a in fresh if a.result.status == "accepted"]
    if accepted:
        positions = record_positions(session, CASE, [(a.command.case_id, case_scope(a.case)) for a in accepted],
                                     streets=streets)
        if positions is None:  # no feed counter row yet (a fresh database): `record_change` creates it
            positions = [record_change(session, CASE, a.command.case_id, scope=case_scope(a.case))
                         for a in accepted]
        for answer, position in zip(accepted, positions):
            answer.stored["position"] = position
            answer.result.position = position  # the group's own result (`_decide`), not a stored one
    insert_rows(session, _COMMANDS, rows)
    audit.record_many(session, entries)
