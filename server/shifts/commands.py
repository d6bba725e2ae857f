"""Applying entity commands (`app.shifts.commands`): each exactly once, in its own transaction.

As `server.cases.commands` does for cases: lock the entity's row, answer a known `command_id` with its stored
answer, else apply as the authenticated user and store the answer (accepted or rejected) in the same
transaction, so a retry after a lost answer gets the same one. A rejection is an answer, not an HTTP
error: the console puts it in front of the lead (e.g. a signature of a version that has changed). It
carries the handover only when its caller could GET it (`server.platform.scope.visible_handover`: not a unit
handler), decided when it is stored and again when it is replayed. As for cases, a batch item that does not fit the schema (`server.platform.batch_items.BadCommand`) is a stored rejection,
and one that fails unexpectedly is answered `internal_error` (not stored) while the others are applied.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.cases.commands import problems
from app.shifts.commands import PAYLOADS, SET_NOTES, SIGN, EntityCommand, EntityCommandResult
from db.shifts import EntityCommandRow, HandoverRow, ShiftRow
from server.audit import chain as audit
from server.shifts import handover
from server.platform.auth import AuthUser
from server.platform.scope import visible_handover
from server.platform.batch_items import BadCommand
from server.cases.commands import clock_refusal
from server.platform.errors import is_database_outage

log = logging.getLogger(__name__)


def apply_entity_commands(session_factory: sessionmaker[Session], user: AuthUser,
                          commands: list[EntityCommand | BadCommand],
                          now_fn: Callable[[], datetime]) -> list[EntityCommandResult]:
    return [_answer_one(session_factory, user, command, now_fn) for command in commands]


def _answer_one(session_factory, user: AuthUser, command: EntityCommand | BadCommand, now_fn) -> EntityCommandResult:
    """The command's answer whatever happens (see `server.cases.commands.answer_one`)."""
    if command.command_id is None:
        log.warning("rejected an entity command without a usable command id from %s: %s", user.username,
                    command.message)
        return EntityCommandResult(command_id=None, status="rejected", reason=command.reason, message=command.message)
    try:
        return _apply_one(session_factory, user, command, now_fn)
    except Exception as exc:
        if is_database_outage(exc):
            raise
        log.exception("entity command %s (%s on %s by %s) failed; answered internal_error", command.command_id,
                      command.action, command.entity_id, user.username)
        return EntityCommandResult(command_id=command.command_id, status="rejected", reason="internal_error",
                                   message=f"the server failed on this command ({type(exc).__name__}); "
                                           f"it was not applied")


def _apply_one(session_factory, user: AuthUser, command: EntityCommand | BadCommand, now_fn) -> EntityCommandResult:
    for attempt in (1, 2):
        try:
            with session_factory() as session, session.begin():
                return _apply_in_transaction(session, user, command, now_fn())
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("entity command %s lost a race; retrying", command.command_id)
    raise AssertionError("unreachable")


def _current(session: Session, shift_id: uuid.UUID | None) -> dict | None:
    if shift_id is None:
        return None
    row = session.get(HandoverRow, shift_id)
    return handover.handover_data(row, session.get(ShiftRow, shift_id)) if row is not None else None


def _replayed(user: AuthUser, result: EntityCommandResult) -> EntityCommandResult:
    """A stored answer for its own user: a refusal keeps the handover only if the caller may read it now
    (answers stored before refusals were filtered carried it to anyone)."""
    if result.status == "rejected":
        return result.model_copy(update={"data": visible_handover(user, result.data)})
    return result


def _apply_in_transaction(session: Session, user: AuthUser, command: EntityCommand | BadCommand,
                          now: datetime) -> EntityCommandResult:
    stored = session.get(EntityCommandRow, command.command_id)
    if stored is not None:
        if stored.username != user.username:
            message = f"command id {command.command_id} was already used by another user"
            audit.record(session, at=now, actor=user.username, role=str(user.role),
                         action=f"handover_{command.action}", entity_kind=command.kind, entity_id=command.entity_id,
                         result="rejected", reason="conflict", console_id=command.console_id,
                         client_time=command.issued_at, offline=command.offline,
                         detail={"command_id": str(command.command_id), "message": message})
            return EntityCommandResult(command_id=command.command_id, status="rejected", reason="conflict",
                                       message=message)
        return _replayed(user, EntityCommandResult.model_validate(stored.result))
    try:
        shift_id: uuid.UUID | None = uuid.UUID(command.entity_id)
    except ValueError:
        shift_id = None
    reason = message = None

    def store(result: EntityCommandResult) -> dict:
        stored_json = result.model_dump(mode="json")
        session.add(EntityCommandRow(command_id=command.command_id, username=user.username, kind=command.kind,
                                     entity_id=command.entity_id, action=command.action, received_at=now,
                                     status=result.status, result=stored_json))
        session.flush()
        return stored_json

    accepted: dict | None = None

    def store_accepted(data: dict) -> None:
        nonlocal accepted
        accepted = store(EntityCommandResult(command_id=command.command_id, status="accepted", data=data))

    if isinstance(command, BadCommand):
        reason, message = command.reason, command.message
    elif shift_id is None:
        reason, message = "invalid_request", f"entity id {command.entity_id!r} is not a shift id (a UUID)"
    elif (refusal := clock_refusal(command.issued_at, now)) is not None:
        reason, message = refusal
    else:
        try:
            payload = PAYLOADS[command.action].model_validate(command.payload)
        except ValidationError as exc:
            reason, message = "invalid_payload", f"{command.action}: {problems(exc, 'payload')}"
        else:
            extra = {"console_id": command.console_id, "client_time": command.issued_at,
                     "offline": command.offline, "before_audit": store_accepted}
            try:
                if command.action == SET_NOTES:
                    handover.set_notes(session, user, shift_id, payload.notes, now, **extra)
                elif command.action == SIGN:
                    handover.sign(session, user, shift_id, payload.content_hash, now, remarks=payload.remarks, **extra)
            except handover.HandoverRefused as refusal:  # raised before anything was written
                reason, message = refusal.reason, refusal.message
    if reason is None:
        if accepted is None:  # e.g. notes unchanged: nothing to publish, still an accepted answer
            accepted = store(EntityCommandResult(command_id=command.command_id, status="accepted",
                                                 data=_current(session, shift_id)))
        return EntityCommandResult.model_validate(accepted)
    data = visible_handover(user, _current(session, shift_id))
    stored_json = store(EntityCommandResult(command_id=command.command_id, status="rejected", reason=reason,
                                            message=message, data=data))
    audit.record(session, at=now, actor=user.username, role=str(user.role), action=f"handover_{command.action}",
                 entity_kind=command.kind, entity_id=command.entity_id, result="rejected", reason=reason,
                 console_id=command.console_id, client_time=command.issued_at, offline=command.offline,
                 detail={"command_id": str(command.command_id), "message": message})
    log.info("rejected %s on handover %s by %s: %s", command.action, command.entity_id, user.username, reason)
    return EntityCommandResult.model_validate(stored_json)
