"""Finding one case among all the cached ones from whatever the operator has at hand: its number (or
the end of it: "48" finds 2026-000048), a provisional number (`P-5C9C2A-1`, or as shown,
`P·5C9C2A-1`), the caller's phone number (any punctuation), or words of the address or description.

One SQLite query over the cache (not the queue's current tab), then ranked (`app.cases.lookup_match`, the
server's search too): the exact number first, then numbers, phones, addresses and descriptions, each
newest first. Qt-free; the console's lookup field (`ui/cases/lookup.py`) runs it off the GUI thread.
"""
from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, text

from app.cases.lookup_match import (  # noqa: F401 - the ranks and the hit, named here as ever
    ADDRESS,
    DESCRIPTION,
    EXACT,
    FIELDS,
    MIN_DIGITS_FOR_PHONE,
    NUMBER,
    PHONE,
    Hit,
    like_pattern,
    normalise,
    phone_pattern,
)
from app.cases.lookup_match import rank as match_rank
from app.cases.numbers import number_text
from app.platform.enums import Status

log = logging.getLogger(__name__)

CANDIDATES = 400   # rows read before ranking; a lookup shows far fewer

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


def lookup(conn: Connection, query: str, limit: int = 30) -> list[Hit]:
    q = normalise(query)
    if not q:
        return []
    digits_like = phone_pattern(q)
    rows = conn.execute(_SQL, {"like": like_pattern(q), "digits": digits_like, "limit": CANDIDATES}).fetchall()
    folded = q.casefold()
    hits = []
    for case_id, number, provisional, status, category, updated, phone, address, description in rows:
        rank, snippet = match_rank(folded, digits_like, number, provisional, phone, address, description)
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


