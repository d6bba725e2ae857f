"""HTTP endpoints: Shifts and handover reports; documented in docs/ARCHITECTURE.md.

Opening and closing a shift are online actions of a shift lead. The notes and the signature of a
handover also have direct endpoints, but consoles send them as queued entity commands
(`POST /api/commands`, kind `handover`), so a lead can write and sign offline and the server applies each once.
"""
from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from app.platform.enums import Role
from app.shifts.schedule import parse_schedule
from app.wire.shifts import (
    CloseShiftRequest,
    HandoverAnswer,
    NotesRequest,
    OpenShiftRequest,
    OutagesAnswer,
    OutagesRequest,
    ScheduleAnswer,
    ShiftAnswer,
    ShiftsAnswer,
    SignRequest,
)
from server.audit.actions import console_of
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import BODY, responses
from server.platform.errors import ApiError
from server.platform.scope import can_read_handover
from server.shifts import handover, shifts

log = logging.getLogger(__name__)

router = APIRouter()


def _slots_and_tz(ctx) -> tuple:
    return parse_schedule(ctx.settings.shift_schedule), ctx.refdata.policy.calendar.tz


@router.get("/api/shifts/schedule", tags=["shifts"], response_model=None,
            responses=responses(401, 503, ok=ScheduleAnswer))
def get_schedule(_user: User, ctx: Ctx) -> dict[str, Any]:
    slots, tz = _slots_and_tz(ctx)
    return {"time_zone": str(tz), "shifts": [s.to_dict() for s in slots]}


@router.get("/api/shifts", tags=["shifts"], response_model=None, responses=responses(401, 422, 503, ok=ShiftsAnswer))
def list_shifts(_user: User, ctx: Ctx,
                limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    with ctx.db.reader() as session:
        current = shifts.open_shift_row(session)
        return {"current": shifts.shift_data(current) if current is not None else None,
                "shifts": shifts.shifts_list(session, limit)}


@router.post("/api/shifts", tags=["shifts"], status_code=201, response_model=None,
             responses=responses(401, (403, "forbidden (shift_lead only)"), (409, "shift_already_open"), *BODY,
                                 (422, "invalid_request, unknown_shift, unknown_users"), 503,
                                 ok=ShiftAnswer, ok_status=201))
def open_shift(body: OpenShiftRequest, user: User, ctx: Ctx, request: Request) -> dict[str, Any]:
    auth.require_role(user, Role.SHIFT_LEAD)
    slots, tz = _slots_and_tz(ctx)
    with ctx.db.writer() as session, session.begin():
        console_id = console_of(session, auth.bearer_token(request))
        return shifts.open_shift(session, user, slots=slots, tz=tz, now=ctx.now(), name=body.name,
                                 on_duty=body.on_duty, console_id=console_id)


@router.post("/api/shifts/{shift_id}/close", tags=["shifts"], response_model=None,
             responses=responses(401, 403, 404, (409, "shift_closed"), *BODY, 503, ok=HandoverAnswer))
def close_shift(shift_id: uuid.UUID, body: CloseShiftRequest, user: User, ctx: Ctx,
                request: Request) -> dict[str, Any]:
    """Close the shift and draft its handover report; answers the draft."""
    auth.require_role(user, Role.SHIFT_LEAD)
    now = ctx.now()
    with ctx.db.writer() as session, session.begin():
        console_id = console_of(session, auth.bearer_token(request))
        row = shifts.lock_shift(session, shift_id)
        shifts.close_shift_row(session, row, user, now)
        return handover.close_and_draft(session, row, user, now, body.notes, console_id=console_id)


@router.get("/api/handovers/{shift_id}", tags=["shifts"], response_model=None,
            responses=responses(401, (403, "forbidden (unit handlers)"), 404, 422, 503, ok=HandoverAnswer))
def get_handover(shift_id: uuid.UUID, user: User, ctx: Ctx) -> dict[str, Any]:
    """Any centre user, as in the feed; not a unit handler (the report names every unit's cases)."""
    if not can_read_handover(user):
        raise ApiError(403, "forbidden", f"a handover report lists every unit's cases; not for unit handler "
                                         f"'{user.username}'")
    with ctx.db.reader() as session:
        return handover.get_handover(session, shift_id)


def _direct(ctx, request: Request, action, *args) -> dict[str, Any]:
    with ctx.db.writer() as session, session.begin():
        console_id = console_of(session, auth.bearer_token(request))
        try:
            return action(session, *args, ctx.now(), console_id=console_id)
        except handover.HandoverRefused as refusal:
            raise refusal.as_api_error() from None


@router.put("/api/handovers/{shift_id}/notes", tags=["shifts"], response_model=None,
            responses=responses(401, 403, 404, (409, "handover_signed"), *BODY, 503, ok=HandoverAnswer))
def put_notes(shift_id: uuid.UUID, body: NotesRequest, user: User, ctx: Ctx, request: Request) -> dict[str, Any]:
    return _direct(ctx, request, handover.set_notes, user, shift_id, body.notes)


@router.post("/api/handovers/{shift_id}/sign", tags=["shifts"], response_model=None,
             responses=responses(401, 403, 404, (409, "handover_signed, report_changed"), *BODY, 503,
                                 ok=HandoverAnswer))
def sign_handover(shift_id: uuid.UUID, body: SignRequest, user: User, ctx: Ctx,
                  request: Request) -> dict[str, Any]:
    return _direct(ctx, request, handover.sign, user, shift_id, body.content_hash)


@router.post("/api/console-outages", tags=["shifts"], response_model=None,
             responses=responses(401, (403, "console_mismatch (not the console this login was made on), "
                                            "console_unbound (a login made without a console id)"),
                                 *BODY, (422, "invalid_request, invalid_outage"), 503, ok=OutagesAnswer))
def post_outages(body: OutagesRequest, user: User, ctx: Ctx, request: Request) -> dict[str, int]:
    """Offline periods a console lived through, reported when it is back (idempotent by outage id). Only
    under the console id the token was issued to at login: the handover report names the console, so a
    login cannot put periods on another console's record (nor can one made without a console id, e.g.
    a script's: it has no console to speak for)."""
    now = ctx.now()
    with ctx.db.reader() as session:
        bound = console_of(session, auth.bearer_token(request))
    refusal = shifts.outage_console_refusal(user, bound, body.console_id)
    if refusal is not None:
        shifts.outages_refused(ctx.db.writer, user, bound, body.console_id, len(body.outages), now, refusal.error)
        raise refusal
    with ctx.db.writer() as session, session.begin():
        return shifts.store_outages(session, user, [o.model_dump() for o in body.outages], body.console_id, now)

