"""HTTP endpoints: the audit trail. `GET /api/audit` lists entries of every chain for shift leads and admins,
newest first (by `id`, insertion order across chains), filtered (by chain too), in keyset pages (`before` =
the `next_before` of the previous page: an entry's `id`). `head_seq` is the newest entry's `id`."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.platform.edge_types import QueryInt64, Text, Time
from app.platform.enums import Role
from app.wire.audit import AuditPage
from server.audit.chain import valid_chain
from server.audit.query import AuditFilter, newest_first, newest_id
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
    chain: Annotated[Text | None, Query(max_length=8, description="one chain: a city's 4 digits or `platform`")] = None,
    before: Annotated[QueryInt64 | None, Query(ge=1, description="only entries with id < before (paging)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> dict[str, Any]:
    auth.require_role(user, Role.SHIFT_LEAD, Role.ADMIN)
    if start is not None and end is not None and end <= start:
        raise ApiError(422, "invalid_request", f"end {end.isoformat()} is not after start {start.isoformat()}")
    chain_filter = None if not chain else "" if chain == "platform" else chain
    if chain_filter and not valid_chain(chain_filter):
        raise ApiError(422, "invalid_request", f"chain {chain!r} is neither `platform` nor a city's 4 digits")
    where = AuditFilter(start=start, end=end, actor=actor or None, action=action or None,
                        entity_kind=entity_kind or None, entity_id=entity_id or None,
                        console_id=console_id or None, result=result or None, offline=offline,
                        chain=chain_filter)
    with ctx.db.reader() as session:
        entries = newest_first(session, where, before=before, limit=limit)
        head = newest_id(session)
    next_before = entries[-1]["id"] if len(entries) == limit and entries[-1]["id"] > 1 else None
    return {"entries": entries, "next_before": next_before, "head_seq": head,
            "server_time": ctx.now().isoformat()}
