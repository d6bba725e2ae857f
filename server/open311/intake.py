"""A citizen app's service request becomes a case: one create command (source `citizen_app`, status
`reported`) applied by the one command pipeline as the desk user `system:open311`, exactly like a console's
create, with the request's token row written in the same transaction (nothing half-written)."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.cases.commands import Command
from app.open311.formats import Open311Error
from app.platform.enums import Action, Role
from db.cases import CaseRow
from db.open311 import Open311RequestRow
from server.cases.commands import apply_command
from server.open311.keys import AppKey
from server.open311.media import Media, write_rows
from server.platform.auth import AuthUser

log = logging.getLogger(__name__)

OPEN311_DESK = AuthUser("system:open311", "Citizen apps (Open311)", Role.SYSTEM)


@dataclass(frozen=True)
class Created:
    case_id: uuid.UUID
    token: uuid.UUID
    number: str | None


def create_request(ctx, app: AppKey, payload: dict[str, Any], contact: dict[str, str],
                   media: Media | None = None) -> Created:
    """Apply the create command (blocking: call from a worker thread), with the uploaded media's photo rows
    in its transaction. Raises Open311Error when the workflow refuses it."""
    case_id, token = uuid.uuid4(), uuid.uuid4()
    now = ctx.now()
    command = Command(command_id=uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid:open311:{token}"), case_id=case_id,
                      action=Action.CREATE, payload=payload, issued_at=now, console_id=f"open311:{app.app_name}"[:64])
    outer = ctx.before_commit

    def with_token(session) -> None:
        # Also called for a refused create, which wrote no case: the token row would have nothing to name.
        if session.execute(select(CaseRow.id).where(CaseRow.id == case_id)).first() is not None:
            session.add(Open311RequestRow(token=token, case_id=case_id, key_id=app.id, created_at=now, **contact))
            session.flush()
            if media is not None:
                write_rows(session, ctx, OPEN311_DESK, case_id, media, command.console_id or "open311")
        if outer is not None:
            outer(session)

    result = apply_command(ctx.db.writer, OPEN311_DESK, command, ctx.refdata, ctx.now, before_commit=with_token)
    if result.status != "accepted":
        log.info("open311 request from %s refused: %s (%s)", app.app_name, result.reason, result.message)
        raise Open311Error(400, f"the request was refused: {result.message or result.reason}")
    number = result.case.number if result.case is not None else None
    log.info("open311 request from %s: case %s (%s)", app.app_name, case_id, number)
    return Created(case_id, token, number)
