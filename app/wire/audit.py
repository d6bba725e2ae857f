"""The audit trail on the wire: `GET /api/audit` answers an `AuditPage` (`server.audit.api`)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from app.wire.base import Answer


class AuditEntry(Answer):
    seq: int
    at: str
    client_time: str | None
    actor: str | None
    role: str | None
    console_id: str | None
    offline: bool
    action: str
    entity_kind: str
    entity_id: str
    result: str
    reason: str | None
    detail: Any
    prev_hash: str
    hash: str


class AuditPage(Answer):
    entries: list[AuditEntry]
    next_before: int | None
    head_seq: int
    server_time: datetime
