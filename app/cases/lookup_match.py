"""What a case lookup matches and how it ranks a match, the same on the console (its cache,
`app.cache.case_lookup`) and on the server (`GET /api/search/cases`, for cases the console does not hold):
a number (or its end), a provisional number, a phone number (digits only compared), words of the address
or the description; the exact number first, then numbers, phones, addresses and descriptions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from app.platform.enums import Status

MIN_DIGITS_FOR_PHONE = 4

# rank of what matched (lower first)
EXACT, NUMBER, PHONE, ADDRESS, DESCRIPTION = range(5)
FIELDS = {EXACT: "number", NUMBER: "number", PHONE: "phone", ADDRESS: "address", DESCRIPTION: "description"}


@dataclass(frozen=True)
class Hit:
    case_id: UUID
    number: str               # as shown (`app.cases.numbers`)
    status: Status
    category_code: str
    field: str                # number, phone, address, description
    snippet: str              # the matching text
    rank: int


def normalise(query: str) -> str:
    """What the operator typed, as stored: the shown provisional form `P·X (offline)` becomes `P-X`."""
    q = query.strip()
    q = re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", q)  # a trailing "(offline)" / "（离线）"
    return re.sub(r"^[Pp][·.]", "P-", q).strip()


def like_pattern(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def phone_pattern(q: str) -> str:
    """The LIKE pattern of the digits typed, when they look like (part of) a phone number; else ''."""
    digits = re.sub(r"\D", "", q)
    return f"%{digits}%" if len(digits) >= MIN_DIGITS_FOR_PHONE and len(digits) >= len(q) - 4 else ""


def rank(q: str, digits_like: str, number, provisional, phone, address, description) -> tuple[int | None, str]:
    for value in (number, provisional):
        if value and value.casefold() == q:
            return EXACT, value
    for value in (number, provisional):
        if value and q in value.casefold():
            return NUMBER, value
    if digits_like and phone and digits_like.strip("%") in re.sub(r"\D", "", phone):
        return PHONE, phone
    if address and q in address.casefold():
        return ADDRESS, address
    if description and q in description.casefold():
        return DESCRIPTION, around(description, q)
    return None, ""


def around(textual: str, q: str, width: int = 60) -> str:
    at = textual.casefold().find(q)
    start = max(0, at - width // 2)
    piece = textual[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(textual) else "")
