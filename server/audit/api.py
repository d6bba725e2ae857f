"""HTTP endpoints: the audit trail. `GET /api/audit` lists entries for shift leads and admins,
newest first, filtered, in keyset pages (`before` = the `next_before` of the previous page)."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.platform.edge_types import QueryInt64, Text, Time
from app.platform.enums import Role
from app.wire.audit import AuditPage
from server.audit.chain import read_head
from server.audit.query import AuditFilter, newest_first
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter()

MAX_PAGE = 500


@router.get("/api/audit", tags=["audit"], response_model=None,
            responses=responses(401, (403, "forbidden (shift_lead and admin only)"), 422, 503, ok=AuditPage))
def get_audit(
    user: User,
    ctx: Ctx,
    start: Annotated[Time | None, Query(description="server time ≥ start (ISO-8601 with zone)")] = None,
    end: Annotated[Time | None, Query(description="server time < end")] = None,
    actor: Annotated[Text | None, Query(max_length=64)] = None,
    action: Annotated[Text | None, Query(max_length=64)] = None,
    entity_kind: Annotated[Text | None, Query(max_length=32)] = None,
    entity_id: Annotated[Text | None, Query(max_length=128)] = None,
    console_id: Annotated[Text | None, Query(max_length=64)] = None,
    result: Annotated[Text | None, Query(max_length=16)] = None,
    offline: Annotated[bool | None, Query()] = None,
    before: Annotated[QueryInt64 | None, Query(ge=1, description="only entries with seq < before (paging)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> dict[str, Any]:
    auth.require_role(user, Role.SHIFT_LEAD, Role.ADMIN)
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
