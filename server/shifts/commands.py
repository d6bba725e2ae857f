"""The handover as an entity kind of the one command pipeline (`server.platform.entity_commands`): its id,
its two actions, the report as it stands, and who may read it (`server.platform.scope.visible_handover`:
not a unit handler)."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.platform.entity_commands import EntityKind
from app.shifts.commands import HANDOVER_KIND, SET_NOTES, SIGN
from db.shifts import HandoverRow, ShiftRow
from server.platform.auth import AuthUser
from server.platform.entity_commands import BeforeAudit, EntityRefused
from server.platform.scope import visible_handover
from server.shifts import handover


class HandoverCommands:
    kind: EntityKind = HANDOVER_KIND

    def key(self, entity_id: str) -> uuid.UUID:
        try:
            return uuid.UUID(entity_id)
        except ValueError:
            raise ValueError(f"{entity_id!r} is not a shift id (a UUID)") from None

    def apply(self, session: Session, user: AuthUser, key: uuid.UUID, action: str, payload: Any, now: datetime, *,
              console_id: str | None, client_time: datetime, offline: bool, before_audit: BeforeAudit) -> None:
        extra = {"console_id": console_id, "client_time": client_time, "offline": offline,
                 "before_audit": before_audit}
        try:
            if action == SET_NOTES:
                handover.set_notes(session, user, key, payload.notes, now, **extra)
            elif action == SIGN:
                handover.sign(session, user, key, payload.content_hash, now, remarks=payload.remarks, **extra)
        except handover.HandoverRefused as refusal:  # raised before anything was written
            raise EntityRefused(refusal.reason, refusal.message) from None

    def current(self, session: Session, key: uuid.UUID) -> dict[str, Any] | None:
        row = session.get(HandoverRow, key)
        return handover.handover_data(row, session.get(ShiftRow, key)) if row is not None else None

    def visible(self, user: AuthUser, data: dict[str, Any] | None) -> dict[str, Any] | None:
        return visible_handover(user, data)
