"""The open tasks inside cases (`app.cases.tasks`) read from the cache with SQLite's JSON functions.

The tasks dock reloads after every change; building its list from parsed cases meant parsing every case in
verification (thousands in a large cache) each time, and the parsed objects' memory stayed with the
process. Here each candidate row gives only the few fields a task needs: its co-tasks, its on-site check,
its inspector and when it was sent to verify. `tests/cases/sync/test_task_rows.py` holds it equal to
`app.cases.tasks` on the full cases.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from uuid import UUID

from app.cases import joint
from app.cases.numbers import number_text
from app.cases.tasks import CHECK, CO_TASK, VERIFY, Task

log = logging.getLogger(__name__)

# Where a task can be open: a co-task on a case still being handled, a check pending on a report, a
# verification waiting for its inspector (chosen in SQL, so only these rows are read). The rows come from
# the partial index over the cases flagged as holding co-tasks or a check when written (`tasks`) and those in
# verification: without it, every case's JSON was parsed (~1 s at 100,000 cases, after every change).
TASK_ROWS_SQL = (
    "SELECT id, number, provisional_number, status, due_at, updated_at, "
    " CASE WHEN json_array_length(data, '$.co_tasks') > 0 THEN json_extract(data, '$.co_tasks') END, "
    " CASE WHEN status = 'reported' THEN json_extract(data, '$.check') END, "
    " CASE WHEN status = 'verifying' THEN json_extract(data, '$.inspector') END, "
    " CASE WHEN status = 'verifying' THEN json_type(data, '$.verification') END, "
    " CASE WHEN status = 'verifying' THEN (SELECT json_extract(e.value, '$.at') FROM json_each(data, '$.events') e "
    "   WHERE json_extract(e.value, '$.action') = 'send_verify' ORDER BY e.key DESC LIMIT 1) END "
    "FROM cases INDEXED BY ix_cases_open_tasks WHERE (tasks = 1 OR status = 'verifying') "
    " AND status IN ('reported', 'registered', 'returned', 'dispatched', 'in_progress', 'verifying') "
    " AND (coalesce(json_array_length(data, '$.co_tasks'), 0) > 0 "
    "      OR (status = 'reported' AND json_type(data, '$.check') = 'object') OR status = 'verifying')"
)


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def open_tasks(raw) -> list[Task]:
    """Every open task in the cache (`raw`: a sqlite3 connection), as `app.cases.tasks` finds them on the
    cases, in no particular order."""
    out: list[Task] = []
    for (case_id, number, provisional, status, due_at, updated_at, co_tasks, check, inspector, verification,
         sent) in raw.execute(TASK_ROWS_SQL):
        uid = UUID(case_id)
        shown = number_text(number, provisional, uid)
        due = _time(due_at)
        for t in json.loads(co_tasks) if co_tasks else ():
            if t.get("status", joint.DISPATCHED) != joint.HANDLED:
                out.append(Task(uid, shown, CO_TASK, t["unit_id"], t.get("status", joint.DISPATCHED),
                                _time(t["dispatched_at"]), _time(t["due_at"])))
        if check:
            c = json.loads(check)
            if c.get("result") is None:
                out.append(Task(uid, shown, CHECK, c["inspector"], "pending", _time(c["sent_at"]), due))
        if status == "verifying" and inspector and verification in (None, "null"):
            out.append(Task(uid, shown, VERIFY, inspector, "pending", _time(sent) or _time(updated_at), due))
    return out
