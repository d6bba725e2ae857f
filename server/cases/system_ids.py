"""Command ids of the commands the server issues itself (escalations, overdue marks, repeat merges)."""
from __future__ import annotations

import uuid


def system_command_id(case_id: uuid.UUID, key: str) -> uuid.UUID:
    """A deterministic command id for a command the server issues itself, so that every server process
    issuing "the same" command produces the same id and the idempotency record keeps it to one."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid:system:{case_id}:{key}")
