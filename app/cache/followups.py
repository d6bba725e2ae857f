"""The follow-up work the cache holds: cases with a supervision order not accepted yet, and closed cases
a citizen reported that wait for a callback (or, with a dissatisfied reporter, for a lead's decision).

Found by SQLite's JSON functions on the display copies (this console's queued actions included, so a
callback recorded offline leaves the list at once), without turning every cached case into a Case. The
rules themselves are `app.cases.supervision` and `app.cases.callbacks`; this query only narrows the cases
they are asked about.

A full search reads every cached case's JSON (about a second at 100,000 cases on a busy machine), so a
view holds a `FollowUpIndex`: searched in full once, then kept current from each change set by searching
only the cases it names.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from app.cache.case_rows import stored_time
from app.cases import callbacks
from app.cases.case import Case
from app.platform.enums import CITIZEN_SOURCES

log = logging.getLogger(__name__)

_SOURCES = ", ".join(f"'{s}'" for s in sorted(CITIZEN_SOURCES))
# Most cases have no order: their compact JSON says `"orders":[]`, found without parsing it (`instr`); any
# other spelling is parsed. Callbacks are looked for among the cases changed within the callback window.
_CONDITION = (
    "((instr(data, '\"orders\":[]') = 0 AND EXISTS (SELECT 1 FROM json_each(data, '$.orders') AS o "
    "        WHERE json_extract(o.value, '$.state') != 'accepted')) "
    f"OR (status = 'closed' AND updated_at >= :since AND json_extract(data, '$.source') IN ({_SOURCES}) "
    "    AND trim(coalesce(json_extract(data, '$.reporter_phone'), '')) != '' "
    "    AND (json_extract(data, '$.callback') IS NULL OR json_extract(data, '$.callback.reached') = 0 "
    "         OR (json_extract(data, '$.callback.satisfaction') = 'dissatisfied' "
    "             AND json_extract(data, '$.callback.declined_at') IS NULL))) "
    # a master whose closure lists merged reporters to call (app.cases.callbacks.REPORTS_KEY): the rules
    # decide whether one is still to call
    f"OR (status = 'closed' AND updated_at >= :since AND instr(data, '\"{callbacks.REPORTS_KEY}\":[{{') > 0))"
)
FOLLOW_UP_SQL = f"SELECT data FROM cases WHERE {_CONDITION} ORDER BY updated_at"
_AMONG_SQL = f"SELECT data FROM cases WHERE id IN (SELECT value FROM json_each(:ids)) AND {_CONDITION}"


def follow_up_cases(raw_connection, now: datetime, ids: Iterable[UUID] | None = None) -> list[Case]:
    """The cases above, as displayed, oldest change first (`raw_connection`: the cache's sqlite3 one); the
    callbacks of cases closed (or last called) within `callbacks.QUEUE_DAYS` of `now`. With `ids`: only
    among those cases."""
    since = stored_time(now - timedelta(days=callbacks.QUEUE_DAYS))
    if ids is None:
        rows = raw_connection.execute(FOLLOW_UP_SQL, {"since": since}).fetchall()
    else:
        rows = raw_connection.execute(_AMONG_SQL, {"since": since,
                                                   "ids": json.dumps([str(i) for i in ids])}).fetchall()
    return [Case.model_validate_json(data) for (data,) in rows]


class FollowUpIndex:
    """The follow-up cases of one cache, kept current from change sets (any thread). One per cache
    (`shared`): the orders and the callbacks views read the same cases, and at 100,000 cached cases two
    copies of a few thousand parsed cases cost a hundred megabytes."""

    FULL_SEARCH_EVERY_S = 60.0  # a full search asked for sooner than this after another answers from memory

    _by_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    _by_cache_lock = threading.Lock()

    def __init__(self) -> None:
        self._cases: dict[UUID, Case] | None = None
        self._searched_at: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, cache) -> FollowUpIndex:
        with cls._by_cache_lock:
            index = cls._by_cache.get(cache)
            if index is None:
                index = cls._by_cache[cache] = cls()
            return index

    def refresh(self, cache, now: datetime, changed: Iterable[UUID] | None = None) -> list[Case]:
        """Search in full the first time (or with `changed` None, unless another view just did), else only
        the `changed` cases; return every follow-up case, oldest change first."""
        with self._lock:
            recent = (self._searched_at is not None
                      and time.monotonic() - self._searched_at < self.FULL_SEARCH_EVERY_S)
            if self._cases is None or (changed is None and not recent):
                self._cases = {c.id: c for c in cache.follow_up_cases(now)}
                self._searched_at = time.monotonic()
            elif changed is None:
                pass
            else:
                changed = set(changed)
                found = {c.id: c for c in cache.follow_up_cases(now, ids=changed)} if changed else {}
                for case_id in changed:
                    if case_id in found:
                        self._cases[case_id] = found[case_id]
                    else:
                        self._cases.pop(case_id, None)
            return sorted(self._cases.values(), key=lambda c: c.updated_at)
