"""The follow-up work the cache holds: cases with a supervision order not accepted yet, and closed cases
a citizen reported that wait for a callback (or, with a dissatisfied reporter, for a lead's decision).

Found by SQLite's JSON functions on the display copies (this console's queued actions included, so a
callback recorded offline leaves the list at once), without turning every cached case into a Case. The
rules themselves are `app.cases.supervision` and `app.cases.callbacks`; this query only narrows the cases
they are asked about.
"""
from __future__ import annotations

import logging

from app.cases.case import Case
from app.platform.enums import CITIZEN_SOURCES

log = logging.getLogger(__name__)

_SOURCES = ", ".join(f"'{s}'" for s in sorted(CITIZEN_SOURCES))
FOLLOW_UP_SQL = (
    "SELECT data FROM cases WHERE "
    "EXISTS (SELECT 1 FROM json_each(data, '$.orders') AS o "
    "        WHERE json_extract(o.value, '$.state') != 'accepted') "
    f"OR (status = 'closed' AND json_extract(data, '$.source') IN ({_SOURCES}) "
    "    AND trim(coalesce(json_extract(data, '$.reporter_phone'), '')) != '' "
    "    AND (json_extract(data, '$.callback') IS NULL OR json_extract(data, '$.callback.reached') = 0 "
    "         OR json_extract(data, '$.callback.satisfaction') = 'dissatisfied')) "
    "ORDER BY updated_at"
)


def follow_up_cases(raw_connection) -> list[Case]:
    """The cases above, as displayed, oldest change first (`raw_connection`: the cache's sqlite3 one)."""
    rows = raw_connection.execute(FOLLOW_UP_SQL).fetchall()
    return [Case.model_validate_json(data) for (data,) in rows]
