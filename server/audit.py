"""The server's audit trail (issue 5): an append-only, tamper-evident chain of every action.

Stub with the final signature, so feature code can call it now; the audit helper fills it in.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def record(session: Session, *, at: datetime, actor: str | None, role: str | None, action: str,
           entity_kind: str, entity_id: str, result: str, reason: str | None = None,
           console_id: str | None = None, client_time: datetime | None = None, offline: bool = False,
           detail: dict[str, Any] | None = None) -> None:
    """Append one audit entry inside the caller's transaction.

    Call it as the transaction's very last statement (after `server.feed.record_change`, never before:
    both take a row lock held to commit, and one order for all avoids deadlocks). `result` is
    "accepted" / "rejected" (commands) or "ok" / "failed" (logins and other actions), `reason` the
    machine-readable reason of a refusal."""
