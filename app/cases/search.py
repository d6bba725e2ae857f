"""Free-text matching of cases: the folded (case- and width-insensitive) form of texts and queries, and
the rule one summary at a time (`matches_text`). `QueueColumns.text_mask` is the vectorised form the
100,000-row queue uses; the tests check that the two agree.
"""
from __future__ import annotations

from typing import Iterable

from app.cases.case import Case


def fold(text: str | None) -> str:
    """Case-insensitive, width-insensitive form used for searching (full-width digits match ASCII)."""
    if not text:
        return ""
    return text.casefold().translate(_FULL_WIDTH)


_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def query_tokens(query: str) -> list[str]:
    return fold(query).split()


def matches_text(query: str | list[str], *fields: str | None) -> bool:
    """Every whitespace-separated token of the query occurs in one of the fields (case-insensitive)."""
    tokens = query_tokens(query) if isinstance(query, str) else query
    if not tokens:
        return True
    hay = "\x1f".join(fold(f) for f in fields if f)
    return all(t in hay for t in tokens)


def case_text(case: Case) -> str:
    """The searchable free text of a full case that its summary lacks: description, address, reporter."""
    return "\x1f".join(x for x in (case.description, case.location.address, case.reporter_name,
                                   case.reporter_phone) if x)


def fold_texts(texts: Iterable[str]) -> list[bytes]:
    """Free texts in the form `QueueColumns` searches them (folded, UTF-8); for worker threads."""
    return [fold(t).encode() for t in texts]
