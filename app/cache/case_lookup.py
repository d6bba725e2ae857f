"""Finding one case among all the cached ones from whatever the operator has at hand: its number (or
the end of it: "48" finds 2026-000048), a provisional number (`P-5C9C2A-1`, or as shown,
`P·5C9C2A-1`), the caller's phone number (any punctuation), or words of the address or description.

One SQLite query over the cache (not the queue's current tab), then ranked: the exact number first,
then numbers, phones, addresses and descriptions, each newest first. Qt-free; the console's lookup
field (`ui/cases/lookup.py`) runs it off the GUI thread.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, text

from app.cases.numbers import number_text
from app.platform.enums import Status

log = logging.getLogger(__name__)

MIN_DIGITS_FOR_PHONE = 4
CANDIDATES = 400   # rows read before ranking; a lookup shows far fewer

# rank of what matched (lower first)
EXACT, NUMBER, PHONE, ADDRESS, DESCRIPTION = range(5)
FIELDS = {EXACT: "number", NUMBER: "number", PHONE: "phone", ADDRESS: "address", DESCRIPTION: "description"}

_SQL = text(
    "SELECT id, number, provisional_number, status, category_code, updated_at, "
    " json_extract(data, '$.reporter_phone'), json_extract(data, '$.location.address'), "
    " json_extract(data, '$.description') "
    "FROM cases WHERE number LIKE :like ESCAPE '\\' OR provisional_number LIKE :like ESCAPE '\\' "
    " OR (:digits != '' AND replace(replace(replace(replace(replace(coalesce(json_extract(data, '$.reporter_phone'), ''),"
    "    ' ', ''), '-', ''), '+', ''), '(', ''), ')', '') LIKE :digits) "
    " OR json_extract(data, '$.location.address') LIKE :like ESCAPE '\\' "
    " OR json_extract(data, '$.description') LIKE :like ESCAPE '\\' "
    "ORDER BY updated_at DESC LIMIT :limit")


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


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def lookup(conn: Connection, query: str, limit: int = 30) -> list[Hit]:
    q = normalise(query)
    if not q:
        return []
    digits = re.sub(r"\D", "", q)
    digits_like = f"%{digits}%" if len(digits) >= MIN_DIGITS_FOR_PHONE and len(digits) >= len(q) - 4 else ""
    rows = conn.execute(_SQL, {"like": _like(q), "digits": digits_like, "limit": CANDIDATES}).fetchall()
    folded = q.casefold()
    hits = []
    for case_id, number, provisional, status, category, updated, phone, address, description in rows:
        rank, snippet = _rank(folded, digits_like, number, provisional, phone, address, description)
        if rank is None:
            continue
        hits.append((rank, _newest_first(updated), Hit(UUID(case_id), number_text(number, provisional, case_id),
                                                       Status(status), category, FIELDS[rank], snippet, rank)))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [h[2] for h in hits[:limit]]


def _newest_first(updated) -> float:
    if isinstance(updated, datetime):
        return -updated.timestamp()
    try:
        return -datetime.fromisoformat(str(updated)).timestamp()
    except ValueError:
        return 0.0


def _rank(q: str, digits_like: str, number, provisional, phone, address, description) -> tuple[int | None, str]:
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
        return DESCRIPTION, _around(description, q)
    return None, ""


def _around(textual: str, q: str, width: int = 60) -> str:
    at = textual.casefold().find(q)
    start = max(0, at - width // 2)
    piece = textual[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(textual) else "")
