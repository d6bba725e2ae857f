"""Applying entity commands of every kind (`app.platform.entity_commands`): each exactly once, in its own
transaction, whatever the kind.

What every kind shares lives here: a known `command_id` is answered with its stored answer (to its own
user only), an unusable item is a stored rejection (`server.platform.batch_items.BadCommand`), the
console's clock is checked (`server.platform.clock`), the payload is validated against the kind's model,
and the answer (accepted or rejected) is stored in the command's own transaction, so a retry after a lost
answer gets the same one. A rejection is an answer, not an HTTP error: the console puts it in front of its
user (e.g. a signature of a version that has changed). It carries the entity only when its caller could
read it (the kind's `visible`), decided when it is stored and again when it is replayed. One that fails
unexpectedly is answered `internal_error` (not stored) while the others are applied; a database outage
fails the batch, for the console to send again.

What a kind adds is an `EntityHandler`: how its entity id is read, what each action does (raising
`EntityRefused` before writing anything), the entity as it stands, and who may see it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.platform.edge_types import problems
from app.platform.entity_commands import (
    EntityCommand,
    EntityCommandResult,
    EntityKind,
    UnknownCommand,
    payload_model,
)
from db.shifts import EntityCommandRow
from server.audit import chain as audit
from server.platform.auth import AuthUser
from server.platform.batch_items import BadCommand
from server.platform.clock import clock_refusal
from server.platform.errors import is_database_outage

log = logging.getLogger(__name__)

BeforeAudit = Callable[[dict[str, Any]], None]


class EntityRefused(Exception):
    """An action the kind's rules refuse, raised before anything was written."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


class EntityHandler(Protocol):
    """One entity kind on the server."""

    kind: EntityKind

    def key(self, entity_id: str) -> Any:
        """The entity's key from its wire id; raises ValueError (with a message) when it is not one."""

    def apply(self, session: Session, user: AuthUser, key: Any, action: str, payload: Any, now: datetime, *,
              console_id: str | None, client_time: datetime, offline: bool, before_audit: BeforeAudit) -> None:
        """Apply one action (its payload validated); calls `before_audit(entity)` once the entity is written
        and before its audit entry; raises EntityRefused before writing anything."""

    def current(self, session: Session, key: Any) -> dict[str, Any] | None:
        """The entity as it stands, or None."""

    def visible(self, user: AuthUser, data: dict[str, Any] | None) -> dict[str, Any] | None:
        """`data` if `user` may read it, else None."""


def apply_entity_commands(session_factory: sessionmaker[Session], user: AuthUser,
                          commands: list[EntityCommand | BadCommand], now_fn: Callable[[], datetime],
                          handlers: Mapping[str, EntityHandler]) -> list[EntityCommandResult]:
    return [_answer_one(session_factory, user, command, now_fn, handlers) for command in commands]


def _answer_one(session_factory, user: AuthUser, command: EntityCommand | BadCommand, now_fn,
                handlers: Mapping[str, EntityHandler]) -> EntityCommandResult:
    """The command's answer whatever happens (see `server.cases.commands.answer_one`)."""
    if command.command_id is None:
        log.warning("rejected an entity command without a usable command id from %s: %s", user.username,
                    command.message)
        return EntityCommandResult(command_id=None, status="rejected", reason=command.reason, message=command.message)
    try:
        for attempt in (1, 2):
            try:
                with session_factory() as session, session.begin():
                    return _apply_in_transaction(session, user, command, now_fn(), handlers)
            except IntegrityError:
                if attempt == 2:
                    raise
                log.info("entity command %s lost a race; retrying", command.command_id)
        raise AssertionError("unreachable")
    except Exception as exc:
        if is_database_outage(exc):
            raise
        log.exception("entity command %s (%s on %s %s by %s) failed; answered internal_error", command.command_id,
                      command.action, command.kind, command.entity_id, user.username)
        return EntityCommandResult(command_id=command.command_id, status="rejected", reason="internal_error",
                                   message=f"the server failed on this command ({type(exc).__name__}); "
                                           f"it was not applied")


def _audit_refusal(session: Session, user: AuthUser, command: EntityCommand | BadCommand, now: datetime,
                   reason: str, message: str) -> None:
    audit.record(session, at=now, actor=user.username, role=str(user.role), action=f"{command.kind}_{command.action}",
                 entity_kind=command.kind, entity_id=command.entity_id, result="rejected", reason=reason,
                 console_id=command.console_id, client_time=command.issued_at, offline=command.offline,
                 detail={"command_id": str(command.command_id), "message": message})


def _apply_in_transaction(session: Session, user: AuthUser, command: EntityCommand | BadCommand, now: datetime,
                          handlers: Mapping[str, EntityHandler]) -> EntityCommandResult:
    handler = handlers.get(command.kind)
    stored = session.get(EntityCommandRow, command.command_id)
    if stored is not None:
        if stored.username != user.username:  # never one user's answer to another
            message = f"command id {command.command_id} was already used by another user"
            _audit_refusal(session, user, command, now, "conflict", message)
            return EntityCommandResult(command_id=command.command_id, status="rejected", reason="conflict",
                                       message=message)
        result = EntityCommandResult.model_validate(stored.result)
        if result.status == "rejected":  # judged again against the caller as they are now
            stored_handler = handlers.get(stored.kind)
            data = stored_handler.visible(user, result.data) if stored_handler is not None else None
            result = result.model_copy(update={"data": data})
        return result

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

    key: Any = None
    reason = message = None
    if isinstance(command, BadCommand):
        reason, message = command.reason, command.message
    elif handler is None:
        reason, message = "invalid_request", f"kind: unknown entity kind {command.kind!r} " \
                                             f"(known: {', '.join(sorted(handlers))})"
    else:
        try:
            key = handler.key(command.entity_id)
        except ValueError as exc:
            reason, message = "invalid_request", f"entity_id: {exc}"
        else:
            reason, message = _applied(session, user, command, now, handler, key, store_accepted)
    if reason is None:
        if accepted is None:  # e.g. notes unchanged: nothing to publish, still an accepted answer
            accepted = store(EntityCommandResult(command_id=command.command_id, status="accepted",
                                                 data=handler.current(session, key)))
        return EntityCommandResult.model_validate(accepted)
    data = handler.visible(user, handler.current(session, key)) if handler is not None and key is not None else None
    stored_json = store(EntityCommandResult(command_id=command.command_id, status="rejected", reason=reason,
                                            message=message, data=data))
    _audit_refusal(session, user, command, now, reason, message)
    log.info("rejected %s on %s %s by %s: %s", command.action, command.kind, command.entity_id, user.username, reason)
    return EntityCommandResult.model_validate(stored_json)


def _applied(session: Session, user: AuthUser, command: EntityCommand, now: datetime, handler: EntityHandler,
             key: Any, store_accepted: BeforeAudit) -> tuple[str | None, str | None]:
    """Apply a well-formed command; (None, None) when accepted, else (reason, message)."""
    if (refusal := clock_refusal(command.issued_at, now)) is not None:
        return refusal
    try:
        model = payload_model({handler.kind.name: handler.kind}, command.kind, command.action)
        payload = model.model_validate(command.payload)
    except UnknownCommand as exc:
        return "invalid_request", str(exc)
    except ValidationError as exc:
        return "invalid_payload", f"{command.action}: {problems(exc, 'payload')}"
    try:
        handler.apply(session, user, key, command.action, payload, now, console_id=command.console_id,
                      client_time=command.issued_at, offline=command.offline, before_audit=store_accepted)
    except EntityRefused as refusal:
        return refusal.reason, refusal.message
    return None, None
