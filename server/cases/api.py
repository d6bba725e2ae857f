"""The case endpoints: one case by id (commands go through `server.commands_api`)."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from app.cases.case import Case
from db.cases import CaseRow
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.errors import ApiError
from server.platform.scope import can_see

router = APIRouter()


@router.get("/api/cases/{case_id}", tags=["cases"], response_model=Case,
            responses=responses(401, (403, "out_of_scope"), 404, 422, 503))
def get_case(case_id: uuid.UUID, user: User, ctx: Ctx) -> Response:
    with ctx.db.reader() as session:
        data = session.execute(select(CaseRow.data).where(CaseRow.id == case_id)).scalar()
    if data is None:
        raise ApiError(404, "not_found", f"no case {case_id}")
    case = Case.model_validate(data)
    if not can_see(user, case, ctx.refdata):  # named by the id the caller sent, nothing of its content
        raise ApiError(403, "out_of_scope", f"case {case_id} is not in the scope of {user.role} "
                                            f"'{user.username}' of unit '{user.unit_id or 'none'}'")
    return JSONResponse(data)
