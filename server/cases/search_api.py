"""The case search (`GET /api/search/cases?q=&limit=`): a case the console's cache does not hold, found on
the server by number, phone, address or description (`app.cases.lookup_match`), within the caller's scope
(`server.platform.scope.can_see`: a unit handler its units' cases, a district operator its district's).
A case out of scope is never named, not even counted."""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, or_, select

from app.cases.case import Case
from app.cases.lookup_match import FIELDS, like_pattern, normalise, phone_pattern, rank
from app.cases.numbers import number_text
from app.platform import scope as scope_rule
from app.platform.edge_types import Text
from app.wire.lookup import MAX_HITS, MAX_QUERY, CaseHitAnswer, CaseSearchAnswer
from db.cases import CaseRow
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.errors import ApiError
from server.platform.scope import can_see, feed_units

log = logging.getLogger(__name__)
router = APIRouter()

CANDIDATES = 400  # rows read before the scope rule and the ranking


def _text(path: str):
    return CaseRow.data[path].as_string()


def _phone_digits():
    phone = func.coalesce(_text("reporter_phone"), "")
    for ch in (" ", "-", "+", "(", ")"):
        phone = func.replace(phone, ch, "")
    return phone


@router.get("/api/search/cases", tags=["cases"], response_model=CaseSearchAnswer,
            responses=responses(401, 400, 422, 503))
def search_cases(user: User, ctx: Ctx,
                 q: Annotated[Text, Query(max_length=MAX_QUERY, description="a number, phone or words to find")],
                 limit: Annotated[int, Query(ge=1, le=MAX_HITS)] = 30) -> CaseSearchAnswer:
    query = normalise(q)
    if not query:
        raise ApiError(400, "bad_query", "q: type a number, a phone number or words to search for")
    like, digits = like_pattern(query), phone_pattern(query)
    matches = [CaseRow.number.ilike(like, escape="\\"), _text("provisional_number").ilike(like, escape="\\"),
               CaseRow.data[("location", "address")].as_string().ilike(like, escape="\\"),
               _text("description").ilike(like, escape="\\")]
    if digits:
        matches.append(_phone_digits().like(digits))
    stmt = select(CaseRow.data).where(or_(*matches))
    units = feed_units(user, ctx.refdata)
    if scope_rule.by_jurisdiction(units):  # the district's cases only, read by the index
        stmt = stmt.where(CaseRow.jurisdiction.in_(sorted(u[1:] for u in units if u != scope_rule.JURISDICTION_KEY)))
    stmt = stmt.order_by(CaseRow.updated_at.desc()).limit(CANDIDATES)
    with ctx.db.reader() as session:
        rows = session.execute(stmt).scalars().all()
    folded = query.casefold()
    hits = []
    for data in rows:
        case = Case.model_validate(data)
        if not can_see(user, case, ctx.refdata):
            continue
        found, snippet = rank(folded, digits, case.number, case.provisional_number, case.reporter_phone,
                              case.location.address, case.description)
        if found is None:
            continue
        hits.append(CaseHitAnswer(case_id=case.id, number=number_text(case.number, case.provisional_number, case.id),
                                  status=case.status, category_code=case.category_code, field=FIELDS[found],
                                  snippet=snippet, rank=found, updated_at=case.updated_at,
                                  jurisdiction=scope_rule.case_jurisdiction(case)))
    hits.sort(key=lambda h: (h.rank, -h.updated_at.timestamp()))
    return CaseSearchAnswer(hits=hits[:limit], complete=len(rows) < CANDIDATES)
