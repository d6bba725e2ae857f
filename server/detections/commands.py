"""The review queue's decisions as an entity kind of the one command pipeline (`server.platform.entity_commands`):
an operator or lead confirms a pending detection (naming the case the console opened for it just before, in
the case outbox) or rejects it with a reason. Both are recorded on the detection (who, when, why), put in the
feed and audited; the detections that joined a confirmed one while it was pending join its case too."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.detections import rules
from app.detections.commands import CONFIRM, DETECTION_KIND
from app.platform.entity_commands import EntityKind
from app.platform.enums import Role
from app.platform.scope import NO_UNIT
from db.cases import CaseRow
from db.detections import DetectionRow
from server.audit import chain as audit
from server.detections.data import DETECTION
from server.feed.record import record_change
from server.platform.auth import AuthUser
from server.platform.entity_commands import BeforeAudit, EntityRefused

DESK = (Role.OPERATOR, Role.SHIFT_LEAD)


class DetectionCommands:
    kind: EntityKind = DETECTION_KIND

    def key(self, entity_id: str) -> uuid.UUID:
        try:
            return uuid.UUID(entity_id)
        except ValueError:
            raise ValueError(f"{entity_id!r} is not a detection id (a UUID)") from None

    def apply(self, session: Session, user: AuthUser, key: uuid.UUID, action: str, payload: Any, now: datetime, *,
              console_id: str | None, client_time: datetime, offline: bool, before_audit: BeforeAudit) -> None:
        if user.role not in DESK:
            raise EntityRefused("forbidden", f"only the command centre's desk decides detections, not {user.role} "
                                             f"'{user.username}'")
        row = session.get(DetectionRow, key, with_for_update=True)
        if row is None:
            raise EntityRefused("not_found", f"no detection {key}")
        if row.state != rules.PENDING:
            raise EntityRefused("not_pending", f"detection {key} is '{row.state}'"
                                               + (f" (by {row.decided_by})" if row.decided_by else "")
                                               + ": only a pending detection is confirmed or rejected")
        detail: dict[str, Any] = {}
        if action == CONFIRM:
            case = session.execute(select(CaseRow.id, CaseRow.merged_into).where(CaseRow.id == payload.case_id)).first()
            if case is None:
                raise EntityRefused("no_case", f"case {payload.case_id} does not exist: send its creation first")
            case_id = case.merged_into or case.id  # a repeat the server merged: the master is the case
            row.state, row.case_id, row.reason = rules.CONFIRMED, case_id, payload.note or None
            detail = {"case_id": str(case_id)}
            joined = list(session.execute(select(DetectionRow).where(DetectionRow.repeat_of == key)).scalars())
            for other in joined:
                other.case_id, other.version = case_id, other.version + 1
                other.data = {**other.data, "case_id": str(case_id), "version": other.version}
        else:
            row.state, row.reason = rules.REJECTED, payload.reason
            detail = {"reason": payload.reason}
            joined = []
        row.decided_by, row.decided_at, row.version = user.username, now, row.version + 1
        row.data = {**row.data, "state": row.state, "case_id": str(row.case_id) if row.case_id else None,
                    "reason": row.reason, "decided_by": row.decided_by, "decided_at": now.isoformat(),
                    "version": row.version}
        session.flush()
        for other in joined:
            record_change(session, DETECTION, other.id, other.data, scope=NO_UNIT)
        record_change(session, DETECTION, key, row.data, scope=NO_UNIT)
        before_audit(row.data)
        audit.record(session, at=now, actor=user.username, role=str(user.role), action=f"detection_{action}",
                     entity_kind=DETECTION, entity_id=str(key), result="ok", console_id=console_id,
                     client_time=client_time, offline=offline,
                     detail={**detail, "camera_id": row.camera_id, "type": row.type_code})

    def current(self, session: Session, key: uuid.UUID) -> dict[str, Any] | None:
        row = session.get(DetectionRow, key)
        return dict(row.data) if row is not None else None

    def visible(self, user: AuthUser, data: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if user.role == Role.UNIT_HANDLER else data


