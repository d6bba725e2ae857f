"""Emergency mode (平急转换): a shift lead switches the centre between routine and emergency operation; the
switch lands in the feed (kind `setting`) and in the history the handover report reads."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.platform.enums import Role
from app.wire.shifts import EmergencyModeRequest, SettingAnswer
from server.audit import actions as audit_actions
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import BODY, responses
from server.platform.errors import ApiError
from server.shifts.shared_settings import EMERGENCY_MODE, put_setting
from server.shifts.shifts import record_emergency_switch

router = APIRouter()


@router.put("/api/settings/emergency_mode", tags=["settings"], response_model=None,
            responses=responses(401, (403, "forbidden (shift_lead only)"), *BODY, 503, ok=SettingAnswer))
def put_emergency_mode(body: EmergencyModeRequest, user: User, ctx: Ctx, request: Request) -> dict[str, Any]:
    token = auth.bearer_token(request)
    try:
        auth.require_role(user, Role.SHIFT_LEAD)
    except ApiError as exc:
        audit_actions.emergency_mode_refused(ctx.db.writer, user, body.on, body.reason, ctx.now(), token, exc.error)
        raise
    now = ctx.now()
    value = {"on": body.on, "reason": body.reason, "by": user.username, "at": now.isoformat()}
    with ctx.db.writer() as session, session.begin():
        console_id = audit_actions.console_of(session, token)  # before the feed and audit locks
        # the history the handover report reads (server.shifts.shifts): a new row in the switch's own transaction
        record_emergency_switch(session, on=body.on, reason=body.reason, by=user.username, at=now)
        position = put_setting(session, EMERGENCY_MODE, value, user.username, now)
        audit_actions.emergency_mode(session, user, body.on, body.reason, now, console_id, position)
    return {"key": EMERGENCY_MODE, "value": value, "position": position}
