"""HTTP endpoints: the audit trail (issue 5). `GET /api/audit` lists entries for shift leads and admins,
newest first, filtered, in keyset pages (`before` = the `next_before` of the previous page)."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.enums import Role
from server import auth
from server.api import Ctx, User
from server.api_responses import responses
from server.audit import read_head
from server.audit_query import AuditFilter, newest_first
from server.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter()

MAX_PAGE = 500


class AuditEntry(BaseModel):
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


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_before: int | None
    head_seq: int
    server_time: str


def _aware(name: str, value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ApiError(422, "invalid_request", f"{name} {value.isoformat()} must carry a time zone "
                                               f"(e.g. {value.isoformat()}+08:00)")
    return value


@router.get("/api/audit", tags=["audit"], response_model=AuditPage,
            responses=responses(401, (403, "forbidden (shift_lead and admin only)"), 422, 503))
def get_audit(
    user: User,
    ctx: Ctx,
    start: Annotated[datetime | None, Query(description="server time ≥ start (ISO-8601 with zone)")] = None,
    end: Annotated[datetime | None, Query(description="server time < end")] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    entity_kind: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=128)] = None,
    console_id: Annotated[str | None, Query(max_length=64)] = None,
    result: Annotated[str | None, Query(max_length=16)] = None,
    offline: Annotated[bool | None, Query()] = None,
    before: Annotated[int | None, Query(ge=1, description="only entries with seq < before (paging)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> dict[str, Any]:
    auth.require_role(user, Role.SHIFT_LEAD, Role.ADMIN)
    start, end = _aware("start", start), _aware("end", end)
    if start is not None and end is not None and end <= start:
        raise ApiError(422, "invalid_request", f"end {end.isoformat()} is not after start {start.isoformat()}")
    where = AuditFilter(start=start, end=end, actor=actor or None, action=action or None,
                        entity_kind=entity_kind or None, entity_id=entity_id or None,
                        console_id=console_id or None, result=result or None, offline=offline)
    with ctx.db.reader() as session:
        entries = newest_first(session, where, before=before, limit=limit)
        head = read_head(session)
    next_before = entries[-1]["seq"] if len(entries) == limit and entries[-1]["seq"] > 1 else None
    return {"entries": entries, "next_before": next_before, "head_seq": head.seq if head else 0,
            "server_time": ctx.now().isoformat()}
