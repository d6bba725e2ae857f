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
    chain: str = ""        # the entry's chain: '' the platform's, else its city's 4 digits (`seq` counts in it)
    id: int | None = None  # the entry's place in the whole trail (None from a server before chains: `seq`)

    @property
    def key(self) -> int:
        """What identifies the entry in the trail, and pages it (`AuditPage.next_before`)."""
        return self.id if self.id is not None else self.seq


class AuditPage(Answer):
    entries: list[AuditEntry]
    next_before: int | None
    head_seq: int  # the newest entry's `id`
    server_time: datetime
