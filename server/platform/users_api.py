"""HTTP endpoints about accounts: unlocking an account locked after failed logins (`server.platform.login_throttle`);
documented in docs/ARCHITECTURE.md."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy import select

from app.platform.enums import Role
from app.wire.platform import UnlockAnswer
from db.platform import UserRow
from server.audit import actions as audit_actions
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter()


@router.post("/api/users/{username}/unlock", tags=["auth"], response_model=None,
             responses=responses(401, (403, "forbidden (shift_lead or admin; only an admin unlocks an admin)"),
                                 (404, "not_found (no such account)"), 422, 503, ok=UnlockAnswer))
def unlock_user(username: Annotated[str, Path(min_length=1, max_length=64)], user: User, ctx: Ctx,
                request: Request) -> dict[str, Any]:
    """Forget an account's failed logins and end its lockout: `{username, was_locked, locked_until,
    failures}` as it was. Audited as `login_unlock`."""
    auth.require_role(user, Role.SHIFT_LEAD, Role.ADMIN)
    now = ctx.now()
    with ctx.db.writer() as session, session.begin():
        target_role = session.execute(select(UserRow.role).where(UserRow.username == username)).scalar()
        if target_role is None:
            raise ApiError(404, "not_found", f"no account '{username}'")
        if target_role == Role.ADMIN and user.role != Role.ADMIN:
            raise ApiError(403, "forbidden", f"only an admin may unlock the admin account '{username}'")
        state = ctx.login_throttle.unlock(session, username, now)
        console_id = audit_actions.console_of(session, auth.bearer_token(request))
        audit_actions.login_unlock(session, user.username, str(user.role), console_id, now, state)
    log.info("login: %s unlocked %s (was locked: %s)", user.username, username, state["was_locked"])
    return state
