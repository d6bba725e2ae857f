"""The server's case search (`GET /api/search/cases`): what the console's lookup asks for a case its cache
does not hold (an old closed case, one of another shift), matched and ranked like the cache's lookup
(`app.cases.lookup_match`), within the caller's scope."""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from app.platform.enums import Status
from app.wire.base import Answer

MAX_QUERY = 200   # characters of a query
MAX_HITS = 50


class CaseHitAnswer(Answer):
    case_id: UUID
    number: str = Field(description="as shown (`app.cases.numbers`)")
    status: Status
    category_code: str
    field: Literal["number", "phone", "address", "description"] = Field(description="what matched")
    snippet: str = Field(description="the matching text")
    rank: int = Field(description="0 the exact number, then numbers, phones, addresses, descriptions")
    updated_at: datetime
    jurisdiction: str | None = Field(default=None, description="the street the case lies in")


class CaseSearchAnswer(Answer):
    hits: list[CaseHitAnswer]
    complete: bool = Field(description="false when more cases matched than were read: type more to narrow")
