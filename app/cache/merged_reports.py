"""The repeats merged into a master case, read from the cache (so the console lists a master's reports
offline): the merged cases (by the status index) whose `merged_into` names it. Merged cases are not pruned
(`app.cache.retention` prunes closed and voided ones), so a master's list stays whole while it is cached."""
from __future__ import annotations

import logging
from uuid import UUID

from app.cases.case import Case
from app.platform.enums import Status

log = logging.getLogger(__name__)

MERGED_INTO_SQL = ("SELECT data FROM cases WHERE status = ? AND json_extract(data, '$.merged_into') = ? "
                   "ORDER BY created_at, id")


def merged_into(raw_connection, master_id: UUID) -> list[Case]:
    """The display copies of the cases merged into `master_id`, oldest first (`raw_connection`: sqlite3)."""
    rows = raw_connection.execute(MERGED_INTO_SQL, (str(Status.MERGED), str(master_id))).fetchall()
    return [Case.model_validate_json(data) for (data,) in rows]
